//! A host's audit-log status as reported by a probe.

use serde::Serialize;

use super::chain::verify_chain;
use super::record::AuditRecord;
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

/// Classifies a host's log: `tampered` (chain broken) wins over `diverged` (its last line is not
/// the one the jump host recorded for it, `recorded_last`).
pub fn classify(log: &AuditLogRead, path: &str, recorded_last: Option<&str>) -> AuditSummary {
    let (bytes, lines, truncated) = match log {
        AuditLogRead::Missing => {
            let detail = match recorded_last {
                Some(_) => {
                    format!("{path} is gone, but the jump host recorded changes on this host")
                }
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
    let check = verify_chain(bytes, truncated);
    let entries = if truncated { lines } else { check.entries };
    let mut summary = AuditSummary {
        status: AuditStatus::Ok,
        entries,
        last_action: check.last_action,
        detail: None,
    };
    if let Some((line, why)) = check.broken {
        let line = if truncated {
            line + lines.saturating_sub(check.entries + 1)
        } else {
            line
        };
        summary.status = AuditStatus::Tampered;
        summary.detail = Some(format!("{path} line {line}: {why}"));
    } else if let Some(recorded) = recorded_last {
        if !same_entry(check.last_line.as_deref(), recorded) {
            summary.status = AuditStatus::Diverged;
            summary.detail = Some(format!(
                "{path}: the last line is not the one the jump host recorded last for this host \
                 (changed by someone else, or lines removed from the end)"
            ));
        }
    }
    summary
}

/// The same entry on both ends: every field but `prev`, which each log chains on its own.
fn same_entry(host_line: Option<&str>, recorded: &str) -> bool {
    let parse = |line: &str| {
        serde_json::from_str::<AuditRecord>(line)
            .ok()
            .map(|r| AuditRecord {
                prev: String::new(),
                ..r
            })
    };
    match (host_line.and_then(parse), parse(recorded)) {
        (Some(a), Some(b)) => a == b,
        _ => host_line == Some(recorded),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::audit::record::{line_hash, AuditRecord, GENESIS};

    fn log(actions: &[&str]) -> (Vec<u8>, Vec<String>) {
        let mut prev = GENESIS.to_string();
        let mut bytes = Vec::new();
        let mut lines = Vec::new();
        for a in actions {
            let line = AuditRecord {
                ts: "2026-11-22T04:00:00Z".into(),
                actor: "ops@jump".into(),
                host: "web-01".into(),
                action: (*a).into(),
                target: "go1.22.10".into(),
                result: "ok".into(),
                detail: String::new(),
                prev: prev.clone(),
            }
            .to_line();
            prev = line_hash(line.as_bytes());
            bytes.extend_from_slice(line.as_bytes());
            bytes.push(b'\n');
            lines.push(line);
        }
        (bytes, lines)
    }

    fn present(bytes: Vec<u8>, lines: usize) -> AuditLogRead {
        AuditLogRead::Present {
            bytes,
            lines,
            truncated: false,
        }
    }

    #[test]
    fn every_status() {
        let (bytes, lines) = log(&["push", "verify"]);
        let p = "/var/log/offgo/audit.log";
        let ok = classify(&present(bytes.clone(), 2), p, Some(&lines[1]));
        assert_eq!(
            (ok.status, ok.entries, ok.last_action.as_deref()),
            (AuditStatus::Ok, 2, Some("verify"))
        );
        assert_eq!(
            classify(&present(bytes.clone(), 2), p, None).status,
            AuditStatus::Ok
        );
        assert_eq!(
            classify(&present(bytes.clone(), 2), p, Some(&lines[0])).status,
            AuditStatus::Diverged
        );
        assert_eq!(
            classify(&AuditLogRead::Missing, p, None).status,
            AuditStatus::Missing
        );
        assert_eq!(
            classify(&AuditLogRead::Unreadable, p, None).status,
            AuditStatus::Unreadable
        );
        let mut tampered = bytes.clone();
        let at = tampered.iter().position(|&b| b == b'p').unwrap();
        tampered[at] = b'P';
        let t = classify(&present(tampered, 2), p, Some(&lines[1]));
        assert_eq!(t.status, AuditStatus::Tampered);
        assert!(
            t.detail.unwrap().contains("line 2"),
            "names the broken line"
        );
    }
}
