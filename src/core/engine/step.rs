//! What every host operation shares: reporting steps and commands on the event stream, the
//! host lock, and the audit line written on both ends.

use std::io::Read;
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::event::EngineEvent;
use super::outcome::{Operation, StepError};
use crate::core::audit::{AuditRecord, LocalAuditLog};
use crate::core::inventory::HostId;
use crate::core::remote::ops::{self, key_values, value, LOCK_BUSY_STATUS};
use crate::core::remote::quote::sh_quote;
use crate::core::ssh::{ErrorKind, ExecOutput, HostError, HostLink};

/// One operation on one host, reporting as it goes.
pub struct OpRun<'a> {
    pub host: HostId,
    pub op: Operation,
    pub events: &'a UnboundedSender<EngineEvent>,
}

impl OpRun<'_> {
    pub fn step(&self, step: &str) {
        let _ = self.events.send(EngineEvent::StepStarted {
            host: self.host,
            op: self.op,
            step: step.to_string(),
        });
    }

    pub fn command(&self, label: &str, started: Instant, result: &Result<ExecOutput, HostError>) {
        let exit_status = result.as_ref().ok().map(|o| o.exit_status);
        let _ = self.events.send(EngineEvent::CommandRan {
            host: self.host,
            label: label.to_string(),
            exit_status,
            elapsed: started.elapsed(),
        });
    }

    pub fn failed(&self, e: &StepError) {
        let _ = self.events.send(EngineEvent::StepFailed {
            host: self.host,
            op: self.op,
            step: e.step.clone(),
            error: e.error.clone(),
        });
    }

    /// Runs `script` with `sh -s`, reporting it in the command log. With `retry`, a dead pooled
    /// session is replaced transparently (only for scripts that change nothing).
    pub fn script(
        &self,
        link: &mut HostLink,
        step: &str,
        script: &str,
        retry: bool,
    ) -> Result<ExecOutput, StepError> {
        let started = Instant::now();
        let result = if retry {
            link.run(step, "sh -s", script.as_bytes())
        } else {
            let faults = link.faults();
            let stop = faults
                .as_ref()
                .map(|f| f.script_prefix())
                .unwrap_or_default();
            let script = format!("{stop}{script}");
            link.run_lines(step, "sh -s", script.as_bytes(), |line| {
                if let Some(name) = line.strip_prefix("step=") {
                    self.step(name);
                    if let Some(f) = &faults {
                        f.point(&format!("{step} step={name}"));
                    }
                }
            })
        };
        self.command(step, started, &result);
        result.map_err(|e| StepError::new(step, e))
    }
}

/// The host lock, held for as long as this guard lives (DESIGN.md: `flock` on
/// `state_dir/lock` for the whole of any change).
pub struct HostLock {
    channel: ssh2::Channel,
}

impl HostLock {
    pub fn acquire(link: &mut HostLink, owner: &str) -> Result<Self, StepError> {
        let script = ops::lock_script(&link.host().paths, owner);
        let session = link.session().map_err(|e| StepError::new("lock", e))?;
        let lost = |e: String| {
            StepError::new(
                "lock",
                HostError::new(
                    ErrorKind::CommandFailed,
                    format!("cannot take the host lock: {e}"),
                    "retry; see the log",
                ),
            )
        };
        let mut channel = session.channel_session().map_err(|e| lost(e.to_string()))?;
        channel
            .exec(&format!("sh -c {}", sh_quote(&script)))
            .map_err(|e| lost(e.to_string()))?;
        // Read the first line: `locked=1`, or why not.
        let mut first = Vec::new();
        // One byte at a time: the lock script's stdout stays open while the lock is held, so
        // nothing past the first line may be waited for. Each read is bounded by the session
        // timeout.
        let mut byte = [0u8; 1];
        while !first.ends_with(b"\n") && first.len() < 4096 {
            match channel.read(&mut byte) {
                Ok(0) => break,
                Ok(_) => first.push(byte[0]),
                Err(e) => return Err(lost(e.to_string())),
            }
        }
        let pairs = key_values(&first);
        if value(&pairs, "locked") == Some("1") {
            link.fault_point("lock");
            return Ok(Self { channel });
        }
        let mut rest = Vec::new();
        let _ = channel.read_to_end(&mut rest);
        let _ = channel.wait_close();
        let status = channel.exit_status().unwrap_or(-1);
        let lock_path = link.host().paths.lock_file();
        if let Some(owner) = value(&pairs, "busy").filter(|_| status == LOCK_BUSY_STATUS) {
            let holder = if owner.trim().is_empty() {
                "another offgo"
            } else {
                owner.trim()
            };
            return Err(StepError::refused(
                "lock",
                format!("host busy: locked by {holder} ({lock_path})"),
                "another operator is changing this host: wait for them to finish, then retry",
            ));
        }
        let why =
            value(&pairs, "lock_error").unwrap_or("the lock script ended without taking the lock");
        Err(StepError::refused(
            "lock",
            format!("cannot take {lock_path}: {why}"),
            "check the host's state_dir",
        ))
    }
}

impl Drop for HostLock {
    fn drop(&mut self) {
        // Closing our end ends `cat` on the host, which releases the lock.
        let _ = self.channel.send_eof();
        let _ = self.channel.wait_close();
    }
}

/// Writes the same audit entry on the host and on the jump host. Returns notes for anything
/// that could not be written: an audit failure never hides the operation's own result, but it
/// is never silent either.
pub fn record(link: &mut HostLink, local: &LocalAuditLog, record: AuditRecord) -> Vec<String> {
    let mut notes = Vec::new();
    let line = record.to_line();
    let head = line
        .strip_suffix("\"prev\":\"\"}")
        .unwrap_or(&line)
        .to_string();
    let script = ops::audit_append_script(&link.host().paths, &head);
    match link.run_lines("audit", "sh -s", script.as_bytes(), |_| {}) {
        Ok(out) if out.success() => {}
        Ok(out) => notes.push(format!(
            "audit: could not append to the host's log: {}",
            out.combined().trim()
        )),
        Err(e) => notes.push(format!(
            "audit: could not append to the host's log: {}",
            e.message
        )),
    }
    if let Err(e) = local.append(record) {
        notes.push(format!(
            "audit: could not append to {}: {e}",
            local.path().display()
        ));
    }
    notes
}

/// An audit record for `host`, with `prev` left for the writer to fill in.
pub fn audit_record(
    host: &str,
    actor: &str,
    action: &str,
    target: &str,
    ok: bool,
    detail: String,
) -> AuditRecord {
    AuditRecord {
        ts: crate::core::audit::record::now_rfc3339(),
        actor: actor.to_string(),
        host: host.to_string(),
        action: action.to_string(),
        target: target.to_string(),
        result: if ok { "ok" } else { "failed" }.to_string(),
        detail,
        prev: String::new(),
    }
}

/// A reader over a local file from `offset`, for resuming uploads.
pub fn open_from(path: &std::path::Path, offset: u64) -> std::io::Result<impl Read> {
    use std::io::{Seek, SeekFrom};
    let mut file = std::fs::File::open(path)?;
    file.seek(SeekFrom::Start(offset))?;
    // No BufReader: the upload already reads in 256 KiB chunks, one buffer per host is enough.
    Ok(file)
}
