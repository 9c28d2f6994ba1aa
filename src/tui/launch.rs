//! From the command line to the console: load the inventory, then run.

use std::process::ExitCode;
use std::sync::Arc;

use crate::cli::{GlobalArgs, EXIT_USAGE};
use crate::core::engine::DEFAULT_PARALLEL;
use crate::core::inventory;

use super::ConsoleOptions;

/// `offgo-tui [--inventory FILE] [--read-only]`.
pub fn launch(global: &GlobalArgs, read_only: bool) -> ExitCode {
    let loaded =
        inventory::locate(global.inventory.as_deref()).and_then(|path| inventory::load(&path));
    let inventory = match loaded {
        Ok(inventory) => inventory,
        Err(e) => {
            eprintln!("offgo-tui: {e}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let options = ConsoleOptions {
        parallel: global.parallel.map(usize::from).unwrap_or(DEFAULT_PARALLEL),
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
