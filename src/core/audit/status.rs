//! A host's audit-log status as reported by a probe.

use serde::Serialize;

use super::compare::judge;
use super::index::RecordedEntry;
use crate::core::remote::probe::AuditLogRead;

/// DESIGN.md's audit status values (contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
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

impl AuditSummary {
    /// For a host whose log could not be read at all (unreachable, probe failed).
    pub fn unknown(why: &str) -> Self {
        Self {
            status: AuditStatus::Unreadable,
            entries: 0,
            last_action: None,
            detail: Some(why.to_string()),
        }
    }
}

/// Classifies a host's log against `want`, what the jump host recorded for it from its last
/// acceptance on ([`super::Recorded::current`]): `tampered` (its own chain broken) wins over
/// `diverged` (a recorded entry is not in it, in order).
pub fn classify(log: &AuditLogRead, path: &str, want: &[RecordedEntry]) -> AuditSummary {
    let (bytes, lines, truncated) = match log {
        AuditLogRead::Missing => {
            let detail = match want.last() {
                Some(last) => format!(
                    "{path} is gone, but the jump host recorded {} entries for this host (the last: {})",
                    want.len(),
                    last.describe()
                ),
                None => format!("{path} does not exist (offgo has not changed this host yet)"),
            };
            return AuditSummary {
                status: AuditStatus::Missing,
                entries: 0,
                last_action: None,
                detail: Some(detail),
            };
        }
        AuditLogRead::Unreadable => {
            return AuditSummary {
                status: AuditStatus::Unreadable,
                entries: 0,
                last_action: None,
                detail: Some(format!("{path} exists but cannot be read as a file")),
            }
        }
        AuditLogRead::Present {
            bytes,
            lines,
            truncated,
        } => (bytes, *lines, *truncated),
    };
    let judgement = judge(bytes, lines, truncated, want);
    let (status, detail) = match judgement.problem {
        Some((status, why)) => (status, Some(format!("{path}: {why}"))),
        None => (AuditStatus::Ok, None),
    };
    AuditSummary {
        status,
        entries: judgement.entries,
        last_action: judgement.last_action,
        detail,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audit::testlog::HostLog;

    fn present(log: &HostLog) -> AuditLogRead {
        AuditLogRead::Present {
            bytes: log.bytes(),
            lines: log.lines.len(),
            truncated: false,
        }
    }

    #[test]
    fn every_status() {
        let p = "/var/log/offgo/audit.log";
        let log = HostLog::new(&["push", "verify"]);
        let want = log.recorded();
        let ok = classify(&present(&log), p, &want);
        assert_eq!(
            (ok.status, ok.entries, ok.last_action.as_deref(), ok.detail),
            (AuditStatus::Ok, 2, Some("verify"), None)
        );
        assert_eq!(classify(&present(&log), p, &[]).status, AuditStatus::Ok);
        let mut shorter = log.clone();
        shorter.lines.pop();
        let diverged = classify(&present(&shorter), p, &want);
        assert_eq!(diverged.status, AuditStatus::Diverged);
        assert!(diverged
            .detail
            .unwrap()
            .contains("jump host log line 2 (verify"));
        let missing = classify(&AuditLogRead::Missing, p, &[]);
        assert_eq!(missing.status, AuditStatus::Missing);
        assert!(missing
            .detail
            .unwrap()
            .contains("has not changed this host yet"));
        let gone = classify(&AuditLogRead::Missing, p, &want);
        assert_eq!(gone.status, AuditStatus::Missing);
        assert!(gone
            .detail
            .unwrap()
            .contains("is gone, but the jump host recorded 2"));
        assert_eq!(
            classify(&AuditLogRead::Unreadable, p, &[]).status,
            AuditStatus::Unreadable
        );
        let mut tampered = log.clone();
        tampered.lines[0] = tampered.lines[0].replacen("push", "PUSH", 1);
        let t = classify(&present(&tampered), p, &want);
        assert_eq!(t.status, AuditStatus::Tampered);
        assert!(
            t.detail.unwrap().starts_with(&format!("{p}: line 2:")),
            "names the broken line"
        );
    }
}
