//! Module-cache rollback: switch `current` back to modcache.json's previous cache (or a named
//! one still on the host), checked against its signed file list first, and record it.

use super::audited::{audited, failure_and_notes, from_to, AuditLine};
use super::host_state::new_state;
use super::modcache_preflight::read_preflight;
use super::modcache_push::switch_back_notes;
use super::outcome::{HostOutcome, StepError};
use super::step::{audit_gate, record_acceptance, HostLock, OpRun};
use super::OpContext;
use crate::core::remote::modcache_ops;
use crate::core::remote::ops::key_values;
use crate::core::ssh::HostLink;

pub fn rollback_host(
    link: &mut HostLink,
    to: Option<&str>,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let outcome = HostOutcome::new(&link.host().name);
    audited(
        link,
        run,
        ctx,
        outcome,
        |link, outcome, locked| steps(link, to, run, ctx, outcome, locked),
        |outcome| {
            let (from, target) = from_to(outcome);
            AuditLine {
                action: "rollback",
                detail: format!(
                    "module cache {from} -> {target}{}",
                    failure_and_notes(outcome)
                ),
                target,
            }
        },
    )
}

fn steps(
    link: &mut HostLink,
    to: Option<&str>,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
) -> Result<(), StepError> {
    run.step("preflight");
    let first = read_preflight(run, link, "none", false)?;
    first.check()?;
    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, to.unwrap_or("previous"));
        outcome.notes.extend(notes);
    }
    let pre = read_preflight(run, link, "none", true)?;
    let current = pre.current();
    outcome.from = current.clone();
    let previous = pre.pre.state.as_ref().and_then(|s| s.previous.clone());
    let Some(target) = to.map(str::to_string).or(previous) else {
        return Err(StepError::refused(
            "plan",
            "no previous module cache is recorded on this host",
            "name one with --to modcache-<id> (one of the caches on the host)",
        ));
    };
    outcome.to = Some(target.clone());
    if current.as_deref() == Some(target.as_str()) && pre.serving.as_deref() == Some(&target) {
        outcome
            .notes
            .push(format!("{target} is already served: nothing to do"));
        return Ok(());
    }
    if !pre.pre.releases.contains(&target) {
        let have = if pre.pre.releases.is_empty() {
            "none".to_string()
        } else {
            pre.pre.releases.join(", ")
        };
        return Err(StepError::refused(
            "plan",
            format!("{target} is not installed on the host (module caches there: {have})"),
            "push its bundle instead",
        ));
    }
    let state = new_state(
        &pre.pre,
        &target,
        current.as_deref(),
        "rollback",
        &ctx.actor,
    );
    let call = modcache_ops::switch_call(&link.host().paths, &target, &state);
    outcome.changed = true;
    let out = run.call(link, "switch", &call, false)?;
    let pairs = key_values(&out.stdout);
    let back = switch_back_notes(&pairs, outcome);
    super::script_end::script_end(&out, &pairs, "switch", |_| {
        back.unwrap_or_else(|| {
            "see the host's output; the served cache is unchanged unless it says otherwise".into()
        })
    })
}
