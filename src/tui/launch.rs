//! From the command line to the console: load the inventory, then run.

use std::process::ExitCode;
use std::sync::Arc;

use std::path::Path;

use crate::core::engine::DEFAULT_PARALLEL;
use crate::core::session::load_inventory;
use crate::exit::EXIT_USAGE;

use super::ConsoleOptions;

/// `offgo-tui [--inventory FILE] [--read-only] [--parallel N]`.
pub fn launch(inventory: Option<&Path>, parallel: Option<usize>, read_only: bool) -> ExitCode {
    let inventory = match load_inventory(inventory) {
        Ok(inventory) => inventory,
        Err(e) => {
            eprintln!("offgo-tui: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let options = ConsoleOptions {
        parallel: parallel.unwrap_or(DEFAULT_PARALLEL),
        read_only,
        ..ConsoleOptions::default()
    };
    match super::run(Arc::new(inventory), options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("offgo-tui: {e:?}");
            ExitCode::FAILURE
        }
    }
}
