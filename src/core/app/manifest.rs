//! The `.offgo-app.toml` manifest of a Go application bundle (DESIGN.md, "Go application
//! bundles"): what the bundle holds and what its binary says of its build.
//!
//! ```toml
//! format_version = 1
//! name = "svc"
//! version = "1.4.0"
//! os = "linux"
//! arch = "amd64"
//! tarball = "svc-1.4.0.linux-amd64.tar.gz"
//! size = 4194304
//! sha256 = "…"                 # of the tarball
//! file_count = 2               # lines of the .sha256sums sidecar
//! tree_digest = "…"            # sha256 of the sidecar's bytes
//! binary = "bin/svc"
//! files = ["etc/svc.toml"]     # --file entries, by DEST
//! static = true
//! needed = []                  # shared libraries (a dynamic binary built with --allow-dynamic)
//! created = "…"
//! builder = "…"
//!
//! [build]                      # the binary's embedded build info, as `go version -m` shows it
//! go_version = "go1.22.10"
//! path = "example.com/svc"
//! module = "example.com/svc"
//! module_version = "(devel)"
//! cgo_enabled = "0"
//! goos = "linux"
//! goarch = "amd64"
//! ldflags = "-X main.version=1.4.0"
//! vcs_revision = "…"
//! vcs_time = "…"
//! vcs_modified = "false"
//!
//! [signature]                  # optional, as for Go bundles, over `signed_message`
//! ```

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;
use serde::{Deserialize, Serialize};

use crate::core::bundle::{sign_message, verify_message, ManifestSignature};

pub const FORMAT_VERSION: u32 = 1;
const DOMAIN: &str = "offgo-app-signature-v1";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppManifest {
    pub format_version: u32,
    pub name: String,
    pub version: String,
    pub os: String,
    pub arch: String,
    pub tarball: String,
    pub size: u64,
    pub sha256: String,
    pub file_count: u64,
    pub tree_digest: String,
    pub binary: String,
    pub files: Vec<String>,
    #[serde(rename = "static")]
    pub is_static: bool,
    pub needed: Vec<String>,
    pub created: String,
    pub builder: String,
    pub build: BuildSection,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

/// The binary's build info, the settings `go version -m` prints under `build`. Absent ones are
/// left out.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSection {
    pub go_version: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub module_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cgo_enabled: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goos: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub goarch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ldflags: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs_revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vcs_modified: Option<String>,
}

impl AppManifest {
    /// The exact bytes a signature covers: one `key=value` line each, values checked free of
    /// line breaks when the manifest was made.
    pub fn signed_message(&self) -> Vec<u8> {
        format!(
            "{DOMAIN}\nformat_version={}\nname={}\nversion={}\nos={}\narch={}\ntarball={}\n\
             size={}\nsha256={}\nfile_count={}\ntree_digest={}\ngo_version={}\n",
            self.format_version,
            self.name,
            self.version,
            self.os,
            self.arch,
            self.tarball,
            self.size,
            self.sha256,
            self.file_count,
            self.tree_digest,
            self.build.go_version
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

/// How an app bundle's manifest file name ends (`svc-1.4.0.linux-amd64.offgo-app.toml`).
pub const MANIFEST_SUFFIX: &str = ".offgo-app.toml";

/// The app bundle manifests in `dir` (files named `*.offgo-app.toml`, hidden ones left out), by
/// file name, at most `max` of them: a directory of media dumps must not stall a listing. An
/// unreadable `dir` holds none.
pub fn find_app_manifests(dir: &Path, max: usize) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut manifests: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with(MANIFEST_SUFFIX) && !n.starts_with('.'))
                && p.is_file()
        })
        .take(max)
        .collect();
    manifests.sort();
    manifests
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_manifests_are_the_visible_files_by_name_and_at_most_max() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "svc-1.10.0.linux-amd64.offgo-app.toml",
            "api-1.0.0.linux-amd64.offgo-app.toml",
            ".svc-0.1.0.linux-amd64.offgo-app.toml",
            "go1.22.10.linux-amd64.offgo.toml",
            "svc-1.10.0.linux-amd64.tar.gz",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        // A directory with the suffix is not a manifest.
        std::fs::create_dir(dir.path().join("odd.offgo-app.toml")).unwrap();
        let names = |max| {
            find_app_manifests(dir.path(), max)
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(10),
            [
                "api-1.0.0.linux-amd64.offgo-app.toml",
                "svc-1.10.0.linux-amd64.offgo-app.toml"
            ]
        );
        assert_eq!(names(1).len(), 1);
        assert!(find_app_manifests(&dir.path().join("missing"), 10).is_empty());
    }
}
