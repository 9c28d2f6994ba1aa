//! Runs operations on hosts and reports everything as a stream of [`EngineEvent`]s, which both
//! the console and the headless CLI consume.
//!
//! Host jobs run on a [`HostPool`] of `parallel` threads: that bounds how many hosts work at
//! once, and a host's pooled session waits between jobs as data, not as a parked thread.

mod ad_hoc;
mod app_engine;
mod app_preflight;
mod app_push;
mod app_release;
mod app_rollback;
mod app_service;
mod app_state;
mod app_verify;
mod artifact;
mod audited;
pub mod bootstrap;
mod event;
pub mod go_env;
mod go_release;
mod go_release_set;
mod host_state;
pub mod modcache_bundle;
mod modcache_preflight;
mod modcache_push;
mod modcache_rollback;
mod modcache_verify;
mod outcome;
#[cfg(test)]
mod parse_properties;
mod preflight;
pub(crate) mod probe;
mod push;
mod report;
mod rollback;
mod script_end;
mod step;
pub mod steps;
mod switch_plan;
mod upload;
mod verify;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

pub use ad_hoc::AUDIT_ACTION as AD_HOC_ACTION;
pub use app_release::{is_app_bundle, valid_version as valid_app_version, AppRelease};
pub use app_service::Health;
pub use app_state::{AppHistory, AppState};
pub use artifact::{Artifact, ArtifactKind};
pub use event::{CommandOutput, EngineEvent, OUTPUT_TAIL};
pub use go_release::GoRelease;
pub use go_release_set::GoReleaseSet;
pub use modcache_bundle::ModcacheBundle;
pub use outcome::{Answer, Check, HostOutcome, Operation};
pub use probe::unreachable_report;
pub use report::AthensReport;
pub use report::{HelperStatus, HostReport, LddGap, OffgoSummary, PrivilegeReport};

use crate::core::audit::AuditTrail;
use crate::core::inventory::{HostId, Inventory};
use crate::core::ssh::{ErrorKind, FaultPlan, HostError, HostLink, HostPool, Job};

/// Hosts worked on at once unless told otherwise.
pub const DEFAULT_PARALLEL: usize = 64;

/// What a rollout knows of its push on a host when it starts the host's verification.
#[derive(Debug, Clone, Default)]
pub struct AfterPush {
    /// The ldd gaps the host had before the push ([`HostOutcome::ldd_before`]).
    pub ldd_before: Option<Vec<LddGap>>,
    /// The push succeeded in this process moments ago: it proved every file of the release
    /// it installed, which the verification then does not read again.
    pub proven: bool,
}

/// How the engine runs.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Hosts worked on at once (connections being set up or commands running).
    pub parallel: usize,
    /// The jump host's audit log, used to tell `diverged` host logs apart.
    pub local_audit_log: PathBuf,
    /// Nice value added to each host worker thread. The console raises it so that dozens of
    /// workers doing key exchanges never take the CPU from the thread that draws the screen.
    pub worker_nice: i32,
    /// Fault points for the fault-injection harness (tests/faults.rs); `None` everywhere else.
    pub fault: Option<Arc<FaultPlan>>,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            parallel: DEFAULT_PARALLEL,
            local_audit_log: crate::core::xdg::local_audit_log(),
            worker_nice: 0,
            fault: None,
        }
    }
}

/// What every host operation needs besides its host.
pub struct OpContext {
    /// `user@jumphost`, written into audit lines and the host lock.
    pub actor: String,
    /// The jump host's audit log and what it recorded for each host.
    pub trail: Arc<AuditTrail>,
    /// The operator accepts hosts whose audit log is tampered or diverged (`--accept-audit`).
    pub accept_audit: bool,
    /// Each host's last full probe (the engine's): a probe an operation runs before it changes
    /// anything answers from it when the host is unchanged (see [`OpContext::probe`]).
    pub(crate) memos: Arc<Vec<Mutex<Option<probe::ProbeMemo>>>>,
}

