//! `modcache build DIR`: a Go module download cache (`$(go env GOMODCACHE)/cache/download`)
//! into a bundle whose tarball holds the cache's layout at its root, so that on the host
//! `GOPROXY=file:///opt/offgo/modcache/current` serves it as a module proxy.
//!
//! Two passes over the cache: one to list and check it (nothing but regular files and
//! directories, names without control characters, every `.zip` with its `.mod`), one to
//! stream it into the tarball while each file is hashed — memory stays flat whatever its size.
//! Lock and temporary files Go leaves behind are not carried.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use ed25519_dalek::SigningKey;

use super::manifest::{ModcacheManifest, FORMAT_VERSION, KIND};
use crate::core::bundle::pack::TarballWriter;
use crate::core::bundle::sums::{render, tree_digest, FileSum};
use crate::core::bundle::PendingFile;

pub struct ModcacheBuildOptions {
    pub dir: PathBuf,
    pub out_dir: PathBuf,
    pub signing_key: Option<SigningKey>,
    pub created: SystemTime,
    pub builder: String,
}

pub struct ModcacheBuildOutput {
    pub manifest: ModcacheManifest,
    pub manifest_path: PathBuf,
    pub sums_path: PathBuf,
    pub tarball_path: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ModcacheError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: not a module download cache: {why} (give $(go env GOMODCACHE)/cache/download)", dir.display())]
    NotACache { dir: PathBuf, why: String },
    #[error("{}: {why}", path.display())]
    Refused { path: PathBuf, why: String },
    #[error(transparent)]
    Write(#[from] crate::core::bundle::BundleError),
}

impl ModcacheError {
    fn io(path: &Path, source: std::io::Error) -> Self {
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Exit 2 for an unreadable or wrong directory, 1 for a cache the checks refused.
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::Io { .. } | Self::NotACache { .. })
    }
}

/// Go's own leftovers: never part of what a proxy serves.
fn skipped(name: &str) -> bool {
    name.ends_with(".lock") || name.ends_with(".partial") || name.contains(".tmp")
}

/// Every file to carry, relative, sorted by bytes; checked.
fn list(dir: &Path) -> Result<Vec<String>, ModcacheError> {
    let meta = std::fs::symlink_metadata(dir).map_err(|e| ModcacheError::io(dir, e))?;
    if !meta.is_dir() {
        return Err(ModcacheError::NotACache {
            dir: dir.to_path_buf(),
            why: "not a directory".into(),
        });
    }
    let mut files = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), String::new())];
    while let Some((path, rel)) = stack.pop() {
        let entries = std::fs::read_dir(&path).map_err(|e| ModcacheError::io(&path, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| ModcacheError::io(&path, e))?;
            let full = entry.path();
            let name = entry.file_name();
            let Some(name) = name
                .to_str()
                .filter(|n| !n.chars().any(|c| c.is_control() || c == '\\'))
            else {
                return Err(ModcacheError::Refused {
                    path: full,
                    why: "a name that is not UTF-8 or holds a control character or backslash"
                        .into(),
                });
            };
            let child = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(|e| ModcacheError::io(&full, e))?;
            if kind.is_dir() {
                stack.push((full, child));
            } else if kind.is_file() {
                if !skipped(name) {
                    files.push(child);
                }
            } else {
                return Err(ModcacheError::Refused {
                    path: full,
                    why: "not a regular file or directory (a symlink, a device…): a module cache holds neither".into(),
                });
            }
        }
    }
    files.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    Ok(files)
}

/// Module paths and versions with a `.zip`, checked: each `.zip` has its `.mod`.
fn count(dir: &Path, files: &[String]) -> Result<(u64, u64), ModcacheError> {
    let mut modules = std::collections::BTreeSet::new();
    let mut versions = 0;
    for file in files {
        let Some((module, rest)) = file.split_once("/@v/") else {
            continue;
        };
        modules.insert(module);
        if let Some(version) = rest.strip_suffix(".zip") {
            versions += 1;
            let mod_file = format!("{module}/@v/{version}.mod");
            if files
                .binary_search_by(|f| f.as_bytes().cmp(mod_file.as_bytes()))
                .is_err()
            {
                return Err(ModcacheError::Refused {
                    path: dir.join(file),
                    why: format!("no {version}.mod next to it: the cache is incomplete"),
                });
            }
        }
    }
    if modules.is_empty() {
        return Err(ModcacheError::NotACache {
            dir: dir.to_path_buf(),
            why: "no MODULE/@v/ directory in it".into(),
        });
    }
    Ok((modules.len() as u64, versions))
}

pub fn build(options: &ModcacheBuildOptions) -> Result<ModcacheBuildOutput, ModcacheError> {
    let dir = &options.dir;
    let files = list(dir)?;
    let (modules, versions) = count(dir, &files)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|e| ModcacheError::io(out, e))?;
    // The name depends on the contents; the tarball is written under a neutral name first.
    let staging = out.join(format!(".modcache-build-{}.tar.gz", std::process::id()));
    let (pending, file) = PendingFile::create(&staging)?;
    let mtime = options
        .created
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (size, sha256, mut sums) =
        write_tarball(dir, &files, file, mtime).map_err(|e| ModcacheError::io(&staging, e))?;
    let sums_bytes = render(&mut sums);
    let digest = tree_digest(&sums_bytes);
    let id = digest[..12].to_string();
    let stem = format!("modcache-{id}");
    let tarball_path = out.join(format!("{stem}.tar.gz"));
    let sums_path = out.join(format!("{stem}.sha256sums"));
    let manifest_path = out.join(format!("{stem}.offgo.toml"));
    let mut manifest = ModcacheManifest {
        format_version: FORMAT_VERSION,
        kind: KIND.into(),
        id,
        tarball: format!("{stem}.tar.gz"),
        size,
        sha256: hex::encode(sha256),
        file_count: sums.len() as u64,
        tree_digest: digest,
        modules,
        versions,
        created: humantime::format_rfc3339_seconds(options.created).to_string(),
        builder: options.builder.replace('\n', " "),
        signature: None,
    };
    if let Some(key) = &options.signing_key {
        manifest.sign(key);
    }
    let toml = toml::to_string(&manifest)
        .map_err(|e| ModcacheError::io(&manifest_path, std::io::Error::other(e)))?;
    let pending_sums = PendingFile::write(&sums_path, &sums_bytes)?;
    let pending_manifest = PendingFile::write(&manifest_path, toml.as_bytes())?;
    pending.commit()?;
    std::fs::rename(&staging, &tarball_path).map_err(|e| ModcacheError::io(&tarball_path, e))?;
    pending_sums.commit()?;
    pending_manifest.commit()?;
    Ok(ModcacheBuildOutput {
        manifest,
        manifest_path,
        sums_path,
        tarball_path,
    })
}

/// Streams `files` into the tarball (mode 0644), each hashed on the way: the tarball's size and
/// sha256, and each file's sum.
fn write_tarball(
    dir: &Path,
    files: &[String],
    out: std::fs::File,
    mtime: u64,
) -> std::io::Result<(u64, [u8; 32], Vec<FileSum>)> {
    let mut tarball = TarballWriter::new(out, mtime);
    let mut sums = Vec::with_capacity(files.len());
    for rel in files {
        let file = std::fs::File::open(dir.join(rel))?;
        let len = file.metadata()?.len();
        let sha256 = tarball.append(rel, 0o644, len, file)?;
        sums.push(FileSum {
            path: rel.clone(),
            sha256,
        });
    }
    let (size, sha256) = tarball.finish()?;
    Ok((size, sha256, sums))
}
