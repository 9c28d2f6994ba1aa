//! Runs a rollout: feeds the state machine, carries out its effects with the engine, turns the
//! engine's events back into inputs, and journals every input before acting on it. The console
//! and the headless `rollout` command both drive a rollout through this.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::journal::{self, Header, HostRecord, Journal, Line};
use super::machine::{Effect, Input, Note, Rollout};
use super::plan::Plan;
use super::preview::Preview;
use super::session::SessionError;
use crate::core::engine::{Artifact, Engine, EngineEvent, HostOutcome, LddGap, Operation};
use crate::core::inventory::{HostId, Inventory};

/// What the driver tells its face.
#[derive(Debug, Clone, PartialEq)]
pub enum Update {
    Note(Note),
    Step {
        host: String,
        step: String,
    },
    HostDone {
        name: String,
        record: HostRecord,
    },
    /// Waiting for the operator to continue (headless: the command stops here).
    WaitingForOperator,
    /// The journal could not be written: the rollout stops starting hosts.
    JournalError(String),
}

/// Where a rollout comes from: everything decided before it starts.
pub struct RolloutRequest<'a> {
    pub inventory: &'a Inventory,
    pub inventory_path: PathBuf,
    /// The plan, exactly as shown to the operator (plan dialog, `--dry-run`).
    pub preview: Preview,
    /// What the bundle at `bundle_path` installs.
    pub bundle: Artifact,
    pub bundle_path: PathBuf,
    pub signature: String,
}

pub struct Driver {
    pub machine: Rollout,
    pub header: Header,
    journal: Journal,
    /// Rollout-local host id → inventory host id.
    ids: Vec<HostId>,
    local: HashMap<HostId, usize>,
    artifact: Artifact,
    expecting: HashMap<usize, Operation>,
    started: HashMap<usize, String>,
    /// Per host, the ldd gaps its last push saw before changing anything: the verification
    /// after it fails only on new ones.
    ldd_before: HashMap<usize, Vec<LddGap>>,
    /// Hosts whose push succeeded in this process and whose verification has not started: their
    /// push proved the release's files moments ago, so the verification does not read them
    /// again. A push from before a resume does not count.
    proven_here: std::collections::HashSet<usize>,
    pub timer: Option<Instant>,
    pub waiting_for_operator: bool,
    journal_failed: bool,
}

fn now() -> String {
    crate::core::audit::record::now_rfc3339()
}

impl Driver {
    /// Writes the journal's first line for the previewed plan.
    pub fn create(request: RolloutRequest<'_>, dir: &Path) -> Result<Self, SessionError> {
        let RolloutRequest {
            inventory,
            inventory_path,
            preview,
            bundle,
            bundle_path,
            signature,
        } = request;
        let Preview {
            hosts,
            skipped,
            plan: Plan { batches, .. },
            settings,
            ..
        } = preview;
        let mut names: Vec<String> = hosts
            .iter()
            .map(|&h| inventory.host(h).name.clone())
            .collect();
        let mut ids = hosts;
        let mut skipped_local = Vec::new();
        for (h, why) in skipped {
            skipped_local.push((ids.len(), why));
            names.push(inventory.host(h).name.clone());
            ids.push(h);
        }
        let planned = Plan {
            batches,
            skipped: skipped_local,
        };
        let header = Header {
            id: journal::new_id(),
            created: now(),
            actor: crate::core::audit::record::actor(),
            inventory: inventory_path,
            artifact: bundle.kind(),
            bundle: bundle_path,
            version: bundle.id().to_string(),
            bundle_sha256: bundle.sha256().to_string(),
            signature,
            hosts: names,
            settings: settings.clone(),
            plan: planned.clone(),
            arch_sha256: bundle.arch_sha256s(),
        };
        let journal = Journal::create(dir, &header).map_err(|source| SessionError::Journal {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Self::assemble(
            Rollout::new(planned, settings),
            header,
            journal,
            ids,
            bundle,
        ))
    }

    /// Rebuilds a rollout from its journal. Returns the driver and the hosts whose last step is
    /// unknown (they must be re-probed: see [`Driver::settle`]).
    pub fn resume(
        path: &Path,
        inventory: &Inventory,
        artifact: Artifact,
    ) -> Result<(Self, Vec<HostId>), SessionError> {
        let loaded = journal::load(path)?;
        let header = loaded.header.clone();
        let mut ids = Vec::new();
        for name in &header.hosts {
            ids.push(inventory.find(name).ok_or_else(|| SessionError::HostGone {
                host: name.clone(),
                rollout: header.id.clone(),
            })?);
        }
        let machine = loaded.replay();
        let unknown = machine.in_flight().into_iter().map(|l| ids[l]).collect();
        let mut journal = Journal::reopen(path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::WouldBlock {
                SessionError::DrivenElsewhere {
                    rollout: header.id.clone(),
                    journal: path.to_path_buf(),
                }
            } else {
                SessionError::Journal {
                    path: path.to_path_buf(),
                    source,
                }
            }
        })?;
        let taken = Line::Resumed {
            at: now(),
            actor: crate::core::audit::record::actor(),
            pid: std::process::id(),
        };
        journal
            .append(&taken)
            .map_err(|source| SessionError::Journal {
                path: path.to_path_buf(),
                source,
            })?;
        Ok((
            Self::assemble(machine, header, journal, ids, artifact),
            unknown,
        ))
    }

