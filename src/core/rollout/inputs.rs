//! What goes into the rollout machine (inputs: operator commands, host results, timers) and
//! what comes out (effects for the driver to carry out, notes for the operator). The journal
//! records the inputs.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::core::inventory::HostId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Input {
    Start,
    PushDone {
        host: HostId,
        ok: bool,
        changed: bool,
        step: Option<String>,
        error: Option<String>,
    },
    VerifyDone {
        host: HostId,
        ok: bool,
        detail: String,
    },
    RollbackDone {
        host: HostId,
        ok: bool,
        error: Option<String>,
    },
    /// A timed pause between batches is over.
    PauseElapsed,
    /// The operator continues past a manual pause, or resumes after pausing or a halt.
    Continue,
    /// The operator pauses: running hosts finish, no new host starts.
    Pause,
    /// No new host starts; in-flight hosts finish (or roll back), then the rollout ends.
    Abort,
    /// Push these failed hosts again.
    Retry(Vec<HostId>),
    /// Roll these hosts back to their previous release.
    RollBack(Vec<HostId>),
    /// After a crash: the host's last step is unknown and the host turned out not to be on
    /// the target; it goes back to pending.
    Requeue(HostId),
    /// After a crash: the host turned out to be on the target, verified.
    Confirmed(HostId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Effect {
    Push(HostId),
    Verify(HostId),
    Rollback(HostId),
    /// Feed `PauseElapsed` after this long.
    Wait(Duration),
    /// Wait for the operator's `Continue`.
    WaitForOperator,
    Note(Note),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Note {
    BatchStarted {
        batch: usize,
        name: String,
        hosts: usize,
    },
    BatchDone {
        batch: usize,
        name: String,
        succeeded: usize,
        failed: usize,
    },
    Halted {
        reason: String,
    },
    Paused {
        why: String,
    },
    Finished {
        succeeded: usize,
        failed: usize,
        rolled_back: usize,
        halted: bool,
        aborted: bool,
    },
}
