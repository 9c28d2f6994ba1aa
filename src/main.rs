//! offgo-tui: hooks → logging → arguments → the console or a headless command.

use std::process::ExitCode;

use clap::Parser;
use offgo::cli::{self, Cli};

fn main() -> ExitCode {
    if let Err(e) = color_eyre::install() {
        eprintln!("offgo-tui: cannot install error hooks: {e}");
    }
    raise_open_files_limit();
    let cli = Cli::parse();
    let parallel = cli.global.parallel.map(usize::from);
    match cli.command {
        Some(cli::Command::Demo(args)) => offgo::demo::run(parallel, cli.read_only, args.keep),
        // Text generated from the argument definitions: no log file, no inventory.
        Some(cli::Command::Completions(args)) => cli::docs::completions(args.shell),
        Some(cli::Command::Man(args)) => cli::docs::man(&args),
        Some(command) => {
            let _logging = offgo::logging::init_headless(cli.global.verbose);
            cli::run(&cli.global, command)
        }
        None => offgo::tui::launch(cli.global.inventory.as_deref(), parallel, cli.read_only),
    }
}

/// One pooled SSH session per host: a fleet of thousands needs more than the usual 1024 fds.
fn raise_open_files_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: plain getrlimit/setrlimit on a local struct.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}
