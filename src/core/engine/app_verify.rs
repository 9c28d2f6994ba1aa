//! App verify (`verify --app NAME`): the files `current` points at against the list installed
//! with them (`sha256sum -c`, naming each file that differs), `current` against the state, the
//! state itself, and the `health` command once — each check reported on its own.

use super::app_rollback::resolve_name;
use super::app_service;
use super::app_state::AppState;
use super::outcome::{Check, HostOutcome, StepError};
use super::step::{audit_record, record, OpRun};
use super::verify::parse_checks;
use super::OpContext;
use crate::core::remote::app_ops;
use crate::core::remote::ops::{key_values, value};
use crate::core::ssh::{ErrorKind, HostError, HostLink};

pub fn verify_app_host(
    link: &mut HostLink,
    name: Option<&str>,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    run.step("verify");
    let name = match resolve_name(link, run, name) {
        Ok(name) => name,
        Err(e) => {
            run.failed(&e);
            return outcome.fail(&e.step, &e.error);
        }
    };
    let call = app_ops::verify_call(&link.host().paths, &name);
    let out = match run.call(link, "verify", &call, true) {
        Ok(out) => out,
        Err(e) => {
            run.failed(&e);
            return outcome.fail(&e.step, &e.error);
        }
    };
    let pairs = key_values(&out.stdout);
    if value(&pairs, "verify_end") != Some("1") {
        let e = StepError::refused(
            "verify",
            "the app verification ended early",
            "see the host's output",
        )
        .with_output(out.combined());
        run.failed(&e);
        return outcome.fail(&e.step, &e.error);
    }
    let mut checks = parse_checks(&out.stdout);
    let state_line = value(&pairs, "state_json").map(str::trim);
    let state = state_line.and_then(|s| AppState::parse(s, &name));
    let state_file = app_ops::state_file(&link.host().paths, &name);
    checks.push(match (&state, state_line) {
        (Some(s), _) => Check {
            check: "state".into(),
            ok: true,
            detail: format!("{state_file}: current {}", s.current),
        },
        (None, Some(line)) => Check {
            check: "state".into(),
            ok: false,
            detail: format!(
                "{state_file} is not {name}'s state: {}",
                crate::core::text::safe_max(line, 200)
            ),
        },
        (None, None) => Check {
            check: "state".into(),
            ok: false,
            detail: format!("{state_file} is missing: offgo has not installed {name} here"),
        },
    });
    let current = state.as_ref().map(|s| s.current.clone());
    outcome.from = current.clone();
    if let Some(version) = &current {
        let want = app_ops::release_dir(&link.host().paths, &name, version);
        let got = value(&pairs, "current_target").unwrap_or("(no link)");
        checks.push(Check {
            check: "current".into(),
            ok: got == want,
            detail: if got == want {
                format!("current points at {want}")
            } else {
                format!(
                    "current points at {}, the state says {want}",
                    crate::core::text::safe(got)
                )
            },
        });
        checks.push(health_check(link, run, &name, version, &mut outcome));
    }
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    outcome.ok = failed.is_empty();
    if let Some(first) = failed.first() {
        let names: Vec<&str> = failed.iter().map(|c| c.check.as_str()).collect();
        let error = HostError::new(
            ErrorKind::CommandFailed,
            format!(
                "verification of {name} failed: {} ({})",
                names.join(", "),
                crate::core::text::safe(&first.detail)
            ),
            "see each check's detail; push the bundle again to repair the release, or roll back",
        );
        let step = first.check.clone();
        let (notes, health) = (std::mem::take(&mut outcome.notes), outcome.health.take());
        outcome = outcome.fail(&step, &error);
        outcome.notes = notes;
        outcome.health = health;
        run.failed(&StepError::new(&step, error));
    }
    outcome.checks = Some(checks);
    let target = format!("{name}-{}", current.as_deref().unwrap_or("none"));
    let detail = outcome
        .error
        .clone()
        .unwrap_or_else(|| format!("app {name}: all checks passed"));
    let entry = audit_record(
        &outcome.name,
        &ctx.actor,
        "verify",
        &target,
        outcome.ok,
        detail,
    );
    outcome.notes.extend(record(link, &ctx.trail, entry));
    outcome
}

/// `health` once, as the login user. A missing `[apps.NAME]` health fails the check, named.
fn health_check(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    outcome: &mut HostOutcome,
) -> Check {
    let host = link.host();
    let Some(command) = host.apps.get(name).and_then(|a| a.health.clone()) else {
        return Check {
            check: "health".into(),
            ok: false,
            detail: format!(
                "the inventory has no apps.{name}.health: add it under [apps.{name}] to check {name} on {}",
                host.name
            ),
        };
    };
    match app_service::health(link, run, name, version, &command, 0) {
        Ok(health) => {
            let check = Check {
                check: "health".into(),
                ok: health.ok,
                detail: health.summary(),
            };
            outcome.health = Some(health);
            check
        }
        Err(e) => Check {
            check: "health".into(),
            ok: false,
            detail: e.error.message,
        },
    }
}
