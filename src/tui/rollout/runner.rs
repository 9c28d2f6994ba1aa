//! The event loop's side of a rollout: it owns the [`Driver`] (journal files, engine calls),
//! carries out the rollout commands `update` asks for, feeds it every engine event and tick,
//! and answers with snapshots of its state for the model.

use std::path::{Path, PathBuf};

use crate::cli::push::open_trusted;
use crate::cli::rollout::on_target;
use crate::core::engine::{Engine, EngineEvent};
use crate::core::inventory::{HostId, Inventory};
use crate::core::rollout::journal::{self, rollouts_dir};
use crate::core::rollout::{Driver, Input, RolloutRequest, Status, Update};
use crate::tui::msg::Msg;
use crate::tui::rollout::state::RolloutSnapshot;

#[derive(Default)]
pub struct Runner {
    driver: Option<Driver>,
    /// An unfinished journal found at start-up, shown but not driven until resumed.
    resumable: Option<PathBuf>,
    /// After a resume: hosts whose last step is unknown, being re-probed before the driver
    /// starts anything.
    settling: Vec<HostId>,
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

    pub fn start(
        &mut self,
        engine: &Engine,
        hosts: Vec<HostId>,
        skipped: Vec<(HostId, String)>,
        bundle_path: PathBuf,
    ) -> Msg {
        if self.driver.as_ref().is_some_and(is_active) {
            return Msg::RolloutRefused("a rollout is already running".into());
        }
        let inventory = engine.inventory();
        let bundle = match open_trusted(&bundle_path, &inventory.bundles) {
            Ok(bundle) => bundle,
            Err(error) => return Msg::RolloutRefused(error),
        };
        let signature = crate::core::bundle::Bundle::open(&bundle_path)
            .map(|b| b.signature_status().to_string())
            .unwrap_or_default();
        let settings = match crate::tui::state::model::rollout_settings(inventory) {
            Ok(s) => s,
            Err(e) => return Msg::RolloutRefused(e),
        };
        let request = RolloutRequest {
            inventory,
            inventory_path: canonical(&inventory.source),
            hosts,
            skipped,
            settings,
            bundle,
            bundle_path: canonical(&bundle_path),
            signature,
        };
        let mut driver = match Driver::create(request, &rollouts_dir()) {
            Ok(d) => d,
            Err(e) => return Msg::RolloutRefused(e),
        };
        tracing::info!(rollout = %driver.header.id, "rollout started from the console");
        self.resumable = None;
        let updates = driver.feed(Input::Start, engine);
        let msg = snapshot(&driver, updates);
        self.driver = Some(driver);
        msg
    }

    pub fn input(&mut self, engine: &Engine, input: Input) -> Option<Msg> {
        let driver = self.driver.as_mut()?;
        let updates = driver.feed(input, engine);
        Some(snapshot(driver, updates))
    }

    /// Rebuilds the driver from the journal and re-probes the hosts whose last step is
    /// unknown; the driver starts hosts once those probes are in (see [`Runner::on_event`]).
    pub fn resume(&mut self, engine: &Engine) -> Msg {
        let Some(path) = self.resumable.take() else {
            return Msg::RolloutRefused("no unfinished rollout to resume".into());
        };
        let inventory = engine.inventory();
        let header = match journal::load(&path) {
            Ok(loaded) => loaded.header,
            Err(e) => return Msg::RolloutRefused(e),
        };
        let bundle = match open_trusted(&header.bundle, &inventory.bundles) {
            Ok(b) if b.sha256 == header.bundle_sha256 => b,
            Ok(_) => {
                return Msg::RolloutRefused(format!(
                    "{} is not the bundle rollout {} started with (sha256 differs)",
                    header.bundle.display(),
                    header.id
                ))
            }
            Err(e) => return Msg::RolloutRefused(format!("rollout {}: {e}", header.id)),
        };
        let (mut driver, unknown) = match Driver::resume(&path, inventory, bundle) {
            Ok(r) => r,
            Err(e) => return Msg::RolloutRefused(e),
        };
        tracing::info!(rollout = %header.id, unknown = unknown.len(), "rollout resumed");
        let updates = if unknown.is_empty() {
            go_on(&mut driver, engine)
        } else {
            engine.probe(&unknown);
            self.settling = unknown;
            Vec::new()
        };
        let msg = snapshot(&driver, updates);
        self.driver = Some(driver);
        msg
    }

    /// Every engine event goes through here while a rollout runs.
    pub fn on_event(&mut self, engine: &Engine, event: &EngineEvent) -> Option<Msg> {
        let driver = self.driver.as_mut()?;
        let mut updates = Vec::new();
        if let EngineEvent::HostProbed { host, report } = event {
            if let Some(i) = self.settling.iter().position(|h| h == host) {
                self.settling.remove(i);
                let on = on_target(report, &driver.header.version);
                updates.extend(driver.settle(*host, on, engine));
                if self.settling.is_empty() {
                    updates.extend(go_on(driver, engine));
                }
            }
        }
        updates.extend(driver.on_event(event, engine));
        (!updates.is_empty()).then(|| snapshot(driver, updates))
    }

    /// Ends timed pauses; while one runs, the screen gets the time left.
    pub fn tick(&mut self, engine: &Engine) -> Option<Msg> {
        let driver = self.driver.as_mut()?;
        let pausing = driver.time_left().is_some();
        let updates = driver.tick(engine);
        (pausing || !updates.is_empty()).then(|| snapshot(driver, updates))
    }
}

/// After a resume: resuming is the operator's go-ahead past a manual pause.
fn go_on(driver: &mut Driver, engine: &Engine) -> Vec<Update> {
    if matches!(
        driver.machine.status,
        Status::PausedBetweenBatches { manual: true }
    ) {
        driver.feed(Input::Continue, engine)
    } else {
        driver.wake(engine)
    }
}

fn is_active(driver: &Driver) -> bool {
    !driver.machine.is_finished() || !driver.machine.in_flight().is_empty()
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn snapshot(driver: &Driver, updates: Vec<Update>) -> Msg {
    let header = &driver.header;
    let ids = (0..header.hosts.len())
        .map(|l| driver.inventory_id(l))
        .collect();
    Msg::Rollout(Box::new(RolloutSnapshot {
        id: header.id.clone(),
        version: header.version.clone(),
        journal: driver.journal_path().to_path_buf(),
        names: header.hosts.clone(),
        ids,
        machine: driver.machine.clone(),
        waiting_for_operator: driver.waiting_for_operator,
        pause_left: driver.time_left(),
        updates,
        resumable: false,
    }))
}
