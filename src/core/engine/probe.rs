//! Probing one host: run the probe script over the host's pooled session and turn what it
//! printed (or why it could not run) into a [`HostReport`].

use std::time::{Duration, Instant};

use super::report::{HostReport, LddGap, OffgoSummary};
use std::sync::Arc;

use super::step::host_identity;
use crate::core::audit::index::Stamp;
use crate::core::audit::{classify, AuditSummary, AuditTrail, HostIdentity, RecordedEntry};
use crate::core::inventory::Host;
use crate::core::remote::probe::ProbeReply;
use crate::core::remote::probe::{
    parse_probe_output, probe_script_with_apps, AppProbe, BinaryStatus, ProbeOutput, StateRead,
};
use crate::core::ssh::{ErrorKind, ExecOutput, HostError, HostLink};

/// A full probe is forced this often even when nothing seems to have changed.
const MEMO_TTL: Duration = Duration::from_secs(600);

/// The last full probe of a host, so an unchanged host can answer in one `stat`.
#[derive(Debug, Clone)]
pub struct ProbeMemo {
    fingerprint: String,
    report: HostReport,
    taken: Instant,
    /// What the jump host had recorded for the host when it was judged, and the stamp of that
    /// record: the host's fingerprint does not cover it, so a change there forces a full probe.
    identity: HostIdentity,
    stamp: Option<Stamp>,
    want: Arc<[RecordedEntry]>,
}

/// Runs the probe on `link`'s host. Never fails: failures are part of the report. `memo` is
/// the host's last full probe (updated here); `None` forces a full probe.
pub fn probe_host(
    link: &mut HostLink,
    trail: &AuditTrail,
    memo: Option<&mut Option<ProbeMemo>>,
) -> HostReport {
    let started = Instant::now();
    let mut scratch = None;
    let memo = memo.unwrap_or(&mut scratch);
    let identity = match host_identity(link, trail) {
        Ok(id) => id,
        Err(error) => {
            *memo = None;
            return unreachable_report(link.host(), &error);
        }
    };
    // What the jump host recorded is read before the host's log: it writes its own line only
    // after the host's (see `step::record`), so nothing read here is still on its way to the
    // host. Unchanged (same stamp), the memo's copy is as current as a fresh read.
    let stamp = trail.stamp(&identity);
    if memo
        .as_ref()
        .is_some_and(|m| m.taken.elapsed() > MEMO_TTL || m.identity != identity || m.stamp != stamp)
    {
        *memo = None;
    }
    let want: Arc<[RecordedEntry]> = match memo.as_ref() {
        Some(m) => Arc::clone(&m.want),
        None => trail.recorded(&identity).current().into(),
    };
    let known = memo.as_ref().map(|m| m.fingerprint.as_str());
    let host = link.host();
    let go_env_vars = host.go_env.reported();
    let apps = AppProbe {
        health: host
            .apps
            .iter()
            .filter_map(|a| Some((a.name.clone(), a.health.clone()?)))
            .collect(),
    };
    let script = probe_script_with_apps(
        &host.paths,
        &host.check_binaries,
        &go_env_vars,
        known,
        &apps,
    );
    let result = link.run("probe", "sh -s", script.as_bytes());
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let host = link.host();
    let out = match result {
        Err(error) => {
            *memo = None;
            return unreachable_report(host, &error);
        }
        Ok(out) => out,
    };
    match understand(&out) {
        Ok(ProbeReply::Full(probe)) => {
            let fingerprint = probe.fingerprint.clone();
            let report = reachable_report(host, probe, &want, latency_ms);
            *memo = Some(ProbeMemo {
                fingerprint,
                report: report.clone(),
                taken: Instant::now(),
                identity,
                stamp,
                want,
            });
            report
        }
        Ok(ProbeReply::Unchanged { fingerprint }) => match memo.as_ref() {
            Some(m) if m.fingerprint == fingerprint => {
                let mut report = m.report.clone();
                report.latency_ms = Some(latency_ms);
                report
            }
            // Cannot happen with a well-behaved probe; a full probe next time sorts it out.
            _ => {
                *memo = None;
                let error = HostError::new(
                    ErrorKind::CommandFailed,
                    "probe said unchanged, but nothing is known",
                    "re-probe",
                );
                unreachable_report(host, &error)
            }
        },
        Err(error) => {
            *memo = None;
            let mut report = unreachable_report(host, &error);
            report.reachable = true;
            report.latency_ms = Some(latency_ms);
            report
        }
    }
}

