//! A Go application bundle as the engine pushes it (`offgo-tui app build`'s output): the
//! tarball, its signed file list and the manifest, which travels too (the host keeps a verbatim
//! copy as `releases/<version>/.offgo-app.toml`).

use std::path::{Path, PathBuf};

use super::outcome::StepError;
use crate::core::app::AppManifest;
use crate::core::bundle::{read_public_keys, BundleError, SignatureStatus};
use crate::core::inventory::{valid_app_name, BundleSettings};

use crate::core::app::MANIFEST_SUFFIX;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppRelease {
    /// `svc-1.4.0`: what the audit log's `target` and the rollout journal name.
    pub id: String,
    pub name: String,
    pub version: String,
    /// Go's name for the architecture: `amd64`, `arm64`, …
    pub arch: String,
    /// The Go version the binary was built with.
    pub go_version: String,
    pub tarball: PathBuf,
    pub tarball_name: String,
    pub size: u64,
    pub sha256: String,
    pub sums: PathBuf,
    pub tree_digest: String,
    pub file_count: u64,
    pub manifest: PathBuf,
    /// sha256 of the manifest file's bytes: the host checks its copy against it.
    pub manifest_sha256: String,
}

/// Whether `path` names an app bundle: its manifest, or a tarball with one next to it.
pub fn is_app_bundle(path: &Path) -> bool {
    manifest_for(path).is_some_and(|m| m.is_file())
}

/// `svc-1.4.0.linux-amd64.offgo-app.toml` for itself or for `svc-1.4.0.linux-amd64.tar.gz`.
fn manifest_for(path: &Path) -> Option<PathBuf> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(MANIFEST_SUFFIX) {
        return Some(path.to_path_buf());
    }
    let stem = name.strip_suffix(".tar.gz")?;
    Some(path.with_file_name(format!("{stem}{MANIFEST_SUFFIX}")))
}

/// An app version as `app build` accepts it: it names a directory on every host.
pub fn valid_version(version: &str) -> bool {
    let mut bytes = version.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric())
        && version.len() <= 64
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'+'))
}

impl AppRelease {
    /// Opens the app bundle at `path` (manifest or tarball) under the inventory's trust policy
    /// (`[bundles] require_signed`, `trusted_keys`), as Go bundles are: a list or tarball that is
    /// not the manifest's is refused before any host is contacted.
    pub fn open_trusted(
        path: &Path,
        settings: &BundleSettings,
    ) -> Result<(Self, SignatureStatus), BundleError> {
        let manifest_path = manifest_for(path).ok_or_else(|| BundleError::NotABundlePath {
            path: path.to_path_buf(),
        })?;
        let bad = |detail: String| BundleError::Manifest {
            path: manifest_path.clone(),
            detail,
        };
        let bytes =
            std::fs::read(&manifest_path).map_err(|e| BundleError::read(&manifest_path, e))?;
        let text = std::str::from_utf8(&bytes).map_err(|_| bad("not UTF-8 text".into()))?;
        let m: AppManifest = toml::from_str(text).map_err(|e| bad(e.to_string()))?;
        if m.format_version != crate::core::app::FORMAT_VERSION {
            return Err(bad(format!(
                "format_version {} is not one this offgo reads ({})",
                m.format_version,
                crate::core::app::FORMAT_VERSION
            )));
        }
        if !valid_app_name(&m.name) || !valid_version(&m.version) {
            return Err(bad(
                "name or version would not name a directory safely: rebuild it with `offgo-tui app build`".into(),
            ));
        }
        if m.os != "linux" || m.tarball.contains('/') || m.tarball.starts_with('.') {
            return Err(bad(format!(
                "os {:?} and tarball {:?}: expected linux and a file next to the manifest",
                m.os, m.tarball
            )));
        }
        let signature = judge(&m, &manifest_path, settings)?;
        let dir = manifest_path.parent().unwrap_or(Path::new("."));
        let tarball = dir.join(&m.tarball);
        let size = std::fs::metadata(&tarball)
            .map_err(|e| BundleError::read(&tarball, e))?
            .len();
        if size != m.size {
            return Err(bad(format!(
                "{} is {size} bytes, the manifest says {}: copy the bundle again",
                tarball.display(),
                m.size
            )));
        }
        let stem = m.tarball.strip_suffix(".tar.gz").unwrap_or(&m.tarball);
        let sums = dir.join(format!("{stem}.sha256sums"));
        check_sums(&sums, &m.tree_digest, m.file_count)?;
        use sha2::Digest;
        let release = AppRelease {
            id: format!("{}-{}", m.name, m.version),
            name: m.name.clone(),
            version: m.version.clone(),
            arch: m.arch.clone(),
            go_version: m.build.go_version.clone(),
            tarball,
            tarball_name: m.tarball.clone(),
            size,
            sha256: m.sha256.clone(),
            sums,
            tree_digest: m.tree_digest.clone(),
            file_count: m.file_count,
            manifest: manifest_path.clone(),
            manifest_sha256: hex::encode(sha2::Sha256::digest(&bytes)),
        };
        Ok((release, signature))
    }

