//! A bundle on disk, as the engine pushes it: found by manifest or tarball path, its files
//! located and quickly checked (present, right size), its signature judged on request.

use std::path::{Path, PathBuf};

use super::error::BundleError;
use super::manifest::Manifest;
use super::name::ReleaseName;
use super::signature::{self, PublicKey, SignatureStatus};

#[derive(Debug, Clone)]
pub struct Bundle {
    manifest: Manifest,
    manifest_path: PathBuf,
    tarball_path: PathBuf,
    sums_path: PathBuf,
    signature: SignatureStatus,
}

impl Bundle {
    /// Opens the bundle whose manifest is `path`, or whose tarball is `path` (the manifest
    /// then sits next to it). Reads the manifest, checks its fields, checks the tarball and
    /// `.sha256sums` exist and the tarball has the recorded size, and checks the signature's
    /// cryptography (trust is [`Bundle::check_signature`]'s job). Does not hash anything: use
    /// [`super::verify`] for that.
    pub fn open(path: &Path) -> Result<Self, BundleError> {
        let manifest_path = manifest_path_for(path)?;
        let manifest = Manifest::load(&manifest_path)?;
        let dir = manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let release = manifest.release().ok_or_else(|| BundleError::BadName {
            name: manifest.tarball.clone(),
        })?;
        let tarball_path = dir.join(&manifest.tarball);
        let sums_path = dir.join(release.sums_name());
        let size = std::fs::metadata(&tarball_path)
            .map_err(|e| BundleError::read(&tarball_path, e))?
            .len();
        if size != manifest.size {
            return Err(BundleError::Manifest {
                path: manifest_path,
                detail: format!("the tarball is {size} bytes but the manifest says {}; it is not the tarball this bundle was built from", manifest.size),
            });
        }
        std::fs::metadata(&sums_path).map_err(|e| BundleError::read(&sums_path, e))?;
        let signature = signature::status(&manifest);
        Ok(Self {
            manifest,
            manifest_path,
            tarball_path,
            sums_path,
            signature,
        })
    }

    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }
    pub fn manifest_path(&self) -> &Path {
        &self.manifest_path
    }
    /// `go1.22.10`
    pub fn go_version(&self) -> &str {
        &self.manifest.go_version
    }
    pub fn os(&self) -> &str {
        &self.manifest.os
    }
    /// Go's arch name (`amd64`); see [`super::goarch_matches_uname`].
    pub fn arch(&self) -> &str {
        &self.manifest.arch
    }
    pub fn tarball_path(&self) -> &Path {
        &self.tarball_path
    }
    pub fn tarball_name(&self) -> &str {
        &self.manifest.tarball
    }
    pub fn size(&self) -> u64 {
        self.manifest.size
    }
    /// The tarball's sha256, lowercase hex: what the host checks an upload against.
    pub fn sha256(&self) -> &str {
        &self.manifest.sha256
    }
    pub fn sums_path(&self) -> &Path {
        &self.sums_path
    }
    pub fn sums_name(&self) -> String {
        ReleaseName {
            version: self.manifest.go_version.clone(),
            os: self.manifest.os.clone(),
            arch: self.manifest.arch.clone(),
        }
        .sums_name()
    }
    pub fn tree_digest(&self) -> &str {
        &self.manifest.tree_digest
    }
    /// Disk space the extracted tree takes, when the manifest says.
    pub fn unpacked_size(&self) -> Option<u64> {
        self.manifest.unpacked_size
    }
    pub fn file_count(&self) -> u64 {
        self.manifest.file_count
    }
    /// What the signature says cryptographically; `trusted` is always false here.
    pub fn signature_status(&self) -> &SignatureStatus {
        &self.signature
    }

    /// Checks the `.sha256sums` sidecar is the list the manifest (and so its signature)
    /// covers: reads and hashes it (about a megabyte).
    pub fn check_sums(&self) -> Result<super::sums::SumsFile, BundleError> {
        super::sums::check(
            &self.sums_path,
            &self.manifest.tree_digest,
            self.manifest.file_count,
        )
    }

    /// Applies the trust policy:
    /// - a signature that does not match the manifest is always refused;
    /// - a valid signature by a key outside a non-empty `trusted_keys` is refused;
    /// - with `require_signed`, the bundle must be signed by one of `trusted_keys` (so an
    ///   empty list is a configuration error);
    /// - otherwise `Unsigned`, or `Signed { trusted }` telling whether the key was one of them.
    pub fn check_signature(
        &self,
        trusted_keys: &[PublicKey],
        require_signed: bool,
    ) -> Result<SignatureStatus, BundleError> {
        let path = self.manifest_path.clone();
        match &self.signature {
            SignatureStatus::Invalid { detail } => Err(BundleError::SignatureInvalid {
                path,
                detail: detail.clone(),
            }),
            SignatureStatus::Unsigned if require_signed => Err(BundleError::Unsigned { path }),
            SignatureStatus::Unsigned => Ok(SignatureStatus::Unsigned),
            SignatureStatus::Signed { .. } if require_signed && trusted_keys.is_empty() => {
                Err(BundleError::NoTrustedKeys)
            }
            SignatureStatus::Signed { key, .. } => {
                let trusted = trusted_keys.contains(key);
                if !trusted && !trusted_keys.is_empty() {
                    return Err(BundleError::UntrustedKey {
                        path,
                        key: key.to_base64(),
                    });
                }
                Ok(SignatureStatus::Signed { key: *key, trusted })
            }
        }
    }
}

/// The manifest path for a manifest or tarball path.
pub fn manifest_path_for(path: &Path) -> Result<PathBuf, BundleError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if name.ends_with(".offgo.toml") {
        return Ok(path.to_path_buf());
    }
    if name.ends_with(".tar.gz") {
        let release = ReleaseName::from_tarball_name(&name)?;
        return Ok(path.with_file_name(release.manifest_name()));
    }
    Err(BundleError::NotABundlePath {
        path: path.to_path_buf(),
    })
}

/// Every bundle in `dir` (each `*.offgo.toml`), oldest Go version first, for the console's
/// picker. A bundle that does not open is listed as its error; an unreadable `dir` gives one
/// error.
pub fn find_bundles(dir: &Path) -> Vec<Result<Bundle, BundleError>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => return vec![Err(BundleError::read(dir, e))],
    };
    let mut manifests: Vec<(String, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter_map(|p| {
            let name = p.file_name()?.to_string_lossy().into_owned();
            // A module-cache bundle shares the suffix but is not a Go release: it has its own
            // kind (core::modcache) and is not offered where a release is picked.
            (name.ends_with(".offgo.toml")
                && !name.starts_with('.')
                && !name.starts_with("modcache-"))
            .then_some((name, p))
        })
        .collect();
    manifests.sort_by_cached_key(|(name, _)| {
        (
            ReleaseName::from_manifest_name(name)
                .map(|r| r.version_key())
                .ok(),
            name.clone(),
        )
    });
    manifests
        .into_iter()
        .map(|(_, path)| Bundle::open(&path))
        .collect()
}
