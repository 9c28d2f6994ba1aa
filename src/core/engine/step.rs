//! What every host operation shares: reporting steps and commands on the event stream, the
//! host lock, and the audit line written on both ends.

use std::io::{Read, Write};
use std::time::Instant;

use tokio::sync::mpsc::UnboundedSender;

use super::event::{CommandOutput, EngineEvent};
use super::outcome::{Operation, StepError};
use super::OpContext;
use crate::core::audit::fetch::{fetch_script, parse_fetch};
use crate::core::audit::{classify, AuditRecord, AuditStatus, AuditTrail, EntryKind, HostIdentity};
use crate::core::inventory::HostId;
use crate::core::remote::call::RemoteCall;
use crate::core::remote::ops::{self, key_values, value, LOCK_BUSY_STATUS};
use crate::core::remote::privilege;
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
            output: CommandOutput::of(result),
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

    /// Runs `script` with `sh -s` as the login user (a read that needs no privilege), reporting
    /// it in the command log. With `retry`, a dead pooled session is replaced transparently
    /// (only for scripts that change nothing).
    pub fn script(
        &self,
        link: &mut HostLink,
        step: &str,
        script: &str,
        retry: bool,
    ) -> Result<ExecOutput, StepError> {
        self.exec(link, step, "sh -s", script.as_bytes(), retry, true)
    }

    /// Runs one privileged step: the verb's script as the login user without become, else the
    /// exact helper command the host's sudo/doas rule grants. A rule that refuses it is
    /// pre-flight's failure, naming the rule.
    pub fn call(
        &self,
        link: &mut HostLink,
        step: &str,
        call: &RemoteCall,
        retry: bool,
    ) -> Result<ExecOutput, StepError> {
        let privilege = link.host().privilege.clone();
        let (command, stdin) = call
            .render(&privilege)
            .map_err(|e| StepError::refused(step, e, "see the host's output"))?;
        let out = self.exec(link, step, &command, &stdin, retry, privilege.is_none())?;
        if !out.success() {
            if let Some(e) = become_refused(link.host(), step, &command, &out) {
                return Err(e);
            }
        }
        Ok(out)
    }

    /// `fault_prefix`: the test fault plan's stop points can be put ahead of a script the
    /// jump host sends (never ahead of the helper, which is a file on the host).
    fn exec(
        &self,
        link: &mut HostLink,
        step: &str,
        command: &str,
        stdin: &[u8],
        retry: bool,
        fault_prefix: bool,
    ) -> Result<ExecOutput, StepError> {
        let started = Instant::now();
        let result = if retry {
            link.run(step, command, stdin)
        } else {
            let faults = link.faults();
            let stop = faults
                .as_ref()
                .filter(|_| fault_prefix)
                .map(|f| f.script_prefix())
                .unwrap_or_default();
            let mut input = stop.into_bytes();
            input.extend_from_slice(stdin);
            link.run_lines(step, command, &input, |line| {
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

const RULE_HINT: &str = "install the drop-in with";

/// Whether `e` is sudo or doas refusing the helper (see [`become_refused`]).
pub fn is_rule_refusal(e: &StepError) -> bool {
    e.error.hint.starts_with(RULE_HINT)
}

/// sudo or doas said no to the helper command: the rule is missing, wants a password, or no
/// longer matches the helper (missing, or not the digest the rule pins). Named, with the fix.
pub fn become_refused(
    host: &crate::core::inventory::Host,
    step: &str,
    command: &str,
    out: &ExecOutput,
) -> Option<StepError> {
    let said = privilege::refusal(host.privilege.method, &String::from_utf8_lossy(&out.stderr))?;
    // The helper's own refusals go to stdout too (`refused=`): those are not the rule's.
    if !out.stdout.is_empty() {
        return None;
    }
    let said = crate::core::text::safe(&said);
    Some(
        StepError::refused(
            step,
            format!(
                "{} may not run `{command}` on {} ({said})",
                host.user, host.name
            ),
            format!(
                "{RULE_HINT} `offgo-tui privileges install --hosts {} --login ADMIN` \
                 (or have the security team install what `offgo-tui privileges` prints)",
                host.name
            ),
        )
        .with_output(out.combined()),
    )
}

/// The host lock, held for as long as this guard lives (DESIGN.md: `flock` on
/// `state_dir/lock` for the whole of any change).
pub struct HostLock {
    channel: ssh2::Channel,
}

impl HostLock {
    pub fn acquire(link: &mut HostLink, owner: &str) -> Result<Self, StepError> {
        let call = ops::lock_script(&link.host().paths, owner);
        let privilege = link.host().privilege.clone();
        let (command, inputs) = match privilege.helper_command(call.verb.name()) {
            None => (format!("sh -c {}", sh_quote(&call.script())), Vec::new()),
            Some(command) => (
                command,
                call.helper_inputs()
                    .map_err(|e| StepError::refused("lock", e, "see the host's output"))?,
            ),
        };
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
        channel.exec(&command).map_err(|e| lost(e.to_string()))?;
        // The helper's inputs first; stdin then stays open for as long as the lock is held.
        channel
            .write_all(&inputs)
            .and_then(|()| channel.flush())
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
        // The lock script says one line more at most; a host saying more is not listened to.
        let mut rest = Vec::new();
        let _ = (&mut channel).take(64 * 1024).read_to_end(&mut rest);
        let mut stderr = Vec::new();
        let _ = channel.stderr().take(64 * 1024).read_to_end(&mut stderr);
        let _ = channel.wait_close();
        let status = channel.exit_status().unwrap_or(-1);
        let said = ExecOutput {
            stdout: first.clone(),
            stderr,
            exit_status: status,
            elapsed: std::time::Duration::ZERO,
            truncated: false,
        };
        if let Some(e) = become_refused(link.host(), "lock", &command, &said) {
            return Err(e);
        }
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

/// Writes the same audit entry on the host and then on the jump host. Returns notes for
/// anything that could not be written: an audit failure never hides the operation's own
/// result, but it is never silent either.
///
/// The order matters: the host first, the jump host after. A probe reads what the jump host
/// recorded before it reads the host's log, so every entry it expects is already on the host;
/// at worst the host holds one line more, which is not a divergence.
pub fn record(link: &mut HostLink, trail: &AuditTrail, record: AuditRecord) -> Vec<String> {
    record_as(link, trail, record, EntryKind::Recorded)
}

fn record_as(
    link: &mut HostLink,
    trail: &AuditTrail,
    record: AuditRecord,
    kind: EntryKind,
) -> Vec<String> {
    let mut notes = Vec::new();
    let mut record = record;
    let who = link.host().privilege.audit_words(&link.host().user);
    record.detail = if record.detail.is_empty() {
        who
    } else {
        format!("{}; {who}", record.detail)
    };
    let line = record.to_line();
    let head = line
        .strip_suffix("\"prev\":\"\"}")
        .unwrap_or(&line)
        .to_string();
    let privilege = link.host().privilege.clone();
    let paths = link.host().paths.clone();
    let append = |link: &mut HostLink, retry: bool| {
        let call = ops::audit_append_script(&paths, &head, retry);
        let (command, stdin) = call
            .render(&privilege)
            .map_err(|e| HostError::new(ErrorKind::CommandFailed, e, "see the host's output"))?;
        link.run_lines("audit", &command, &stdin, |_| {})
    };
    // A connection lost on the way is tried once more on a fresh one (the retry does not write
    // the entry twice): a change must not go unrecorded on its host for a dropped link.
    let appended = match append(link, false) {
        Err(_) => append(link, true),
        done => done,
    };
    let on_host = match appended {
        Ok(out) if out.success() => true,
        Ok(out) => {
            notes.push(format!(
                "audit: could not append to the host's log: {}",
                out.combined().trim()
            ));
            false
        }
        Err(e) => {
            notes.push(format!(
                "audit: could not append to the host's log: {}",
                e.message
            ));
            false
        }
    };
    // An entry the host may not have got is logged here but never expected on the host.
    let written = match (on_host, host_identity(link, trail)) {
        (true, Ok(id)) => trail.append(&id, record, kind),
        _ => trail.append_unexpected(record),
    };
    if let Err(e) = written {
        notes.push(format!(
            "audit: could not append to {}: {e}",
            trail.log().path().display()
        ));
    }
    notes
}

/// The host as the jump host's audit state knows it: inventory, name and host key.
pub fn host_identity(link: &mut HostLink, trail: &AuditTrail) -> Result<HostIdentity, HostError> {
    let key = link
        .session()?
        .host_key_hash(ssh2::HashType::Sha256)
        .map(crate::core::ssh::known_hosts::fingerprint)
        .unwrap_or_default();
    Ok(trail.identity(&link.host().name, &key))
}

/// The host's audit log as pre-flight reads it (a fetch that changes nothing).
pub fn read_host_audit(
    link: &mut HostLink,
    run: &OpRun<'_>,
) -> Result<crate::core::remote::probe::AuditLogRead, StepError> {
    let path = link.host().paths.audit_log.clone();
    let out = run.script(link, "preflight", &fetch_script(&path), true)?;
    parse_fetch(&out.stdout).map_err(|e| {
        StepError::refused(
            "preflight",
            format!("cannot read the host's audit log {path}: {e}"),
            "see the host's output",
        )
        .with_output(out.combined())
    })
}

/// A host audit log the operator accepted at pre-flight; recorded once the host is locked.
pub struct AuditAcceptance {
    status: AuditStatus,
    detail: String,
}

/// Pre-flight's audit check. A host whose log is tampered or diverged, or gone although the
/// jump host recorded changes there, is refused unless the operator accepted that
/// (`--accept-audit`). A host offgo never changed (no log, nothing recorded) passes.
pub fn audit_gate(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> Result<Option<AuditAcceptance>, StepError> {
    let id = host_identity(link, &ctx.trail).map_err(|e| StepError::new("preflight", e))?;
    // Read before the host's log, as the probe does (see `record`).
    let recorded = ctx.trail.recorded(&id);
    let path = link.host().paths.audit_log.clone();
    let read = read_host_audit(link, run)?;
    let want = recorded.current();
    let summary = classify(&read, &path, want);
    let refused = match summary.status {
        AuditStatus::Tampered | AuditStatus::Diverged => true,
        AuditStatus::Missing => !want.is_empty(),
        AuditStatus::Ok | AuditStatus::Unreadable => false,
    };
    if !refused {
        return Ok(None);
    }
    let detail = summary.detail.unwrap_or_default();
    if !ctx.accept_audit {
        return Err(StepError::refused(
            "preflight",
            format!(
                "audit log {}: {detail}; nothing was changed (--accept-audit goes ahead and \
                 records the acceptance in both logs)",
                summary.status.as_str()
            ),
            "look at the host's audit log (offgo-tui audit verify); to accept it as it is, run \
             the headless command again with --accept-audit",
        ));
    }
    Ok(Some(AuditAcceptance {
        status: summary.status,
        detail,
    }))
}

/// Records `acceptance` on both ends (the host is locked): from this entry on the host's log is
/// judged afresh.
pub fn record_acceptance(
    link: &mut HostLink,
    ctx: &OpContext,
    acceptance: AuditAcceptance,
    target: &str,
) -> Vec<String> {
    let entry = audit_record(
        &link.host().name.clone(),
        &ctx.actor,
        "audit-accept",
        target,
        true,
        format!(
            "operator accepted the host's audit log as {} (--accept-audit): {}",
            acceptance.status.as_str(),
            acceptance.detail
        ),
    );
    let mut notes = vec![format!(
        "audit log accepted as {} (--accept-audit), recorded in both logs",
        acceptance.status.as_str()
    )];
    notes.extend(record_as(link, &ctx.trail, entry, EntryKind::Accepted));
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
