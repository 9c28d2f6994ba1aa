//! The jump host's audit log: every host's lines in one hash-chained file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::chain::{verify_chain, ChainCheck};
use super::record::{line_hash, AuditRecord, GENESIS};

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
    pub fn append(&self, record: AuditRecord) -> std::io::Result<String> {
        self.append_then(record, |_, _| Ok(()))
            .map(|(line, _)| line)
    }

    /// Appends `record`, then runs `after` still under the log's lock with the log's bytes
    /// before the append and the new line's 1-based number; returns the line and its number.
    pub fn append_then(
        &self,
        mut record: AuditRecord,
        after: impl FnOnce(&[u8], usize) -> std::io::Result<()>,
    ) -> std::io::Result<(String, usize)> {
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
        let number = line_count(&bytes) + 1;
        after(&bytes, number)?;
        Ok((line, number))
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

/// Lines in `bytes`, a last line without its newline included.
pub fn line_count(bytes: &[u8]) -> usize {
    let newlines = bytes.iter().filter(|&&b| b == b'\n').count();
    newlines + usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
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
    fn appends_keep_one_chain_and_number_their_lines() {
        let dir = tempfile::tempdir().unwrap();
        let log = LocalAuditLog::new(dir.path().join("state/audit.log"));
        log.append(rec("web-01", "push")).unwrap();
        log.append(rec("db-01", "push")).unwrap();
        let (_, number) = log
            .append_then(rec("web-01", "verify"), |before, n| {
                assert_eq!(line_count(before) + 1, n);
                Ok(())
            })
            .unwrap();
        assert_eq!(number, 3);
        assert_eq!(log.verify().unwrap().broken, None);
        assert_eq!(log.verify().unwrap().entries, 3);
    }
}
