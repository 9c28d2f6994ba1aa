//! What every face opens first: the inventory (found by `--inventory`, `$OFFGO_INVENTORY`,
//! `./offgo.toml`, then the XDG config) and an engine over it. The console, the headless
//! commands, `rollout --resume` and the demo all open it here.

use std::path::Path;
use std::sync::Arc;

use tokio::sync::mpsc::UnboundedReceiver;

use crate::core::engine::{Engine, EngineEvent, EngineOptions};
use crate::core::inventory::{self, Inventory, InventoryError};

pub struct Session {
    pub inventory: Arc<Inventory>,
    pub engine: Engine,
    pub events: UnboundedReceiver<EngineEvent>,
}

/// Finds and loads the inventory (`explicit` first).
pub fn load_inventory(explicit: Option<&Path>) -> Result<Inventory, InventoryError> {
    inventory::locate(explicit).and_then(|path| inventory::load(&path))
}

/// The engine over a loaded inventory.
pub fn open_session(inventory: Inventory, options: EngineOptions) -> Session {
    let inventory = Arc::new(inventory);
    let (engine, events) = Engine::new(Arc::clone(&inventory), options);
    Session {
        inventory,
        engine,
        events,
    }
}