    /// Space the extracted tree needs: about the tarball's size (a Go binary compresses
    /// about twofold), with room to spare.
    pub fn unpacked_estimate(&self) -> u64 {
        self.size.saturating_mul(4)
    }

    /// The sidecar and manifest on disk are still the ones opened (they travel to the host).
    pub fn check_files(&self) -> Result<(), StepError> {
        let refused = |e: String| {
            StepError::refused(
                "check_bundle",
                format!("the bundle changed since it was opened: {e}"),
                "check the bundle's files, then push again; nothing was sent to the host",
            )
        };
        check_sums(&self.sums, &self.tree_digest, self.file_count)
            .map_err(|e| refused(e.to_string()))?;
        use sha2::Digest;
        let bytes = std::fs::read(&self.manifest).map_err(|e| refused(e.to_string()))?;
        if hex::encode(sha2::Sha256::digest(&bytes)) != self.manifest_sha256 {
            return Err(refused(format!("{} was edited", self.manifest.display())));
        }
        Ok(())
    }
}

/// The bundle's `.sha256sums` is the list its manifest names: the digest (the signature covers
/// it) and the line count. Its paths are the release directory's (`bin/NAME`, each `--file`).
fn check_sums(path: &Path, tree_digest: &str, file_count: u64) -> Result<(), BundleError> {
    use sha2::Digest;
    let bytes = std::fs::read(path).map_err(|e| BundleError::read(path, e))?;
    let bad = |detail: String| BundleError::Sums {
        path: path.to_path_buf(),
        detail,
    };
    let digest = hex::encode(sha2::Sha256::digest(&bytes));
    if digest != tree_digest {
        return Err(bad(format!(
            "has digest {digest}, the manifest's tree_digest is {tree_digest}: the file list changed since the bundle was built (or signed); rebuild it with `offgo-tui app build`"
        )));
    }
    let lines = bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count() as u64;
    if lines != file_count {
        return Err(bad(format!(
            "lists {lines} files, the manifest says {file_count}"
        )));
    }
    Ok(())
}

/// The trust policy of `[bundles]`, as for Go bundles.
fn judge(
    m: &AppManifest,
    path: &Path,
    settings: &BundleSettings,
) -> Result<SignatureStatus, BundleError> {
    let path = path.to_path_buf();
    let Some(signature) = &m.signature else {
        if settings.require_signed {
            return Err(BundleError::Unsigned { path });
        }
        return Ok(SignatureStatus::Unsigned);
    };
    let key = match signature.decode() {
        Ok((key, _)) if m.signature_ok() == Some(true) => key,
        _ => {
            return Err(BundleError::SignatureInvalid {
                path,
                detail: "the signature does not match the manifest".into(),
            })
        }
    };
    let mut trusted_keys = Vec::new();
    for file in &settings.trusted_keys {
        trusted_keys.extend(read_public_keys(file)?);
    }
    if settings.require_signed && trusted_keys.is_empty() {
        return Err(BundleError::NoTrustedKeys);
    }
    let trusted = trusted_keys.contains(&key);
    if !trusted && !trusted_keys.is_empty() {
        return Err(BundleError::UntrustedKey {
            path,
            key: key.to_base64(),
        });
    }
    Ok(SignatureStatus::Signed { key, trusted })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_or_the_tarball_names_an_app_bundle() {
        assert_eq!(
            manifest_for(Path::new("/b/svc-1.0.linux-amd64.tar.gz")).unwrap(),
            Path::new("/b/svc-1.0.linux-amd64.offgo-app.toml")
        );
        assert!(manifest_for(Path::new("/b/go1.22.10.linux-amd64.offgo.toml")).is_none());
        assert!(!is_app_bundle(Path::new(
            "/nonexistent/svc-1.0.linux-amd64.tar.gz"
        )));
        assert!(valid_version("1.4.0+b7") && !valid_version("../x") && !valid_version(""));
    }
}
