//! A host's link: its SSH session (libssh2 sessions are blocking and never shared), opened on
//! first use and kept between jobs so re-probes skip the handshake. Links are data: the
//! [`super::pool::HostPool`] hands each to one of its threads for one job at a time.

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
    pub(super) fn keepalive(&mut self) {
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
