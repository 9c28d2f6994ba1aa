//! Module-cache verify: the tree `current` serves against its bundle's signed file list (no
//! file changed, none added), modcache.json against `current`, the helper and the audit chain —
//! each check reported on its own, and one verify line in both audit logs.

use super::outcome::{Check, HostOutcome, StepError};
use super::probe::probe_host;
use super::step::{audit_record, is_rule_refusal, record, OpRun};
use super::verify::{helper_check, parse_checks};
use super::OpContext;
use crate::core::audit::AuditStatus;
use crate::core::remote::modcache_ops;
use crate::core::remote::ops::{key_values, value};
use crate::core::ssh::{ErrorKind, HostError, HostLink};

pub fn verify_host(link: &mut HostLink, run: &OpRun<'_>, ctx: &OpContext) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    run.step("probe");
    let report = probe_host(link, &ctx.trail, None);
    if let Some(kind) = report.error_kind {
        let error = HostError {
            kind,
            message: report.error.clone().unwrap_or_default(),
            hint: report.hint.clone().unwrap_or_default(),
            output: report.raw_output.clone(),
        };
        run.failed(&StepError::new("probe", error.clone()));
        return outcome.fail("probe", &error);
    }
    run.step("verify");
    let mut checks = Vec::new();
    let call = modcache_ops::verify_call(&link.host().paths);
    match run.call(link, "verify", &call, true) {
        Ok(out) => {
            checks.extend(parse_checks(&out.stdout));
            outcome.from = value(&key_values(&out.stdout), "modcache_current")
                .filter(|id| !id.is_empty())
                .map(String::from);
        }
        Err(e) if is_rule_refusal(&e) => {
            run.failed(&StepError::new("preflight", e.error.clone()));
            return outcome.fail("preflight", &e.error);
        }
        Err(e) => checks.push(Check {
            check: "modcache_tree".into(),
            ok: false,
            detail: e.error.message,
        }),
    }
    if let Some(privilege) = &report.privilege {
        checks.push(helper_check(privilege));
    }
    checks.push(Check {
        check: "audit".into(),
        ok: report.audit.status == AuditStatus::Ok,
        detail: report
            .audit
            .detail
            .clone()
            .unwrap_or_else(|| format!("{} entries, chain intact", report.audit.entries)),
    });
    let failed: Vec<&Check> = checks.iter().filter(|c| !c.ok).collect();
    outcome.ok = failed.is_empty();
    if let Some(first) = failed.first() {
        let names: Vec<&str> = failed.iter().map(|c| c.check.as_str()).collect();
        let error = HostError::new(
            ErrorKind::CommandFailed,
            format!(
                "verification failed: {} ({})",
                names.join(", "),
                first.detail
            ),
            "see each check's detail; push the module-cache bundle again to repair the tree, or roll back with `rollback --modcache`",
        );
        outcome = outcome.fail(&first.check, &error);
        run.failed(&StepError::new(&first.check, error));
    }
    outcome.checks = Some(checks);
    let target = outcome.from.clone().unwrap_or_else(|| "none".into());
    let detail = outcome
        .error
        .clone()
        .unwrap_or_else(|| "all module-cache checks passed".into());
    let notes = record(
        link,
        &ctx.trail,
        audit_record(
            &outcome.name,
            &ctx.actor,
            "verify",
            &target,
            outcome.ok,
            detail,
        ),
    );
    outcome.notes.extend(notes);
    outcome
}
