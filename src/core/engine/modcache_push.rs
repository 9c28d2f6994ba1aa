//! Module-cache push: pre-flight, lock, resumable upload (upload.rs, as for a Go release), then
//! modcache-install (check, extract, sha256sum -c, place, switch `current`, state, prune) — and
//! the audit line on both ends.

use super::audited::{audited, failure_and_notes, from_to, AuditLine};
use super::host_state::{new_state, prune_list};
use super::modcache_bundle::ModcacheBundle;
use super::modcache_preflight::{read_preflight, ModcachePreflight};
use super::outcome::{HostOutcome, StepError};
use super::step::{audit_gate, record_acceptance, HostLock, OpRun};
use super::upload::{resume_offset, upload, Unpack};
use super::verify::parse_checks;
use super::OpContext;
use crate::core::remote::modcache_ops::{self, ModcacheInstall};
use crate::core::remote::ops::{key_values, value, values};
use crate::core::ssh::HostLink;

pub fn push_host(
    link: &mut HostLink,
    bundle: &ModcacheBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    outcome.to = Some(bundle.id.clone());
    audited(
        link,
        run,
        ctx,
        outcome,
        |link, outcome, locked| steps(link, bundle, run, ctx, outcome, locked),
        |outcome| {
            let (from, _) = from_to(outcome);
            AuditLine {
                action: "push",
                target: bundle.id.clone(),
                detail: format!(
                    "{from} -> {} bundle sha256 {} tree digest {} ({} modules, {} versions){}",
                    bundle.id,
                    bundle.sha256,
                    bundle.tree_digest,
                    bundle.modules,
                    bundle.versions,
                    failure_and_notes(outcome)
                ),
            }
        },
    )
}

fn steps(
    link: &mut HostLink,
    bundle: &ModcacheBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
) -> Result<(), StepError> {
    let paths = link.host().paths.clone();
    run.step("preflight");
    bundle.check_sums()?;
    let first = read_preflight(run, link, &bundle.id, false)?;
    outcome.from = first.current();
    first.check()?;
    first.check_athens(paths.athens_storage.as_deref(), bundle)?;
    if let Some(note) = already_there(link, bundle, run, &first)? {
        outcome.notes.push(note);
        return Ok(());
    }
    let accepted = audit_gate(link, run, ctx)?;

    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, &bundle.id);
        outcome.notes.extend(notes);
    }
    let pre = read_preflight(run, link, &bundle.id, true)?;
    outcome.from = pre.current();
    pre.check()?;
    pre.check_athens(paths.athens_storage.as_deref(), bundle)?;
    let shipment = bundle.as_upload();
    let resume_from = resume_offset(&pre.pre, &shipment);
    pre.pre.check_space(&shipment, resume_from)?;

    run.step("upload");
    upload(
        link,
        &shipment,
        run,
        &paths,
        &pre.pre,
        resume_from,
        Unpack::No,
    )?;

    run.step("install");
    outcome.changed = true;
    install(link, bundle, run, ctx, &pre, outcome)
}

/// `current` already serves the bundle's id, recorded, and its files check out: nothing to do.
fn already_there(
    link: &mut HostLink,
    bundle: &ModcacheBundle,
    run: &OpRun<'_>,
    pre: &ModcachePreflight,
) -> Result<Option<String>, StepError> {
    let recorded = pre.pre.state.as_ref().and_then(|s| s.current.as_deref());
    if pre.serving.as_deref() != Some(bundle.id.as_str())
        || recorded != Some(bundle.id.as_str())
        || pre.installed_digest.as_deref() != Some(bundle.tree_digest.as_str())
        || pre.pre.part_size.is_some()
        || pre.pre.tarball_size.is_some()
    {
        return Ok(None);
    }
    let out = run.call(
        link,
        "preflight",
        &modcache_ops::verify_call(&link.host().paths),
        true,
    )?;
    // The tree, and on an Athens host Athens' copy of this very bundle, must check out.
    let checks = parse_checks(&out.stdout);
    let passed = |name: &str| checks.iter().any(|c| c.check == name && c.ok);
    let athens_ok = link.host().paths.athens_storage.is_none()
        || (passed("athens")
            && value(&key_values(&out.stdout), "athens_bundle") == Some(bundle.id.as_str()));
    let tree_ok = passed("modcache_tree") && athens_ok;
    Ok(tree_ok.then(|| {
        format!(
            "already on {}: nothing to do (its files match the bundle)",
            bundle.id
        )
    }))
}

fn install(
    link: &mut HostLink,
    bundle: &ModcacheBundle,
    run: &OpRun<'_>,
    ctx: &OpContext,
    pre: &ModcachePreflight,
    outcome: &mut HostOutcome,
) -> Result<(), StepError> {
    let paths = link.host().paths.clone();
    let previous = pre.current().filter(|c| *c != bundle.id);
    let state = new_state(
        &pre.pre,
        &bundle.id,
        previous.as_deref(),
        "push",
        &ctx.actor,
    );
    let prune = prune_list(
        &pre.pre.releases,
        &bundle.id,
        previous.as_deref(),
        link.host().keep_releases,
    );
    let inputs = ModcacheInstall {
        id: &bundle.id,
        sha256: &bundle.sha256,
        tree_digest: &bundle.tree_digest,
        state_json: &state,
        prune: &prune,
    };
    let call = modcache_ops::install_call(&paths, &inputs);
    let out = run.call(link, "install", &call, false)?;
    let pairs = key_values(&out.stdout);
    let back = switch_back_notes(&pairs, outcome);
    for pruned in values(&pairs, "pruned") {
        outcome.notes.push(format!("pruned {pruned}"));
    }
    if let Some(note) = value(&pairs, "host_tools").and_then(super::push::host_tools_note) {
        outcome.notes.push(note);
    }
    if let (Some(written), Some(kept)) = (
        value(&pairs, "athens_written"),
        value(&pairs, "athens_kept"),
    ) {
        let storage = paths.athens_storage.as_deref().unwrap_or("");
        outcome.notes.push(format!(
            "Athens at {storage} preloaded: {written} module version(s) written, {kept} already there"
        ));
    }
    super::script_end::script_end(&out, &pairs, "install", |step| {
        back.unwrap_or_else(|| install_hint(step).to_string())
    })
}

/// What the host said about undoing a switch: notes, and the hint that replaces the step's.
pub(super) fn switch_back_notes(
    pairs: &[(String, String)],
    outcome: &mut HostOutcome,
) -> Option<String> {
    super::push::undone_or_not(pairs, outcome, |back| {
        format!("current serves {back} again")
    })
}

fn install_hint(step: &str) -> &'static str {
    match step {
        "check_tarball" => "the upload was corrupted and is removed: push again (it restarts the upload)",
        "check_sums" => "the uploaded file list is not the signed one: push again",
        "extract" => "free space on the host (the module-cache directory), then push again; the served cache is untouched",
        "check_tree" => "the extracted files differ from the bundle: build the bundle again with `offgo-tui modcache build`",
        "athens" => "the module cache is switched; Athens holds the versions written before the failure, each whole: fix what the error names and push again",
        _ => "see the host's output; the served cache is untouched unless the output says otherwise",
    }
}