impl OpContext {
    /// Probes `host` on `link` as a re-probe does: an unchanged host (by the probe's one-`stat`
    /// fingerprint of everything a full probe reads) answers from its last full probe, which a
    /// rollout took for its plan seconds before; a changed one is probed in full, and the memo
    /// kept for the next.
    pub(crate) fn probe(&self, link: &mut HostLink, host: HostId) -> HostReport {
        probe_remembering(&self.memos, &self.trail, link, host)
    }
}

/// A probe of `host` that answers from its last full probe when the host is unchanged, and
/// keeps the new one otherwise: the engine's probes and an operation's share the memo.
fn probe_remembering(
    memos: &[Mutex<Option<probe::ProbeMemo>>],
    trail: &AuditTrail,
    link: &mut HostLink,
    host: HostId,
) -> HostReport {
    match memos.get(host) {
        Some(memo) => {
            let mut memo = memo.lock().unwrap_or_else(|e| e.into_inner());
            probe::probe_host(link, trail, Some(&mut memo))
        }
        None => probe::probe_host(link, trail, None),
    }
}

/// The engine. Every method returns at once; the work is reported through the event stream
/// returned by [`Engine::new`]. Dropping the engine lets the jobs running finish and cancels the
/// ones queued (they report nothing: the event stream just ends).
pub struct Engine {
    inventory: Arc<Inventory>,
    events: UnboundedSender<EngineEvent>,
    pool: HostPool,
    /// Each host's last full probe, so re-probes of unchanged hosts stay cheap.
    memos: Arc<Vec<Mutex<Option<probe::ProbeMemo>>>>,
    /// The jump host's audit state for this inventory, read by each job when it runs (never
    /// when it is queued: an operation queued before it may still write to it).
    trail: Arc<AuditTrail>,
    accept_audit: bool,
}

impl Engine {
    pub fn new(
        inventory: Arc<Inventory>,
        options: EngineOptions,
    ) -> (Self, UnboundedReceiver<EngineEvent>) {
        let (events, rx) = unbounded_channel();
        let pool = host_pool(&inventory, &options);
        let memos = Arc::new(
            (0..inventory.hosts.len())
                .map(|_| Mutex::new(None))
                .collect(),
        );
        let trail = Arc::new(AuditTrail::new(
            options.local_audit_log.clone(),
            &inventory.source,
        ));
        (
            Self {
                inventory,
                events,
                pool,
                memos,
                trail,
                accept_audit: false,
            },
            rx,
        )
    }

    pub fn inventory(&self) -> &Arc<Inventory> {
        &self.inventory
    }

    /// Pushes, rollbacks and rollouts from now on go ahead on hosts whose audit log is
    /// tampered or diverged, recording the acceptance in both logs (`--accept-audit`).
    pub fn accept_audit(&mut self, accept: bool) {
        self.accept_audit = accept;
    }

    /// Probes `hosts`; emits `ProbeStarted` then `HostProbed` for each.
    pub fn probe(&self, hosts: &[HostId]) {
        for &host in hosts {
            let _ = self.events.send(EngineEvent::ProbeStarted { host });
            let events = self.events.clone();
            let trail = Arc::clone(&self.trail);
            let memos = Arc::clone(&self.memos);
            self.submit(
                host,
                Box::new(move |link: &mut HostLink| {
                    let guard = ReportGuard::new(host, link.host(), events);
                    let report = probe_remembering(&memos, &trail, link, host);
                    guard.send(report);
                }),
            );
        }
    }

    /// Pushes `artifact` to `hosts`; emits `OperationStarted`, steps, progress and
    /// `OperationFinished` for each.
    pub fn push(&self, hosts: &[HostId], artifact: &Artifact) {
        let op = artifact.push_op();
        self.operate(hosts, Operation::Push, move |link, run, ctx| {
            op(link, run, ctx)
        });
    }

    /// Verifies the active `kind` artifact on `hosts`.
    /// Every file is read and any ldd gap fails: a rollout's verification right after its push
    /// is [`Engine::verify_pushed`].
    pub fn verify(&self, hosts: &[HostId], kind: ArtifactKind) {
        let op = kind.verify_op(None);
        self.operate(hosts, Operation::Verify, move |link, run, ctx| {
            op(link, run, ctx)
        });
    }

