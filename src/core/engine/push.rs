//! Push: pre-flight, lock, resumable upload, then install.sh (check, extract, verify, adopt,
//! switch, post-verify, profile, state, prune) — and the audit line on both ends.

use super::go_release::GoRelease;
use super::go_release_set::GoReleaseSet;
use super::host_state::{new_state, prune_list};
use super::outcome::{HostOutcome, StepError};
use super::preflight::Preflight;
use super::report::LddGap;
use super::step::{
    audit_gate, audit_record, read_host_audit, record, record_acceptance, HostLock, OpRun,
};
use super::switch_plan::SwitchPlan;
use super::upload::{resume_offset, upload, Streamed, Unpack};
use super::OpContext;
use crate::core::remote::call::RemoteCall;
use crate::core::remote::ops::{self, key_values, value, values, InstallInputs};
use crate::core::remote::probe::{AuditLogRead, GoRootKind};
use crate::core::ssh::HostLink;

/// What a push may install: one release, or a set of one version's releases of which the host
/// gets the one for the arch its pre-flight reports.
#[derive(Clone, Copy)]
enum Choice<'a> {
    One(&'a GoRelease),
    Set(&'a GoReleaseSet),
}

impl<'a> Choice<'a> {
    /// The release a pre-flight runs with before the host's arch is known (`None` only for an
    /// empty set, which `BundleSet::open` never makes).
    fn first(self) -> Option<&'a GoRelease> {
        match self {
            Self::One(release) => Some(release),
            Self::Set(set) => set.releases.first(),
        }
    }
}

pub fn push_host(
    link: &mut HostLink,
    bundle: &GoRelease,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    push_chosen(link, Choice::One(bundle), run, ctx)
}

/// A push of a bundle set: the host gets the member for its arch; a host whose arch the set
/// lacks is refused at pre-flight, untouched.
pub fn push_set_host(
    link: &mut HostLink,
    set: &GoReleaseSet,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    push_chosen(link, Choice::Set(set), run, ctx)
}

fn push_chosen(
    link: &mut HostLink,
    choice: Choice<'_>,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    let Some(mut bundle) = choice.first() else {
        let e = StepError::refused(
            "preflight",
            "the bundle set is empty",
            "give a set that holds the bundle for this host's architecture",
        );
        run.failed(&e);
        return outcome.fail(&e.step, &e.error);
    };
    outcome.to = Some(bundle.version.clone());
    let mut locked = false;
    let result = steps(
        link,
        choice,
        &mut bundle,
        run,
        ctx,
        &mut outcome,
        &mut locked,
    );
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

