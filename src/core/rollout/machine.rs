//! The rollout as a pure state machine: inputs in, effects out, no I/O. The driver (headless
//! or console) executes the effects and feeds back their results; the journal is the list of
//! inputs, so replaying it rebuilds the exact state after a crash.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use super::inputs::{Effect, Input, Note};
use super::plan::Plan;
use super::settings::{Limit, OnHalt, Pause, RolloutSettings};
use crate::core::inventory::HostId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    Pending,
    Pushing,
    Verifying,
    RollingBack,
    Succeeded {
        changed: bool,
    },
    /// `rolled_back`: the failure was undone by the auto-rollback (a failed verification);
    /// the host still counts against the failure limit, and `error` is still why it failed.
    Failed {
        step: String,
        error: String,
        #[serde(default)]
        rolled_back: bool,
    },
    /// Rolled back by the operator or the on-halt policy.
    RolledBack {
        why: String,
    },
}

impl Phase {
    pub fn in_flight(&self) -> bool {
        matches!(self, Phase::Pushing | Phase::Verifying | Phase::RollingBack)
    }

    /// On its old release again: rolled back by the operator, the on-halt policy, or the
    /// auto-rollback after a failure.
    pub fn rolled_back(&self) -> bool {
        matches!(
            self,
            Phase::RolledBack { .. }
                | Phase::Failed {
                    rolled_back: true,
                    ..
                }
        )
    }

