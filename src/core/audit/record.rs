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
    let user = ["USER", "LOGNAME"]
        .iter()
        .filter_map(|name| std::env::var(name).ok())
        .find(|user| !user.is_empty())
        .unwrap_or_else(uid_user);
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "jumphost".into());
    format!("{user}@{host}")
}

/// The user name of this process's uid (cron jobs and `env -i` have no `$USER`), else `uidN`:
/// the uid is always known, so the audit trail never says `unknown`.
fn uid_user() -> String {
    // SAFETY: getuid cannot fail.
    let uid = unsafe { libc::getuid() };
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: an all-zero passwd is a valid out-parameter (null pointers, zero ids).
    let mut pwd: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: getpwuid_r writes into `pwd` and `buf` (its length passed) and sets `found` to
    // `&mut pwd` or null; nothing outlives this call but what is copied out below.
    let rc = unsafe { libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found) };
    if rc == 0 && !found.is_null() && !pwd.pw_name.is_null() {
        // SAFETY: pw_name points into `buf`, NUL-terminated by getpwuid_r.
        let name = unsafe { std::ffi::CStr::from_ptr(pwd.pw_name) };
        let name = name.to_string_lossy();
        if !name.is_empty() {
            return name.into_owned();
        }
    }
    format!("uid{uid}")
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_uid_names_the_user_as_id_does() {
        let id = std::process::Command::new("id")
            .arg("-un")
            .output()
            .unwrap();
        let expected = String::from_utf8_lossy(&id.stdout).trim().to_string();
        assert_eq!(super::uid_user(), expected);
    }
}
