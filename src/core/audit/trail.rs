//! The jump host's side of the audit trail for one inventory: its log, and what it recorded for
//! each host identity (see [`super::index`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::index::{self, HostIdentity, Recorded, RecordedEntry, Stamp};
use super::local::{line_count, LocalAuditLog};
use super::record::{entry_hash, AuditRecord};

/// In the index directory: how many lines the log had when the index began. Lines up to there
/// were written by an older offgo that keyed hosts by name only.
const LEGACY_MARKER: &str = "legacy-lines";

/// What an audit line records, for the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// An operation's line.
    Recorded,
    /// The operator accepted the host's log as it was (tampered, diverged, or gone).
    Accepted,
}

#[derive(Debug)]
pub struct AuditTrail {
    log: LocalAuditLog,
    index_dir: PathBuf,
    /// The inventory's canonical path: part of every host identity.
    inventory: PathBuf,
    /// Lines of an older offgo, by host name, read once.
    legacy: OnceLock<HashMap<String, Vec<RecordedEntry>>>,
}

impl AuditTrail {
    pub fn new(log: PathBuf, inventory: &Path) -> Self {
        let index_dir = log.with_extension("index");
        Self {
            log: LocalAuditLog::new(log),
            index_dir,
            inventory: std::fs::canonicalize(inventory).unwrap_or_else(|_| inventory.into()),
            legacy: OnceLock::new(),
        }
    }

    pub fn log(&self) -> &LocalAuditLog {
        &self.log
    }

    pub fn identity(&self, name: &str, host_key: &str) -> HostIdentity {
        HostIdentity {
            inventory: self.inventory.clone(),
            name: name.to_string(),
            host_key: host_key.to_string(),
        }
    }

    /// Changes when what is recorded for `id` changes (`None`: nothing of its own yet).
    pub fn stamp(&self, id: &HostIdentity) -> Option<Stamp> {
        index::stamp(&self.index_dir.join(id.file_name()))
    }

    /// What the jump host recorded for `id`: its own entries, else the lines an older offgo
    /// wrote for a host of that name (which cannot be told apart by inventory or key).
    pub fn recorded(&self, id: &HostIdentity) -> Recorded {
        match index::read(&self.index_dir.join(id.file_name())) {
            Ok(Some(recorded)) => recorded,
            Ok(None) => Recorded {
                entries: self.legacy().get(&id.name).cloned().unwrap_or_default(),
            },
            Err(e) => {
                tracing::warn!(host = %id.name, error = %e, "cannot read the audit index");
                Recorded::default()
            }
        }
    }

    /// Appends `record` to the log and to `id`'s index (under the log's lock, so concurrent
    /// offgo processes keep both in step). Returns the line written.
    pub fn append(
        &self,
        id: &HostIdentity,
        record: AuditRecord,
        kind: EntryKind,
    ) -> std::io::Result<String> {
        let hash = entry_hash(&record);
        let (ts, action) = (record.ts.clone(), record.action.clone());
        let index_dir = &self.index_dir;
        let (line, _) = self.log.append_then(record, |before, number| {
            mark_legacy_end(index_dir, before)?;
            // The host's first entry of its own carries its old lines along (read once).
            let mut seed = Vec::new();
            if index::stamp(&index_dir.join(id.file_name())).is_none() {
                seed = self.legacy().get(&id.name).cloned().unwrap_or_default();
            }
            seed.push(RecordedEntry {
                hash,
                jump_line: number,
                ts,
                action,
                accepted: kind == EntryKind::Accepted,
            });
            index::append(index_dir, id, &seed)
        })?;
        Ok(line)
    }

    /// Appends `record` to the log only: an entry the host may not have got (its append failed
    /// or was cut short), so it is never expected in the host's log. The legacy marker is set
    /// first, so the line is never read later as an older offgo's line, expected by name.
    pub fn append_unexpected(&self, record: AuditRecord) -> std::io::Result<String> {
        let index_dir = &self.index_dir;
        let (line, _) = self
            .log
            .append_then(record, |before, _| mark_legacy_end(index_dir, before))?;
        Ok(line)
    }

    fn legacy(&self) -> &HashMap<String, Vec<RecordedEntry>> {
        self.legacy.get_or_init(|| {
            let Ok(bytes) = std::fs::read(self.log.path()) else {
                return HashMap::new();
            };
            let count = legacy_count(&self.index_dir.join(LEGACY_MARKER), &bytes);
            legacy_entries(&bytes, count)
        })
    }
}

