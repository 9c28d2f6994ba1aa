//! A Go release: the one kind of artifact today (see `artifact`).

use super::outcome::StepError;
use crate::core::bundle::Bundle;

/// A Go release as the engine pushes it: the bundle's tarball, its signed file list and what
/// the manifest says of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoRelease {
    /// `go1.22.10`.
    pub version: String,
    /// Go's name for the architecture: `amd64`, `arm64`, …
    pub arch: String,
    pub tarball: std::path::PathBuf,
    /// `go1.22.10.linux-amd64.tar.gz`.
    pub tarball_name: String,
    pub size: u64,
    pub sha256: String,
    /// The `sha256sums` sidecar.
    pub sums: std::path::PathBuf,
    /// The manifest's digest of the sidecar (the signature covers it): checked before the
    /// upload here and again by the host before it uses the uploaded list.
    pub tree_digest: String,
    /// Lines of the sidecar, as the manifest says.
    pub file_count: u64,
    /// Bytes of the extracted tree, when the manifest says.
    pub unpacked_size: Option<u64>,
}

impl GoRelease {
    /// Space the extracted tree needs (the dry run predicts with the same figure).
    pub fn unpacked_estimate(&self) -> u64 {
        super::steps::unpacked_estimate(self.size, self.unpacked_size)
    }

    /// The sidecar on disk is the one the manifest covers (the same check as `bundle verify`).
    pub fn check_sums(&self) -> Result<(), StepError> {
        crate::core::bundle::sums::check(&self.sums, &self.tree_digest, self.file_count)
            .map(|_| ())
            .map_err(|e| {
                StepError::refused(
                    "check_bundle",
                    format!("the bundle's sha256sums is not the signed list: {e}"),
                    "rebuild the bundle from the official tarball (`offgo-tui bundle verify` shows what differs); nothing was sent to the host",
                )
            })
    }
}

impl From<&Bundle> for GoRelease {
    fn from(bundle: &Bundle) -> Self {
        GoRelease {
            version: bundle.go_version().to_string(),
            arch: bundle.arch().to_string(),
            tarball: bundle.tarball_path().to_path_buf(),
            tarball_name: bundle.tarball_name().to_string(),
            size: bundle.size(),
            sha256: bundle.sha256().to_string(),
            sums: bundle.sums_path().to_path_buf(),
            tree_digest: bundle.tree_digest().to_string(),
            file_count: bundle.file_count(),
            unpacked_size: bundle.unpacked_size(),
        }
    }
}
