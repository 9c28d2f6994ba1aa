//! Push: pre-flight, lock, resumable upload, then install.sh (check, extract, verify, adopt,
//! switch, post-verify, profile, state, prune) — and the audit line on both ends.

use std::time::Instant;

use sha2::{Digest, Sha256};

use super::event::EngineEvent;
use super::outcome::{HostOutcome, StepError};
use super::preflight::{Preflight, PushBundle};
use super::step::{
    audit_gate, audit_record, open_from, record, record_acceptance, HostLock, OpRun,
};
use super::OpContext;
use crate::core::remote::ops::{self, key_values, value, values, InstallInputs};
use crate::core::remote::probe::GoRootKind;
use crate::core::remote::quote::sh_quote;
use crate::core::ssh::HostLink;

/// How many history entries state.json keeps.
const HISTORY_KEPT: usize = 50;

pub fn push_host(
    link: &mut HostLink,
    bundle: &PushBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    outcome.to = Some(bundle.version.clone());
    let mut locked = false;
    let result = steps(link, bundle, run, ctx, &mut outcome, &mut locked);
    match result {
        Ok(()) => outcome.ok = true,
        Err(e) => {
            run.failed(&e);
            outcome = outcome.fail(&e.step, &e.error);
        }
    }
    // Only a host we changed, or tried to, gets an audit line; a refused pre-flight touched nothing.
    if locked {
        let detail = audit_detail(&outcome, bundle);
        let entry = audit_record(
            &outcome.name,
            &ctx.actor,
            "push",
            &bundle.version,
            outcome.ok,
            detail,
        );
        let notes = record(link, &ctx.trail, entry);
        outcome.notes.extend(notes);
    }
    outcome
}

fn audit_detail(outcome: &HostOutcome, bundle: &PushBundle) -> String {
    let from = outcome.from.as_deref().unwrap_or("none");
    let mut detail = format!(
        "{from} -> {} bundle sha256 {}",
        bundle.version, bundle.sha256
    );
    if let (Some(step), Some(error)) = (&outcome.step, &outcome.error) {
        detail.push_str(&format!("; failed at {step}: {error}"));
    }
    for note in &outcome.notes {
        detail.push_str(&format!("; {note}"));
    }
    detail
}

fn steps(
    link: &mut HostLink,
    bundle: &PushBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
) -> Result<(), StepError> {
    let paths = link.host().paths.clone();
    run.step("preflight");
    let script = ops::preflight_script(&paths, &bundle.version, &bundle.tarball_name, false);
    let first = preflight(run, link, &script, true)?;
    outcome.from = first.current_version();
    first.check(bundle)?;
    if first.is_active(&paths.release_go_dir(&bundle.version), &bundle.version) {
        outcome.notes.push(format!(
            "{} is already active: nothing to do",
            bundle.version
        ));
        return Ok(());
    }

    let accepted = audit_gate(link, run, ctx)?;

    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, &bundle.version);
        outcome.notes.extend(notes);
    }
    let script = ops::preflight_script(&paths, &bundle.version, &bundle.tarball_name, true);
    let pre = preflight(run, link, &script, false)?;
    outcome.from = pre.current_version();
    pre.check(bundle)?;
    let resume_from = resume_offset(&pre, bundle);
    pre.check_space(bundle, resume_from)?;

    run.step("upload");
    if resume_from > 0 && pre.tarball_size != Some(bundle.size) {
        outcome.notes.push(format!(
            "resumed the upload at {} of {} MiB",
            resume_from >> 20,
            bundle.size >> 20
        ));
    }
    upload(link, bundle, run, &paths, &pre, resume_from)?;

    run.step("install");
    install(link, bundle, run, ctx, &pre, outcome)
}

fn preflight(
    run: &OpRun<'_>,
    link: &mut HostLink,
    script: &str,
    retry: bool,
) -> Result<Preflight, StepError> {
    let out = run.script(link, "preflight", script, retry)?;
    Preflight::parse(&out.stdout).map_err(|e| {
        StepError::refused(
            "preflight",
            e,
            "see the host's output: hosts need sh, coreutils, tar, gzip",
        )
        .with_output(out.combined())
    })
}