/// Marks where an older offgo's lines end (the log as it is before the first line this offgo
/// writes), once.
fn mark_legacy_end(index_dir: &Path, before: &[u8]) -> std::io::Result<()> {
    let marker = index_dir.join(LEGACY_MARKER);
    if !marker.exists() {
        std::fs::create_dir_all(index_dir)?;
        std::fs::write(&marker, format!("{}\n", line_count(before)))?;
    }
    Ok(())
}

/// The marker's count, or every line when there is no marker yet (no new-style line written).
fn legacy_count(marker: &Path, log: &[u8]) -> usize {
    std::fs::read_to_string(marker)
        .ok()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or_else(|| line_count(log))
}

/// The first `count` lines of the log, by host name.
fn legacy_entries(log: &[u8], count: usize) -> HashMap<String, Vec<RecordedEntry>> {
    let mut by_host: HashMap<String, Vec<RecordedEntry>> = HashMap::new();
    for (i, line) in log.split(|&b| b == b'\n').take(count).enumerate() {
        if let Ok(record) = serde_json::from_slice::<AuditRecord>(line) {
            by_host
                .entry(record.host.clone())
                .or_default()
                .push(RecordedEntry {
                    hash: entry_hash(&record),
                    jump_line: i + 1,
                    ts: record.ts,
                    action: record.action,
                    accepted: false,
                });
        }
    }
    by_host
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(host: &str, action: &str) -> AuditRecord {
        AuditRecord {
            ts: "2026-11-22T04:00:00Z".into(),
            actor: "ops@jump".into(),
            host: host.into(),
            action: action.into(),
            target: "go1.22.10".into(),
            result: "ok".into(),
            detail: String::new(),
            prev: String::new(),
        }
    }

    #[test]
    fn same_name_in_two_inventories_shares_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        let staging = AuditTrail::new(log.clone(), Path::new("/inv/staging.toml"));
        let prod = AuditTrail::new(log.clone(), Path::new("/inv/prod.toml"));
        let (s, p) = (
            staging.identity("web-01", "SHA256:s"),
            prod.identity("web-01", "SHA256:p"),
        );
        staging
            .append(&s, rec("web-01", "push"), EntryKind::Recorded)
            .unwrap();
        prod.append(&p, rec("web-01", "verify"), EntryKind::Recorded)
            .unwrap();
        let (rs, rp) = (staging.recorded(&s), prod.recorded(&p));
        assert_eq!(rs.entries.len(), 1);
        assert_eq!(rp.entries.len(), 1);
        assert_eq!((rs.entries[0].jump_line, rp.entries[0].jump_line), (1, 2));
        assert_eq!(rp.entries[0].action, "verify");
        assert_eq!(staging.log().verify().unwrap().broken, None);
    }

    /// A host whose append failed: the jump host keeps the line, but never expects it on the
    /// host, not even later as an older offgo's line read by name.
    #[test]
    fn an_entry_the_host_may_not_have_is_never_expected() {
        let dir = tempfile::tempdir().unwrap();
        let trail = AuditTrail::new(dir.path().join("audit.log"), Path::new("/inv/a.toml"));
        let id = trail.identity("web-01", "SHA256:k");
        trail.append_unexpected(rec("web-01", "push")).unwrap();
        let again = AuditTrail::new(dir.path().join("audit.log"), Path::new("/inv/a.toml"));
        assert!(again.recorded(&id).entries.is_empty());
        assert_eq!(again.log().verify().unwrap().entries, 1);
    }

    #[test]
    fn an_older_logs_lines_are_read_by_name_and_carried_into_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("audit.log");
        let old = LocalAuditLog::new(log.clone());
        old.append(rec("web-01", "push")).unwrap();
        old.append(rec("db-01", "push")).unwrap();
        let trail = AuditTrail::new(log.clone(), Path::new("/inv/a.toml"));
        let web = trail.identity("web-01", "SHA256:w");
        assert_eq!(trail.stamp(&web), None);
        let before = trail.recorded(&web);
        assert_eq!(before.entries.len(), 1);
        assert_eq!(before.entries[0].jump_line, 1);
        // The first new line for the host carries its old lines along; another host's new
        // line after the index began is never taken for an old one of the same name.
        trail
            .append(&web, rec("web-01", "verify"), EntryKind::Accepted)
            .unwrap();
        let after = AuditTrail::new(log.clone(), Path::new("/inv/a.toml")).recorded(&web);
        assert_eq!(
            after
                .entries
                .iter()
                .map(|e| e.jump_line)
                .collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert!(after.entries[1].accepted);
        let other = AuditTrail::new(log, Path::new("/inv/b.toml"));
        let web_b = other.identity("web-01", "SHA256:x");
        assert_eq!(other.recorded(&web_b).entries.len(), 1, "old lines only");
    }
}
