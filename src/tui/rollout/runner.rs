//! The event loop's side of a rollout: a thin adapter around the core's [`RolloutSession`]
//! (journal files, engine calls). It carries out the rollout commands `update` asks for, feeds
//! the session every engine event and tick, and answers with snapshots of its state for the
//! model.

use std::path::{Path, PathBuf};

use crate::core::bundle::open_trusted;
use crate::core::engine::{Artifact, Engine, EngineEvent};
use crate::core::inventory::Inventory;
use crate::core::rollout::journal::{self, rollouts_dir};
use crate::core::rollout::{Input, Preview, RolloutRequest, RolloutSession, SessionError, Update};
use crate::tui::msg::Msg;
use crate::tui::rollout::state::RolloutSnapshot;

#[derive(Default)]
pub struct Runner {
    session: Option<RolloutSession>,
    /// An unfinished journal found at start-up, shown but not driven until resumed.
    resumable: Option<PathBuf>,
}

impl Runner {
    /// Looks for the newest unfinished rollout; answers with its state for the screen.
    pub fn find_unfinished(&mut self, inventory: &Inventory) -> Option<Msg> {
        let (path, loaded, machine) = journal::newest_unfinished(&rollouts_dir())?;
        let header = &loaded.header;
        let ids = header
            .hosts
            .iter()
            .map(|name| inventory.find(name).unwrap_or(usize::MAX))
            .collect();
        tracing::info!(rollout = %header.id, journal = %path.display(), "unfinished rollout found");
        self.resumable = Some(path.clone());
        Some(Msg::Rollout(Box::new(RolloutSnapshot {
            id: header.id.clone(),
            version: header.version.clone(),
            journal: path,
            names: header.hosts.clone(),
            ids,
            machine,
            waiting_for_operator: false,
            pause_left: None,
            updates: Vec::new(),
            resumable: true,
        })))
    }

    /// Starts the rollout of the plan the operator confirmed.
    pub fn start(&mut self, engine: &Engine, preview: Preview, bundle_path: PathBuf) -> Msg {
        match self.try_start(engine, preview, bundle_path) {
            Ok(msg) => msg,
            Err(e) => Msg::RolloutRefused(e.to_string()),
        }
    }

    fn try_start(
        &mut self,
        engine: &Engine,
        preview: Preview,
        bundle_path: PathBuf,
    ) -> Result<Msg, SessionError> {
        if self.session.as_ref().is_some_and(RolloutSession::is_active) {
            return Err(SessionError::AlreadyRunning);
        }
        let inventory = engine.inventory();
        let trusted = open_trusted(&bundle_path, &inventory.bundles).map_err(|source| {
            SessionError::Bundle {
                rollout: "not started".into(),
                source,
            }
        })?;
        let request = RolloutRequest {
            inventory,
            inventory_path: canonical(&inventory.source),
            preview,
            bundle: Artifact::from(&trusted.bundle),
            bundle_path: canonical(&bundle_path),
            signature: trusted.signature.to_string(),
        };
        let (session, updates) = RolloutSession::start(request, &rollouts_dir(), engine)?;
        tracing::info!(rollout = %session.header().id, "rollout started from the console");
        self.resumable = None;
        let msg = snapshot(&session, updates);
        self.session = Some(session);
        Ok(msg)
    }

    pub fn input(&mut self, engine: &Engine, input: Input) -> Option<Msg> {
        let session = self.session.as_mut()?;
        let updates = session.input(input, engine);
        Some(snapshot(session, updates))
    }

    /// Rebuilds the rollout from the journal; hosts whose last step is unknown are re-probed
    /// before anything starts (the session does that with the probes' events).
    pub fn resume(&mut self, engine: &Engine) -> Msg {
        let Some(path) = self.resumable.take() else {
            return Msg::RolloutRefused("no unfinished rollout to resume".into());
        };
        match RolloutSession::resume(&path, engine.inventory(), engine) {
            Ok((session, resumed, updates)) => {
                tracing::info!(rollout = %session.header().id, unknown = resumed.unknown.len(), "rollout resumed");
                let msg = snapshot(&session, updates);
                self.session = Some(session);
                msg
            }
            Err(e) => Msg::RolloutRefused(e.to_string()),
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
    }))
}
