//! What every host command starts with: the inventory, the selected hosts, an engine.

use std::sync::Arc;

use crate::cli::out::errln;
use crate::cli::{GlobalArgs, EXIT_USAGE};
use crate::core::engine::{Engine, EngineEvent, EngineOptions, DEFAULT_PARALLEL};
use crate::core::inventory::{self, HostId, Inventory};
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
    let inventory = load_inventory(global)?;
    let selected = match inventory::select(&inventory, selector) {
        Ok(ids) => ids,
        Err(e) => {
            errln!("offgo-tui: --hosts {selector:?}: {e}");
            return Err(EXIT_USAGE);
        }
    };
    let options = EngineOptions {
        parallel: global.parallel.map(usize::from).unwrap_or(DEFAULT_PARALLEL),
        ..EngineOptions::default()
    };
    let parallel = options.parallel;
    let inventory = Arc::new(inventory);
    let (engine, events) = Engine::new(Arc::clone(&inventory), options);
    Ok(Context {
        inventory,
        selected,
        engine,
        events,
        parallel,
    })
}

pub fn load_inventory(global: &GlobalArgs) -> Result<Inventory, u8> {
    let loaded =
        inventory::locate(global.inventory.as_deref()).and_then(|path| inventory::load(&path));
    loaded.map_err(|e| {
        errln!("offgo-tui: {e}");
        EXIT_USAGE
    })
}
