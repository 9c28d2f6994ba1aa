//! What every host command starts with: the inventory, the selected hosts, an engine.

use std::sync::Arc;

use crate::cli::out::errln;
use crate::cli::{GlobalArgs, EXIT_USAGE};
use crate::core::engine::{Engine, EngineEvent, EngineOptions, DEFAULT_PARALLEL};
use crate::core::inventory::{self, HostId, Inventory};
use crate::core::session::{load_inventory as find_and_load, open_session};
use tokio::sync::mpsc::UnboundedReceiver;

pub struct Context {
    pub inventory: Arc<Inventory>,
    pub selected: Vec<HostId>,
    pub engine: Engine,
    pub events: UnboundedReceiver<EngineEvent>,
    /// Hosts worked on at once.
    pub parallel: usize,
}

/// Loads the inventory and selects hosts; on failure prints the error and returns the exit code.
pub fn open(global: &GlobalArgs, selector: &str) -> Result<Context, u8> {
    let (inventory, selected) = load_selected(global, selector)?;
    let options = engine_options(global)?;
    let parallel = options.parallel;
    let mut session = open_session(inventory, options);
    session.engine.accept_audit(global.accept_audit);
    Ok(Context {
        inventory: session.inventory,
        selected,
        engine: session.engine,
        events: session.events,
        parallel,
    })
}

/// What `--parallel` (and, in tests only, `OFFGO_TEST_FAULT`) ask of the engine; on a bad
/// fault plan the error is printed and the exit code returned.
pub fn engine_options(global: &GlobalArgs) -> Result<EngineOptions, u8> {
    Ok(EngineOptions {
        parallel: global.parallel.map(usize::from).unwrap_or(DEFAULT_PARALLEL),
        fault: fault_plan()?,
        ..EngineOptions::default()
    })
}

/// Loads the inventory and selects `--hosts`; on failure prints the error and returns the exit
/// code (for commands that need no engine).
pub fn load_selected(
    global: &GlobalArgs,
    selector: &str,
) -> Result<(Inventory, Vec<inventory::HostId>), u8> {
    let inventory = load_inventory(global)?;
    match inventory::select(&inventory, selector) {
        Ok(ids) => Ok((inventory, ids)),
        Err(e) => {
            errln!("offgo-tui: --hosts {selector:?}: {e}");
            Err(EXIT_USAGE)
        }
    }
}

pub fn load_inventory(global: &GlobalArgs) -> Result<Inventory, u8> {
    find_and_load(global.inventory.as_deref()).map_err(|e| {
        errln!("offgo-tui: {e}");
        EXIT_USAGE
    })
}

/// The test-only fault plan (see [`crate::cli::test_fault`]); a bad one is a usage error.
pub fn fault_plan() -> Result<Option<Arc<crate::core::ssh::FaultPlan>>, u8> {
    crate::cli::test_fault::plan().map_err(|e| {
        errln!("offgo-tui: {e}");
        EXIT_USAGE
    })
}