fn understand(out: &ExecOutput) -> Result<ProbeReply, HostError> {
    if out.truncated {
        return Err(HostError::new(
            ErrorKind::CommandFailed,
            format!(
                "the probe printed more than {} MiB: its output was cut and not read",
                crate::core::ssh::exec::STDOUT_CAP >> 20
            ),
            "something on the host floods the probe's output (a login script, a hostile go binary): see the raw output",
        )
        .with_output(out.combined()));
    }
    if !out.success() {
        return Err(HostError::new(
            ErrorKind::CommandFailed,
            format!("probe exited with status {}", out.exit_status),
            "the host's shell could not run the probe: see the raw output; hosts need sh, coreutils and ldd",
        )
        .with_output(out.combined()));
    }
    parse_probe_output(&out.stdout).map_err(|e| {
        HostError::new(
            ErrorKind::CommandFailed,
            e.to_string(),
            "see the raw output; a login script that prints text, or a non-POSIX sh, can cause this",
        )
        .with_output(out.combined())
    })
}

/// A report for a host that could not be probed.
pub fn unreachable_report(host: &Host, error: &HostError) -> HostReport {
    let reachable = error.kind == ErrorKind::CommandFailed;
    HostReport {
        name: host.name.clone(),
        address: host.address.clone(),
        port: host.port,
        reachable,
        error_kind: Some(error.kind),
        error: Some(error.message.clone()),
        go_version: None,
        go_root: host.paths.go_root.clone(),
        ldd_gaps: Vec::new(),
        audit: AuditSummary::unknown("the host could not be probed"),
        offgo: None,
        arch: None,
        latency_ms: None,
        via: host.via(),
        privilege: None,
        athens: super::report::AthensReport::of(host, None),
        hint: Some(error.hint.clone()),
        facts: None,
        raw_output: error.output.clone(),
        go_env: None,
        go_env_drift: Vec::new(),
        go_shims: Vec::new(),
        apps: Vec::new(),
    }
}

fn reachable_report(
    host: &Host,
    probe: ProbeOutput,
    want: &[RecordedEntry],
    latency_ms: u64,
) -> HostReport {
    let facts = probe.facts;
    let ldd_gaps = facts
        .binaries
        .iter()
        .filter_map(|b| match &b.status {
            BinaryStatus::Gaps(missing) => Some(LddGap {
                binary: b.path.clone(),
                missing: missing.clone(),
            }),
            _ => None,
        })
        .collect();
    let offgo = match &facts.state {
        StateRead::Parsed(state) => Some(OffgoSummary {
            current: state.current.clone(),
            previous: state.previous.clone(),
        }),
        _ => None,
    };
    let audit = classify(&probe.audit_log, &host.paths.audit_log, want);
    let go_env = facts.go_env.login_values().cloned();
    let go_env_drift = crate::core::goenv::drift(&host.go_env, &facts.go_env);
    let facts_shims = facts.go_shims.clone();
    let apps = facts
        .apps
        .iter()
        .map(crate::core::app::AppReport::of)
        .collect();
    HostReport {
        name: host.name.clone(),
        address: host.address.clone(),
        port: host.port,
        reachable: true,
        error_kind: None,
        error: None,
        go_version: facts.go_version(),
        go_root: host.paths.go_root.clone(),
        ldd_gaps,
        audit,
        offgo,
        arch: Some(facts.arch.clone()).filter(|a| !a.is_empty()),
        latency_ms: Some(latency_ms),
        via: host.via(),
        privilege: super::report::PrivilegeReport::judge(host, facts.helper_sha256.as_deref()),
        athens: super::report::AthensReport::of(host, facts.athens_bundle.clone()),
        hint: None,
        facts: Some(facts),
        raw_output: None,
        go_shims: facts_shims,
        go_env,
        go_env_drift,
        apps,
    }
}
