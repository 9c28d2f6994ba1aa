//! The engine's event stream: the one thing both faces read.

use super::report::HostReport;
use crate::core::inventory::HostId;

#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// A probe of `host` has started (it may still wait for a free parallelism slot).
    ProbeStarted { host: HostId },
    /// A probe finished, successfully or not; `report.reachable` tells which.
    HostProbed {
        host: HostId,
        report: Box<HostReport>,
    },
}
