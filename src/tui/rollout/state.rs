//! The rollout as the console sees it: a copy of the driver's state machine (the driver itself
//! lives in the event loop, with the engine), the host names, and what the screen derives from
//! them — batch counts, the halt arithmetic, the time estimate, the failure buckets.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::core::inventory::HostId;
use crate::core::rollout::{Phase, Rollout, Status, Update};
use crate::tui::rollout::buckets::{self, Bucket, Failure};

/// What the event loop sends after every call into the driver.
#[derive(Debug, Clone)]
pub struct RolloutSnapshot {
    pub id: String,
    pub version: String,
    pub journal: PathBuf,
    /// Rollout-local host id → name.
    pub names: Vec<String>,
    /// Rollout-local host id → inventory host id.
    pub ids: Vec<HostId>,
    pub machine: Rollout,
    pub waiting_for_operator: bool,
    pub pause_left: Option<Duration>,
    /// What happened in this call (notes for the event log).
    pub updates: Vec<Update>,
    /// Read from an unfinished journal at start-up; nothing drives it until the operator resumes.
    pub resumable: bool,
    /// Read from the journal of a rollout another process drives (a headless run, another
    /// console): shown as it was when read, never acted on from here.
    pub elsewhere: bool,
}

/// How often the journal of a rollout driven by another process is read again.
pub const REREAD: Duration = Duration::from_secs(2);

#[derive(Debug, Clone)]
pub struct RolloutState {
    pub id: String,
    pub version: String,
    pub journal: PathBuf,
    pub names: Vec<String>,
    pub ids: Vec<HostId>,
    pub machine: Rollout,
    pub waiting_for_operator: bool,
    pub pause_left: Option<Duration>,
    pub resumable: bool,
    pub elsewhere: bool,
    /// Time the console has watched this rollout run.
    pub elapsed: Duration,
    /// Rollout-local host → `elapsed` when it started its current operation.
    started_at: BTreeMap<usize, Duration>,
    /// How long each finished host took.
    pub host_times: Vec<Duration>,
    /// The highlighted failure bucket.
    pub bucket_cursor: usize,
    /// Time since the journal of a rollout driven elsewhere was last read.
    pub since_read: Duration,
}

/// One batch's line in the rollout view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCounts {
    pub name: String,
    pub hosts: usize,
    pub done: usize,
    pub running: usize,
    pub failed: usize,
    pub pending: usize,
}

impl RolloutState {
    pub fn new(snapshot: RolloutSnapshot) -> Self {
        let mut state = Self {
            id: String::new(),
            version: String::new(),
            journal: PathBuf::new(),
            names: Vec::new(),
            ids: Vec::new(),
            machine: snapshot.machine.clone(),
            waiting_for_operator: false,
            pause_left: None,
            resumable: false,
            elsewhere: false,
            elapsed: Duration::ZERO,
            started_at: BTreeMap::new(),
            host_times: Vec::new(),
            bucket_cursor: 0,
            since_read: Duration::ZERO,
        };
        state.absorb(snapshot);
        state
    }

    /// Takes the driver's newest state in, timing hosts as they start and finish.
    pub fn absorb(&mut self, snapshot: RolloutSnapshot) {
        for (&l, phase) in &snapshot.machine.phases {
            let was = self.machine.phases.get(&l);
            if phase.in_flight() && !self.started_at.contains_key(&l) {
                self.started_at.insert(l, self.elapsed);
            } else if !phase.in_flight() && was.is_some_and(Phase::in_flight) {
                if let Some(start) = self.started_at.remove(&l) {
                    self.host_times.push(self.elapsed.saturating_sub(start));
                }
            }
        }
        self.id = snapshot.id;
        self.version = snapshot.version;
        self.journal = snapshot.journal;
        self.names = snapshot.names;
        self.ids = snapshot.ids;
        self.machine = snapshot.machine;
        self.waiting_for_operator = snapshot.waiting_for_operator;
        self.pause_left = snapshot.pause_left;
        self.resumable = snapshot.resumable;
        self.elsewhere = snapshot.elsewhere;
        self.since_read = Duration::ZERO;
        self.bucket_cursor = self
            .bucket_cursor
            .min(self.buckets().len().saturating_sub(1));
    }

    /// Time passes only while hosts can still be started or are running.
    pub fn tick(&mut self, elapsed: Duration) {
        if self.elsewhere {
            return;
        }
        if !self.resumable && !self.machine.is_finished() || !self.machine.in_flight().is_empty() {
            self.elapsed += elapsed;
        }
    }

    /// A rollout another process drives is followed from its journal: true when it is time to
    /// read it again (every [`REREAD`] while it is unfinished).
    pub fn due_for_reread(&mut self, elapsed: Duration) -> bool {
        if !self.elsewhere || self.machine.is_finished() {
            return false;
        }
        self.since_read += elapsed;
        if self.since_read < REREAD {
            return false;
        }
        self.since_read = Duration::ZERO;
        true
    }

