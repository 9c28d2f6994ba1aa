//! The `.offgo.toml` manifest: what the bundle is, in a file a person can read.
//!
//! ```toml
//! format_version = 1
//! go_version = "go1.22.10"
//! os = "linux"
//! arch = "amd64"
//! tarball = "go1.22.10.linux-amd64.tar.gz"
//! size = 69162776                 # bytes
//! sha256 = "736ce492…"            # of the tarball, lowercase hex
//! file_count = 13402              # lines of the .sha256sums sidecar
//! tree_digest = "5c0e…"           # sha256 of the .sha256sums sidecar's bytes
//! created = "2025-01-10T09:30:00Z"
//! builder = "ops@jump-01 offgo-tui 0.1.0"
//!
//! [signature]                     # optional
//! algorithm = "ed25519"
//! public_key = "base64 of the 32-byte key"
//! value = "base64 of the 64-byte signature over signature::signed_message"
//! ```

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::BundleError;
use super::name::ReleaseName;
use super::signature::{ManifestSignature, ALGORITHM};
use super::sums::is_sha256_hex;

/// The manifest layout this offgo writes and reads.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format_version: u32,
    pub go_version: String,
    pub os: String,
    pub arch: String,
    pub tarball: String,
    pub size: u64,
    pub sha256: String,
    pub file_count: u64,
    pub tree_digest: String,
    /// Disk space the extracted tree takes (regular files, in 4 KiB blocks); the push
    /// pre-flight checks hosts for it. Informational: not covered by the signature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unpacked_size: Option<u64>,
    pub created: String,
    pub builder: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<ManifestSignature>,
}

impl Manifest {
    /// Reads and checks a manifest file; the error names the file and what is wrong.
    pub fn load(path: &Path) -> Result<Self, BundleError> {
        let text = std::fs::read_to_string(path).map_err(|e| BundleError::read(path, e))?;
        let manifest: Manifest = toml::from_str(&text).map_err(|e| BundleError::Manifest {
            path: path.to_path_buf(),
            detail: e.to_string().trim_end().replace('\n', " "),
        })?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        manifest
            .check(&file_name)
            .map_err(|detail| BundleError::Manifest {
                path: path.to_path_buf(),
                detail,
            })?;
        Ok(manifest)
    }

    /// The release the manifest describes, from its `tarball` name.
    pub fn release(&self) -> Option<ReleaseName> {
        ReleaseName::from_tarball_name(&self.tarball).ok()
    }

    /// Field sanity: everything that can be checked without the tarball.
    pub fn check(&self, file_name: &str) -> Result<(), String> {
        if self.format_version != FORMAT_VERSION {
            return Err(format!(
                "format_version is {}, this offgo reads {FORMAT_VERSION}; use the offgo that built it",
                self.format_version
            ));
        }
        let release = self
            .release()
            .ok_or_else(|| format!("tarball {:?} is not a Go release name", self.tarball))?;
        for (key, value, expected) in [
            ("go_version", &self.go_version, &release.version),
            ("os", &self.os, &release.os),
            ("arch", &self.arch, &release.arch),
        ] {
            if value != expected {
                return Err(format!(
                    "{key} is {value:?} but the tarball name says {expected:?}"
                ));
            }
        }
        if file_name != release.manifest_name() {
            return Err(format!(
                "the manifest of {} must be named {}",
                self.tarball,
                release.manifest_name()
            ));
        }
        for (key, value) in [("sha256", &self.sha256), ("tree_digest", &self.tree_digest)] {
            if !is_sha256_hex(value) {
                return Err(format!("{key} is not 64 lowercase hex digits"));
            }
        }
        if self.size == 0 || self.file_count == 0 {
            return Err("size and file_count must be positive".into());
        }
        if humantime::parse_rfc3339(&self.created).is_err() {
            return Err(format!(
                "created {:?} is not an RFC 3339 UTC time",
                self.created
            ));
        }
        if self.builder.trim().is_empty() {
            return Err("builder is empty".into());
        }
        if let Some(signature) = &self.signature {
            if signature.algorithm != ALGORITHM {
                return Err(format!(
                    "signature algorithm {:?} is not {ALGORITHM:?}",
                    signature.algorithm
                ));
            }
            signature.decode().map_err(|e| format!("signature: {e}"))?;
        }
        Ok(())
    }

    /// The manifest as written to disk, with a header saying what it is.
    pub fn to_toml(&self) -> Result<String, String> {
        let body = toml::to_string(self).map_err(|e| e.to_string())?;
        Ok(format!(
            "# offgo bundle manifest for {}; check it with `offgo-tui bundle verify`.\n{body}",
            self.tarball
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> Manifest {
        Manifest {
            format_version: 1,
            go_version: "go1.22.10".into(),
            os: "linux".into(),
            arch: "amd64".into(),
            tarball: "go1.22.10.linux-amd64.tar.gz".into(),
            size: 1234,
            sha256: "a".repeat(64),
            file_count: 3,
            tree_digest: "b".repeat(64),
            unpacked_size: None,
            created: "2025-01-10T09:30:00Z".into(),
            builder: "ops@jump offgo-tui 0.1.0".into(),
            signature: None,
        }
    }

    #[test]
    fn round_trips_through_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("go1.22.10.linux-amd64.offgo.toml");
        std::fs::write(&path, sample().to_toml().unwrap()).unwrap();
        assert_eq!(Manifest::load(&path).unwrap(), sample());
    }

    #[test]
    fn insane_fields_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("go1.22.10.linux-amd64.offgo.toml");
        type Change = fn(&mut Manifest);
        let cases: Vec<(Change, &str)> = vec![
            (|m| m.format_version = 2, "format_version is 2"),
            (|m| m.arch = "arm64".into(), "arch is \"arm64\""),
            (|m| m.sha256 = "xyz".into(), "sha256 is not"),
            (|m| m.tree_digest = "B".repeat(64), "tree_digest is not"),
            (|m| m.created = "yesterday".into(), "created"),
            (|m| m.tarball = "go.tgz".into(), "not a Go release name"),
            (|m| m.size = 0, "size"),
        ];
        for (change, why) in cases {
            let mut m = sample();
            change(&mut m);
            std::fs::write(&path, m.to_toml().unwrap()).unwrap();
            let err = Manifest::load(&path).unwrap_err().to_string();
            assert!(
                err.contains(why) && err.contains("go1.22.10.linux-amd64.offgo.toml"),
                "{err}"
            );
        }
        std::fs::write(&path, sample().to_toml().unwrap() + "colour = \"red\"\n").unwrap();
        assert!(Manifest::load(&path)
            .unwrap_err()
            .to_string()
            .contains("colour"));
        let renamed = dir.path().join("go1.21.13.linux-amd64.offgo.toml");
        std::fs::write(&renamed, sample().to_toml().unwrap()).unwrap();
        assert!(Manifest::load(&renamed)
            .unwrap_err()
            .to_string()
            .contains("must be named"));
    }
}
