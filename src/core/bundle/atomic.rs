//! Files that appear whole or not at all: written under a temporary name in the same
//! directory, synced, then renamed over the final name.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::BundleError;

/// A hidden name next to `path`, unique to this process.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// A temporary file that is removed unless it is committed.
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl PendingFile {
    /// Creates the temporary file for `target`, for the caller to fill.
    pub fn create(target: &Path) -> Result<(Self, std::fs::File), BundleError> {
        let temp = temp_path(target);
        let file = std::fs::File::create(&temp).map_err(|e| BundleError::write(&temp, e))?;
        Ok((
            Self {
                temp,
                target: target.to_path_buf(),
                committed: false,
            },
            file,
        ))
    }

    /// Creates, fills and syncs the temporary file for `target`.
    pub fn write(target: &Path, bytes: &[u8]) -> Result<Self, BundleError> {
        let (pending, mut file) = Self::create(target)?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| BundleError::write(&pending.temp, e))?;
        Ok(pending)
    }

    /// Renames the temporary file over the target.
    pub fn commit(mut self) -> Result<(), BundleError> {
        std::fs::rename(&self.temp, &self.target)
            .map_err(|e| BundleError::write(&self.target, e))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}