    pub fn is_active(&self) -> bool {
        !self.machine.is_finished() || !self.machine.in_flight().is_empty()
    }

    pub fn name(&self, local: usize) -> &str {
        self.names.get(local).map(String::as_str).unwrap_or("?")
    }

    pub fn batches(&self) -> Vec<BatchCounts> {
        self.machine
            .plan
            .batches
            .iter()
            .map(|b| {
                let mut counts = BatchCounts {
                    name: b.name.clone(),
                    hosts: b.hosts.len(),
                    done: 0,
                    running: 0,
                    failed: 0,
                    pending: 0,
                };
                for h in &b.hosts {
                    match self.machine.phases.get(h) {
                        Some(Phase::Succeeded { .. }) => counts.done += 1,
                        Some(Phase::Failed { .. } | Phase::RolledBack { .. }) => counts.failed += 1,
                        Some(p) if p.in_flight() => counts.running += 1,
                        _ => counts.pending += 1,
                    }
                }
                counts
            })
            .collect()
    }

    /// Average host time × hosts left ÷ parallel; `None` before a host has finished.
    pub fn estimate(&self) -> Option<Duration> {
        if self.host_times.is_empty() {
            return None;
        }
        let average = self.host_times.iter().sum::<Duration>() / self.host_times.len() as u32;
        let left = self
            .machine
            .phases
            .values()
            .filter(|p| matches!(p, Phase::Pending) || p.in_flight())
            .count() as u32;
        let parallel = self.machine.settings.parallel.max(1) as u32;
        Some(average * left.div_ceil(parallel))
    }

    /// Rollout-local ids of the hosts that failed (rolled-back hosts included: they failed too).
    pub fn failed_local(&self) -> Vec<usize> {
        self.machine
            .phases
            .iter()
            .filter(|(_, p)| matches!(p, Phase::Failed { .. } | Phase::RolledBack { .. }))
            .map(|(&l, _)| l)
            .collect()
    }

    /// Hosts not settled yet, in plan order: still to start, or in flight when the journal
    /// ended (resuming pushes those again).
    pub fn unsettled_local(&self) -> Vec<usize> {
        self.machine
            .plan
            .batches
            .iter()
            .flat_map(|b| b.hosts.iter().copied())
            .filter(|h| match self.machine.phases.get(h) {
                None | Some(Phase::Pending) => true,
                Some(p) => p.in_flight(),
            })
            .collect()
    }

    /// Failures with inventory host ids, in rollout order.
    pub fn failures(&self) -> Vec<Failure> {
        self.machine
            .phases
            .iter()
            .filter_map(|(&l, p)| {
                let (step, error) = match p {
                    // The reason stays next to the rollback's result.
                    Phase::Failed {
                        step,
                        error,
                        rolled_back,
                    } => (
                        step.clone(),
                        if *rolled_back {
                            format!("{error} → rolled back")
                        } else {
                            error.clone()
                        },
                    ),
                    Phase::RolledBack { why } => ("rollback".to_string(), why.clone()),
                    _ => return None,
                };
                let host = *self.ids.get(l)?;
                Some(Failure { host, step, error })
            })
            .collect()
    }

    pub fn buckets(&self) -> Vec<Bucket> {
        buckets::group(&self.failures())
    }

    pub fn local_of(&self, host: HostId) -> Option<usize> {
        self.ids.iter().position(|&h| h == host)
    }

    /// One line: where the rollout stands.
    pub fn status_text(&self) -> String {
        if self.elsewhere {
            return format!(
                "driven by another process (headless or another console), as its journal says: {}",
                self.machine_text()
            );
        }
        if self.resumable {
            return "unfinished (found in the journal): c resumes it".into();
        }
        self.machine_text()
    }

    fn machine_text(&self) -> String {
        match &self.machine.status {
            Status::NotStarted => "not started".into(),
            Status::Running => "running".into(),
            Status::PausedBetweenBatches { manual: true } => {
                "paused between batches: c continues with the next".into()
            }
            Status::PausedBetweenBatches { manual: false } => match self.pause_left {
                Some(left) => format!("pausing between batches, {} left", clock(left)),
                None => "pausing between batches".into(),
            },
            Status::Paused => "paused by the operator: c resumes".into(),
            // The live count, the one the halt line shows, not the one when halting began.
            Status::Halting { .. } => format!(
                "HALTING (hosts in flight finish): {}",
                self.machine.limit_check().1
            ),
            Status::Halted { reason } => match self.machine.limit_check() {
                (true, now) => format!("HALTED: {now}"),
                (false, _) => format!("HALTED ({reason}); under the limit now: c continues"),
            },
            Status::Aborting => "aborting: in-flight hosts finish, no new host starts".into(),
            Status::Done { aborted: true } => "aborted".into(),
            Status::Done { aborted: false } => "finished".into(),
        }
    }
}

/// `1h02m`, `4m05s`, `12s`.
pub fn clock(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}h{:02}m", s / 3600, s / 60 % 60)
    } else if s >= 60 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}
