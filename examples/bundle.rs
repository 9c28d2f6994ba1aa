//! `bundle build|verify|keygen` as a stand-alone program, the same code path as
//! `offgo-tui bundle …`; benches/bundle.sh times it.
use std::process::ExitCode;

use clap::Parser;
use offgo::cli::bundle::{run, BundleCommand};

#[derive(Parser)]
struct Cli {
    /// One JSON object instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: BundleCommand,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli.command, cli.json)
}
