//! Rollback: switch go_root to the previous release (or a named one still on the host), check
//! it after the switch, and record it.

use super::audited::{audited, failure_and_notes, from_to, AuditLine};
use super::host_state::new_state;
use super::outcome::{HostOutcome, StepError};
use super::preflight::Preflight;
use super::push::switch_back_notes;
use super::step::{audit_gate, record_acceptance, HostLock, OpRun};
use super::OpContext;
use crate::core::remote::ops::{self, key_values, value};
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
                detail: format!("{from} -> {target}{}", failure_and_notes(outcome)),
                target,
            }
        },
    )
}

fn read_host(
    link: &mut HostLink,
    run: &OpRun<'_>,
    under_lock: bool,
) -> Result<Preflight, StepError> {
    let paths = &link.host().paths;
    let script = ops::preflight_script(paths, "none", "none", under_lock);
    let out = run.call(link, "preflight", &script, !under_lock)?;
    Preflight::parse(&out.stdout).map_err(|e| {
        StepError::refused("preflight", e.to_string(), "see the host's output")
            .with_output(out.combined())
    })
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
    let first = read_host(link, run, false)?;
    if let Some(owner) = &first.busy {
        return Err(StepError::refused(
            "preflight",
            format!("host busy: locked by {owner}"),
            "wait for the other operator",
        ));
    }
    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, to.unwrap_or("previous"));
        outcome.notes.extend(notes);
    }
    let pre = read_host(link, run, true)?;
    let current = pre.current_version();
    outcome.from = current.clone();
    let target = match to
        .map(str::to_string)
        .or_else(|| pre.state.as_ref().and_then(|s| s.previous.clone()))
    {
        Some(t) => t,
        None => {
            return Err(StepError::refused(
                "plan",
                "no previous release is recorded on this host",
                "name one with --to VERSION (one of the releases on the host)",
            ))
        }
    };
    outcome.to = Some(target.clone());
    if current.as_deref() == Some(target.as_str())
        && pre.go_version.as_deref() == Some(target.as_str())
    {
        outcome
            .notes
            .push(format!("{target} is already active: nothing to do"));
        return Ok(());
    }
    if !pre.releases.contains(&target) {
        let have = if pre.releases.is_empty() {
            "none".to_string()
        } else {
            pre.releases.join(", ")
        };
        return Err(StepError::refused(
            "plan",
            format!("{target} is not installed on the host (releases there: {have})"),
            "push its bundle instead",
        ));
    }
    let state = new_state(&pre, &target, current.as_deref(), "rollback", &ctx.actor);
    let (go_env, shims) = super::go_env::inputs(link.host());
    let script = ops::switch_script(&link.host().paths, &target, &state, &go_env, &shims);
    outcome.changed = true;
    let out = run.call(link, "switch", &script, false)?;
    let pairs = key_values(&out.stdout);
    if let Some(not_run) = value(&pairs, "go_version_not_run") {
        outcome.notes.push(not_run.to_string());
    }
    let back = switch_back_notes(&pairs, outcome);
    super::go_env::shim_notes(&pairs, &mut outcome.notes);
    super::script_end::script_end(&out, &pairs, "switch", |_| {
        back.unwrap_or_else(|| {
            "see the host's output; the active Go is unchanged unless it says otherwise".into()
        })
    })?;
    super::go_env::check_drift(link, run, ctx)
}
