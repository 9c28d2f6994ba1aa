//! The jump host's per-host index of its audit log: for each host *identity* (the inventory it is
//! in, its name and its SSH host key), the entries the jump host recorded for it, as hashes.
//!
//! The audit log's lines carry only the host's name (the contract fixes their fields), so two
//! inventories that both have a `web-01` could not be told apart from the log alone. The index
//! lives next to the log (`audit.log` → `audit.index/`), one small file per identity:
//!
//! ```text
//! # offgo audit index v1; inventory "/etc/offgo/prod.toml"; host "web-01"; key SHA256:…
//! r <entry sha256> <jump host log line> <ts> <action>
//! a <entry sha256> <jump host log line> <ts> <action>
//! ```
//!
//! `r` is an entry recorded on both ends, `a` an operator's acceptance of a tampered or
//! diverged host log: the host's log is judged from that entry on. Reading one host's file is
//! O(its entries); the shared log is never reread for a probe.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Who a host is, for the jump host's audit state.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HostIdentity {
    /// The inventory file, canonical.
    pub inventory: PathBuf,
    pub name: String,
    /// `SHA256:…` of the host key, or empty when unknown.
    pub host_key: String,
}

impl HostIdentity {
    /// The identity's file name in the index: a digest, so no path or name needs escaping.
    pub fn file_name(&self) -> String {
        let mut h = Sha256::new();
        h.update(self.inventory.as_os_str().as_encoded_bytes());
        h.update([0]);
        h.update(self.name.as_bytes());
        h.update([0]);
        h.update(self.host_key.as_bytes());
        hex::encode(&h.finalize()[..16])
    }

    fn header(&self) -> String {
        format!(
            "# offgo audit index v1; inventory {:?}; host {:?}; key {}\n",
            self.inventory.display().to_string(),
            self.name,
            self.host_key
        )
    }
}

/// One entry the jump host recorded for a host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEntry {
    /// [`super::record::entry_hash`] of the line.
    pub hash: String,
    /// 1-based line number in the jump host's log.
    pub jump_line: usize,
    pub ts: String,
    pub action: String,
    /// The operator accepted the host's log as it was: it is judged from this entry on.
    pub accepted: bool,
}

impl RecordedEntry {
    fn to_index_line(&self) -> String {
        let word = |s: &str| {
            let w: String = s
                .chars()
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect();
            if w.is_empty() {
                "-".to_string()
            } else {
                w
            }
        };
        format!(
            "{} {} {} {} {}\n",
            if self.accepted { "a" } else { "r" },
            self.hash,
            self.jump_line,
            word(&self.ts),
            word(&self.action)
        )
    }

    fn from_index_line(line: &str) -> Option<Self> {
        let mut words = line.split(' ');
        let accepted = match words.next()? {
            "a" => true,
            "r" => false,
            _ => return None,
        };
        let hash = words.next()?.to_string();
        let jump_line = words.next()?.parse().ok()?;
        let ts = words.next()?.to_string();
        let action = words.next().unwrap_or("-").to_string();
        (hash.len() == 64).then_some(Self {
            hash,
            jump_line,
            ts,
            action,
            accepted,
        })
    }

    /// How the operator finds it: `jump host log line 57 (push at 2026-…)`.
    pub fn describe(&self) -> String {
        format!(
            "jump host log line {} ({} at {})",
            self.jump_line, self.action, self.ts
        )
    }
}

/// What the jump host recorded for one host identity, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub entries: Vec<RecordedEntry>,
}

impl Recorded {
    /// The entries the host's log must hold, in order: from the last acceptance on.
    pub fn current(&self) -> &[RecordedEntry] {
        let from = self.entries.iter().rposition(|e| e.accepted).unwrap_or(0);
        &self.entries[from..]
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// Reads an identity's file; `None` when there is none. Unparsable lines are skipped (a line
/// cut by a crash mid-append is the only way to get one: the jump host is trusted).
pub fn read(path: &Path) -> std::io::Result<Option<Recorded>> {
    let text = match std::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let entries = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(RecordedEntry::from_index_line)
        .collect();
    Ok(Some(Recorded { entries }))
}

/// Appends `entries` to the identity's file, creating it (with its header) first. Callers hold
/// the jump host log's lock.
pub fn append(dir: &Path, id: &HostIdentity, entries: &[RecordedEntry]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(id.file_name());
    let fresh = !path.exists();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)?;
    let mut out = String::new();
    if fresh {
        out.push_str(&id.header());
    }
    for e in entries {
        out.push_str(&e.to_index_line());
    }
    file.write_all(out.as_bytes())?;
    file.sync_data()
}

/// Changes to an identity's file show in its length, time or inode: a probe compares this
/// instead of rereading the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    len: u64,
    mtime_ns: i128,
    ino: u64,
}

pub fn stamp(path: &Path) -> Option<Stamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(path).ok()?;
    Some(Stamp {
        len: m.len(),
        mtime_ns: i128::from(m.mtime()) * 1_000_000_000 + i128::from(m.mtime_nsec()),
        ino: m.ino(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(n: usize, accepted: bool) -> RecordedEntry {
        RecordedEntry {
            hash: format!("{n:064x}"),
            jump_line: n,
            ts: "2026-11-22T04:00:00Z".into(),
            action: "push".into(),
            accepted,
        }
    }

    #[test]
    fn identities_differ_by_inventory_name_and_key() {
        let a = HostIdentity {
            inventory: "/inv/staging.toml".into(),
            name: "web-01".into(),
            host_key: "SHA256:a".into(),
        };
        let prod = HostIdentity {
            inventory: "/inv/prod.toml".into(),
            ..a.clone()
        };
        let rekeyed = HostIdentity {
            host_key: "SHA256:b".into(),
            ..a.clone()
        };
        assert_ne!(a.file_name(), prod.file_name());
        assert_ne!(a.file_name(), rekeyed.file_name());
        assert_eq!(a.file_name(), a.clone().file_name());
    }

    #[test]
    fn entries_round_trip_and_current_starts_at_the_last_acceptance() {
        let dir = tempfile::tempdir().unwrap();
        let id = HostIdentity {
            inventory: "/inv/a b\n.toml".into(),
            name: "web 01".into(),
            host_key: String::new(),
        };
        let path = dir.path().join(id.file_name());
        assert_eq!(read(&path).unwrap(), None);
        append(dir.path(), &id, &[entry(1, false), entry(2, true)]).unwrap();
        let before = stamp(&path);
        append(dir.path(), &id, &[entry(3, false)]).unwrap();
        assert_ne!(stamp(&path), before);
        let got = read(&path).unwrap().unwrap();
        assert_eq!(
            got.entries,
            vec![entry(1, false), entry(2, true), entry(3, false)]
        );
        assert_eq!(got.current(), &[entry(2, true), entry(3, false)]);
    }
}