    /// Rolls `hosts` back to their previous `kind` artifact, or to `to`.
    pub fn rollback(&self, hosts: &[HostId], kind: ArtifactKind, to: Option<&str>) {
        let op = kind.rollback_op(to.map(str::to_string));
        self.operate(hosts, Operation::Rollback, move |link, run, ctx| {
            op(link, run, ctx)
        });
    }

    /// Runs the operator's `command` on `hosts` as the login user, each recorded in both audit
    /// logs; the outcome's `answer` holds what each host said.
    pub fn run_command(&self, hosts: &[HostId], command: &str) {
        let command = command.to_string();
        self.operate(hosts, Operation::Run, move |link, run, ctx| {
            ad_hoc::run_on_host(link, run, ctx, &command)
        });
    }

    /// Applies the Go environment policy (`[go_env]`, `go_shims`) to `hosts` without a new
    /// release (`offgo-tui go-env apply`).
    pub fn go_env_apply(&self, hosts: &[HostId]) {
        self.operate(hosts, Operation::GoEnv, go_env::apply_host);
    }

    fn operate<F>(&self, hosts: &[HostId], op: Operation, work: F)
    where
        F: Fn(&mut HostLink, &step::OpRun<'_>, &OpContext) -> HostOutcome + Send + Sync + 'static,
    {
        let work = Arc::new(work);
        let ctx = Arc::new(OpContext {
            actor: crate::core::audit::record::actor(),
            trail: Arc::clone(&self.trail),
            accept_audit: self.accept_audit,
            memos: Arc::clone(&self.memos),
        });
        for &host in hosts {
            let _ = self.events.send(EngineEvent::OperationStarted { host, op });
            let (events, work, ctx) = (self.events.clone(), Arc::clone(&work), Arc::clone(&ctx));
            self.submit(
                host,
                Box::new(move |link: &mut HostLink| {
                    let guard = OutcomeGuard {
                        host,
                        op,
                        name: link.host().name.clone(),
                        events: events.clone(),
                        sent: false,
                    };
                    let run = step::OpRun {
                        host,
                        op,
                        events: &events,
                    };
                    let outcome = work(link, &run, &ctx);
                    guard.send(outcome);
                }),
            );
        }
    }

    fn submit(&self, host: HostId, job: Job) {
        if !self.pool.submit(host, job) {
            tracing::error!(host, "cannot queue the host's job: no worker thread");
        }
    }
}

/// The pool of `parallel` threads for `inventory`'s hosts, each link made on demand.
fn host_pool(inventory: &Arc<Inventory>, options: &EngineOptions) -> HostPool {
    let hosts = Arc::clone(inventory);
    let fault = options.fault.clone();
    let threads = options.parallel.max(1);
    HostPool::new(
        inventory.hosts.len(),
        threads,
        crate::core::ssh::pool::idle_link_bound(threads),
        options.worker_nice,
        Box::new(move |host| {
            let mut link = HostLink::new(hosts.host(host).clone());
            link.set_fault_plan(fault.clone());
            link
        }),
    )
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

/// Makes sure an operation reports its end exactly once, even if it panics.
struct OutcomeGuard {
    host: HostId,
    op: Operation,
    name: String,
    events: UnboundedSender<EngineEvent>,
    sent: bool,
}

impl OutcomeGuard {
    fn send(mut self, outcome: HostOutcome) {
        self.sent = true;
        let _ = self.events.send(EngineEvent::OperationFinished {
            host: self.host,
            op: self.op,
            outcome: Box::new(outcome),
        });
    }
}

impl Drop for OutcomeGuard {
    fn drop(&mut self) {
        if !self.sent {
            let error = HostError::new(
                ErrorKind::CommandFailed,
                "internal error during the operation (see the log file)",
                "probe the host to see its state before retrying",
            );
            let outcome = HostOutcome::new(&self.name).fail("internal", &error);
            let _ = self.events.send(EngineEvent::OperationFinished {
                host: self.host,
                op: self.op,
                outcome: Box::new(outcome),
            });
        }
    }
}
