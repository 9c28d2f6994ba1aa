//! The jump host's audit log: every host's lines in one hash-chained file.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::chain::{verify_chain, ChainCheck};
use super::record::{line_hash, AuditRecord, GENESIS};

/// What the jump host recorded last for each host: the line a host's own log must end with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LastRecorded {
    by_host: HashMap<String, String>,
}

impl LastRecorded {
    /// Reads the jump host's log; a missing or unreadable log records nothing.
    pub fn load(path: &Path) -> Self {
        let Ok(bytes) = std::fs::read(path) else {
            return Self::default();
        };
        let mut by_host = HashMap::new();
        for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            if let Ok(record) = serde_json::from_slice::<AuditRecord>(line) {
                by_host.insert(record.host, String::from_utf8_lossy(line).into_owned());
            }
        }
        Self { by_host }
    }

    pub fn for_host(&self, host: &str) -> Option<&str> {
        self.by_host.get(host).map(String::as_str)
    }
}

/// The jump host's log file, appended to under an exclusive lock so that concurrent offgo
/// processes keep one unbroken chain.
#[derive(Debug, Clone)]
pub struct LocalAuditLog {
    path: PathBuf,
}

impl LocalAuditLog {
    pub fn new(path: PathBuf) -> Self {
        Self { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `record` (its `prev` is set here) and returns the line written.
    pub fn append(&self, mut record: AuditRecord) -> std::io::Result<String> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(&self.path)?;
        let _lock = FileLock::exclusive(&file)?;
        let bytes = std::fs::read(&self.path)?;
        record.prev = last_line(&bytes)
            .map(line_hash)
            .unwrap_or_else(|| GENESIS.to_string());
        let line = record.to_line();
        let mut out = Vec::with_capacity(line.len() + 2);
        if !bytes.is_empty() && !bytes.ends_with(b"\n") {
            out.push(b'\n');
        }
        out.extend_from_slice(line.as_bytes());
        out.push(b'\n');
        (&file).write_all(&out)?;
        file.sync_data()?;
        Ok(line)
    }

    /// Checks the whole local chain.
    pub fn verify(&self) -> std::io::Result<ChainCheck> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(verify_chain(&bytes, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(verify_chain(b"", false)),
            Err(e) => Err(e),
        }
    }
}

/// The last non-empty line, without its newline.
pub fn last_line(bytes: &[u8]) -> Option<&[u8]> {
    bytes.split(|&b| b == b'\n').rev().find(|l| !l.is_empty())
}

struct FileLock<'a> {
    file: &'a std::fs::File,
}

impl<'a> FileLock<'a> {
    fn exclusive(file: &'a std::fs::File) -> std::io::Result<Self> {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a file descriptor we own for the guard's lifetime.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(Self { file })
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above.
        unsafe { libc::flock(self.file.as_raw_fd(), libc::LOCK_UN) };
    }
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
    fn appends_keep_one_chain_and_remember_each_hosts_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = LocalAuditLog::new(dir.path().join("state/audit.log"));
        log.append(rec("web-01", "push")).unwrap();
        let db = log.append(rec("db-01", "push")).unwrap();
        let web = log.append(rec("web-01", "verify")).unwrap();
        assert_eq!(log.verify().unwrap().broken, None);
        assert_eq!(log.verify().unwrap().entries, 3);
        let last = LastRecorded::load(log.path());
        assert_eq!(last.for_host("web-01"), Some(web.as_str()));
        assert_eq!(last.for_host("db-01"), Some(db.as_str()));
        assert_eq!(last.for_host("nope"), None);
    }
}