fn audit_detail(outcome: &HostOutcome, bundle: &GoRelease) -> String {
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

/// `bundle`: the release pushed; for a set, the member picked by the host's arch.
fn steps<'a>(
    link: &mut HostLink,
    choice: Choice<'a>,
    bundle: &mut &'a GoRelease,
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
    let mut first = preflight(run, link, &script, true)?;
    if let Choice::Set(set) = choice {
        let picked = set.pick(&first.arch)?;
        if picked.tarball_name != bundle.tarball_name {
            // The pre-flight also looks for this tarball's earlier upload: ask again by its name.
            picked.check_sums()?;
            let script =
                ops::preflight_script(&paths, &picked.version, &picked.tarball_name, false);
            first = preflight(run, link, &script, true)?;
        }
        *bundle = picked;
        outcome.notes.push(format!(
            "{} for this {} host (bundle set {}, sha256 {})",
            picked.tarball_name,
            first.arch.trim(),
            set.dir.display(),
            picked.sha256
        ));
    }
    let bundle: &GoRelease = bundle;
    outcome.from = first.current_version();
    first.check(bundle)?;
    outcome.ldd_before = ldd_baseline(link, run, ctx);
    if let Some(note) = already_there(link, bundle, run, &first)? {
        outcome.notes.push(note);
        if matches!(first.go_root, GoRootKind::Symlink { .. }) {
            record_unrecorded_switch(link, bundle, run, ctx, outcome, locked)?;
            // The release is there, but a push applies [go_env] too: a policy that is not the
            // one state.json records is applied as `go-env apply` would (audited as go-env).
            if super::go_env::policy_changed(link.host(), first.state.as_ref()) {
                let applied = super::go_env::apply_host(link, run, ctx);
                outcome
                    .notes
                    .push("applied [go_env] (audited as go-env)".into());
                outcome.notes.extend(applied.notes);
                if let (false, Some(step), Some(error)) = (applied.ok, applied.step, applied.error)
                {
                    return Err(StepError::refused(
                        &step,
                        error,
                        applied
                            .hint
                            .unwrap_or_else(|| "see the host's output".into()),
                    ));
                }
                outcome.changed = true;
            }
        }
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
    let streamed = upload(
        link,
        bundle,
        run,
        &paths,
        &pre,
        resume_from,
        Unpack::AsItArrives,
    )?;

    run.step("install");
    outcome.changed = true;
    install(link, bundle, run, ctx, &pre, streamed, outcome)
}

/// A managed host already on the version whose audit log does not say so (a push cut short
/// between its switch and its audit line): the change happened, so it is
/// recorded now (on both ends, under the lock) rather than left out of the trail by a
/// "nothing to do". The push itself changed nothing.
fn record_unrecorded_switch(
    link: &mut HostLink,
    bundle: &GoRelease,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
) -> Result<(), StepError> {
    let read = read_host_audit(link, run)?;
    if last_entry_is_on(&read, &bundle.version) {
        return Ok(());
    }
    // A log tampered with, diverged, or gone where the jump host recorded entries is refused
    // as for any push: appending would paper over it.
    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, &bundle.version);
        outcome.notes.extend(notes);
    }
    let detail = format!(
        "{} is active but the host's audit log does not record the change to it: recorded now",
        bundle.version
    );
    let entry = audit_record(
        &link.host().name.clone(),
        &ctx.actor,
        "push",
        &bundle.version,
        true,
        detail.clone(),
    );
    outcome.notes.push(detail);
    outcome.notes.extend(record(link, &ctx.trail, entry));
    // The Go on the host did not change now: only its record did.
    Ok(())
}

/// Whether the log's newest change that took (a push, rollback or switch that went through)
/// is the change to `version`.
fn last_entry_is_on(read: &AuditLogRead, version: &str) -> bool {
    let AuditLogRead::Present { bytes, .. } = read else {
        return false;
    };
    bytes
        .split(|&b| b == b'\n')
        .rev()
        .filter_map(|l| serde_json::from_slice::<crate::core::audit::AuditRecord>(l).ok())
        .find(|r| r.result == "ok" && matches!(r.action.as_str(), "push" | "rollback" | "switch"))
        .is_some_and(|r| r.target == version)
}

/// The ldd gaps of the host's checked binaries before the push changes anything, read on this
/// connection (a probe: it changes nothing). A rollout's verification after the push fails only
/// on gaps not in this list. `None` when the probe could not say. A host unchanged since its
/// last probe (a rollout's plan probe) answers in one `stat`: its fingerprint covers the checked
/// binaries, the loader cache and the library directories, everything an ldd verdict reads.
fn ldd_baseline(link: &mut HostLink, run: &OpRun<'_>, ctx: &OpContext) -> Option<Vec<LddGap>> {
    if link.host().check_binaries.is_empty() {
        return Some(Vec::new());
    }
    let report = ctx.probe(link, run.host);
    report.error_kind.is_none().then_some(report.ldd_gaps)
}

