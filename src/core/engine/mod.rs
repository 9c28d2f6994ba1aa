//! Runs operations on hosts and reports everything as a stream of [`EngineEvent`]s, which both
//! the console and the headless CLI consume.
//!
//! Each host has one worker thread owning its SSH session ([`crate::core::ssh::HostWorker`]);
//! the engine hands it jobs and a shared [`Limiter`] bounds how many hosts work at once.

mod event;
mod probe;
mod report;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

pub use event::EngineEvent;
pub use probe::unreachable_report;
pub use report::{HostReport, LddGap, OffgoSummary};

use crate::core::audit::LastRecorded;
use crate::core::inventory::{HostId, Inventory};
use crate::core::ssh::{ErrorKind, HostError, HostLink, HostWorker, Job, Limiter};

/// Hosts worked on at once unless told otherwise.
pub const DEFAULT_PARALLEL: usize = 64;

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Hosts worked on at once (connections being set up or commands running).
    pub parallel: usize,
    /// The jump host's audit log, used to tell `diverged` host logs apart.
    pub local_audit_log: PathBuf,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            parallel: DEFAULT_PARALLEL,
            local_audit_log: crate::core::xdg::local_audit_log(),
        }
    }
}

/// The engine. Every method returns at once; the work is reported through the event stream
/// returned by [`Engine::new`]. Dropping the engine lets the host workers finish their current
/// job and end.
pub struct Engine {
    inventory: Arc<Inventory>,
    options: EngineOptions,
    events: UnboundedSender<EngineEvent>,
    limiter: Limiter,
    workers: Mutex<Vec<Option<HostWorker>>>,
}

impl Engine {
    pub fn new(
        inventory: Arc<Inventory>,
        options: EngineOptions,
    ) -> (Self, UnboundedReceiver<EngineEvent>) {
        let (events, rx) = unbounded_channel();
        let limiter = Limiter::new(options.parallel);
        let workers = Mutex::new((0..inventory.hosts.len()).map(|_| None).collect());
        (
            Self {
                inventory,
                options,
                events,
                limiter,
                workers,
            },
            rx,
        )
    }

    pub fn inventory(&self) -> &Arc<Inventory> {
        &self.inventory
    }

    /// Probes `hosts`; emits `ProbeStarted` then `HostProbed` for each.
    pub fn probe(&self, hosts: &[HostId]) {
        let recorded = Arc::new(LastRecorded::load(&self.options.local_audit_log));
        for &host in hosts {
            let _ = self.events.send(EngineEvent::ProbeStarted { host });
            let events = self.events.clone();
            let limiter = self.limiter.clone();
            let recorded = Arc::clone(&recorded);
            self.submit(
                host,
                Box::new(move |link: &mut HostLink| {
                    let guard = ReportGuard::new(host, link.host(), events);
                    let _permit = limiter.acquire();
                    let report = probe::probe_host(link, &recorded);
                    guard.send(report);
                }),
            );
        }
    }

    fn submit(&self, host: HostId, job: Job) {
        let mut workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
        let Some(slot) = workers.get_mut(host) else {
            return;
        };
        if slot.is_none() {
            match HostWorker::spawn(self.inventory.host(host).clone()) {
                Ok(worker) => *slot = Some(worker),
                Err(e) => {
                    tracing::error!(host, error = %e, "cannot start a worker thread");
                    return;
                }
            }
        }
        if let Some(worker) = slot {
            if !worker.submit(job) {
                *slot = None;
            }
        }
    }
}

/// Makes sure a probe reports exactly once, even if the job panics: a missing report would
/// leave `scan` waiting forever.
struct ReportGuard {
    host: HostId,
    fallback: Option<HostReport>,
    events: UnboundedSender<EngineEvent>,
}

impl ReportGuard {
    fn new(
        host: HostId,
        config: &crate::core::inventory::Host,
        events: UnboundedSender<EngineEvent>,
    ) -> Self {
        let error = HostError::new(
            ErrorKind::CommandFailed,
            "internal error while probing (see the log file)",
            "report this as a bug; the log file has the details",
        );
        Self {
            host,
            fallback: Some(unreachable_report(config, &error)),
            events,
        }
    }

    fn send(mut self, report: HostReport) {
        self.fallback = None;
        let _ = self.events.send(EngineEvent::HostProbed {
            host: self.host,
            report: Box::new(report),
        });
    }
}

impl Drop for ReportGuard {
    fn drop(&mut self) {
        if let Some(report) = self.fallback.take() {
            let _ = self.events.send(EngineEvent::HostProbed {
                host: self.host,
                report: Box::new(report),
            });
        }
    }
}
