//! App rollback (`rollback --app NAME [--to VERSION]`): switch the app's `current` to its
//! previous release (or a named one still on the host) once its files check, restart it and
//! check its health; a failed check switches back to where it was. And the app a host means when
//! the operator names none (the only one it has).

use super::app_push::{preflight, start_or_switch_back, ServiceCommands};
use super::app_service;
use super::app_state::AppState;
use super::audited::{audited, failure_and_notes, from_to, AuditLine};
use super::outcome::{HostOutcome, StepError};
use super::step::{audit_gate, record_acceptance, HostLock, OpRun};
use super::OpContext;
use crate::core::remote::app_ops;
use crate::core::remote::ops::{key_values, values};
use crate::core::ssh::HostLink;

/// `name`, or the one app whose state the host holds.
pub(super) fn resolve_name(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: Option<&str>,
) -> Result<String, StepError> {
    if let Some(name) = name {
        return Ok(name.to_string());
    }
    let dir = link.host().paths.apps_state_dir();
    let script = format!(
        "{}for f in {}/*.json; do [ -f \"$f\" ] && kv app \"$(basename \"$f\" .json)\"; done\necho apps_end=1\n",
        crate::core::remote::frame::PRELUDE,
        crate::core::remote::quote::sh_quote(&dir)
    );
    let out = run.script(link, "preflight", &script, true)?;
    let pairs = key_values(&out.stdout);
    let apps: Vec<String> = values(&pairs, "app")
        .into_iter()
        .filter(|a| crate::core::inventory::valid_app_name(a))
        .map(str::to_string)
        .collect();
    match apps.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(StepError::refused(
            "preflight",
            format!(
                "no app is installed on {} ({dir} holds no app state)",
                link.host().name
            ),
            "push an app bundle first, or pick hosts that run the app",
        )),
        many => Err(StepError::refused(
            "preflight",
            format!(
                "{} runs several apps ({}): which one?",
                link.host().name,
                many.join(", ")
            ),
            "name it with --app NAME",
        )),
    }
}

pub fn rollback_app_host(
    link: &mut HostLink,
    name: Option<&str>,
    to: Option<&str>,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let outcome = HostOutcome::new(&link.host().name);
    // The app is named by the operator, or found on the host by the steps' pre-flight.
    let app = std::cell::RefCell::new(name.unwrap_or("(app)").to_string());
    audited(
        link,
        run,
        ctx,
        outcome,
        |link, outcome, locked| {
            steps(
                link,
                name,
                to,
                run,
                ctx,
                outcome,
                locked,
                &mut app.borrow_mut(),
            )
        },
        |outcome| {
            let (from, target) = from_to(outcome);
            let app = app.borrow();
            AuditLine {
                action: "rollback",
                detail: format!("app {app} {from} -> {target}{}", failure_and_notes(outcome)),
                target: format!("{app}-{target}"),
            }
        },
    )
}

#[allow(clippy::too_many_arguments)]
fn steps(
    link: &mut HostLink,
    name: Option<&str>,
    to: Option<&str>,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
    app: &mut String,
) -> Result<(), StepError> {
    run.step("preflight");
    let name = resolve_name(link, run, name)?;
    app.clone_from(&name);
    let (restart, health, wait) = {
        let c = app_service::commands(link, &name)?;
        (
            c.restart.to_string(),
            c.health.to_string(),
            app_service::wait_secs(c.settings),
        )
    };
    let first = preflight(run, link, &name, "none", "none", false)?;
    if let Some(owner) = &first.busy {
        return Err(StepError::refused(
            "preflight",
            format!("host busy: locked by {}", crate::core::text::safe(owner)),
            "wait for the other operator",
        ));
    }
    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let target = format!("{name}-{}", to.unwrap_or("previous"));
        outcome
            .notes
            .extend(record_acceptance(link, ctx, acceptance, &target));
    }
    let pre = preflight(run, link, &name, "none", "none", true)?;
    let current = pre.current_version();
    outcome.from = current.clone();
    let Some(target) = to
        .map(str::to_string)
        .or_else(|| pre.state.as_ref().and_then(|s| s.previous.clone()))
    else {
        return Err(StepError::refused(
            "plan",
            format!("no previous release of {name} is recorded on this host"),
            "name one with --to VERSION (one of the releases on the host)",
        ));
    };
    if !super::app_release::valid_version(&target) {
        return Err(StepError::refused(
            "plan",
            format!(
                "{:?} is not an app version",
                crate::core::text::safe(&target)
            ),
            "name a version as `app build --version` takes it: 1.4.0",
        ));
    }
    outcome.to = Some(target.clone());
    let link_target = app_ops::release_dir(&link.host().paths, &name, &target);
    if current.as_deref() == Some(target.as_str())
        && pre.current_target.as_deref() == Some(link_target.as_str())
    {
        outcome
            .notes
            .push(format!("{name} {target} is already current: nothing to do"));
        return Ok(());
    }
    if !pre.has_release(&target) {
        let have: Vec<&str> = pre.releases.iter().map(|(v, _)| v.as_str()).collect();
        return Err(StepError::refused(
            "plan",
            format!(
                "{name} {target} is not installed on the host (releases there: {})",
                if have.is_empty() {
                    "none".to_string()
                } else {
                    have.join(", ")
                }
            ),
            "push its bundle instead",
        ));
    }
    let sha = pre.release_sha256(&target).unwrap_or_default().to_string();
    let state = AppState::next(pre.state.as_ref(), &name, &target, &sha, "rollback");
    outcome.changed = true;
    run.step("switch");
    let call = app_ops::switch_call(&link.host().paths, &name, &target, &state.to_json());
    let out = run.call(link, "switch", &call, false)?;
    let pairs = key_values(&out.stdout);
    super::script_end::script_end(&out, &pairs, "switch", |_| {
        "see the host's output; the app is unchanged unless it says otherwise".into()
    })?;
    let commands = ServiceCommands {
        restart: &restart,
        health: &health,
        wait,
    };
    start_or_switch_back(link, run, &name, &target, &pre, &commands, outcome)
}
