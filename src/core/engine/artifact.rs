//! From a bundle on the jump host to what the engine pushes and what the steps say of it.

use super::steps::PushFacts;
use super::PushBundle;
use crate::core::bundle::Bundle;

impl From<&Bundle> for PushBundle {
    fn from(bundle: &Bundle) -> Self {
        PushBundle {
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

impl<'a> From<&'a Bundle> for PushFacts<'a> {
    fn from(bundle: &'a Bundle) -> Self {
        PushFacts {
            version: bundle.go_version(),
            arch: bundle.arch(),
            size: bundle.size(),
            sha256: bundle.sha256(),
            file_count: bundle.file_count(),
        }
    }
}
