//! `bundle build`: one pass over the official tarball, then the sidecars, written atomically.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ed25519_dalek::SigningKey;

use super::atomic::PendingFile;
use super::error::BundleError;
use super::manifest::{Manifest, FORMAT_VERSION};
use super::name::ReleaseName;
use super::scan::scan;
use super::signature::sign;
use super::sums;

pub struct BuildOptions {
    pub tarball: PathBuf,
    /// The published sha256; the build is refused if the tarball's differs.
    pub expected_sha256: Option<[u8; 32]>,
    /// The published size (from the release catalog); the build is refused, before the
    /// tarball is read, if the file's differs.
    pub expected_size: Option<u64>,
    /// Where the bundle goes; the tarball's own directory when `None`. A different directory
    /// gets a copy of the tarball too (made during the same pass), so it holds a whole bundle.
    pub out_dir: Option<PathBuf>,
    pub signing_key: Option<SigningKey>,
    pub created: SystemTime,
    /// Who built it: see [`builder_identity`].
    pub builder: String,
}

pub struct BuildOutput {
    pub manifest: Manifest,
    pub manifest_path: PathBuf,
    pub sums_path: PathBuf,
    /// The bundle's tarball: the input, or its copy in the output directory.
    pub tarball_path: PathBuf,
    pub copied_tarball: bool,
}

/// Builds the sidecars of a release tarball. Nothing is written unless every check passes;
/// every file written appears whole (temporary name, then rename).
pub fn build(options: &BuildOptions) -> Result<BuildOutput, BundleError> {
    let tarball = &options.tarball;
    let name = tarball
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let release = ReleaseName::from_tarball_name(&name)?;
    let source_dir = parent_dir(tarball);
    let out_dir = options
        .out_dir
        .clone()
        .unwrap_or_else(|| source_dir.clone());
    // Fail on a missing tarball before anything is created.
    let size = std::fs::metadata(tarball)
        .map_err(|e| BundleError::read(tarball, e))?
        .len();
    if let Some(expected) = options.expected_size.filter(|&e| e != size) {
        return Err(BundleError::SizeMismatch {
            tarball: name,
            expected,
            actual: size,
        });
    }
    std::fs::create_dir_all(&out_dir).map_err(|e| BundleError::write(&out_dir, e))?;
    let copy_tarball = !same_dir(&source_dir, &out_dir);
    let tarball_path = if copy_tarball {
        out_dir.join(&name)
    } else {
        tarball.clone()
    };

    let (pending_copy, copy_file) = match copy_tarball {
        true => PendingFile::create(&tarball_path).map(|(p, f)| (Some(p), Some(f)))?,
        false => (None, None),
    };
    let scanned = scan(tarball, &release, copy_file)?;
    drop(scanned.copy);
    if let Some(expected) = options.expected_sha256 {
        if expected != scanned.sha256 {
            return Err(BundleError::Sha256Mismatch {
                tarball: name,
                expected: hex::encode(expected),
                actual: hex::encode(scanned.sha256),
            });
        }
    }
    let mut files = scanned.tree?;
    let sums_bytes = sums::render(&mut files);
    let mut manifest = Manifest {
        format_version: FORMAT_VERSION,
        go_version: release.version.clone(),
        os: release.os.clone(),
        arch: release.arch.clone(),
        tarball: name,
        size: scanned.size,
        sha256: hex::encode(scanned.sha256),
        file_count: files.len() as u64,
        tree_digest: sums::tree_digest(&sums_bytes),
        unpacked_size: Some(scanned.unpacked),
        created: humantime::format_rfc3339_seconds(options.created).to_string(),
        builder: options.builder.replace('\n', " "),
        signature: None,
    };
    if let Some(key) = &options.signing_key {
        manifest.signature = Some(sign(&manifest, key));
    }
    let manifest_path = out_dir.join(release.manifest_name());
    let sums_path = out_dir.join(release.sums_name());
    let toml = manifest
        .to_toml()
        .map_err(|e| BundleError::write(&manifest_path, std::io::Error::other(e)))?;
    let pending_sums = PendingFile::write(&sums_path, &sums_bytes)?;
    let pending_manifest = PendingFile::write(&manifest_path, toml.as_bytes())?;
    // The manifest goes last: a bundle is only picked up once its manifest is there.
    if let Some(pending) = pending_copy {
        pending.commit()?;
    }
    pending_sums.commit()?;
    pending_manifest.commit()?;
    Ok(BuildOutput {
        manifest,
        manifest_path,
        sums_path,
        tarball_path,
        copied_tarball: copy_tarball,
    })
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

/// `user@host offgo-tui VERSION`, recorded in the manifest as who built the bundle.
pub fn builder_identity() -> String {
    let user = ["USER", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|u| !u.is_empty()))
        .unwrap_or_else(user_from_passwd);
    let host = gethostname::gethostname().to_string_lossy().into_owned();
    format!("{user}@{host} offgo-tui {}", env!("CARGO_PKG_VERSION"))
}

/// The login name of this process's uid from /etc/passwd (cron and systemd jobs have no
/// `$USER`), or `uidN` when it has none.
fn user_from_passwd() -> String {
    use std::os::unix::fs::MetadataExt;
    let Ok(uid) = std::fs::metadata("/proc/self").map(|m| m.uid()) else {
        return "unknown".into();
    };
    let passwd = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
    passwd
        .lines()
        .find_map(|line| {
            let mut fields = line.split(':');
            let name = fields.next()?;
            (fields.nth(1)?.parse::<u32>().ok()? == uid).then(|| name.to_string())
        })
        .unwrap_or_else(|| format!("uid{uid}"))
}
