//! Verify: the active release against its bundle's sha256sums, `go version` against
//! state.json, the env profile, ldd gaps and the audit chain — each check reported on its own.

use super::outcome::{Check, HostOutcome};
use super::probe::probe_host;
use super::step::{audit_record, record, OpRun};
use super::OpContext;
use crate::core::audit::AuditStatus;
use crate::core::remote::ops::{self, key_values};
use crate::core::remote::probe::StateRead;
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
        let outcome = outcome.fail("probe", &error);
        run.failed(&super::outcome::StepError::new("probe", error));
        return outcome;
    }
    let facts = report.facts.as_ref();
    let state = facts.map(|f| &f.state);
    let expected = match state {
        Some(StateRead::Parsed(s)) => s.current.clone(),
        _ => None,
    }
    .or_else(|| report.go_version.clone());
    outcome.from = expected.clone();
    let mut checks = Vec::new();
    run.step("verify");
    let script = ops::verify_script(&link.host().paths, expected.as_deref().unwrap_or("(none)"));
    match run.script(link, "verify", &script, true) {
        Ok(out) => checks.extend(parse_checks(&out.stdout)),
        Err(e) => checks.push(Check {
            check: "tree".into(),
            ok: false,
            detail: e.error.message,
        }),
    }
    checks.push(match state {
        Some(StateRead::Parsed(_)) => Check {
            check: "state".into(),
            ok: true,
            detail: "state.json is valid".into(),
        },
        Some(StateRead::Invalid { error, .. }) => Check {
            check: "state".into(),
            ok: false,
            detail: format!("state.json is not valid JSON: {error}"),
        },
        _ => Check {
            check: "state".into(),
            ok: false,
            detail: format!(
                "{} is missing: offgo does not manage this host",
                link.host().paths.state_file()
            ),
        },
    });
    checks.push(if report.ldd_gaps.is_empty() {
        Check {
            check: "ldd".into(),
            ok: true,
            detail: "no missing shared libraries".into(),
        }
    } else {
        let gaps: Vec<String> = report
            .ldd_gaps
            .iter()
            .map(|g| format!("{} needs {}", g.binary, g.missing.join(", ")))
            .collect();
        Check {
            check: "ldd".into(),
            ok: false,
            detail: gaps.join("; "),
        }
    });
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
            "see each check's detail; push the bundle again to repair the tree, or roll back",
        );
        outcome = outcome.fail(&first.check, &error);
        run.failed(&super::outcome::StepError::new(&first.check, error));
    }
    outcome.checks = Some(checks);
    let target = expected.unwrap_or_else(|| "none".into());
    let detail = outcome
        .error
        .clone()
        .unwrap_or_else(|| "all checks passed".into());
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

/// `check=…`, `ok=…`, `detail=…` triples from verify.sh.
pub(super) fn parse_checks(output: &[u8]) -> Vec<Check> {
    let mut checks: Vec<Check> = Vec::new();
    for (key, value) in key_values(output) {
        match key.as_str() {
            "check" => checks.push(Check {
                check: value,
                ok: false,
                detail: String::new(),
            }),
            "ok" => {
                if let Some(c) = checks.last_mut() {
                    c.ok = value == "1";
                }
            }
            "detail" => {
                if let Some(c) = checks.last_mut() {
                    c.detail = value.trim_end_matches('|').replace('|', "\n");
                }
            }
            _ => {}
        }
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_parse_with_multiline_evidence() {
        let out = b"check=tree\nok=0\ndetail=go/bin/gofmt: FAILED|sha256sum: WARNING: 1 computed checksum did NOT match|\n\
check=go_version\nok=1\ndetail=go version go1.22.10 linux/amd64\nverify_end=1\n";
        let checks = parse_checks(out);
        assert_eq!(checks.len(), 2);
        assert!(!checks[0].ok);
        assert_eq!(
            checks[0].detail,
            "go/bin/gofmt: FAILED\nsha256sum: WARNING: 1 computed checksum did NOT match"
        );
        assert!(checks[1].ok);
    }
}
