//! Verify: the active release against its bundle's sha256sums, `go version` against
//! state.json, the env profile, ldd gaps and the audit chain — each check reported on its own.

use super::outcome::{Check, HostOutcome};
use super::probe::probe_host;
use super::report::LddGap;
use super::step::{audit_record, record, OpRun};
use super::OpContext;
use crate::core::audit::AuditStatus;
use crate::core::remote::ops::{self, key_values, value};
use crate::core::remote::probe::StateRead;
use crate::core::ssh::{ErrorKind, HostError, HostLink};

/// Verifies the active release. `ldd_before`: the gaps the push just before this saw (a
/// rollout's verification); gaps in it are reported as pre-existing and do not fail. A
/// standalone verify has no baseline and fails on any gap.
/// What a rollout's push of a Go release left for the verification that follows it, as the
/// host's verification reads it.
#[derive(Debug, Clone, Default)]
pub(super) struct JustPushed {
    /// The ldd gaps the host had before the push ([`super::HostOutcome::ldd_before`]): gaps
    /// already there are reported as pre-existing, not failed.
    pub ldd_before: Option<Vec<LddGap>>,
    /// The tree digests of what was pushed (a bundle's, or each member's of a set): the push
    /// proved the files of the release it installed against one of them before its switch.
    pub proven_digests: Vec<String>,
}

