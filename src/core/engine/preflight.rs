//! Pre-flight of a push: what the host has and whether the bundle can go there, decided before
//! anything on the host changes.

use super::go_release::GoRelease;
use super::outcome::StepError;
use crate::core::bundle::goarch_matches_uname;
use crate::core::remote::ops::{key_values, value, values};
use crate::core::remote::probe::{
    parse_state, version_from_go_version, GoRootKind, GoVersion, OffgoState, StateRead,
};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    pub arch: String,
    pub missing_tools: Vec<String>,
    pub not_writable: Vec<String>,
    pub releases_free: Option<u64>,
    pub incoming_free: Option<u64>,
    pub incoming_same_fs: bool,
    pub go_root: GoRootKind,
    /// Size of a hand-installed go_root directory (it is copied into releases/ on adoption).
    pub go_root_bytes: Option<u64>,
    pub go_version: Option<String>,
    pub state: Option<OffgoState>,
    /// Release directories present, newest first.
    pub releases: Vec<String>,
    pub part_size: Option<u64>,
    pub part_sha256: Option<String>,
    pub tarball_size: Option<u64>,
    pub busy: Option<String>,
}

/// A host's KiB figure in bytes; one too big for bytes is unknown, like one that is no number.
fn kib(v: Option<&str>) -> Option<u64> {
    v.and_then(|s| s.trim().parse::<u64>().ok())
        .and_then(|k| k.checked_mul(1024))
}

/// The pre-flight script's output did not reach its end marker (the script died, or a login
/// script printed over it).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pre-flight output incomplete")]
pub struct PreflightIncomplete;

impl Preflight {
    pub fn parse(output: &[u8]) -> Result<Self, PreflightIncomplete> {
        let pairs = key_values(output);
        if value(&pairs, "offgo_preflight") != Some("1")
            || value(&pairs, "preflight_end") != Some("1")
        {
            return Err(PreflightIncomplete);
        }
        let go_root = match value(&pairs, "go_root_kind") {
            Some("symlink") => GoRootKind::Symlink {
                target: value(&pairs, "go_root_target").unwrap_or("").into(),
            },
            Some("dir") => GoRootKind::Directory,
            Some("other") => GoRootKind::Other,
            _ => GoRootKind::Missing,
        };
        let state = value(&pairs, "state_json").map(parse_state);
        let go_version = value(&pairs, "go_version_output")
            .and_then(version_from_go_version)
            .or_else(|| {
                value(&pairs, "go_version_file")
                    .and_then(GoVersion::from_version_file)
                    .map(|v| v.to_string())
            });
        Ok(Self {
            arch: value(&pairs, "arch").unwrap_or("").to_string(),
            missing_tools: values(&pairs, "missing_tool")
                .into_iter()
                .map(String::from)
                .collect(),
            not_writable: values(&pairs, "not_writable")
                .into_iter()
                .map(String::from)
                .collect(),
            releases_free: kib(value(&pairs, "releases_free_kb")),
            incoming_free: kib(value(&pairs, "incoming_free_kb")),
            incoming_same_fs: value(&pairs, "incoming_same_fs") == Some("1"),
            go_root_bytes: kib(value(&pairs, "go_root_kb")),
            go_version: if go_root == GoRootKind::Missing {
                None
            } else {
                go_version
            },
            go_root,
            state: match state {
                Some(StateRead::Parsed(s)) => Some(s),
                _ => None,
            },
            releases: values(&pairs, "release")
                .into_iter()
                .map(String::from)
                .collect(),
            part_size: value(&pairs, "part_size").and_then(|v| v.parse().ok()),
            part_sha256: value(&pairs, "part_sha256").map(String::from),
            tarball_size: value(&pairs, "tarball_size").and_then(|v| v.parse().ok()),
            busy: value(&pairs, "busy").map(String::from),
        })
    }

    /// The version active now: state.json's current, else what go_root's Go says.
    pub fn current_version(&self) -> Option<String> {
        self.state
            .as_ref()
            .and_then(|s| s.current.clone())
            .or_else(|| self.go_version.clone())
    }

    /// Everything that must hold before a host is touched.
    pub fn check(&self, bundle: &GoRelease) -> Result<(), StepError> {
        let refuse =
            |message: String, hint: &str| Err(StepError::refused("preflight", message, hint));
        if let Some(owner) = &self.busy {
            let holder = if owner.trim().is_empty() {
                "another offgo"
            } else {
                owner.trim()
            };
            return refuse(
                format!("host busy: locked by {holder}"),
                "wait for the other operator, then retry",
            );
        }
        if !goarch_matches_uname(&bundle.arch, &self.arch) {
            return refuse(
                format!(
                    "architecture mismatch: the bundle is {} but the host is {}",
                    bundle.arch, self.arch
                ),
                "build a bundle from the release for this host's architecture",
            );
        }
        if !self.missing_tools.is_empty() {
            return refuse(
                format!("the host lacks {}", self.missing_tools.join(", ")),
                "install them from the host's own package media (tar, gzip, coreutils, util-linux)",
            );
        }
        if !self.not_writable.is_empty() {
            return refuse(
                format!("not writable: {}", self.not_writable.join(", ")),
                "connect as a user who may write there (usually root), or change the path keys in the inventory",
            );
        }
        Ok(())
    }

