//! One rollout as both faces run it: start (from a previewed plan) or resume (from the journal,
//! re-probing the hosts whose last step is unknown before anything starts), operator inputs,
//! engine events, ticks for timed pauses, and the summary at the end. The headless `rollout`
//! command is this plus arguments and a printer; the console's runner is this plus snapshots.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::driver::{Driver, RolloutRequest, Update};
use super::journal::{self, Header, JournalError};
use super::machine::{Input, Rollout, Status};
use super::summary::Summary;
use crate::core::bundle::BundleError;
use crate::core::engine::{Artifact, Engine, EngineEvent};
use crate::core::inventory::{BundleSettings, HostId, Inventory};

/// Why a rollout could not start or resume.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("a rollout is already running")]
    AlreadyRunning,
    #[error("no unfinished rollout in {}", .0.display())]
    NothingToResume(PathBuf),
    #[error("cannot write the rollout journal in {}: {source}", .path.display())]
    Journal {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "rollout {rollout} is driven by another process (a headless run or another console \
         holds {}): act on it there, or once it is over",
        .journal.display()
    )]
    DrivenElsewhere { rollout: String, journal: PathBuf },
    #[error(transparent)]
    JournalUnreadable(#[from] JournalError),
    #[error("host {host} of rollout {rollout} is not in the inventory any more")]
    HostGone { host: String, rollout: String },
    #[error("rollout {rollout}: {source}")]
    Bundle {
        rollout: String,
        source: BundleError,
    },
    #[error("{} is not the bundle rollout {rollout} started with (sha256 differs)", .bundle.display())]
    BundleChanged { bundle: PathBuf, rollout: String },
}

/// What a resume found: the journal it continues and the hosts it re-probes first.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub journal: PathBuf,
    pub unknown: Vec<HostId>,
}

pub struct RolloutSession {
    driver: Driver,
    /// After a resume: hosts whose last step is unknown, being re-probed before the driver
    /// starts anything.
    settling: Vec<HostId>,
}

impl RolloutSession {
    /// Writes the journal and starts the first batch.
    pub fn start(
        request: RolloutRequest<'_>,
        dir: &Path,
        engine: &Engine,
    ) -> Result<(Self, Vec<Update>), SessionError> {
        let mut driver = Driver::create(request, dir)?;
        let updates = driver.feed(Input::Start, engine);
        let session = Self {
            driver,
            settling: Vec::new(),
        };
        Ok((session, updates))
    }

    /// Rebuilds the rollout of the journal at `path`. The bundle is opened again under the
    /// inventory's trust policy and must be the one the rollout started with. Hosts whose last
    /// step is unknown are re-probed: on the target they count as done, else they go back to
    /// pending; only then does the rollout go on (see [`RolloutSession::on_event`]).
    pub fn resume(
        path: &Path,
        inventory: &Inventory,
        engine: &Engine,
    ) -> Result<(Self, Resumed, Vec<Update>), SessionError> {
        let artifact = Self::open_bundle(path, &inventory.bundles)?;
        Self::resume_with(path, inventory, engine, artifact)
    }

    /// The bundle of the journal at `path`, opened again under the trust policy `bundles` and
    /// proven to be the one the rollout started with: the part of [`RolloutSession::resume`]
    /// that reads the bundle's medium (the console does it off its event loop).
    pub fn open_bundle(path: &Path, bundles: &BundleSettings) -> Result<Artifact, SessionError> {
        let header = journal::load(path)?.header;
        let (artifact, _) = Artifact::open_trusted(header.artifact, &header.bundle, bundles)
            .map_err(|source| SessionError::Bundle {
                rollout: header.id.clone(),
                source,
            })?;
        if artifact.sha256() != header.bundle_sha256 {
            return Err(SessionError::BundleChanged {
                bundle: header.bundle.clone(),
                rollout: header.id.clone(),
            });
        }
        Ok(artifact)
    }