/// When go_root already runs the bundle's version, whether its files are the bundle's, file for
/// file (offgo-managed or hand-installed): then the push has nothing to do and says so.
fn already_there(
    link: &mut HostLink,
    bundle: &GoRelease,
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
    let out = run.call(link, "preflight", &script, true)?;
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
    script: &RemoteCall,
    retry: bool,
) -> Result<Preflight, StepError> {
    let out = run.call(link, "preflight", script, retry)?;
    Preflight::parse(&out.stdout).map_err(|e| {
        StepError::refused(
            "preflight",
            e.to_string(),
            "see the host's output: hosts need sh, coreutils, tar, gzip",
        )
        .with_output(out.combined())
    })
}

/// The note of a push whose host unpacked the tarball as it arrived (receive.sh) and proved its
/// sha256 from that one read (install.sh), instead of reading it twice more.
const ONE_PASS_NOTE: &str =
    "one pass: the tarball was hashed and unpacked as it arrived; its sha256 was proven before use";

fn install(
    link: &mut HostLink,
    bundle: &GoRelease,
    run: &OpRun<'_>,
    ctx: &OpContext,
    pre: &Preflight,
    streamed: Streamed,
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
    let (go_env, shims) = super::go_env::inputs(link.host());
    let inputs = InstallInputs {
        version: &bundle.version,
        tarball_name: &bundle.tarball_name,
        sha256: &bundle.sha256,
        tree_digest: &bundle.tree_digest,
        adopt_version: &plan.adopt_version,
        previous_target: &plan.previous_target,
        state_json: &state,
        prune: &prune,
        go_env: &go_env,
        shims: &shims,
        streamed: streamed == Streamed::ThisPush,
    };
    let out = run.call(
        link,
        "install",
        &ops::install_script(&paths, &inputs),
        false,
    )?;
    let pairs = key_values(&out.stdout);
    if value(&pairs, "one_pass") == Some("1") {
        outcome.notes.push(ONE_PASS_NOTE.into());
    }
    if let Some(note) = value(&pairs, "host_tools").and_then(host_tools_note) {
        outcome.notes.push(note);
    }
    // Said plainly wherever the push is reported: how the new Go was checked instead.
    if let Some(not_run) = value(&pairs, "go_version_not_run") {
        outcome.notes.push(not_run.to_string());
    }
    let back = switch_back_notes(&pairs, outcome);
    for pruned in values(&pairs, "pruned") {
        outcome.notes.push(format!("pruned {pruned}"));
    }
    super::go_env::shim_notes(&pairs, &mut outcome.notes);
    super::script_end::script_end(&out, &pairs, "install", |step| {
        back.unwrap_or_else(|| install_hint(step).to_string())
    })?;
    // A push that leaves the Go environment off [go_env] fails, naming it.
    super::go_env::check_drift(link, run, ctx)
}

/// Which faster tools the host's scripts used (`host_tools = "auto"`), as a note: `SHA GUNZIP
/// [TREE]`, TREE being what read the tree's files when the script says. `None` for the
/// contract's own (sha256sum, gzip) or anything that is not one of the names the script prints.
pub(super) fn host_tools_note(said: &str) -> Option<String> {
    let mut words = said.split(' ');
    let (sha, gz, tree) = (words.next()?, words.next()?, words.next());
    if words.next().is_some() {
        return None;
    }
    let sha = match (sha, tree) {
        ("openssl", None | Some("openssl")) => Some("openssl for SHA-256"),
        ("openssl", Some("sha256sum")) => {
            Some("openssl for the tarball's SHA-256 (the tree's files by sha256sum -c)")
        }
        ("sha256sum", None | Some("sha256sum")) => None,
        _ => return None,
    };
    let gz = match gz {
        "igzip" | "zstd" | "unpigz" => Some(gz),
        "gzip" => None,
        _ => return None,
    };
    let used: Vec<String> = sha
        .map(str::to_string)
        .into_iter()
        .chain(gz.map(|g| format!("{g} for gunzip")))
        .collect();
    (!used.is_empty()).then(|| {
        format!(
            "host tools: {} (host_tools = \"auto\"; every file still checked against the bundle)",
            used.join(", ")
        )
    })
}