    /// Free space for the upload still to send, the extracted tree and an adopted tree.
    pub fn check_space(&self, bundle: &GoRelease, resume_from: u64) -> Result<(), StepError> {
        let upload = bundle.size.saturating_sub(resume_from);
        // Saturating: sizes come from the host and the manifest; "more than there can be" is
        // what an overflow means here, and it must not wrap into "enough space".
        let tree = bundle
            .unpacked_estimate()
            .saturating_add(self.go_root_bytes.unwrap_or(0));
        let mib = |b: u64| b.div_ceil(1024 * 1024);
        let short = |need: u64, free: Option<u64>| free.is_some_and(|f| f < need);
        let (need_releases, need_incoming) = if self.incoming_same_fs {
            (upload.saturating_add(tree), 0)
        } else {
            (tree, upload)
        };
        if short(need_releases, self.releases_free) {
            return Err(StepError::refused(
                "preflight",
                format!(
                    "disk full: releases need {} MiB, {} MiB free",
                    mib(need_releases),
                    mib(self.releases_free.unwrap_or(0))
                ),
                "free space on the host (old releases beyond keep_releases, /tmp), then retry",
            ));
        }
        if short(need_incoming, self.incoming_free) {
            return Err(StepError::refused(
                "preflight",
                format!(
                    "disk full: the upload needs {} MiB, {} MiB free",
                    mib(need_incoming),
                    mib(self.incoming_free.unwrap_or(0))
                ),
                "free space under the host's state_dir, then retry",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle() -> GoRelease {
        GoRelease {
            version: "go1.22.10".into(),
            arch: "amd64".into(),
            tarball: "/b/go1.22.10.linux-amd64.tar.gz".into(),
            tarball_name: "go1.22.10.linux-amd64.tar.gz".into(),
            size: 70 << 20,
            sha256: "ab".into(),
            sums: "/b/go1.22.10.linux-amd64.sha256sums".into(),
            tree_digest: "cd".into(),
            file_count: 1,
            unpacked_size: Some(250 << 20),
        }
    }

    const OUT: &str = "offgo_preflight=1\narch=x86_64\nreleases_free_kb=1048576\nincoming_free_kb=1048576\n\
incoming_same_fs=1\ngo_root_kind=dir\ngo_root_kb=262144\ngo_version_output=go version go1.21.13 linux/amd64\n\
release=go1.21.13\nrelease=go1.20.1\npart_size=1000\npart_sha256=cafe\npreflight_end=1\n";

    #[test]
    fn parses_and_passes() {
        let p = Preflight::parse(OUT.as_bytes()).unwrap();
        assert_eq!(p.go_root, GoRootKind::Directory);
        assert_eq!(p.current_version().as_deref(), Some("go1.21.13"));
        assert_eq!(p.releases, vec!["go1.21.13", "go1.20.1"]);
        assert_eq!(
            (p.part_size, p.part_sha256.as_deref()),
            (Some(1000), Some("cafe"))
        );
        assert!(p.check(&bundle()).is_ok());
        assert!(p.check_space(&bundle(), 0).is_ok());
    }

    #[test]
    fn refusals_say_why() {
        let arm = Preflight::parse(OUT.replace("x86_64", "aarch64").as_bytes()).unwrap();
        let e = arm.check(&bundle()).unwrap_err();
        assert!(e
            .error
            .message
            .contains("architecture mismatch: the bundle is amd64 but the host is aarch64"));
        let full = Preflight::parse(
            OUT.replace("releases_free_kb=1048576", "releases_free_kb=20480")
                .as_bytes(),
        )
        .unwrap();
        let e = full.check_space(&bundle(), 0).unwrap_err();
        assert_eq!(
            e.error.message,
            "disk full: releases need 576 MiB, 20 MiB free"
        );
        let busy = Preflight::parse(
            OUT.replace("preflight_end", "busy=ana@jump since 04:00\npreflight_end")
                .as_bytes(),
        );
        assert!(busy
            .unwrap()
            .check(&bundle())
            .unwrap_err()
            .error
            .message
            .contains("host busy: locked by ana@jump"));
        let tools = Preflight::parse(
            OUT.replace("arch=x86_64", "arch=x86_64\nmissing_tool=flock")
                .as_bytes(),
        );
        assert!(tools
            .unwrap()
            .check(&bundle())
            .unwrap_err()
            .error
            .message
            .contains("lacks flock"));
    }

    #[test]
    fn incomplete_output_is_an_error() {
        assert!(Preflight::parse(b"offgo_preflight=1\narch=x86_64\n").is_err());
    }
}
