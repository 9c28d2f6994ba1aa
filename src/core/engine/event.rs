//! The engine's event stream: the one thing both faces read.

use std::time::Duration;

use super::outcome::{HostOutcome, Operation};
use super::report::HostReport;
use crate::core::inventory::HostId;
use crate::core::ssh::HostError;

#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// A probe of `host` has started (it may still wait for a free parallelism slot).
    ProbeStarted { host: HostId },
    /// A probe finished, successfully or not; `report.reachable` tells which.
    HostProbed {
        host: HostId,
        report: Box<HostReport>,
    },
    /// An operation on `host` was queued.
    OperationStarted { host: HostId, op: Operation },
    /// A step of an operation started (`preflight`, `lock`, `upload`, `extract`, `switch`, …).
    StepStarted {
        host: HostId,
        op: Operation,
        step: String,
    },
    /// Upload progress.
    Progress {
        host: HostId,
        bytes: u64,
        total: u64,
        bytes_per_sec: u64,
    },
    /// A step failed; `error.output` holds what the host said.
    StepFailed {
        host: HostId,
        op: Operation,
        step: String,
        error: HostError,
    },
    /// A remote command finished (the command log).
    CommandRan {
        host: HostId,
        label: String,
        exit_status: Option<i32>,
        elapsed: Duration,
    },
    /// The operation on `host` ended.
    OperationFinished {
        host: HostId,
        op: Operation,
        outcome: Box<HostOutcome>,
    },
}