/// Where to resume an interrupted upload: the partial file's length, once its bytes are
/// proven identical to the start of the local tarball; else from scratch.
fn resume_offset(pre: &Preflight, bundle: &PushBundle) -> u64 {
    let (Some(size), Some(remote_hash)) = (pre.part_size, pre.part_sha256.as_deref()) else {
        return 0;
    };
    if size == 0 || size > bundle.size {
        return 0;
    }
    match prefix_sha256(&bundle.tarball, size) {
        Ok(local) if local == remote_hash => size,
        _ => 0,
    }
}

fn prefix_sha256(path: &std::path::Path, len: u64) -> std::io::Result<String> {
    use std::io::Read;
    let mut reader = open_from(path, 0)?.take(len);
    let mut hasher = Sha256::new();
    std::io::copy(&mut reader, &mut hasher)?;
    Ok(hex::encode(hasher.finalize()))
}

fn upload(
    link: &mut HostLink,
    bundle: &PushBundle,
    run: &OpRun<'_>,
    paths: &crate::core::remote::RemotePaths,
    pre: &Preflight,
    resume_from: u64,
) -> Result<(), StepError> {
    // Streamed like the tarball: read into memory it would cost ~1 MiB per host at once.
    let mut sums = open_from(&bundle.sums, 0).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.sums.display()),
            "rebuild the bundle",
        )
    })?;
    let sums_path = ops::incoming_sums(paths, &bundle.version);
    let started = Instant::now();
    let result = link.upload(
        "upload",
        &format!("cat > {}", sh_quote(&sums_path)),
        &mut sums,
        |_| {},
    );
    run.command("upload sha256sums", started, &result);
    expect_success("upload", result)?;
    if pre.tarball_size == Some(bundle.size) {
        // A complete upload from an earlier attempt; install.sh checks its sha256 anyway.
        return Ok(());
    }
    let part = ops::incoming_part(paths, &bundle.tarball_name);
    let tarball = ops::incoming_tarball(paths, &bundle.tarball_name);
    let redirect = if resume_from > 0 { ">>" } else { ">" };
    let command = format!(
        "cat {redirect} {p} && mv -f {p} {t}",
        p = sh_quote(&part),
        t = sh_quote(&tarball)
    );
    let mut source = open_from(&bundle.tarball, resume_from).map_err(|e| {
        StepError::refused(
            "upload",
            format!("cannot read {}: {e}", bundle.tarball.display()),
            "check the bundle",
        )
    })?;
    let started = Instant::now();
    let mut last_report = Instant::now();
    let total = bundle.size;
    let result = link.upload("upload", &command, &mut source, |sent| {
        let done = resume_from + sent;
        if last_report.elapsed().as_millis() >= 100 || done == total {
            last_report = Instant::now();
            let secs = started.elapsed().as_secs_f64().max(0.001);
            let _ = run.events.send(EngineEvent::Progress {
                host: run.host,
                bytes: done,
                total,
                bytes_per_sec: (sent as f64 / secs) as u64,
            });
        }
    });
    run.command("upload tarball", started, &result);
    expect_success("upload", result)
}

fn expect_success(
    step: &str,
    result: Result<crate::core::ssh::ExecOutput, crate::core::ssh::HostError>,
) -> Result<(), StepError> {
    let out = result.map_err(|e| StepError::new(step, e))?;
    if out.success() {
        return Ok(());
    }
    Err(StepError::refused(
        step,
        format!(
            "{step} failed (exit {}): {}",
            out.exit_status,
            out.combined().trim()
        ),
        "is the disk full? free space on the host and retry: the upload resumes",
    )
    .with_output(out.combined()))
}

