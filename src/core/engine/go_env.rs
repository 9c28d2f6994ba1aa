//! The Go environment policy on hosts (DESIGN.md, "Go environment policy"): applied by every
//! push and rollback (install.sh, switch.sh) and alone by `offgo-tui go-env apply`; checked by
//! the environment a login shell and a bare process then see (a change that leaves drift fails
//! at step `go_env`), and by verify's `go_env` check.

use super::audited::{audited, failure_and_notes, AuditLine};
use super::outcome::{Check, HostOutcome, StepError};
use super::probe::probe_host;
use super::step::{audit_gate, record_acceptance, HostLock, OpRun};
use super::OpContext;
use crate::core::goenv::{Drift, GoEnvPolicy, View};
use crate::core::inventory::Host;
use crate::core::remote::ops::{self, key_values, value, values};
use crate::core::remote::probe::GoEnvRecord;
use crate::core::ssh::HostLink;
use crate::core::text::safe;

/// The audit action of `go-env apply` (both logs).
pub const AUDIT_ACTION: &str = "go-env";

/// The host's policy inputs: `NAME=VALUE` lines and the `shims` input.
pub(super) fn inputs(host: &Host) -> (Vec<String>, String) {
    (host.go_env.lines(), host.go_shims.input())
}

/// Whether `[go_env]` is not the policy the host's state.json records offgo wrote (none
/// recorded counts as none written).
pub(super) fn policy_changed(
    host: &Host,
    state: Option<&crate::core::remote::probe::OffgoState>,
) -> bool {
    let recorded = state.and_then(|s| s.go_env.as_ref()).map(|r| &r.policy);
    match recorded {
        Some(policy) => *policy != host.go_env.vars,
        None => !host.go_env.is_empty(),
    }
}

/// After a change that wrote the policy: what a login shell and a bare process see now must be
/// the policy, or the change fails at step `go_env` (naming each variable and view). Nothing to
/// check without a policy.
pub(super) fn check_drift(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
) -> Result<(), StepError> {
    if link.host().go_env.is_empty() {
        return Ok(());
    }
    run.step("go_env");
    let report = probe_host(link, &ctx.trail, None);
    if let Some(error) = &report.error {
        return Err(StepError::refused(
            "go_env",
            format!("could not read the Go environment after the change: {error}"),
            "probe the host (scan) to see its environment, then `offgo-tui go-env apply`",
        ));
    }
    if report.go_env_drift.is_empty() {
        return Ok(());
    }
    Err(StepError::refused(
        "go_env",
        format!(
            "offgo wrote [go_env], yet the host's Go environment differs: {}",
            describe_drift(&report.go_env_drift)
        ),
        "something else sets these (another profile script, a user's go/env file from `go env -w`): \
         remove it, then run `offgo-tui go-env apply`",
    ))
}

