//! One worker thread per host owns that host's SSH session (libssh2 sessions are blocking and
//! must not be shared), runs the jobs sent to it in order, and keeps an idle session alive so
//! re-probes skip the handshake.

use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ssh2::Session;

use super::connect::connect;
use super::error::HostError;
use super::exec::{exec, exec_lines, exec_upload, ExecOutput};
use super::fault::{FaultPlan, HostFaults, UPLOAD_POINT_EVERY};
use crate::core::inventory::Host;
use std::sync::Arc;

/// The longest a read-only command (probe, pre-flight, verify) may run.
pub const READ_ONLY_TIMEOUT: Duration = Duration::from_secs(120);
/// How often an idle pooled session sends a keepalive.
const KEEPALIVE_EVERY: Duration = Duration::from_secs(20);
/// libssh2 and OpenSSL need little stack; thousands of idle host threads should stay cheap.
const WORKER_STACK: usize = 512 * 1024;

/// A host's connection as a job sees it: the pooled session, opened on first use.
pub struct HostLink {
    host: Host,
    session: Option<Session>,
    /// Fault points for the fault-injection harness; `None` outside it.
    faults: Option<HostFaults>,
}

impl HostLink {
    pub fn new(host: Host) -> Self {
        Self {
            host,
            session: None,
            faults: None,
        }
    }

    /// Makes this link pass the plan's fault points (see [`super::fault`]).
    pub fn set_fault_plan(&mut self, plan: Option<Arc<FaultPlan>>) {
        self.faults = plan.map(|p| HostFaults::new(p, &self.host.name));
    }

    /// The fault points, for a caller that passes points of its own while a command runs.
    pub fn faults(&self) -> Option<HostFaults> {
        self.faults.clone()
    }

