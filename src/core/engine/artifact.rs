//! From a bundle on the jump host to what the engine pushes and what the steps say of it.

use super::steps::PushFacts;
use crate::core::bundle::Bundle;

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
