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
        "{from} -> {} bundle sha256 {} tree digest {}",
        bundle.version, bundle.sha256, bundle.tree_digest
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
    // The list the host will check the tree against must be the one the signature covers.
    bundle.check_sums()?;
    let script = ops::preflight_script(&paths, &bundle.version, &bundle.tarball_name, false);
    let first = preflight(run, link, &script, true)?;
    outcome.from = first.current_version();
    first.check(bundle)?;
    if let Some(note) = already_there(link, bundle, run, &first)? {
        outcome.notes.push(note);
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
    outcome.changed = true;
    install(link, bundle, run, ctx, &pre, outcome)
}

/// When go_root already runs the bundle's version, whether its files are the bundle's, file for
/// file (offgo-managed or hand-installed): then the push has nothing to do and says so.
fn already_there(
    link: &mut HostLink,
    bundle: &PushBundle,
    run: &OpRun<'_>,
    pre: &Preflight,
) -> Result<Option<String>, StepError> {
    if pre.go_version.as_deref() != Some(bundle.version.as_str()) {
        return Ok(None);
    }
    // A push cut short after its switch leaves the new Go running with state.json, the
    // profile or incoming/ not yet settled: that push is finished, not skipped.
    let recorded = pre.state.as_ref().and_then(|s| s.current.as_deref());
    let managed = matches!(pre.go_root, GoRootKind::Symlink { .. });
    if (managed && recorded != Some(bundle.version.as_str()))
        || pre.tarball_size.is_some()
        || pre.part_size.is_some()
    {
        return Ok(None);
    }
    let script = ops::current_tree_script(&link.host().paths);
    let out = run.script(link, "preflight", &script, true)?;
    let pairs = key_values(&out.stdout);
    if value(&pairs, "current_tree_end") != Some("1") {
        return Err(StepError::refused(
            "preflight",
            "reading the files of the active Go ended early",
            "see the host's output: hosts need sh, coreutils, findutils",
        )
        .with_output(out.combined()));
    }
    if value(&pairs, "tree_digest") != Some(bundle.tree_digest.as_str()) {
        return Ok(None);
    }
    let whose = match &pre.go_root {
        GoRootKind::Directory => {
            "the hand-installed tree's files match the bundle; offgo does not manage it yet"
        }
        _ => "its files match the bundle",
    };
    Ok(Some(format!(
        "already on {}: nothing to do ({whose})",
        bundle.version
    )))
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
    let plan = SwitchPlan::new(pre, &paths, &bundle.version);
    let previous = plan.previous.clone();
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
        tree_digest: &bundle.tree_digest,
        adopt_version: &plan.adopt_version,
        previous_target: &plan.previous_target,
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
    let back = switch_back_notes(&pairs, outcome);
    for pruned in values(&pairs, "pruned") {
        outcome.notes.push(format!("pruned {pruned}"));
    }
    if value(&pairs, "done") == Some("1") && out.success() {
        return Ok(());
    }
    let step = value(&pairs, "fail").unwrap_or("install");
    let why = value(&pairs, "why").unwrap_or("the install script ended early");
    let hint = back.unwrap_or_else(|| install_hint(step).to_string());
    Err(StepError::refused(step, why.to_string(), hint).with_output(out.combined()))
}

/// What the host said about undoing a switch, as notes; and the hint that must replace the
/// step's usual one. Only a switch back the script proved (`go version` ran after it) is
/// reported as done.
pub(super) fn switch_back_notes(
    pairs: &[(String, String)],
    outcome: &mut HostOutcome,
) -> Option<String> {
    if let Some(back) = value(pairs, "switched_back") {
        outcome.notes.push(format!("switched back to {back}"));
        return Some(format!(
            "the switch was undone: go_root points at {back} again and its go runs; see the host's output"
        ));
    }
    if let Some(why) = value(pairs, "switch_back_failed") {
        outcome.notes.push(format!("could not switch back: {why}"));
        return Some(format!(
            "the switch could NOT be undone ({why}): check the host now, then roll back or push again"
        ));
    }
    None
}

fn install_hint(step: &str) -> &'static str {
    match step {
        "check_tarball" => "the upload was corrupted and is removed: push again (it restarts the upload)",
        "check_sums" => "the uploaded file list is not the signed one: push again; if it repeats, check the bundle with `offgo-tui bundle verify`",
        "extract" => "free space on the host (releases_dir), then push again; the active Go is untouched",
        "check_tree" => "the extracted files differ from the bundle: check the bundle with `offgo-tui bundle verify`",
        "check_go_version" => "the release does not run on this host: check its architecture and libc",
        _ => "see the host's output; the active Go is untouched unless the output says otherwise",
    }
}

/// How go_root changes on this host: what to adopt into releases/ first, what to switch back to,
/// and the `previous` state.json records — always a release rollback can reach, never the
/// version being installed.
struct SwitchPlan {
    adopt_version: String,
    previous_target: String,
    previous: Option<String>,
}

impl SwitchPlan {
    fn new(pre: &Preflight, paths: &crate::core::remote::RemotePaths, version: &str) -> Self {
        let reachable = |v: &String| v != version && pre.releases.contains(v);
        let recorded = || {
            let state = pre.state.as_ref();
            let current = state.and_then(|s| s.current.clone()).filter(reachable);
            current.or_else(|| state.and_then(|s| s.previous.clone()).filter(reachable))
        };
        let running = pre.go_version.clone();
        let (adopt_version, previous_target, previous) = match (&pre.go_root, running) {
            // Another version runs from a directory: adopted, rollback returns to the copy.
            (GoRootKind::Directory, Some(v)) if v != version => {
                (v.clone(), paths.release_go_dir(&v), Some(v))
            }
            // Kept, though nothing proves it runs: no rollback target.
            (GoRootKind::Directory, None) => ("go-adopted".to_string(), String::new(), None),
            // A managed release, or a link anywhere to another version (adopted first): switch
            // back restores the link as it was.
            (GoRootKind::Symlink { target }, Some(v)) if v != version => {
                let adopt = if *target == paths.release_go_dir(&v) {
                    String::new()
                } else {
                    v.clone()
                };
                (adopt, target.clone(), Some(v))
            }
            // This version already runs but its files differ: it is replaced; switch back
            // restores what ran.
            (GoRootKind::Symlink { target }, Some(_)) => {
                (String::new(), target.clone(), recorded())
            }
            (GoRootKind::Directory, Some(_)) => (String::new(), String::new(), recorded()),
            // No working Go (missing, a file, a dangling or broken link): back means the
            // release state.json knew, if it is still there.
            _ => {
                let previous = recorded();
                let target = previous
                    .as_deref()
                    .map(|v| paths.release_go_dir(v))
                    .unwrap_or_default();
                (String::new(), target, previous)
            }
        };
        Self {
            adopt_version,
            previous_target,
            previous,
        }
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
