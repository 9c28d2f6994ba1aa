//! The headless face: `offgo-tui scan|…` for scripts and CI. Same engine as the console.

pub mod args;
mod context;
mod print;
mod scan;

use std::process::ExitCode;

pub use args::{Cli, Command, GlobalArgs};

/// Exit codes (contract): every selected host succeeded.
pub const EXIT_OK: u8 = 0;
/// At least one host failed.
pub const EXIT_HOST_FAILED: u8 = 1;
/// Usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// Runs a headless command.
pub fn run(global: &GlobalArgs, command: Command) -> ExitCode {
    let code = match command {
        Command::Scan(args) => scan::run(global, &args),
    };
    ExitCode::from(code)
}