    fn assemble(
        machine: Rollout,
        header: Header,
        journal: Journal,
        ids: Vec<HostId>,
        artifact: Artifact,
    ) -> Self {
        let local = ids.iter().enumerate().map(|(l, &h)| (h, l)).collect();
        Self {
            machine,
            header,
            journal,
            ids,
            local,
            artifact,
            expecting: HashMap::new(),
            started: HashMap::new(),
            ldd_before: HashMap::new(),
            proven_here: std::collections::HashSet::new(),
            timer: None,
            waiting_for_operator: false,
            journal_failed: false,
        }
    }

    pub fn journal_path(&self) -> &Path {
        self.journal.path()
    }

    pub fn inventory_id(&self, local: usize) -> HostId {
        self.ids[local]
    }

    pub fn local_id(&self, host: HostId) -> Option<usize> {
        self.local.get(&host).copied()
    }

    /// After a resume: what a re-probe found for a host whose last step was unknown.
    pub fn settle(&mut self, host: HostId, on_target: bool, engine: &Engine) -> Vec<Update> {
        let Some(l) = self.local_id(host) else {
            return Vec::new();
        };
        self.feed(
            if on_target {
                Input::Confirmed(l)
            } else {
                Input::Requeue(l)
            },
            engine,
        )
    }

    /// Journals `input`, hands it to the machine and carries out the effects.
    pub fn feed(&mut self, input: Input, engine: &Engine) -> Vec<Update> {
        self.feed_from(input, None, engine)
    }

    /// [`Driver::feed`] for an input the operator `by` gave (the report says who).
    pub fn feed_from(&mut self, input: Input, by: Option<String>, engine: &Engine) -> Vec<Update> {
        if self.journal_failed {
            return Vec::new();
        }
        let line = Line::Input {
            at: now(),
            input: input.clone(),
            by,
        };
        if let Err(e) = self.journal.append(&line) {
            // Without a journal a crash would lose track of the fleet: start nothing more.
            self.journal_failed = true;
            let _ = self.machine.handle(Input::Abort);
            return vec![Update::JournalError(format!(
                "{}: {e}",
                self.journal.path().display()
            ))];
        }
        let effects = self.machine.handle(input);
        self.carry_out(effects, engine)
    }

    /// Starts whatever the current state calls for (after a resume).
    pub fn wake(&mut self, engine: &Engine) -> Vec<Update> {
        let effects = self.machine.wake();
        self.carry_out(effects, engine)
    }

    /// Feeds `PauseElapsed` when a timed pause is over.
    pub fn tick(&mut self, engine: &Engine) -> Vec<Update> {
        match self.timer {
            Some(at) if Instant::now() >= at => {
                self.timer = None;
                self.feed(Input::PauseElapsed, engine)
            }
            _ => Vec::new(),
        }
    }

    /// How long until the timed pause ends, if one is running.
    pub fn time_left(&self) -> Option<Duration> {
        self.timer
            .map(|at| at.saturating_duration_since(Instant::now()))
    }

