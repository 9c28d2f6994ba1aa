//! One audit line (DESIGN.md, "Audit log"): exactly these keys, in this order, nothing else.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev` of the first line of a log.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRecord {
    /// RFC 3339, UTC.
    pub ts: String,
    /// `user@jumphost`.
    pub actor: String,
    pub host: String,
    /// `push`, `verify`, `rollback`, `switch`, `rollout-start`, …
    pub action: String,
    /// A version or bundle.
    pub target: String,
    /// `ok` or `failed`.
    pub result: String,
    pub detail: String,
    /// sha256 hex of the previous line's bytes without its newline, or [`GENESIS`].
    pub prev: String,
}

/// sha256 hex of one line's bytes (without its newline): the next line's `prev`.
pub fn line_hash(line: &[u8]) -> String {
    hex::encode(Sha256::digest(line))
}

impl AuditRecord {
    /// The line as written: compact JSON, keys in contract order, no newline.
    pub fn to_line(&self) -> String {
        // Serialising a struct of strings cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `user@host` of whoever runs offgo on this jump host.
pub fn actor() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "jumphost".into());
    format!("{user}@{host}")
}

/// Now, RFC 3339 UTC with seconds.
pub fn now_rfc3339() -> String {
    humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string()
}

/// sha256 hex of `record` with `prev` left empty: the same entry hashes the same on the host and
/// on the jump host, whatever line each log chains it to.
pub fn entry_hash(record: &AuditRecord) -> String {
    let unchained = AuditRecord {
        prev: String::new(),
        ..record.clone()
    };
    line_hash(unchained.to_line().as_bytes())
}