fn install(
    link: &mut HostLink,
    bundle: &PushBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
    pre: &Preflight,
    outcome: &mut HostOutcome,
) -> Result<(), StepError> {
    let paths = link.host().paths.clone();
    let from = pre.current_version();
    let adopt_version = match (&pre.go_root, &from) {
        (GoRootKind::Directory, Some(v)) => v.clone(),
        (GoRootKind::Directory, None) => "go-adopted".to_string(),
        _ => String::new(),
    };
    let previous_target = match &pre.go_root {
        GoRootKind::Symlink { target } => target.clone(),
        GoRootKind::Directory => paths.release_go_dir(&adopt_version),
        _ => String::new(),
    };
    let previous = from
        .clone()
        .or_else(|| (!adopt_version.is_empty()).then(|| adopt_version.clone()));
    let state = new_state(
        pre,
        &bundle.version,
        previous.as_deref(),
        "push",
        &ctx.actor,
    );
    let prune = prune_list(
        &pre.releases,
        &bundle.version,
        previous.as_deref(),
        link.host().keep_releases,
    );
    let inputs = InstallInputs {
        version: &bundle.version,
        tarball_name: &bundle.tarball_name,
        sha256: &bundle.sha256,
        adopt_version: &adopt_version,
        previous_target: &previous_target,
        state_json: &state,
        prune: &prune,
    };
    let out = run.script(
        link,
        "install",
        &ops::install_script(&paths, &inputs),
        false,
    )?;
    let pairs = key_values(&out.stdout);
    if let Some(back) = value(&pairs, "switched_back") {
        outcome.notes.push(format!("switched back to {back}"));
    }
    for pruned in values(&pairs, "pruned") {
        outcome.notes.push(format!("pruned {pruned}"));
    }
    if value(&pairs, "done") == Some("1") && out.success() {
        return Ok(());
    }
    let step = value(&pairs, "fail").unwrap_or("install");
    let why = value(&pairs, "why").unwrap_or("the install script ended early");
    Err(StepError::refused(step, why.to_string(), install_hint(step)).with_output(out.combined()))
}

fn install_hint(step: &str) -> &'static str {
    match step {
        "check_tarball" => "the upload was corrupted: push again (it restarts the upload)",
        "extract" => "free space on the host (releases_dir), then push again; the active Go is untouched",
        "check_tree" => "the extracted files differ from the bundle: check the bundle with `offgo-tui bundle verify`",
        "check_go_version" => "the release does not run on this host: check its architecture and libc",
        "post_verify" => "the switch was undone; the previous release is active again: see the host's output",
        _ => "see the host's output; the active Go is untouched unless the output says otherwise",
    }
}

/// state.json after switching to `current` (DESIGN.md: current, previous, history).
pub fn new_state(
    pre: &Preflight,
    current: &str,
    previous: Option<&str>,
    action: &str,
    actor: &str,
) -> String {
    let mut history = pre
        .state
        .as_ref()
        .map(|s| s.history.clone())
        .unwrap_or_default();
    history.push(serde_json::json!({
        "ts": crate::core::audit::record::now_rfc3339(),
        "action": action,
        "from": previous,
        "to": current,
        "actor": actor,
    }));
    let skip = history.len().saturating_sub(HISTORY_KEPT);
    let history: Vec<_> = history.into_iter().skip(skip).collect();
    serde_json::json!({ "current": current, "previous": previous, "history": history }).to_string()
}

/// Releases to remove after a successful switch: keep the new one, the previous one, and the
/// newest others up to `keep` in all.
pub fn prune_list(
    present: &[String],
    new: &str,
    previous: Option<&str>,
    keep: usize,
) -> Vec<String> {
    let mut kept = vec![new.to_string()];
    if let Some(p) = previous {
        if p != new {
            kept.push(p.to_string());
        }
    }
    let mut prune = Vec::new();
    for name in present {
        if kept.contains(name) {
            continue;
        }
        if kept.len() < keep.max(1) {
            kept.push(name.clone());
        } else {
            prune.push(name.clone());
        }
    }
    prune
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prune_keeps_new_previous_and_newest() {
        let present = names(&["go1.23.1", "go1.22.10", "go1.21.13", "go1.20.1"]);
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.20.1"), 3),
            names(&["go1.21.13"])
        );
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.22.10"), 2),
            names(&["go1.21.13", "go1.20.1"])
        );
        assert!(prune_list(&present, "go1.23.1", None, 10).is_empty());
        // keep = 1 still keeps the previous release: rollback may need it.
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.22.10"), 1),
            names(&["go1.21.13", "go1.20.1"])
        );
    }
}