    /// Why the host failed and what came of it, in one line: `verify failed: … → rolled
    /// back`; `None` for a host that did not fail.
    pub fn failure_text(&self) -> Option<String> {
        match self {
            Phase::Failed {
                step,
                error,
                rolled_back,
            } => Some(format!(
                "{step} failed: {error}{}",
                if *rolled_back { " → rolled back" } else { "" }
            )),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Status {
    NotStarted,
    Running,
    /// Between batches: timed, or until the operator continues.
    PausedBetweenBatches {
        manual: bool,
    },
    /// The operator paused; in-flight hosts finish.
    Paused,
    /// Over the failure limit: finishing in-flight hosts and the on-halt policy.
    Halting {
        reason: String,
    },
    Halted {
        reason: String,
    },
    Aborting,
    Done {
        aborted: bool,
    },
}

#[derive(Debug, Clone)]
pub struct Rollout {
    pub plan: Plan,
    pub settings: RolloutSettings,
    pub status: Status,
    /// The batch being worked on.
    pub batch: usize,
    pub phases: BTreeMap<HostId, Phase>,
    /// Hosts this rollout switched to the new release, in order (for rollback-all).
    changed: Vec<HostId>,
    /// A host whose verification failed is rolled back, then counted as failed.
    verify_failures: BTreeMap<HostId, String>,
    /// Why a failed host the operator rolls back failed, for its `RolledBack` phase.
    rollback_causes: BTreeMap<HostId, String>,
    /// Hosts the operator asked to push again outside the batch order.
    retrying: Vec<HostId>,
    /// The on-halt rollbacks have been issued.
    halt_policy_applied: bool,
}

impl Rollout {
    pub fn new(plan: Plan, settings: RolloutSettings) -> Self {
        let mut phases = BTreeMap::new();
        for batch in &plan.batches {
            for &h in &batch.hosts {
                phases.insert(h, Phase::Pending);
            }
        }
        Self {
            plan,
            settings,
            status: Status::NotStarted,
            batch: 0,
            phases,
            changed: Vec::new(),
            verify_failures: BTreeMap::new(),
            rollback_causes: BTreeMap::new(),
            retrying: Vec::new(),
            halt_policy_applied: false,
        }
    }

    /// Feeds `input`; returns what the driver must do next.
    pub fn handle(&mut self, input: Input) -> Vec<Effect> {
        let mut fx = Vec::new();
        match input {
            Input::Start => {
                if self.status == Status::NotStarted {
                    self.status = Status::Running;
                    self.start_batch(&mut fx);
                }
            }
            Input::PushDone {
                host,
                ok,
                changed,
                step,
                error,
            } => {
                if ok {
                    if changed && !self.changed.contains(&host) {
                        self.changed.push(host);
                    }
                    if self.settings.auto_rollback {
                        self.phases.insert(host, Phase::Verifying);
                        fx.push(Effect::Verify(host));
                    } else {
                        self.phases.insert(host, Phase::Succeeded { changed });
                    }
                } else {
                    let step = step.unwrap_or_else(|| "push".into());
                    self.phases.insert(
                        host,
                        Phase::Failed {
                            step,
                            error: error.unwrap_or_default(),
                            rolled_back: false,
                        },
                    );
                    self.after_failure();
                }
            }
            Input::VerifyDone { host, ok, detail } => {
                if ok {
                    self.phases.insert(
                        host,
                        Phase::Succeeded {
                            changed: self.changed.contains(&host),
                        },
                    );
                } else {
                    self.verify_failures.insert(host, detail);
                    self.phases.insert(host, Phase::RollingBack);
                    fx.push(Effect::Rollback(host));
                }
            }
            Input::RollbackDone { host, ok, error } => {
                let verify_failure = self.verify_failures.remove(&host);
                let cause = self.rollback_causes.remove(&host);
                self.changed.retain(|&h| h != host || !ok);
                let phase = match (verify_failure, ok) {
                    // The verification's failure stays the host's story; the rollback is
                    // its result.
                    (Some(detail), true) => Phase::Failed {
                        step: "verify".into(),
                        error: detail,
                        rolled_back: true,
                    },
                    (Some(detail), false) => Phase::Failed {
                        step: "verify".into(),
                        error: format!(
                            "{detail}; rollback failed too: {}",
                            error.unwrap_or_default()
                        ),
                        rolled_back: false,
                    },
                    (None, true) => Phase::RolledBack {
                        why: match cause {
                            Some(cause) => format!("{cause} → rolled back"),
                            None => "rolled back".into(),
                        },
                    },
                    (None, false) => Phase::Failed {
                        step: "rollback".into(),
                        error: error.unwrap_or_default(),
                        rolled_back: false,
                    },
                };
                let failed = matches!(phase, Phase::Failed { .. });
                self.phases.insert(host, phase);
                if failed {
                    self.after_failure();
                }
            }
            Input::PauseElapsed => {
                if matches!(self.status, Status::PausedBetweenBatches { manual: false }) {
                    self.status = Status::Running;
                    self.next_batch(&mut fx);
                }
            }
            Input::Continue => match &self.status {
                Status::PausedBetweenBatches { .. } => {
                    self.status = Status::Running;
                    self.next_batch(&mut fx);
                }
                Status::Paused => self.status = Status::Running,
                Status::Halted { .. } if !self.over_limit() => {
                    self.status = Status::Running;
                    self.halt_policy_applied = false;
                }
                _ => {}
            },
            Input::Pause => {
                if self.status == Status::Running {
                    self.status = Status::Paused;
                    fx.push(Effect::Note(Note::Paused {
                        why: "paused by the operator".into(),
                    }));
                }
            }
            Input::Abort => {
                if !matches!(self.status, Status::Done { .. }) {
                    self.status = Status::Aborting;
                }
            }
            Input::Retry(hosts) => {
                for h in hosts {
                    if matches!(
                        self.phases.get(&h),
                        Some(Phase::Failed { .. } | Phase::RolledBack { .. })
                    ) {
                        self.phases.insert(h, Phase::Pending);
                        self.retrying.push(h);
                    }
                }
            }
            Input::RollBack(hosts) => {
                for h in hosts {
                    if self.phases.get(&h).is_some_and(|p| !p.in_flight()) {
                        // A failed host keeps its reason through the rollback.
                        if let Some(Phase::Failed { step, error, .. }) = self.phases.get(&h) {
                            self.rollback_causes
                                .insert(h, format!("{step} failed: {error}"));
                        }
                        self.phases.insert(h, Phase::RollingBack);
                        fx.push(Effect::Rollback(h));
                    }
                }
            }
            Input::Requeue(h) => {
                if self.phases.get(&h).is_some_and(Phase::in_flight) {
                    self.phases.insert(h, Phase::Pending);
                }
            }
            Input::Confirmed(h) => {
                if self.phases.get(&h).is_some_and(Phase::in_flight) {
                    if !self.changed.contains(&h) {
                        self.changed.push(h);
                    }
                    self.phases.insert(h, Phase::Succeeded { changed: true });
                }
            }
        }
        self.advance(&mut fx);
        fx
    }

    /// Effects for the current state without new input: what a resumed driver starts with.
    pub fn wake(&mut self) -> Vec<Effect> {
        let mut fx = Vec::new();
        match self.status {
            Status::PausedBetweenBatches { manual: true } => fx.push(Effect::WaitForOperator),
            Status::PausedBetweenBatches { manual: false } => {
                if let Pause::Timed(d) = self.settings.pause {
                    fx.push(Effect::Wait(d));
                }
            }
            _ => {}
        }
        self.advance(&mut fx);
        fx
    }

    /// Hosts whose outcome is unknown (a step was under way when the driver died).
    pub fn in_flight(&self) -> Vec<HostId> {
        self.phases
            .iter()
            .filter(|(_, p)| p.in_flight())
            .map(|(h, _)| *h)
            .collect()
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.status, Status::Done { .. } | Status::Halted { .. })
    }

    fn running(&self) -> usize {
        self.phases.values().filter(|p| p.in_flight()).count()
    }

    fn failed_hosts(&self) -> Vec<HostId> {
        self.phases
            .iter()
            .filter(|(_, p)| matches!(p, Phase::Failed { .. }))
            .map(|(h, _)| *h)
            .collect()
    }

    fn batch_counts(&self, batch: usize) -> (usize, usize, usize) {
        let hosts = self
            .plan
            .batches
            .get(batch)
            .map(|b| b.hosts.as_slice())
            .unwrap_or(&[]);
        let failed = hosts
            .iter()
            .filter(|h| matches!(self.phases.get(h), Some(Phase::Failed { .. })))
            .count();
        let ok = hosts
            .iter()
            .filter(|h| matches!(self.phases.get(h), Some(Phase::Succeeded { .. })))
            .count();
        (hosts.len(), ok, failed)
    }

    /// Is the failure limit exceeded? Returns the arithmetic for the operator.
    pub fn limit_check(&self) -> (bool, String) {
        match self.settings.max_failures {
            Limit::Count(n) => {
                let failed = self.failed_hosts();
                let over = failed.len() > n;
                (
                    over,
                    format!(
                        "{} failed in the rollout{}; limit {n} → {}",
                        failed.len(),
                        self.of_them_rolled_back(&failed),
                        if over { "halted" } else { "ok" }
                    ),
                )
            }
            Limit::Percent(p) => {
                let (size, _, failed) = self.batch_counts(self.batch);
                let share = if size == 0 {
                    0.0
                } else {
                    failed as f64 * 100.0 / size as f64
                };
                let over = share > p;
                let name = self
                    .plan
                    .batches
                    .get(self.batch)
                    .map(|b| b.name.as_str())
                    .unwrap_or("batch");
                let failed_hosts: Vec<HostId> = self
                    .plan
                    .batches
                    .get(self.batch)
                    .map(|b| b.hosts.as_slice())
                    .unwrap_or(&[])
                    .iter()
                    .copied()
                    .filter(|h| matches!(self.phases.get(h), Some(Phase::Failed { .. })))
                    .collect();
                (
                    over,
                    format!(
                        "{name}: {failed} of {size} failed{}; limit {p}% → {}",
                        self.of_them_rolled_back(&failed_hosts),
                        if over { "halted" } else { "ok" }
                    ),
                )
            }
        }
    }

    /// ` (1 rolled back)`: failed hosts the auto-rollback put back on their old release, so
    /// the halt rule's count and the summary's `rolled back` read as one story.
    fn of_them_rolled_back(&self, failed: &[HostId]) -> String {
        let n = failed
            .iter()
            .filter(|h| self.phases.get(h).is_some_and(Phase::rolled_back))
            .count();
        match n {
            0 => String::new(),
            n => format!(" ({n} rolled back)"),
        }
    }

    fn over_limit(&self) -> bool {
        self.limit_check().0
    }

    fn after_failure(&mut self) {
        let (over, text) = self.limit_check();
        if over
            && matches!(
                self.status,
                Status::Running | Status::Paused | Status::PausedBetweenBatches { .. }
            )
        {
            self.status = Status::Halting { reason: text };
        }
    }

    fn start_batch(&mut self, fx: &mut Vec<Effect>) {
        if let Some(batch) = self.plan.batches.get(self.batch) {
            fx.push(Effect::Note(Note::BatchStarted {
                batch: self.batch,
                name: batch.name.clone(),
                hosts: batch.hosts.len(),
            }));
        }
    }

    fn next_batch(&mut self, fx: &mut Vec<Effect>) {
        self.batch += 1;
        self.start_batch(fx);
    }

    /// Starts hosts while there is room, and moves the rollout on when a batch is done.
    fn advance(&mut self, fx: &mut Vec<Effect>) {
        loop {
            match self.status.clone() {
                Status::Running => {
                    self.dispatch(fx);
                    if self.running() > 0 || self.pending_in_batch() > 0 {
                        return;
                    }
                    let (_, ok, failed) = self.batch_counts(self.batch);
                    let name = self
                        .plan
                        .batches
                        .get(self.batch)
                        .map(|b| b.name.clone())
                        .unwrap_or_default();
                    if self.batch < self.plan.batches.len() {
                        fx.push(Effect::Note(Note::BatchDone {
                            batch: self.batch,
                            name,
                            succeeded: ok,
                            failed,
                        }));
                    }
                    if self.batch + 1 >= self.plan.batches.len() {
                        self.finish(fx, false);
                        return;
                    }
                    match self.settings.pause {
                        Pause::None => self.next_batch(fx),
                        Pause::Timed(d) => {
                            self.status = Status::PausedBetweenBatches { manual: false };
                            fx.push(Effect::Note(Note::Paused {
                                why: format!(
                                    "pausing {} before the next batch",
                                    humantime::format_duration(d)
                                ),
                            }));
                            fx.push(Effect::Wait(d));
                            return;
                        }
                        Pause::Manual => {
                            self.status = Status::PausedBetweenBatches { manual: true };
                            fx.push(Effect::Note(Note::Paused {
                                why: "waiting for the operator to continue".into(),
                            }));
                            fx.push(Effect::WaitForOperator);
                            return;
                        }
                    }
                }
                Status::Halting { reason } => {
                    if self.running() > 0 {
                        return;
                    }
                    if !self.halt_policy_applied {
                        self.halt_policy_applied = true;
                        let to_roll_back: Vec<HostId> = match self.settings.on_halt {
                            OnHalt::Leave => Vec::new(),
                            OnHalt::RollbackBatch => {
                                let batch = &self.plan.batches
                                    [self.batch.min(self.plan.batches.len().saturating_sub(1))];
                                self.changed
                                    .iter()
                                    .copied()
                                    .filter(|h| batch.hosts.contains(h))
                                    .collect()
                            }
                            OnHalt::RollbackAll => self.changed.clone(),
                        };
                        for h in &to_roll_back {
                            if matches!(self.phases.get(h), Some(Phase::Succeeded { .. })) {
                                self.phases.insert(*h, Phase::RollingBack);
                                fx.push(Effect::Rollback(*h));
                            }
                        }
                        if self.running() > 0 {
                            return;
                        }
                    }
                    // Hosts that failed while the others finished count too: the reason is
                    // the count at the halt, the one the status lines show.
                    let (still_over, now) = self.limit_check();
                    let reason = if still_over { now } else { reason };
                    self.status = Status::Halted {
                        reason: reason.clone(),
                    };
                    fx.push(Effect::Note(Note::Halted { reason }));
                    self.finish(fx, false);
                    return;
                }
                Status::Paused => {
                    // Retried hosts still go; nothing else starts.
                    self.dispatch_retries(fx);
                    return;
                }
                Status::Aborting => {
                    if self.running() == 0 {
                        self.finish(fx, true);
                    }
                    return;
                }
                Status::Halted { .. } | Status::Done { .. } => {
                    self.dispatch_retries(fx);
                    return;
                }
                Status::NotStarted | Status::PausedBetweenBatches { .. } => return,
            }
        }
    }

    fn pending_in_batch(&self) -> usize {
        let hosts = self
            .plan
            .batches
            .get(self.batch)
            .map(|b| b.hosts.as_slice())
            .unwrap_or(&[]);
        hosts
            .iter()
            .filter(|h| self.phases.get(h) == Some(&Phase::Pending))
            .count()
            + self
                .retrying
                .iter()
                .filter(|h| self.phases.get(h) == Some(&Phase::Pending))
                .count()
    }

    fn dispatch_retries(&mut self, fx: &mut Vec<Effect>) {
        let retrying = self.retrying.clone();
        for h in retrying {
            if self.running() >= self.settings.parallel.max(1) {
                break;
            }
            if self.phases.get(&h) == Some(&Phase::Pending) {
                self.phases.insert(h, Phase::Pushing);
                fx.push(Effect::Push(h));
            }
        }
        self.retrying
            .retain(|h| self.phases.get(h) == Some(&Phase::Pending));
    }

    fn dispatch(&mut self, fx: &mut Vec<Effect>) {
        self.dispatch_retries(fx);
        let hosts = self
            .plan
            .batches
            .get(self.batch)
            .map(|b| b.hosts.clone())
            .unwrap_or_default();
        for h in hosts {
            if self.running() >= self.settings.parallel.max(1) {
                break;
            }
            if self.phases.get(&h) == Some(&Phase::Pending) {
                self.phases.insert(h, Phase::Pushing);
                fx.push(Effect::Push(h));
            }
        }
    }

    fn finish(&mut self, fx: &mut Vec<Effect>, aborted: bool) {
        let halted = matches!(self.status, Status::Halted { .. });
        if !halted {
            self.status = Status::Done { aborted };
        }
        let count = |f: fn(&Phase) -> bool| self.phases.values().filter(|p| f(p)).count();
        fx.push(Effect::Note(Note::Finished {
            succeeded: count(|p| matches!(p, Phase::Succeeded { .. })),
            failed: count(|p| matches!(p, Phase::Failed { .. }) && !p.rolled_back()),
            rolled_back: count(Phase::rolled_back),
            halted,
            aborted,
        }));
    }
}

#[cfg(test)]
#[path = "machine_tests.rs"]
mod tests;