    /// Passes a fault point (a no-op outside the fault harness).
    pub fn fault_point(&self, label: &str) {
        if let Some(f) = &self.faults {
            f.point(label);
        }
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    /// Runs a read-only `command` (probe, pre-flight, verify) feeding it `stdin`, bounded by
    /// [`READ_ONLY_TIMEOUT`] (or the host's command_timeout, if shorter): a hung host must not
    /// hold a scan for the long timeout an extraction may need. A pooled session that turns
    /// out dead (the host rebooted, sshd restarted) is replaced once, transparently; a timeout
    /// is not retried.
    pub fn run(
        &mut self,
        what: &str,
        command: &str,
        stdin: &[u8],
    ) -> Result<ExecOutput, HostError> {
        let result = self.run_retried(what, command, stdin);
        self.fault_point(what);
        result
    }

    fn run_retried(
        &mut self,
        what: &str,
        command: &str,
        stdin: &[u8],
    ) -> Result<ExecOutput, HostError> {
        let timeout = self.host.command_timeout.min(READ_ONLY_TIMEOUT);
        let pooled = self.session.is_some();
        let result = self.exec_bounded(command, stdin, timeout)?;
        match result {
            Ok(out) => Ok(out),
            Err(e) if pooled && !e.timed_out => {
                self.session = None;
                tracing::debug!(host = %self.host.name, error = %e.message, "pooled session dead, reconnecting");
                let retry = self.exec_bounded(command, stdin, timeout)?;
                retry.map_err(|e| {
                    self.session = None;
                    e.into_host_error(what, timeout)
                })
            }
            Err(e) => {
                self.session = None;
                Err(e.into_host_error(what, timeout))
            }
        }
    }

    fn exec_bounded(
        &mut self,
        command: &str,
        stdin: &[u8],
        timeout: std::time::Duration,
    ) -> Result<Result<ExecOutput, super::exec::TransportError>, HostError> {
        let restore = super::connect::ms(self.host.command_timeout);
        let session = self.session()?;
        session.set_timeout(super::connect::ms(timeout));
        let result = exec(session, command, stdin);
        session.set_timeout(restore);
        Ok(result)
    }

    /// Runs a command that changes the host, handing each stdout line to `on_line` as it
    /// arrives. Never retried: the caller decides what a half-run step means.
    pub fn run_lines(
        &mut self,
        what: &str,
        command: &str,
        stdin: &[u8],
        on_line: impl FnMut(&str),
    ) -> Result<ExecOutput, HostError> {
        let result = exec_lines(self.session()?, command, stdin, on_line);
        let result = result.map_err(|e| {
            self.session = None;
            e.into_host_error(what, self.host.command_timeout)
        });
        self.fault_point(what);
        result
    }

    /// Streams `source` into `command`'s stdin. Never retried (uploads resume instead).
    pub fn upload(
        &mut self,
        what: &str,
        command: &str,
        source: &mut dyn std::io::Read,
        mut progress: impl FnMut(u64),
    ) -> Result<ExecOutput, HostError> {
        let faults = self.faults.clone();
        let mut chunks = 0u64;
        let result = exec_upload(self.session()?, command, source, |sent| {
            progress(sent);
            chunks += 1;
            if let Some(f) = faults
                .as_ref()
                .filter(|_| (chunks - 1) % UPLOAD_POINT_EVERY == 0)
            {
                f.point(&format!("{what} chunk {chunks}"));
            }
        });
        let result = result.map_err(|e| {
            self.session = None;
            e.into_host_error(what, self.host.command_timeout)
        });
        self.fault_point(&format!("{what} finished"));
        result
    }

    /// The session, connecting first if there is none.
    pub fn session(&mut self) -> Result<&Session, HostError> {
        match self.session {
            Some(ref s) => Ok(s),
            None => Ok(self.session.insert(connect(&self.host)?)),
        }
    }

    /// Forgets the session (after a failure that may have left it in an unknown state).
    pub fn disconnect(&mut self) {
        self.session = None;
    }

    /// Sends one keepalive on an idle pooled session (so NAT boxes and sshd's ClientAlive keep
    /// it open), then switches libssh2's own schedule off again: see `connect`.
    fn keepalive(&mut self) {
        if let Some(session) = &self.session {
            session.set_keepalive(false, 1);
            let sent = session.keepalive_send();
            session.set_keepalive(false, 0);
            if sent.is_err() {
                self.session = None;
            }
        }
    }
}

/// Work for one host, run on its worker thread.
pub type Job = Box<dyn FnOnce(&mut HostLink) + Send>;

/// Lowers the calling thread's priority by `nice` (Linux keeps a nice value per thread).
/// Failing to is harmless: the thread just keeps the process's priority.
fn lower_priority(nice: i32) {
    if nice <= 0 {
        return;
    }
    // SAFETY: gettid and setpriority take no pointers and only affect this thread.
    let result = unsafe {
        let tid = libc::gettid();
        let current = libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t);
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, current + nice)
    };
    if result != 0 {
        tracing::debug!(
            "cannot lower the worker thread's priority: {}",
            std::io::Error::last_os_error()
        );
    }
}

/// The handle to a host's worker thread. Dropping it ends the thread after its current job.
pub struct HostWorker {
    jobs: mpsc::Sender<Job>,
}

impl HostWorker {
    pub fn spawn(
        host: Host,
        nice: i32,
        fault_plan: Option<Arc<FaultPlan>>,
    ) -> std::io::Result<Self> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let name = format!("host:{}", host.name);
        std::thread::Builder::new()
            .name(name)
            .stack_size(WORKER_STACK)
            .spawn(move || {
                lower_priority(nice);
                let mut link = HostLink::new(host);
                link.set_fault_plan(fault_plan);
                loop {
                    match inbox.recv_timeout(KEEPALIVE_EVERY) {
                        Ok(job) => {
                            // A panicking job must not take the host's worker down with it; the
                            // job's own guard reports the failure.
                            if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut link)))
                                .is_err()
                            {
                                link.disconnect();
                            }
                        }
                        Err(RecvTimeoutError::Timeout) => link.keepalive(),
                        Err(RecvTimeoutError::Disconnected) => break,
                    }
                }
            })?;
        Ok(Self { jobs })
    }

    /// Queues `job`; false when the worker is gone.
    pub fn submit(&self, job: Job) -> bool {
        self.jobs.send(job).is_ok()
    }
}
