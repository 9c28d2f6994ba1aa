//! What a host's last probe already says about a push of a bundle, before anything is sent:
//! the plan dialog and `rollout --dry-run` list these per host so that a failure that was
//! predictable is not discovered after uploading the bundle.
//!
//! Pure: a function of the probe report and the bundle's push facts. Strings in the details
//! come from the host (error messages, binary and library names, `uname -m`): the faces make
//! them safe where they reach a terminal or JSON, like every other host string.

use serde::{Deserialize, Serialize};

use crate::core::audit::AuditStatus;
use crate::core::bundle::goarch_matches_uname;
use crate::core::engine::steps::PushFacts;
use crate::core::engine::HostReport;

/// What kind of trouble the last probe predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// The console has no probe of the host yet: nothing can be predicted.
    NotProbed,
    /// The last probe could not reach the host.
    Unreachable,
    /// The host answered, but the probe could not run or be understood.
    ProbeFailed,
    /// Less free space than the push needs.
    DiskSpace,
    /// The host's audit log is tampered, diverged or unreadable.
    Audit,
    /// A checked binary already misses shared libraries (reported as pre-existing by the push's
    /// verification, which does not fail on it).
    LddGap,
    /// The bundle is built for another architecture.
    Arch,
}

impl WarningKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotProbed => "not_probed",
            Self::Unreachable => "unreachable",
            Self::ProbeFailed => "probe_failed",
            Self::DiskSpace => "disk_space",
            Self::Audit => "audit",
            Self::LddGap => "ldd_gap",
            Self::Arch => "arch",
        }
    }

    /// Whether the push is expected to fail (an ldd gap that is already there does not fail it;
    /// a host never probed may be fine).
    pub fn fails(self) -> bool {
        !matches!(self, Self::NotProbed | Self::LddGap)
    }
}

/// One predicted problem of one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    /// In the operator's words; may hold host text (not yet made safe).
    pub detail: String,
}

impl Warning {
    fn new(kind: WarningKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }
}

/// What the last probe (`None`: never probed) says a push of `bundle` will run into.
pub fn predict(report: Option<&HostReport>, bundle: &PushFacts<'_>) -> Vec<Warning> {
    let Some(report) = report else {
        return vec![Warning::new(
            WarningKind::NotProbed,
            "not probed yet: nothing known about this host",
        )];
    };
    if report.error_kind.is_some() || report.facts.is_none() {
        let error = report.error.as_deref().unwrap_or("no probe facts");
        return vec![if report.reachable {
            Warning::new(WarningKind::ProbeFailed, format!("probe failed: {error}"))
        } else {
            Warning::new(WarningKind::Unreachable, format!("unreachable: {error}"))
        }];
    }
    let mut out = Vec::new();
    // An empty arch: the artifact runs anywhere (a module cache).
    let host_arch = report.arch.as_deref().filter(|_| !bundle.arch.is_empty());
    if let Some(arch) = host_arch.filter(|a| !a.trim().is_empty()) {
        if !goarch_matches_uname(bundle.arch, arch) {
            out.push(Warning::new(
                WarningKind::Arch,
                format!(
                    "architecture: the bundle is {} but the host is {}",
                    bundle.arch,
                    arch.trim()
                ),
            ));
        }
    }
    let free = report.facts.as_ref().and_then(|f| f.free_bytes);
    if let Some(w) = space(free, bundle) {
        out.push(w);
    }
    if matches!(
        report.audit.status,
        AuditStatus::Tampered | AuditStatus::Diverged | AuditStatus::Unreadable
    ) {
        let mut detail = format!("audit log {}", report.audit.status.as_str());
        if let Some(why) = report.audit.detail.as_deref() {
            detail.push_str(&format!(": {why}"));
        }
        out.push(Warning::new(WarningKind::Audit, detail));
    }
    for gap in &report.ldd_gaps {
        out.push(Warning::new(
            WarningKind::LddGap,
            format!(
                "ldd gap already there: {} needs {} (reported as pre-existing, does not fail the push)",
                gap.binary,
                gap.missing.join(", ")
            ),
        ));
    }
    out
}

/// What the last probe says of a push of a bundle set (facts `set`: its arches and biggest
/// member) to a host whose reported arch it has no bundle for: the pre-flight refuses it;
/// the other warnings are as for any member.
pub fn predict_missing_arch(report: &HostReport, set: &PushFacts<'_>) -> Vec<Warning> {
    let host_arch = report.arch.as_deref().unwrap_or_default();
    let mut out = vec![Warning::new(
        WarningKind::Arch,
        format!(
            "architecture: the bundle set has no bundle for {} (it holds {}): refused at pre-flight",
            host_arch.trim(),
            set.arch
        ),
    )];
    // The arch is said above: the rest is predicted as for a bundle of the host's arch.
    let same = PushFacts {
        arch: host_arch.trim(),
        ..*set
    };
    out.extend(predict(Some(report), &same));
    out
}

/// `free` bytes (the probe's figure for the releases directory's filesystem) against what the
/// push needs there: the extracted tree always, and the upload too when incoming/ shares that
/// filesystem (the probe cannot tell; the pre-flight can, and decides).
fn space(free: Option<u64>, bundle: &PushFacts<'_>) -> Option<Warning> {
    let free = free?;
    let tree = bundle.unpacked_estimate();
    let both = tree.saturating_add(bundle.size);
    let mib = |b: u64| b.div_ceil(1024 * 1024);
    if free < tree {
        Some(Warning::new(
            WarningKind::DiskSpace,
            format!(
                "disk full: releases need {} MiB, {} MiB free",
                mib(tree),
                mib(free)
            ),
        ))
    } else if free < both {
        Some(Warning::new(
            WarningKind::DiskSpace,
            format!(
                "disk tight: {} MiB free, {} MiB needed if incoming/ shares the filesystem",
                mib(free),
                mib(both)
            ),
        ))
    } else {
        None
    }
}

#[cfg(test)]
#[path = "predict_tests.rs"]
mod tests;
