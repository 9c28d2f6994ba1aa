//! The console face.

use std::process::ExitCode;

use crate::cli::GlobalArgs;

/// Opens the console (wired up when the console lands).
pub fn main(_global: &GlobalArgs, _read_only: bool) -> ExitCode {
    eprintln!("offgo-tui: the console is not built yet; use `offgo-tui scan`");
    ExitCode::from(2)
}
