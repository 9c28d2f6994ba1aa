//! The manifest of a module-cache bundle (DESIGN.md, "Module-cache bundles"):
//! `modcache-<id>.offgo.toml`, where `<id>` is the first 12 hex digits of the tree digest, so
//! the same modules always make the same bundle name.
//!
//! ```toml
//! format_version = 1
//! kind = "modcache"
//! id = "3f1c0a9e2b7d"
//! tarball = "modcache-3f1c0a9e2b7d.tar.gz"
//! size = 1048576
//! sha256 = "…"          # of the tarball
//! file_count = 42        # lines of the .sha256sums sidecar
//! tree_digest = "…"      # sha256 of the sidecar's bytes
//! modules = 7            # module paths
//! versions = 9           # module versions with a .zip
//! created = "…"
//! builder = "…"
//! [signature]            # optional, ed25519 over `signed_message`
//! ```

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::core::bundle::{sign_message, verify_message, ManifestSignature};

pub const FORMAT_VERSION: u32 = 1;
pub const KIND: &str = "modcache";
const DOMAIN: &str = "offgo-modcache-signature-v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModcacheManifest {
    pub format_version: u32,
    pub kind: String,
    pub id: String,
    pub tarball: String,
    pub size: u64,
    pub sha256: String,
    pub file_count: u64,
    pub tree_digest: String,
    pub modules: u64,
    pub versions: u64,
    pub created: String,
    pub builder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

impl ModcacheManifest {
    /// The exact bytes a signature covers.
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "{DOMAIN}\nformat_version={}\nkind={}\nid={}\ntarball={}\nsize={}\nsha256={}\n\
             file_count={}\ntree_digest={}\n",
            self.format_version,
            self.kind,
            self.id,
            self.tarball,
            self.size,
            self.sha256,
            self.file_count,
            self.tree_digest
        )
        .into_bytes()
    }

    pub fn sign(&mut self, key: &SigningKey) {
        self.signature = Some(sign_message(&self.signed_message(), key));
    }

    /// The signature checks against the manifest (no trust policy).
    pub fn signature_ok(&self) -> Option<bool> {
        let signature = self.signature.as_ref()?;
        Some(verify_message(signature, &self.signed_message()))
    }
}