/// What the host said about undoing a switch, as notes; and the hint that must replace the
/// step's usual one. Only a switch back the script proved (`go version` ran after it) is
/// reported as done.
pub(super) fn switch_back_notes(
    pairs: &[(String, String)],
    outcome: &mut HostOutcome,
) -> Option<String> {
    undone_or_not(pairs, outcome, |back| {
        format!("go_root points at {back} again and its go runs")
    })
}

/// [`switch_back_notes`] for any kind: `serves` says what the restored link means
/// ("current serves X again").
pub(super) fn undone_or_not(
    pairs: &[(String, String)],
    outcome: &mut HostOutcome,
    serves: impl Fn(&str) -> String,
) -> Option<String> {
    if let Some(back) = value(pairs, "switched_back") {
        outcome.notes.push(format!("switched back to {back}"));
        return Some(format!(
            "the switch was undone: {}; see the host's output",
            serves(back)
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
        "go_env" => "the active Go is untouched; see the host's output, fix it, then push again",
        "shims" => "the new release is active; see the host's output, then `offgo-tui go-env apply` writes the shims",
        _ => "see the host's output; the active Go is untouched unless the output says otherwise",
    }
}

#[cfg(test)]
mod recorded_tests {
    use super::*;

    fn log(entries: &[(&str, &str, &str)]) -> AuditLogRead {
        let text: String = entries
            .iter()
            .map(|(action, target, result)| {
                format!(
                    "{{\"ts\":\"t\",\"actor\":\"a\",\"host\":\"h\",\"action\":\"{action}\",\
                     \"target\":\"{target}\",\"result\":\"{result}\",\"detail\":\"\",\"prev\":\"\"}}\n"
                )
            })
            .collect();
        AuditLogRead::Present {
            bytes: text.into_bytes(),
            lines: entries.len(),
            truncated: false,
        }
    }

    #[test]
    fn the_newest_change_that_took_decides_whether_the_active_version_is_recorded() {
        let v = "go1.22.10";
        assert!(last_entry_is_on(
            &log(&[("push", v, "ok"), ("verify", v, "ok")]),
            v
        ));
        assert!(!last_entry_is_on(
            &log(&[("push", v, "ok"), ("rollback", "go1.21.13", "ok")]),
            v
        ));
        // A push that failed (and switched back) is not the change that took.
        assert!(!last_entry_is_on(
            &log(&[("push", "go1.21.13", "ok"), ("push", v, "failed")]),
            v
        ));
        assert!(last_entry_is_on(
            &log(&[("push", v, "ok"), ("push", "go1.23.9", "failed")]),
            v
        ));
        assert!(!last_entry_is_on(&log(&[("verify", v, "ok")]), v));
        assert!(!last_entry_is_on(&AuditLogRead::Missing, v));
    }
}

#[cfg(test)]
mod host_tools_tests {
    use super::host_tools_note;

    #[test]
    fn only_the_names_the_script_prints_become_a_note() {
        assert_eq!(host_tools_note("sha256sum gzip"), None);
        assert_eq!(host_tools_note("sha256sum gzip sha256sum"), None);
        assert_eq!(
            host_tools_note("openssl igzip sha256sum").unwrap(),
            "host tools: openssl for the tarball's SHA-256 (the tree's files by sha256sum -c), igzip for gunzip (host_tools = \"auto\"; every file still checked against the bundle)"
        );
        assert_eq!(host_tools_note("openssl igzip openssl extra"), None);
        assert_eq!(host_tools_note("sha256sum gzip openssl"), None);
        assert_eq!(
            host_tools_note("openssl igzip openssl").unwrap(),
            "host tools: openssl for SHA-256, igzip for gunzip (host_tools = \"auto\"; every file still checked against the bundle)"
        );
        assert!(host_tools_note("sha256sum zstd")
            .unwrap()
            .starts_with("host tools: zstd for gunzip ("));
        assert_eq!(host_tools_note("openssl \x1b[2Jevil"), None);
        assert_eq!(host_tools_note("openssl"), None);
    }
}
