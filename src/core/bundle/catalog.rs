//! go.dev's release list, saved on the connected side and carried across the gap with the
//! tarballs (`https://go.dev/dl/?mode=json&include=all`): the official size and sha256 of every
//! published file. `bundle build --catalog` refuses a tarball that is not in it exactly.
//!
//! The format is go.dev's, not ours: `[{"version", "stable", "files": [{"filename", "os",
//! "arch", "version", "sha256", "size", "kind"}]}]`. Keys it may add later are ignored.

use std::path::Path;

use serde::Deserialize;

use super::error::BundleError;
use super::name::ReleaseName;

#[derive(Debug, Deserialize)]
struct Release {
    version: String,
    #[serde(default)]
    stable: bool,
    #[serde(default)]
    files: Vec<File>,
}

#[derive(Debug, Deserialize)]
struct File {
    filename: String,
    #[serde(default)]
    os: String,
    #[serde(default)]
    arch: String,
    sha256: String,
    size: u64,
    #[serde(default)]
    kind: String,
}

/// What the catalog says of one tarball.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogEntry {
    pub sha256: [u8; 32],
    pub size: u64,
    /// Whether go.dev lists the release as stable (a release candidate is not).
    pub stable: bool,
}

/// The catalog's entry for `release` (its tarball name), checked for agreement with the name.
pub fn entry_for(path: &Path, release: &ReleaseName) -> Result<CatalogEntry, BundleError> {
    let fail = |detail: String| BundleError::Catalog {
        catalog: path.display().to_string(),
        detail,
    };
    let bytes = std::fs::read(path).map_err(|e| BundleError::read(path, e))?;
    let releases: Vec<Release> = serde_json::from_slice(&bytes).map_err(|e| {
        fail(format!(
            "not go.dev's release list (save https://go.dev/dl/?mode=json&include=all): line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })?;
    let name = release.tarball_name();
    // The list read, what it says of this tarball is the check's answer, not a usage error.
    let refuse = |detail: String| BundleError::NotAsCatalogued {
        tarball: name.clone(),
        catalog: path.display().to_string(),
        detail,
    };
    let mut found: Option<(CatalogEntry, &File)> = None;
    for r in &releases {
        for file in r.files.iter().filter(|f| f.filename == name) {
            let sha256 = parse_sha256(&file.sha256).ok_or_else(|| {
                refuse(format!(
                    "the entry for {name} has no valid sha256 ({:?})",
                    file.sha256
                ))
            })?;
            let entry = CatalogEntry {
                sha256,
                size: file.size,
                stable: r.stable,
            };
            match &found {
                Some((seen, _)) if *seen != entry => {
                    return Err(refuse(format!(
                        "it lists {name} twice with different sizes or sums: refetch it"
                    )))
                }
                Some(_) => {}
                None => {
                    if r.version != release.version {
                        return Err(refuse(format!(
                            "it lists {name} under release {}, not {}",
                            r.version, release.version
                        )));
                    }
                    found = Some((entry, file));
                }
            }
        }
    }
    let Some((entry, file)) = found else {
        return Err(refuse(format!(
            "{name} is not in it: not a published Go release, or the catalog is older than it \
             (save the list again on the connected side)"
        )));
    };
    let disagrees = |what: &str, listed: &str, named: &str| {
        refuse(format!(
            "its entry for {name} says {what} {listed}, the file name says {named}"
        ))
    };
    if !file.kind.is_empty() && file.kind != "archive" {
        return Err(refuse(format!(
            "its entry for {name} is a {:?}, not an archive",
            file.kind
        )));
    }
    if !file.os.is_empty() && file.os != release.os {
        return Err(disagrees("os", &file.os, &release.os));
    }
    if !file.arch.is_empty() && file.arch != release.arch {
        return Err(disagrees("arch", &file.arch, &release.arch));
    }
    Ok(entry)
}

fn parse_sha256(text: &str) -> Option<[u8; 32]> {
    let bytes = hex::decode(text.trim()).ok()?;
    bytes.try_into().ok()
}
