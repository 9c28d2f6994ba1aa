//! A module-cache bundle as the engine pushes it (see `artifact`): `modcache build`'s tarball,
//! its signed file list and what the manifest says of them. Opened under the inventory's trust
//! policy like a Go bundle; `push`/`rollout --bundle` tell the two apart by the manifest's
//! `kind`.

use std::path::{Path, PathBuf};

use super::go_release::GoRelease;
use super::outcome::StepError;
use super::ArtifactKind;
use crate::core::bundle::{read_public_keys, BundleError, SignatureStatus};
use crate::core::inventory::BundleSettings;
use crate::core::modcache::{ModcacheManifest, KIND};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModcacheBundle {
    /// `modcache-<12 hex>`: the bundle's name, the directory under modcache_dir, what
    /// modcache.json and the audit log record.
    pub id: String,
    pub tarball: PathBuf,
    pub tarball_name: String,
    pub size: u64,
    pub sha256: String,
    pub sums: PathBuf,
    pub tree_digest: String,
    pub file_count: u64,
    pub modules: u64,
    pub versions: u64,
}

/// Which kind of bundle `path` (a manifest or the tarball next to it) is: a module cache when
/// its manifest says `kind = "modcache"`, else a Go release (whose own checks then speak).
pub fn kind_of(path: &Path) -> ArtifactKind {
    let manifest = manifest_for(path);
    let is_modcache = std::fs::read_to_string(&manifest)
        .ok()
        .and_then(|text| toml::from_str::<toml::Table>(&text).ok())
        .is_some_and(|t| t.get("kind").and_then(|k| k.as_str()) == Some(KIND));
    if is_modcache {
        ArtifactKind::Modcache
    } else {
        ArtifactKind::GoRelease
    }
}

fn manifest_for(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    match name.strip_suffix(".tar.gz") {
        Some(stem) => path.with_file_name(format!("{stem}.offgo.toml")),
        None => path.to_path_buf(),
    }
}

fn is_id_hex(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl ModcacheBundle {
    /// Opens the bundle at `path` and applies the trust policy of `settings` (the same rules
    /// as a Go bundle: an invalid signature is refused; with `require_signed` it must be
    /// signed by one of `trusted_keys`; a key outside a non-empty list is refused).
    pub fn open_trusted(
        path: &Path,
        settings: &BundleSettings,
    ) -> Result<(Self, SignatureStatus), BundleError> {
        let manifest_path = manifest_for(path);
        let bad = |detail: String| BundleError::Manifest {
            path: manifest_path.clone(),
            detail,
        };
        let text = std::fs::read_to_string(&manifest_path)
            .map_err(|e| BundleError::read(&manifest_path, e))?;
        let m: ModcacheManifest = toml::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if m.kind != KIND || m.format_version != 1 {
            return Err(bad(format!(
                "kind {:?}, format_version {}: not a module-cache bundle this offgo reads",
                m.kind, m.format_version
            )));
        }
        if !is_id_hex(&m.id) || m.tarball != format!("modcache-{}.tar.gz", m.id) {
            return Err(bad(format!(
                "id {:?} and tarball {:?} are not `modcache build`'s names",
                m.id, m.tarball
            )));
        }
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
        let signature = judge(&m, &manifest_path, settings)?;
        let id = format!("modcache-{}", m.id);
        let bundle = Self {
            sums: dir.join(format!("{id}.sha256sums")),
            tarball,
            tarball_name: m.tarball.clone(),
            size: m.size,
            sha256: m.sha256.clone(),
            tree_digest: m.tree_digest.clone(),
            file_count: m.file_count,
            modules: m.modules,
            versions: m.versions,
            id,
        };
        bundle.read_sums().map_err(|detail| BundleError::Sums {
            path: bundle.sums.clone(),
            detail,
        })?;
        Ok((bundle, signature))
    }

    /// The signed file list on disk is the one the manifest covers (digest and line count).
    fn read_sums(&self) -> Result<Vec<u8>, String> {
        let bytes = std::fs::read(&self.sums).map_err(|e| e.to_string())?;
        let digest = crate::core::bundle::sums::tree_digest(&bytes);
        if digest != self.tree_digest {
            return Err(format!(
                "its digest is {digest}, the manifest's tree_digest is {}: not the signed list",
                self.tree_digest
            ));
        }
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as u64;
        if lines != self.file_count {
            return Err(format!(
                "{lines} lines, the manifest says {}",
                self.file_count
            ));
        }
        Ok(bytes)
    }

    /// The same check right before a push: nothing is sent when the list changed since.
    pub fn check_sums(&self) -> Result<(), StepError> {
        self.read_sums().map(|_| ()).map_err(|e| {
            StepError::refused(
                "check_bundle",
                format!("the bundle's sha256sums is not the signed list: {e}"),
                "build the bundle again with `offgo-tui modcache build`; nothing was sent to the host",
            )
        })
    }

    /// Space the extracted cache needs: module zips do not compress further, so the tree is
    /// about the tarball's size; twice that leaves room for the filesystem's blocks.
    pub fn unpacked_estimate(&self) -> u64 {
        self.size.saturating_mul(2).saturating_add(1 << 20)
    }

    /// The upload (upload.rs) moves a bundle's tarball and file list into incoming/; a module
    /// cache's travel exactly as a Go release's do, under the id's name.
    pub(super) fn as_upload(&self) -> GoRelease {
        GoRelease {
            version: self.id.clone(),
            arch: String::new(),
            tarball: self.tarball.clone(),
            tarball_name: self.tarball_name.clone(),
            size: self.size,
            sha256: self.sha256.clone(),
            sums: self.sums.clone(),
            tree_digest: self.tree_digest.clone(),
            file_count: self.file_count,
            unpacked_size: Some(self.unpacked_estimate()),
        }
    }
}

/// The trust policy, as `bundle::TrustPolicy` applies it to a Go bundle.
fn judge(
    m: &ModcacheManifest,
    path: &Path,
    settings: &BundleSettings,
) -> Result<SignatureStatus, BundleError> {
    let mut keys = Vec::new();
    for file in &settings.trusted_keys {
        keys.extend(read_public_keys(file)?);
    }
    let path = path.to_path_buf();
    let Some(signature) = &m.signature else {
        if settings.require_signed {
            return Err(BundleError::Unsigned { path });
        }
        return Ok(SignatureStatus::Unsigned);
    };
    let key = match signature.decode() {
        Ok((key, _)) if m.signature_ok() == Some(true) => key,
        Ok((key, _)) => {
            return Err(BundleError::SignatureInvalid {
                path,
                detail: format!("ed25519 verification failed for key {key}"),
            })
        }
        Err(detail) => return Err(BundleError::SignatureInvalid { path, detail }),
    };
    if settings.require_signed && keys.is_empty() {
        return Err(BundleError::NoTrustedKeys);
    }
    let trusted = keys.contains(&key);
    if !trusted && !keys.is_empty() {
        return Err(BundleError::UntrustedKey {
            path,
            key: key.to_base64(),
        });
    }
    Ok(SignatureStatus::Signed { key, trusted })
}
