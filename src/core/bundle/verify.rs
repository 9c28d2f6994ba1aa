//! `bundle verify`: re-checks a bundle at rest, reporting each check on its own so the
//! operator sees everything that is wrong at once.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::BundleError;
use super::hash::sha256_file;
use super::manifest::Manifest;
use super::open::manifest_path_for;
use super::signature::{self, PublicKey, SignatureStatus};
use super::sums;

/// One check, as printed and as `--json` (`{"check", "ok", "detail"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub check: &'static str,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub manifest: PathBuf,
    pub ok: bool,
    pub checks: Vec<Check>,
}

/// Who may have signed, and whether someone must have.
#[derive(Debug, Clone, Default)]
pub struct SignaturePolicy {
    pub trusted_keys: Vec<PublicKey>,
    pub require_signed: bool,
}

/// The check names, in report order.
pub const CHECK_MANIFEST: &str = "manifest";
pub const CHECK_SIZE: &str = "tarball size";
pub const CHECK_SHA256: &str = "tarball sha256";
pub const CHECK_SUMS: &str = "sha256sums";
pub const CHECK_SIGNATURE: &str = "signature";

/// Verifies the bundle at `path` (manifest or tarball). `Err` only when `path` cannot name a
/// bundle at all or the manifest is missing; every other problem is a failed check.
pub fn verify(path: &Path, policy: &SignaturePolicy) -> Result<VerifyReport, BundleError> {
    let manifest_path = manifest_path_for(path)?;
    if let Err(e) = std::fs::metadata(&manifest_path) {
        return Err(BundleError::read(&manifest_path, e));
    }
    let mut checks = Vec::new();
    match Manifest::load(&manifest_path) {
        Err(e) => checks.push(fail(CHECK_MANIFEST, e.to_string())),
        Ok(manifest) => {
            checks.push(pass(
                CHECK_MANIFEST,
                format!(
                    "{} {}/{}, {} files, format {}",
                    manifest.go_version,
                    manifest.os,
                    manifest.arch,
                    manifest.file_count,
                    manifest.format_version
                ),
            ));
            let dir = manifest_path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            checks.extend(check_tarball(&manifest, &dir));
            checks.push(check_sums(&manifest, &dir));
            checks.push(check_signature(&manifest, policy));
        }
    }
    let ok = checks.iter().all(|c| c.ok);
    Ok(VerifyReport {
        manifest: manifest_path,
        ok,
        checks,
    })
}

fn pass(check: &'static str, detail: String) -> Check {
    Check {
        check,
        ok: true,
        detail,
    }
}

fn fail(check: &'static str, detail: String) -> Check {
    Check {
        check,
        ok: false,
        detail,
    }
}

fn check_tarball(manifest: &Manifest, dir: &Path) -> Vec<Check> {
    let path = dir.join(&manifest.tarball);
    let (size, sha256) = match sha256_file(&path) {
        Ok(found) => found,
        Err(e) => {
            return vec![
                fail(CHECK_SIZE, e.to_string()),
                fail(CHECK_SHA256, e.to_string()),
            ]
        }
    };
    let size_check = if size == manifest.size {
        pass(CHECK_SIZE, format!("{size} bytes"))
    } else {
        fail(
            CHECK_SIZE,
            format!(
                "{} is {size} bytes, the manifest says {}",
                path.display(),
                manifest.size
            ),
        )
    };
    let sha256 = hex::encode(sha256);
    let sha_check = if sha256 == manifest.sha256 {
        pass(CHECK_SHA256, sha256)
    } else {
        fail(CHECK_SHA256, format!("{} has sha256 {sha256}, the manifest says {}: the tarball changed since the bundle was built", path.display(), manifest.sha256))
    };
    vec![size_check, sha_check]
}

fn check_sums(manifest: &Manifest, dir: &Path) -> Check {
    let Some(release) = manifest.release() else {
        return fail(CHECK_SUMS, "no release name".into());
    };
    let path = dir.join(release.sums_name());
    match sums::check(&path, &manifest.tree_digest, manifest.file_count) {
        Err(e) => fail(CHECK_SUMS, e.to_string()),
        Ok(found) => pass(
            CHECK_SUMS,
            format!(
                "{} files, tree digest {}",
                found.file_count, found.tree_digest
            ),
        ),
    }
}

fn check_signature(manifest: &Manifest, policy: &SignaturePolicy) -> Check {
    let trusted = &policy.trusted_keys;
    match signature::status(manifest) {
        SignatureStatus::Invalid { detail } => fail(
            CHECK_SIGNATURE,
            format!("does not match the manifest: {detail}"),
        ),
        SignatureStatus::Unsigned if policy.require_signed => fail(
            CHECK_SIGNATURE,
            "unsigned, and a signature is required".into(),
        ),
        SignatureStatus::Unsigned => pass(CHECK_SIGNATURE, "unsigned".into()),
        SignatureStatus::Signed { key, .. } if trusted.contains(&key) => {
            pass(CHECK_SIGNATURE, format!("valid, by trusted key {key}"))
        }
        SignatureStatus::Signed { key, .. } if !trusted.is_empty() => fail(
            CHECK_SIGNATURE,
            format!("valid, but key {key} is not one of the trusted keys"),
        ),
        SignatureStatus::Signed { .. } if policy.require_signed => fail(
            CHECK_SIGNATURE,
            "a trusted signature is required, but no trusted keys were given".into(),
        ),
        SignatureStatus::Signed { key, .. } => pass(
            CHECK_SIGNATURE,
            format!("valid, by key {key} (no trusted keys given to compare with)"),
        ),
    }
}
