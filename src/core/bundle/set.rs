//! A bundle set: the bundles of one Go version for several `linux-ARCH`s, side by side in one
//! directory as `bundle build` writes them (DESIGN.md, "Bundle sets"). `--bundle DIR` pushes
//! each host the one for its `uname -m`.
//!
//! A set is refused when it opens, before any host is contacted, if it is not one release:
//! no bundle at all, a bundle that does not open, two Go versions, or two bundles of one arch
//! (which one a host would get would be a guess).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{
    find_bundles, goarch_matches_uname, Bundle, BundleError, SignatureStatus, TrustPolicy,
};
use crate::core::inventory::BundleSettings;

#[derive(Debug, Clone)]
pub struct BundleSet {
    dir: PathBuf,
    /// One per arch, sorted by arch name.
    bundles: Vec<Bundle>,
    digest: String,
}

impl BundleSet {
    /// Opens every Go release bundle in `dir` (see [`find_bundles`]) as one set.
    pub fn open(dir: &Path) -> Result<Self, BundleError> {
        let refuse = |detail: String| BundleError::Set {
            dir: dir.to_path_buf(),
            detail,
        };
        let mut bundles = Vec::new();
        for found in find_bundles(dir) {
            bundles.push(found?);
        }
        let Some(first) = bundles.first() else {
            return Err(refuse(
                "no bundle in it (a set is the …offgo.toml, tarball and sha256sums of each \
                 architecture, as `bundle build` writes them)"
                    .into(),
            ));
        };
        if let Some(other) = bundles
            .iter()
            .find(|b| b.go_version() != first.go_version())
        {
            return Err(refuse(format!(
                "it mixes Go versions: {} is {} but {} is {}; a set holds one version (move \
                 the other bundles to a directory of their own)",
                file_name(first.manifest_path()),
                first.go_version(),
                file_name(other.manifest_path()),
                other.go_version()
            )));
        }
        if let Some(other) = bundles.iter().find(|b| b.os() != "linux") {
            return Err(refuse(format!(
                "{} is for {}: a set holds the linux bundles of one version (move it to a \
                 directory of its own)",
                file_name(other.manifest_path()),
                other.os()
            )));
        }
        bundles.sort_by(|a, b| a.arch().cmp(b.arch()));
        if let Some((a, b, uname)) = overlap(&bundles) {
            return Err(refuse(format!(
                "two bundles for {uname} hosts: {} ({}) and {} ({}); keep one, or which one a \
                 host gets would be a guess",
                file_name(a.manifest_path()),
                a.arch(),
                file_name(b.manifest_path()),
                b.arch()
            )));
        }
        let digest = set_digest(&bundles);
        Ok(Self {
            dir: dir.to_path_buf(),
            bundles,
            digest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `go1.22.10`: every bundle's.
    pub fn go_version(&self) -> &str {
        self.bundles
            .first()
            .map(Bundle::go_version)
            .unwrap_or_default()
    }

    /// One bundle per arch, sorted by arch name; never empty.
    pub fn bundles(&self) -> &[Bundle] {
        &self.bundles
    }

    /// Go's names of the arches the set holds: `amd64, arm64`.
    pub fn arches(&self) -> Vec<&str> {
        self.bundles.iter().map(Bundle::arch).collect()
    }

    /// The bundle for a host whose `uname -m` is `uname_m`.
    pub fn for_uname(&self, uname_m: &str) -> Option<&Bundle> {
        self.bundles
            .iter()
            .find(|b| goarch_matches_uname(b.arch(), uname_m))
    }

    /// sha256 of the lines `ARCH SHA256`, one per bundle in arch order: the rollout journal
    /// records it so a resumed rollout pushes the very same tarballs (any one changed, added or
    /// removed changes it).
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

/// `uname -m` values a set's bundles are matched against: two bundles that both fit one of
/// them (the same arch twice, or aliases like `arm` and `armv6l`) make a set ambiguous.
const UNAMES: &[&str] = &[
    "x86_64",
    "aarch64",
    "i686",
    "armv6l",
    "armv7l",
    "armv8l",
    "ppc64le",
    "ppc64",
    "s390x",
    "riscv64",
    "loongarch64",
    "mips64",
    "mips",
];

fn overlap(bundles: &[Bundle]) -> Option<(&Bundle, &Bundle, String)> {
    for (i, a) in bundles.iter().enumerate() {
        for b in &bundles[i + 1..] {
            if a.arch() == b.arch() {
                return Some((a, b, a.arch().to_string()));
            }
            let both = UNAMES
                .iter()
                .find(|u| goarch_matches_uname(a.arch(), u) && goarch_matches_uname(b.arch(), u));
            if let Some(u) = both {
                return Some((a, b, (*u).to_string()));
            }
        }
    }
    None
}

/// Opens the set in `dir` and applies the trust policy of `settings` to every bundle in it (the
/// first refused one refuses the set, named in the error). The status returned is the weakest
/// of its bundles': unsigned if one is, else signed by an untrusted key if one is.
pub fn open_trusted_set(
    dir: &Path,
    settings: &BundleSettings,
) -> Result<(BundleSet, SignatureStatus), BundleError> {
    let set = BundleSet::open(dir)?;
    let policy = TrustPolicy::load(settings)?;
    let mut statuses = Vec::new();
    for bundle in set.bundles() {
        statuses.push(policy.judge(bundle)?);
    }
    let weakest = statuses
        .iter()
        .find(|s| matches!(s, SignatureStatus::Unsigned))
        .or_else(|| {
            statuses
                .iter()
                .find(|s| matches!(s, SignatureStatus::Signed { trusted: false, .. }))
        })
        .or(statuses.first())
        .cloned()
        .unwrap_or(SignatureStatus::Unsigned);
    Ok((set, weakest))
}

fn set_digest(bundles: &[Bundle]) -> String {
    let mut hasher = Sha256::new();
    for b in bundles {
        hasher.update(format!("{} {}\n", b.arch(), b.sha256()).as_bytes());
    }
    hex::encode(hasher.finalize())
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
