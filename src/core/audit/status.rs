//! A host's audit-log status as reported by a probe.

use serde::Serialize;

/// DESIGN.md's audit status values (contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditStatus {
    Ok,
    Missing,
    Tampered,
    Diverged,
    Unreadable,
}

impl AuditStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditStatus::Ok => "ok",
            AuditStatus::Missing => "missing",
            AuditStatus::Tampered => "tampered",
            AuditStatus::Diverged => "diverged",
            AuditStatus::Unreadable => "unreadable",
        }
    }
}

/// The `audit` object of `scan --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditSummary {
    pub status: AuditStatus,
    pub entries: usize,
    pub last_action: Option<String>,
    /// Why the status is not `ok` (which line broke the chain, what diverged).
    #[serde(skip)]
    pub detail: Option<String>,
}
