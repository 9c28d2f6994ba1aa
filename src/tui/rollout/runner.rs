//! The event loop's side of a rollout: a thin adapter around the core's [`RolloutSession`]
//! (journal files, engine calls). It carries out the rollout commands `update` asks for, feeds
//! the session every engine event and tick, and answers with snapshots of its state for the
//! model.

use std::path::{Path, PathBuf};

use crate::core::engine::{Artifact, Engine, EngineEvent};
use crate::core::inventory::Inventory;
use crate::core::rollout::journal::{self, rollouts_dir};
use crate::core::rollout::listing;
use crate::core::rollout::{Input, Rollout, RolloutRequest, RolloutSession, SessionError, Update};
use crate::tui::msg::{Msg, OpenedRollout, Resumption};
use crate::tui::rollout::state::RolloutSnapshot;

pub struct Runner {
    /// Where the journals are (`$XDG_STATE_HOME/offgo/rollouts`; a test's own directory).
    dir: PathBuf,
    session: Option<RolloutSession>,
    /// An unfinished journal found at start-up (or opened from the list), shown but not
    /// driven until resumed.
    resumable: Option<PathBuf>,
    /// A journal opened from the rollout list that no process drives: the operator's next
    /// input (`t`, `b`, …) takes it over (see [`Runner::route`]).
    opened: Option<PathBuf>,
    /// The journal whose bundle is being opened off the event loop to resume or take it over,
    /// with the inputs given meanwhile (applied in order once it is taken over).
    pending: Option<(PathBuf, Vec<Input>)>,
}

/// Where the operator's input goes (see [`Runner::route`]).
#[derive(Debug, PartialEq)]
pub enum Route {
    /// To the rollout this console drives, now.
    Drive(Input),
    /// The journal's rollout must be taken over first: open its bundle (the input waits).
    OpenFirst(PathBuf),
    /// A take-over is under way: the input waits for it.
    Queued,
}

impl Default for Runner {
    fn default() -> Self {
        Self::new(rollouts_dir())
    }
}

