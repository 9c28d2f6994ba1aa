//! The bundle trust policy of `[bundles]` (`trusted_keys`, `require_signed`), applied in one
//! place for every face: `push`, `rollout`, the console's picker and its rollouts all accept
//! exactly the bundles this accepts.

use std::path::Path;

use super::{read_public_keys, Bundle, BundleError, PublicKey, SignatureStatus};
use crate::core::inventory::BundleSettings;

/// The inventory's trusted keys, read once: a picker judges many bundles with them.
#[derive(Debug, Clone)]
pub struct TrustPolicy {
    keys: Vec<PublicKey>,
    require_signed: bool,
}

impl TrustPolicy {
    /// Reads every `trusted_keys` file; the error names the file that could not be read.
    pub fn load(settings: &BundleSettings) -> Result<Self, BundleError> {
        let mut keys = Vec::new();
        for file in &settings.trusted_keys {
            keys.extend(read_public_keys(file)?);
        }
        Ok(Self {
            keys,
            require_signed: settings.require_signed,
        })
    }

    /// What the policy says of an opened bundle: its signature status, or why it is refused.
    /// Its `sha256sums` must also be the file list the manifest (and so the signature) names:
    /// a list edited after signing is refused before any host is contacted.
    pub fn judge(&self, bundle: &Bundle) -> Result<SignatureStatus, BundleError> {
        let status = bundle.check_signature(&self.keys, self.require_signed)?;
        bundle.check_sums()?;
        Ok(status)
    }
}

/// A bundle that opened and passed the policy.
#[derive(Debug)]
pub struct TrustedBundle {
    pub bundle: Bundle,
    pub signature: SignatureStatus,
}

/// Opens the bundle at `path` (manifest or tarball) and applies the policy of `settings`.
pub fn open_trusted(path: &Path, settings: &BundleSettings) -> Result<TrustedBundle, BundleError> {
    let bundle = Bundle::open(path)?;
    let signature = TrustPolicy::load(settings)?.judge(&bundle)?;
    Ok(TrustedBundle { bundle, signature })
}