    fn carry_out(&mut self, effects: Vec<Effect>, engine: &Engine) -> Vec<Update> {
        let mut updates = Vec::new();
        for effect in effects {
            match effect {
                Effect::Push(l) => self.start(l, Operation::Push, engine),
                Effect::Verify(l) => self.start(l, Operation::Verify, engine),
                Effect::Rollback(l) => self.start(l, Operation::Rollback, engine),
                Effect::Wait(d) => self.timer = Some(Instant::now() + d),
                Effect::WaitForOperator => {
                    self.waiting_for_operator = true;
                    updates.push(Update::WaitingForOperator);
                }
                Effect::Note(note) => updates.push(Update::Note(note)),
            }
        }
        updates
    }

    fn start(&mut self, l: usize, op: Operation, engine: &Engine) {
        self.waiting_for_operator = false;
        self.expecting.insert(l, op);
        self.started.insert(l, now());
        let host = self.ids[l];
        match op {
            Operation::Push => engine.push(&[host], &self.artifact),
            Operation::Verify => {
                let after = crate::core::engine::AfterPush {
                    ldd_before: self.ldd_before.remove(&l),
                    proven: self.proven_here.remove(&l),
                };
                engine.verify_pushed(&[host], &self.artifact, after)
            }
            Operation::Rollback => engine.rollback_pushed(&[host], &self.artifact),
            // A rollout's hosts only ever push, verify and roll back.
            Operation::Run | Operation::GoEnv => {}
        }
    }

    /// Folds an engine event that belongs to this rollout; others are ignored.
    pub fn on_event(&mut self, event: &EngineEvent, engine: &Engine) -> Vec<Update> {
        match event {
            EngineEvent::StepStarted { host, op, step } => {
                // Only the steps of the operation the rollout started: an ad-hoc command on
                // the same host is not the rollout's.
                let Some(l) = self
                    .local_id(*host)
                    .filter(|l| self.expecting.get(l) == Some(op))
                else {
                    return Vec::new();
                };
                // A sync here would hold the console's loop (hundreds of ms on a busy disk)
                // for a line that decides nothing.
                let _ = self.journal.append_unsynced(&Line::Step {
                    at: now(),
                    host: l,
                    step: step.clone(),
                });
                vec![Update::Step {
                    host: self.header.hosts[l].clone(),
                    step: step.clone(),
                }]
            }
            EngineEvent::OperationFinished { host, op, outcome } => {
                let Some(l) = self.local_id(*host) else {
                    return Vec::new();
                };
                if self.expecting.get(&l) != Some(op) {
                    return Vec::new();
                }
                self.expecting.remove(&l);
                if *op == Operation::Push {
                    match &outcome.ldd_before {
                        Some(gaps) => self.ldd_before.insert(l, gaps.clone()),
                        None => self.ldd_before.remove(&l),
                    };
                    if outcome.ok {
                        self.proven_here.insert(l);
                    } else {
                        self.proven_here.remove(&l);
                    }
                }
                let record = self.record(l, *op, outcome);
                // Synced by the input appended right after it.
                let _ = self.journal.append_unsynced(&Line::Host(record.clone()));
                let Some(input) = input_for(l, *op, outcome) else {
                    return Vec::new();
                };
                let mut updates = vec![Update::HostDone {
                    name: self.header.hosts[l].clone(),
                    record,
                }];
                updates.extend(self.feed(input, engine));
                updates
            }
            _ => Vec::new(),
        }
    }

    fn record(&self, l: usize, op: Operation, outcome: &HostOutcome) -> HostRecord {
        HostRecord {
            host: l,
            op: op.as_str().into(),
            ok: outcome.ok,
            from: outcome.from.clone(),
            to: outcome.to.clone(),
            step: outcome.step.clone(),
            error: outcome.error.clone(),
            notes: outcome.notes.clone(),
            started: self.started.get(&l).cloned().unwrap_or_default(),
            finished: now(),
        }
    }
}

fn input_for(l: usize, op: Operation, outcome: &HostOutcome) -> Option<Input> {
    Some(match op {
        Operation::Push => Input::PushDone {
            host: l,
            ok: outcome.ok,
            changed: outcome.ok && outcome.changed,
            step: outcome.step.clone(),
            error: outcome.error.clone(),
        },
        Operation::Verify => Input::VerifyDone {
            host: l,
            ok: outcome.ok,
            detail: outcome.error.clone().unwrap_or_default(),
        },
        // Never started by a rollout (see `start`).
        Operation::Run | Operation::GoEnv => return None,
        Operation::Rollback => Input::RollbackDone {
            host: l,
            ok: outcome.ok,
            error: outcome.error.clone(),
        },
    })
}