impl Runner {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            dir,
            session: None,
            resumable: None,
            opened: None,
            pending: None,
        }
    }

    /// Looks for the newest unfinished rollout; answers with its state for the screen.
    pub fn find_unfinished(&mut self, inventory: &Inventory) -> Option<Msg> {
        let (path, loaded, machine) = journal::newest_unfinished(&self.dir)?;
        tracing::info!(rollout = %loaded.header.id, journal = %path.display(), "unfinished rollout found");
        // A headless run going on now is shown, not offered for resuming.
        let elsewhere = journal::is_driven(&path);
        if !elsewhere {
            self.resumable = Some(path.clone());
        }
        Some(from_journal(&path, &loaded, machine, inventory, elsewhere))
    }

    /// Every journal, newest first, for the rollout list.
    pub fn list(&self) -> Msg {
        let dir = self.dir.clone();
        let here = self.session.as_ref().map(RolloutSession::journal_path);
        let entries = listing::list(&dir, here);
        tracing::info!(dir = %dir.display(), found = entries.len(), "listed rollouts");
        Msg::Rollouts { dir, entries }
    }

    /// The rollout of the journal at `path`, for the rollout view: live if this console drives
    /// it, else as its journal says.
    pub fn open(&mut self, engine: &Engine, path: &Path) -> Msg {
        if let Some((pending, _)) = &self.pending {
            return Msg::RolloutRefused(format!(
                "the rollout of {} is being resumed (its bundle is being opened); open another once it is",
                pending.display()
            ));
        }
        if let Some(session) = &self.session {
            if session.journal_path() == path {
                self.opened = None;
                return snapshot(session, Vec::new());
            }
            if session.is_active() {
                return Msg::RolloutRefused(format!(
                    "rollout {} is under way in this console (o shows it); open another once it is over",
                    session.header().id
                ));
            }
        }
        let loaded = match journal::load(path) {
            Ok(loaded) => loaded,
            Err(e) => return Msg::RolloutRefused(e.to_string()),
        };
        let machine = loaded.replay();
        let elsewhere = journal::is_driven(path);
        tracing::info!(rollout = %loaded.header.id, journal = %path.display(), elsewhere, "rollout opened");
        self.resumable = (!elsewhere && !machine.is_finished()).then(|| path.to_path_buf());
        self.opened = (!elsewhere).then(|| path.to_path_buf());
        from_journal(path, &loaded, machine, engine.inventory(), elsewhere)
    }

    /// Starts the rollout of the plan the operator confirmed.
    pub fn start(&mut self, engine: &Engine, opened: OpenedRollout) -> Msg {
        match self.try_start(engine, opened) {
            Ok(msg) => msg,
            Err(e) => Msg::RolloutRefused(e.to_string()),
        }
    }

    /// `opened`: the confirmed plan with its bundle, opened off the event loop
    /// ([`crate::tui::file_work::FileWork::open_for_rollout`]).
    fn try_start(&mut self, engine: &Engine, opened: OpenedRollout) -> Result<Msg, SessionError> {
        if self.session.as_ref().is_some_and(RolloutSession::is_active) {
            return Err(SessionError::AlreadyRunning);
        }
        let inventory = engine.inventory();
        let request = RolloutRequest {
            inventory,
            inventory_path: canonical(&inventory.source),
            preview: opened.preview,
            bundle: opened.bundle,
            bundle_path: canonical(&opened.bundle_path),
            signature: opened.signature,
        };
        let (session, updates) = RolloutSession::start(request, &self.dir, engine)?;
        tracing::info!(rollout = %session.header().id, "rollout started from the console");
        self.resumable = None;
        self.opened = None;
        let msg = snapshot(&session, updates);
        self.session = Some(session);
        Ok(msg)
    }

    /// Where the operator's input goes: to the rollout this console drives, or, for a journal
    /// opened from the list that nobody drives, after taking it over (its bundle is opened off
    /// the event loop, then [`Runner::resume_opened`]); inputs given while that is under way
    /// wait for it, in order.
    pub fn route(&mut self, input: Input) -> Route {
        if let Some((_, queued)) = &mut self.pending {
            queued.push(input);
            return Route::Queued;
        }
        let theirs = self.opened.as_ref().filter(|path| {
            self.session
                .as_ref()
                .is_none_or(|s| s.journal_path() != path.as_path())
        });
        match theirs {
            Some(path) => {
                let path = path.clone();
                self.pending = Some((path.clone(), vec![input]));
                Route::OpenFirst(path)
            }
            None => Route::Drive(input),
        }
    }

    /// The operator's input for the rollout this console drives.
    pub fn input(&mut self, engine: &Engine, input: Input) -> Option<Msg> {
        self.opened = None;
        let session = self.session.as_mut()?;
        let updates = session.input(input, engine);
        Some(snapshot(session, updates))
    }

    /// The unfinished rollout to resume, whose bundle is then opened off the event loop and
    /// [`Runner::resume_opened`] resumes it; or why there is none to resume now.
    pub fn begin_resume(&mut self) -> Result<PathBuf, String> {
        if self.pending.is_some() {
            return Err("the rollout is already being resumed (its bundle is being opened)".into());
        }
        let path = self
            .resumable
            .take()
            .ok_or_else(|| "no unfinished rollout to resume".to_string())?;
        self.pending = Some((path.clone(), Vec::new()));
        Ok(path)
    }

    /// Rebuilds the rollout of `journal` once its bundle is opened (`result`); hosts whose last
    /// step is unknown are re-probed before anything starts (the session does that with the
    /// probes' events). A take-over (the journal's lock makes sure no other process drives it
    /// meanwhile) then applies the inputs given since, in order. Whatever fails, the journal
    /// stays on offer to try again.
    pub fn resume_opened(
        &mut self,
        engine: &Engine,
        journal: PathBuf,
        then: Resumption,
        result: Result<Box<Artifact>, String>,
    ) -> Msg {
        let inputs = match self.pending.take() {
            Some((path, inputs)) if path == journal => inputs,
            other => {
                // Not the answer the runner waits for (it cannot happen: one at a time).
                self.pending = other;
                return Msg::RolloutRefused(format!(
                    "a late answer for {} was dropped: nothing started",
                    journal.display()
                ));
            }
        };
        let refuse = |runner: &mut Runner, why: String| {
            if then == Resumption::Resume {
                runner.resumable = Some(journal.clone());
            }
            Msg::RolloutRefused(why)
        };
        if let Some(session) = self.session.as_ref().filter(|s| s.is_active()) {
            let why = format!(
                "rollout {} is under way in this console (o shows it); resume another once it is over",
                session.header().id
            );
            return refuse(self, why);
        }
        let bundle = match result {
            Ok(bundle) => *bundle,
            Err(why) => return refuse(self, why),
        };
        match RolloutSession::resume_with(&journal, engine.inventory(), engine, bundle) {
            Ok((mut session, resumed, mut updates)) => {
                tracing::info!(rollout = %session.header().id, unknown = resumed.unknown.len(), inputs = inputs.len(), "rollout resumed from its journal");
                self.opened = None;
                self.resumable = None;
                for input in inputs {
                    updates.extend(session.input(input, engine));
                }
                let msg = snapshot(&session, updates);
                self.session = Some(session);
                msg
            }
            Err(e) => refuse(self, e.to_string()),
        }
    }

    /// Every engine event goes through here while a rollout runs.
    pub fn on_event(&mut self, engine: &Engine, event: &EngineEvent) -> Option<Msg> {
        let session = self.session.as_mut()?;
        let updates = session.on_event(event, engine);
        (!updates.is_empty()).then(|| snapshot(session, updates))
    }

    /// Ends timed pauses; while one runs, the screen gets the time left.
    pub fn tick(&mut self, engine: &Engine) -> Option<Msg> {
        let session = self.session.as_mut()?;
        let pausing = session.time_left().is_some();
        let updates = session.tick(engine);
        (pausing || !updates.is_empty()).then(|| snapshot(session, updates))
    }
}

/// A rollout as its journal leaves it (not driven here).
fn from_journal(
    path: &Path,
    loaded: &journal::Loaded,
    machine: Rollout,
    inventory: &Inventory,
    elsewhere: bool,
) -> Msg {
    let header = &loaded.header;
    let ids = header
        .hosts
        .iter()
        .map(|name| inventory.find(name).unwrap_or(usize::MAX))
        .collect();
    Msg::Rollout(Box::new(RolloutSnapshot {
        id: header.id.clone(),
        version: header.version.clone(),
        journal: path.to_path_buf(),
        names: header.hosts.clone(),
        ids,
        resumable: !elsewhere && !machine.is_finished(),
        machine,
        waiting_for_operator: false,
        pause_left: None,
        updates: Vec::new(),
        elsewhere,
    }))
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn snapshot(session: &RolloutSession, updates: Vec<Update>) -> Msg {
    let header = session.header();
    let ids = (0..header.hosts.len())
        .map(|l| session.inventory_id(l))
        .collect();
    Msg::Rollout(Box::new(RolloutSnapshot {
        id: header.id.clone(),
        version: header.version.clone(),
        journal: session.journal_path().to_path_buf(),
        names: header.hosts.clone(),
        ids,
        machine: session.machine().clone(),
        waiting_for_operator: session.waiting_for_operator(),
        pause_left: session.time_left(),
        updates,
        resumable: false,
        elsewhere: false,
    }))
}