/// `GOPROXY in a login shell is "x", [go_env] wants "off"; …`.
pub fn describe_drift(drift: &[Drift]) -> String {
    drift
        .iter()
        .map(|d| {
            let view = match d.view {
                View::Login => "in a login shell",
                View::Service => "for a service (no login environment)",
            };
            match &d.got {
                Some(got) => format!(
                    "{} {view} is \"{}\", [go_env] wants \"{}\"",
                    d.var,
                    safe(got),
                    d.want
                ),
                None => format!("{} {view}: `go env` failed", d.var),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `offgo-tui go-env apply` on one host: under the lock, the policy into the active release's
/// go.env, the login profile, state.json's record and the shims; then the environment checked
/// in both views. Audited as `go-env` on both ends.
pub fn apply_host(link: &mut HostLink, run: &OpRun<'_>, ctx: &OpContext) -> HostOutcome {
    let outcome = HostOutcome::new(&link.host().name);
    let host = link.host();
    let mut policy = format!("[go_env] {}", host.go_env.describe());
    let shims = host.go_shims.input();
    if !shims.is_empty() {
        policy.push_str(&format!("; go_shims {shims}"));
    }
    // What the steps wrote (file digests), read again when the audit line is made.
    let written = std::cell::RefCell::new(Vec::new());
    audited(
        link,
        run,
        ctx,
        outcome,
        |link, outcome, locked| {
            apply_steps(link, run, ctx, outcome, locked, &mut written.borrow_mut())
        },
        |outcome| {
            let mut detail = policy;
            detail.extend(written.borrow().iter().map(|w| format!("; {w}")));
            detail.push_str(&failure_and_notes(outcome));
            AuditLine {
                action: AUDIT_ACTION,
                target: outcome.to.clone().unwrap_or_else(|| "none".into()),
                detail,
            }
        },
    )
}

fn apply_steps(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
    outcome: &mut HostOutcome,
    locked: &mut bool,
    written: &mut Vec<String>,
) -> Result<(), StepError> {
    run.step("preflight");
    let accepted = audit_gate(link, run, ctx)?;
    run.step("lock");
    let _lock = HostLock::acquire(link, &ctx.actor)?;
    *locked = true;
    if let Some(acceptance) = accepted {
        let notes = record_acceptance(link, ctx, acceptance, AUDIT_ACTION);
        outcome.notes.extend(notes);
    }
    let (lines, shims) = inputs(link.host());
    let script = ops::go_env_script(&link.host().paths, &lines, &shims);
    outcome.changed = true;
    let out = run.call(link, "go_env", &script, false)?;
    let pairs = key_values(&out.stdout);
    if let Some(release) = value(&pairs, "release") {
        outcome.from = Some(release.to_string());
        outcome.to = Some(release.to_string());
    }
    if let Some(digest) = value(&pairs, "go_env_sha256").filter(|d| !d.is_empty()) {
        written.push(format!("go.env sha256 {digest}"));
    }
    shim_notes(&pairs, &mut outcome.notes);
    super::script_end::script_end(&out, &pairs, "go_env", |_| {
        "see the host's output; the files offgo had written stay as they were unless it says otherwise".into()
    })?;
    check_drift(link, run, ctx)
}

/// Notes for the shims a change wrote, removed or had to leave alone.
pub(super) fn shim_notes(pairs: &[(String, String)], notes: &mut Vec<String>) {
    let kept = values(pairs, "go_shim");
    if !kept.is_empty() {
        notes.push(format!("go_shims: {}", kept.join(", ")));
    }
    for removed in values(pairs, "shim_removed") {
        notes.push(format!("removed the shim {removed}"));
    }
    for skipped in values(pairs, "shim_skipped") {
        notes.push(format!("shim not written: {}", safe(skipped)));
    }
}

/// What verify.sh saw of the policy's files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct PolicyFiles {
    /// `recorded`, `official`, `edited` or `missing` (go.env of the active release).
    pub go_env_file: String,
    pub go_env_sha256: String,
    /// `recorded`, `edited` or `missing` (the login profile).
    pub env_profile: String,
    pub env_profile_sha256: String,
}

impl PolicyFiles {
    pub fn parse(output: &[u8]) -> Self {
        let pairs = key_values(output);
        let get = |k: &str| value(&pairs, k).unwrap_or_default().to_string();
        Self {
            go_env_file: get("go_env_file"),
            go_env_sha256: get("go_env_file_sha256"),
            env_profile: get("env_profile"),
            env_profile_sha256: get("env_profile_sha256"),
        }
    }
}

/// verify's `go_env` check: the files against state.json's record (an edit is "tampered"), the
/// recorded policy against `[go_env]`, then the environment both views see. `None` when there
/// is neither a policy nor a record (nothing of offgo's to check).
pub(super) fn go_env_check(
    host: &Host,
    record: Option<&GoEnvRecord>,
    files: &PolicyFiles,
    drift: &[Drift],
) -> Option<Check> {
    let policy: &GoEnvPolicy = &host.go_env;
    if policy.is_empty() && record.is_none() {
        return None;
    }
    let apply = "run `offgo-tui go-env apply` to write [go_env] again";
    let go_env = format!("{}/go.env", host.paths.go_root);
    let fail = |detail: String| {
        Some(Check {
            check: "go_env".into(),
            ok: false,
            detail,
        })
    };
    if let Some(record) = record {
        if files.go_env_file != "recorded" {
            let what = match files.go_env_file.as_str() {
                "official" => "is the release's own again".to_string(),
                "missing" => "is missing".to_string(),
                _ => format!("has sha256 {}", safe(&files.go_env_sha256)),
            };
            return fail(format!(
                "tampered: {go_env} {what}, not offgo's policy as recorded in state.json (sha256 {}); {apply}",
                safe(&record.go_env_sha256)
            ));
        }
        if files.env_profile != "recorded" {
            let profile = host.paths.env_profile();
            let what = match files.env_profile.as_str() {
                "missing" => "is missing".to_string(),
                _ => format!("has sha256 {}", safe(&files.env_profile_sha256)),
            };
            return fail(format!(
                "tampered: {profile} {what}, not offgo's policy as recorded in state.json (sha256 {}); {apply}",
                safe(&record.profile_sha256)
            ));
        }
        if record.policy != policy.vars {
            let had = GoEnvPolicy {
                vars: record.policy.clone(),
            };
            return fail(format!(
                "the host has offgo's policy of an earlier inventory ({}), not [go_env] ({}); {apply}",
                safe(&had.describe()),
                policy.describe()
            ));
        }
    } else {
        return fail(format!(
            "[go_env] is not applied: state.json records no policy offgo wrote ({go_env} {}); {apply}",
            match files.go_env_file.as_str() {
                "official" => "is the release's own",
                "missing" => "is missing",
                _ => "was written by someone else",
            }
        ));
    }
    if !drift.is_empty() {
        return fail(format!(
            "offgo's policy is in place, yet the environment differs: {}",
            describe_drift(drift)
        ));
    }
    let detail = if policy.is_empty() {
        "no [go_env] policy; offgo's files of an earlier one are as it recorded them".to_string()
    } else {
        format!(
            "{go_env} is offgo's policy overlay as recorded (sha256 {}); a login shell and a service both see [go_env]",
            files.go_env_sha256
        )
    };
    Some(Check {
        check: "go_env".into(),
        ok: true,
        detail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn host(policy: &[(&str, &str)]) -> Host {
        let mut p = GoEnvPolicy::default();
        for (k, v) in policy {
            p.insert(k, v).unwrap();
        }
        let text = "[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n";
        let inv = crate::core::inventory::parse(text, std::path::Path::new("inv.toml")).unwrap();
        let mut h = inv.hosts[0].clone();
        h.go_env = Arc::new(p);
        h
    }

    fn record(policy: &[(&str, &str)]) -> GoEnvRecord {
        GoEnvRecord {
            policy: policy
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            go_env_sha256: "a".repeat(64),
            profile_sha256: "b".repeat(64),
        }
    }

    fn files(go_env: &str, profile: &str) -> PolicyFiles {
        PolicyFiles {
            go_env_file: go_env.into(),
            go_env_sha256: "c".repeat(64),
            env_profile: profile.into(),
            env_profile_sha256: "d".repeat(64),
        }
    }

    #[test]
    fn an_edit_of_offgo_s_files_is_tampering_and_a_changed_inventory_is_not() {
        let policy = [("GOPROXY", "off")];
        let h = host(&policy);
        let ok = go_env_check(
            &h,
            Some(&record(&policy)),
            &files("recorded", "recorded"),
            &[],
        );
        assert!(ok.as_ref().unwrap().ok, "{ok:?}");

        let edited = go_env_check(
            &h,
            Some(&record(&policy)),
            &files("edited", "recorded"),
            &[],
        )
        .unwrap();
        assert!(!edited.ok);
        assert!(
            edited
                .detail
                .starts_with("tampered: /usr/local/go/go.env has sha256 cccc"),
            "{}",
            edited.detail
        );
        let profile = go_env_check(
            &h,
            Some(&record(&policy)),
            &files("recorded", "missing"),
            &[],
        )
        .unwrap();
        assert!(
            profile
                .detail
                .contains("tampered: /etc/profile.d/offgo-go-env.sh is missing"),
            "{}",
            profile.detail
        );

        let stale = go_env_check(
            &h,
            Some(&record(&[("GOPROXY", "direct")])),
            &files("recorded", "recorded"),
            &[],
        )
        .unwrap();
        assert!(!stale.ok);
        assert!(
            stale
                .detail
                .contains("earlier inventory (GOPROXY=direct), not [go_env] (GOPROXY=off)"),
            "{}",
            stale.detail
        );
        assert!(!stale.detail.contains("tampered"));
    }

    #[test]
    fn no_policy_and_no_record_is_no_check_and_a_policy_never_applied_says_so() {
        assert_eq!(
            go_env_check(&host(&[]), None, &files("official", "missing"), &[]),
            None
        );
        let not_applied = go_env_check(
            &host(&[("GOPROXY", "off")]),
            None,
            &files("official", "missing"),
            &[],
        )
        .unwrap();
        assert!(!not_applied.ok);
        assert!(
            not_applied.detail.contains("[go_env] is not applied"),
            "{}",
            not_applied.detail
        );
    }

    #[test]
    fn drift_in_place_of_offgo_s_files_names_variable_and_view() {
        let policy = [("GOPROXY", "off")];
        let drift = [Drift {
            var: "GOPROXY".into(),
            want: "off".into(),
            got: Some("https://proxy.example".into()),
            view: View::Login,
        }];
        let c = go_env_check(
            &host(&policy),
            Some(&record(&policy)),
            &files("recorded", "recorded"),
            &drift,
        )
        .unwrap();
        assert!(!c.ok);
        assert!(
            c.detail.contains(
                "GOPROXY in a login shell is \"https://proxy.example\", [go_env] wants \"off\""
            ),
            "{}",
            c.detail
        );
    }
}