pub fn verify_host(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
    after_push: Option<&JustPushed>,
) -> HostOutcome {
    let ldd_before = after_push.and_then(|a| a.ldd_before.as_deref());
    let proven = after_push.map_or(&[][..], |a| &a.proven_digests[..]);
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
    let go_env_record = match state {
        Some(StateRead::Parsed(s)) => s.go_env.clone(),
        _ => None,
    };
    let recorded = go_env_record
        .as_ref()
        .map(|r| (r.go_env_sha256.as_str(), r.profile_sha256.as_str()))
        .filter(|(a, b)| is_hex(a) && is_hex(b))
        .unwrap_or(("", ""));
    let mut files = None;
    run.step("verify");
    let script = ops::verify_script(
        &link.host().paths,
        expected.as_deref().unwrap_or("(none)"),
        recorded,
        proven,
    );
    match run.call(link, "verify", &script, true) {
        Ok(out) => {
            checks.extend(parse_checks(&out.stdout));
            if value(&key_values(&out.stdout), "tree_proven") == Some("1") {
                outcome.notes.push(
                    "tree: checked file by file by this rollout's push before its switch; not read again (offgo-tui verify reads every file)"
                        .into(),
                );
            }
            files = Some(super::go_env::PolicyFiles::parse(&out.stdout));
        }
        // No rule for the helper: nothing can be checked or recorded; pre-flight says why.
        // A helper that is missing or changed is the likely why: its check is kept and said.
        Err(e) if super::step::is_rule_refusal(&e) => {
            let mut error = e.error;
            let helper = report.privilege.as_ref().map(helper_check);
            if let Some(check) = helper.as_ref().filter(|c| !c.ok) {
                error.message = format!("{}; {}", error.message, check.detail);
            }
            let step = super::outcome::StepError::new("preflight", error);
            run.failed(&step);
            let mut outcome = outcome.fail("preflight", &step.error);
            outcome.checks = helper.map(|c| vec![c]);
            return outcome;
        }
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
    if let Some(privilege) = &report.privilege {
        checks.push(helper_check(privilege));
    }
    if let Some(files) = &files {
        checks.extend(super::go_env::go_env_check(
            link.host(),
            go_env_record.as_ref(),
            files,
            &report.go_env_drift,
        ));
    }
    let (ldd, pre_existing) = ldd_check(ldd_before, &report.ldd_gaps);
    checks.push(ldd);
    outcome.notes.extend(pre_existing);
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
    let mut detail = outcome
        .error
        .clone()
        .unwrap_or_else(|| "all checks passed".into());
    for note in &outcome.notes {
        detail.push_str(&format!("; {note}"));
    }
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

/// A recorded digest the helper takes: 64 lowercase hex digits (anything else in state.json is
/// sent as none, and verify then reports the file as edited).
fn is_hex(text: &str) -> bool {
    text.len() == 64
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The helper check (hosts whose login uses become): the helper on the host is byte for byte
/// the one the rule pins for its paths.
pub(super) fn helper_check(privilege: &super::report::PrivilegeReport) -> Check {
    use super::report::HelperStatus;
    use crate::core::remote::privilege::HELPER_PATH;
    let fix =
        "reinstall it with `offgo-tui privileges install` (the drop-in's digest changes with it)";
    let (ok, detail) = match privilege.helper {
        HelperStatus::Intact => (
            true,
            format!(
                "{HELPER_PATH} is the helper the rule pins (sha256 {})",
                privilege.helper_sha256.as_deref().unwrap_or("")
            ),
        ),
        HelperStatus::Missing => (false, format!("{HELPER_PATH} is missing: {fix}")),
        HelperStatus::Changed => (
            false,
            format!(
                "{HELPER_PATH} has sha256 {}, not the one the rule pins for this host's paths: {fix}",
                crate::core::text::safe(privilege.helper_sha256.as_deref().unwrap_or(""))
            ),
        ),
    };
    Check {
        check: "helper".into(),
        ok,
        detail,
    }
}

/// The ldd check: gaps now against the gaps before the push (`None`: no baseline, every gap
/// fails). Returns the check and one note per binary whose gap was already there.
pub(super) fn ldd_check(before: Option<&[LddGap]>, now: &[LddGap]) -> (Check, Vec<String>) {
    let describe = |binary: &str, libs: &[&str]| format!("{binary} needs {}", libs.join(", "));
    let mut new = Vec::new();
    let mut old = Vec::new();
    for gap in now {
        let was = before.and_then(|b| b.iter().find(|g| g.binary == gap.binary));
        let (kept, added): (Vec<&str>, Vec<&str>) = gap
            .missing
            .iter()
            .map(String::as_str)
            .partition(|lib| was.is_some_and(|g| g.missing.iter().any(|m| m.as_str() == *lib)));
        if !added.is_empty() {
            new.push(describe(&gap.binary, &added));
        }
        if !kept.is_empty() {
            old.push(describe(&gap.binary, &kept));
        }
    }
    let notes: Vec<String> = old
        .iter()
        .map(|g| format!("pre-existing ldd gap: {g}"))
        .collect();
    let check = if !new.is_empty() {
        let mut detail = new.join("; ");
        if !old.is_empty() {
            detail.push_str(&format!(" (pre-existing: {})", old.join("; ")));
        }
        Check {
            check: "ldd".into(),
            ok: false,
            detail,
        }
    } else if !old.is_empty() {
        Check {
            check: "ldd".into(),
            ok: true,
            detail: format!("{} (not caused by this push)", notes.join("; ")),
        }
    } else {
        Check {
            check: "ldd".into(),
            ok: true,
            detail: "no missing shared libraries".into(),
        }
    };
    (check, notes)
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

    fn gap(binary: &str, libs: &[&str]) -> LddGap {
        LddGap {
            binary: binary.into(),
            missing: libs.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn ldd_gaps_already_there_before_the_push_do_not_fail_it() {
        let before = [gap("/opt/app/bin/invoicer", &["libledger.so.1"])];
        let (check, notes) = ldd_check(Some(&before), &before);
        assert!(check.ok, "{check:?}");
        assert_eq!(
            notes,
            vec!["pre-existing ldd gap: /opt/app/bin/invoicer needs libledger.so.1"]
        );
        assert!(check.detail.contains("not caused by this push"));
    }

    #[test]
    fn a_gap_the_push_introduced_fails_and_names_only_the_new_libraries() {
        let before = [gap("/opt/app/bin/invoicer", &["libledger.so.1"])];
        let now = [
            gap("/opt/app/bin/invoicer", &["libledger.so.1", "libz.so.1"]),
            gap("/usr/local/go/bin/go", &["libc.so.7"]),
        ];
        let (check, notes) = ldd_check(Some(&before), &now);
        assert!(!check.ok);
        assert_eq!(
            check.detail,
            "/opt/app/bin/invoicer needs libz.so.1; /usr/local/go/bin/go needs libc.so.7 \
             (pre-existing: /opt/app/bin/invoicer needs libledger.so.1)"
        );
        assert_eq!(notes.len(), 1);
        // A gap fixed by the push is no gap.
        let (check, notes) = ldd_check(Some(&before), &[]);
        assert!(check.ok && notes.is_empty());
    }

    #[test]
    fn without_a_baseline_every_gap_fails_as_a_standalone_verify_does() {
        let now = [gap("/opt/app/bin/invoicer", &["libledger.so.1"])];
        let (check, notes) = ldd_check(None, &now);
        assert!(!check.ok);
        assert_eq!(check.detail, "/opt/app/bin/invoicer needs libledger.so.1");
        assert!(notes.is_empty());
        let (check, _) = ldd_check(Some(&[]), &now);
        assert!(!check.ok, "an empty baseline is a baseline: the gap is new");
    }

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