    /// [`RolloutSession::resume`] with the bundle [`RolloutSession::open_bundle`] opened.
    pub fn resume_with(
        path: &Path,
        inventory: &Inventory,
        engine: &Engine,
        artifact: Artifact,
    ) -> Result<(Self, Resumed, Vec<Update>), SessionError> {
        let (mut driver, unknown) = Driver::resume(path, inventory, artifact)?;
        let resumed = Resumed {
            journal: path.to_path_buf(),
            unknown: unknown.clone(),
        };
        // While the rollout may still start hosts, a host cut short is pushed again: the push
        // itself finds out what is left to do (on the version by its files and settled: a
        // no-op; switched but not settled, or not switched: it finishes or redoes the change,
        // cleans up and audits it on both ends). A probe alone would leave an unaudited change
        // behind. A halted or aborted rollout starts nothing: its hosts are settled by a probe.
        let can_start = matches!(
            driver.machine.status,
            Status::NotStarted
                | Status::Running
                | Status::Paused
                | Status::PausedBetweenBatches { .. }
        );
        let mut updates = Vec::new();
        let mut settling = Vec::new();
        if unknown.is_empty() {
            updates.extend(go_on(&mut driver, engine));
        } else if can_start {
            for &host in &unknown {
                updates.extend(driver.settle(host, false, engine));
            }
            updates.extend(go_on(&mut driver, engine));
        } else {
            engine.probe(&unknown);
            settling = unknown;
        }
        let session = Self { driver, settling };
        Ok((session, resumed, updates))
    }

    /// An operator's input (continue, pause, abort, retry, roll back).
    pub fn input(&mut self, input: Input, engine: &Engine) -> Vec<Update> {
        let by = crate::core::audit::record::actor();
        self.driver.feed_from(input, Some(by), engine)
    }

    /// Every engine event goes through here while the rollout runs; others are ignored.
    pub fn on_event(&mut self, event: &EngineEvent, engine: &Engine) -> Vec<Update> {
        let mut updates = Vec::new();
        if let EngineEvent::HostProbed { host, report } = event {
            if let Some(i) = self.settling.iter().position(|h| h == host) {
                self.settling.remove(i);
                let header = &self.driver.header;
                let on = header.artifact.on_target(report, &header.version);
                updates.extend(self.driver.settle(*host, on, engine));
                if self.settling.is_empty() {
                    updates.extend(go_on(&mut self.driver, engine));
                }
            }
        }
        updates.extend(self.driver.on_event(event, engine));
        updates
    }

    /// Ends a timed pause whose time is up.
    pub fn tick(&mut self, engine: &Engine) -> Vec<Update> {
        self.driver.tick(engine)
    }

    /// How long until a timed pause ends, while one runs.
    pub fn time_left(&self) -> Option<Duration> {
        self.driver.time_left()
    }

    /// Hosts may still start or are in flight: a second rollout must wait.
    pub fn is_active(&self) -> bool {
        !self.is_over()
    }

    /// Finished, and nothing in flight: a headless run can print its summary and exit.
    pub fn is_over(&self) -> bool {
        self.settling.is_empty()
            && self.driver.machine.is_finished()
            && self.driver.machine.in_flight().is_empty()
    }

    pub fn waiting_for_operator(&self) -> bool {
        self.driver.waiting_for_operator
    }

    /// Between batches until the operator continues.
    pub fn paused_for_operator(&self) -> bool {
        matches!(
            self.driver.machine.status,
            Status::PausedBetweenBatches { manual: true }
        )
    }

    pub fn header(&self) -> &Header {
        &self.driver.header
    }

    pub fn machine(&self) -> &Rollout {
        &self.driver.machine
    }

    pub fn journal_path(&self) -> &Path {
        self.driver.journal_path()
    }

    /// The inventory host behind the rollout's host number `local`.
    pub fn inventory_id(&self, local: usize) -> HostId {
        self.driver.inventory_id(local)
    }

    /// Names of the hosts in flight now.
    pub fn in_flight_names(&self) -> Vec<String> {
        self.driver
            .machine
            .in_flight()
            .into_iter()
            .map(|l| self.driver.header.hosts[l].clone())
            .collect()
    }

    pub fn summary(&self) -> Summary {
        Summary::of(
            &self.driver.header,
            &self.driver.machine,
            self.journal_path().to_path_buf(),
        )
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
