//! A Go release for several architectures: a bundle set (`core::bundle::BundleSet`) as the
//! engine pushes it. Each host gets the member for the arch its pre-flight reports; a host with
//! none is refused there, before anything on it changes.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::go_release::GoRelease;
use super::outcome::StepError;
use crate::core::bundle::{goarch_matches_uname, BundleSet};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoReleaseSet {
    /// `go1.22.10`: every member's.
    pub version: String,
    /// The set's directory: what `--bundle` named and the journal records.
    pub dir: PathBuf,
    /// One per arch, sorted by arch; never empty.
    pub releases: Vec<GoRelease>,
    /// Go's arch names, `amd64, arm64`: what the step lists say.
    pub arches: String,
    /// See `BundleSet::digest`: what a resumed rollout checks.
    pub digest: String,
    /// The biggest member's figures: what a plan must allow for on any host.
    pub size: u64,
    pub file_count: u64,
    pub unpacked_size: Option<u64>,
}

impl GoReleaseSet {
    /// The member for a host whose `uname -m` is `uname_m`.
    pub fn for_uname(&self, uname_m: &str) -> Option<&GoRelease> {
        self.releases
            .iter()
            .find(|r| goarch_matches_uname(&r.arch, uname_m))
    }

    /// The member for the host, or the pre-flight refusal that names what the set holds.
    pub fn pick(&self, uname_m: &str) -> Result<&GoRelease, StepError> {
        self.for_uname(uname_m).ok_or_else(|| {
            let arch = match uname_m.trim() {
                "" => "an architecture it did not report".to_string(),
                a => a.to_string(),
            };
            StepError::refused(
                "preflight",
                format!(
                    "architecture: the bundle set {} has no bundle for {arch} (it holds {})",
                    self.dir.display(),
                    self.arches
                ),
                "build the bundle of this release for the host's architecture into the set's directory, or leave the host out",
            )
        })
    }

    /// Each arch's tarball sha256: the rollout journal records them.
    pub fn sha256s(&self) -> BTreeMap<String, String> {
        self.releases
            .iter()
            .map(|r| (r.arch.clone(), r.sha256.clone()))
            .collect()
    }
}

impl From<&BundleSet> for GoReleaseSet {
    fn from(set: &BundleSet) -> Self {
        let releases: Vec<GoRelease> = set.bundles().iter().map(GoRelease::from).collect();
        let max = |f: fn(&GoRelease) -> u64| releases.iter().map(f).max().unwrap_or(0);
        Self {
            version: set.go_version().to_string(),
            dir: set.dir().to_path_buf(),
            arches: set.arches().join(", "),
            digest: set.digest().to_string(),
            size: max(|r| r.size),
            file_count: max(|r| r.file_count),
            unpacked_size: releases.iter().filter_map(|r| r.unpacked_size).max(),
            releases,
        }
    }
}
