//! Runs operations on hosts and reports everything as a stream of [`EngineEvent`]s, which both
//! the console and the headless CLI consume.

mod event;
mod report;

use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

pub use event::EngineEvent;
pub use report::{HostReport, LddGap, OffgoSummary};

use crate::core::inventory::{HostId, Inventory};

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Hosts worked on at once (connections being set up or commands running).
    pub parallel: usize,
    /// The jump host's audit log, used to tell `diverged` host logs apart.
    pub local_audit_log: PathBuf,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self { parallel: 32, local_audit_log: crate::core::xdg::local_audit_log() }
    }
}

/// The engine. Cheap to call from any thread or task: every method returns at once and the
/// work is reported through the event stream returned by [`Engine::new`].
pub struct Engine {
    inventory: Arc<Inventory>,
    #[allow(dead_code)]
    options: EngineOptions,
    #[allow(dead_code)]
    events: UnboundedSender<EngineEvent>,
}

impl Engine {
    pub fn new(inventory: Arc<Inventory>, options: EngineOptions) -> (Self, UnboundedReceiver<EngineEvent>) {
        let (events, rx) = unbounded_channel();
        (Self { inventory, options, events }, rx)
    }

    pub fn inventory(&self) -> &Arc<Inventory> {
        &self.inventory
    }

    /// Probes `hosts`; emits `ProbeStarted` then `HostProbed` for each.
    pub fn probe(&self, _hosts: &[HostId]) {}
}
