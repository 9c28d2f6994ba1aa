//! The official release file name, `goX.Y.Z.OS-ARCH.tar.gz`, and the sidecar names derived
//! from it.

use super::error::BundleError;

const TARBALL_SUFFIX: &str = ".tar.gz";
const MANIFEST_SUFFIX: &str = ".offgo.toml";
const SUMS_SUFFIX: &str = ".sha256sums";

/// What a release file name says: `go1.22.10.linux-amd64.tar.gz` is version `go1.22.10`, os
/// `linux`, arch `amd64`. Also accepted, as Go publishes them: `go1.20.linux-amd64.tar.gz` (no
/// patch number) and pre-releases such as `go1.23rc1` or `go1.21beta2`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseName {
    pub version: String,
    pub os: String,
    pub arch: String,
}

impl ReleaseName {
    /// Parses a tarball file name (no directory part).
    pub fn from_tarball_name(name: &str) -> Result<Self, BundleError> {
        let bad = || BundleError::BadName {
            name: name.to_string(),
        };
        let stem = name.strip_suffix(TARBALL_SUFFIX).ok_or_else(bad)?;
        Self::from_stem(stem).ok_or_else(bad)
    }

    /// Parses a manifest file name, `goX.Y.Z.OS-ARCH.offgo.toml`.
    pub fn from_manifest_name(name: &str) -> Result<Self, BundleError> {
        let bad = || BundleError::BadName {
            name: name.to_string(),
        };
        let stem = name.strip_suffix(MANIFEST_SUFFIX).ok_or_else(bad)?;
        Self::from_stem(stem).ok_or_else(bad)
    }

    fn from_stem(stem: &str) -> Option<Self> {
        let (version, platform) = stem.rsplit_once('.')?;
        let (os, arch) = platform.split_once('-')?;
        let word = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        if !valid_version(version) || !word(os) || !word(arch) {
            return None;
        }
        Some(Self {
            version: version.to_string(),
            os: os.to_string(),
            arch: arch.to_string(),
        })
    }

    fn stem(&self) -> String {
        format!("{}.{}-{}", self.version, self.os, self.arch)
    }

    pub fn tarball_name(&self) -> String {
        self.stem() + TARBALL_SUFFIX
    }

    pub fn manifest_name(&self) -> String {
        self.stem() + MANIFEST_SUFFIX
    }

    pub fn sums_name(&self) -> String {
        self.stem() + SUMS_SUFFIX
    }

    /// Orders releases the way people do: go1.9 < go1.21rc1 < go1.21.0 < go1.21.13.
    pub fn version_key(&self) -> (Vec<u64>, u8, u64) {
        version_key(&self.version)
    }
}

/// `go` then `X.Y` or `X.Y.Z`, optionally followed by `rcN` or `betaN` (only after `X.Y`).
fn valid_version(version: &str) -> bool {
    let Some(rest) = version.strip_prefix("go") else {
        return false;
    };
    let (numbers, pre) = split_prerelease(rest);
    let parts: Vec<&str> = numbers.split('.').collect();
    let numeric = |s: &&str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let count_ok = match pre {
        Some(_) => parts.len() == 2,
        None => parts.len() == 2 || parts.len() == 3,
    };
    count_ok && parts.iter().all(numeric) && pre.is_none_or(|(_, n)| numeric(&n))
}

fn split_prerelease(rest: &str) -> (&str, Option<(&str, &str)>) {
    for tag in ["rc", "beta"] {
        if let Some((numbers, n)) = rest.split_once(tag) {
            return (numbers, Some((tag, n)));
        }
    }
    (rest, None)
}

fn version_key(version: &str) -> (Vec<u64>, u8, u64) {
    let rest = version.strip_prefix("go").unwrap_or(version);
    let (numbers, pre) = split_prerelease(rest);
    let nums = numbers.split('.').map(|n| n.parse().unwrap_or(0)).collect();
    match pre {
        Some(("beta", n)) => (nums, 0, n.parse().unwrap_or(0)),
        Some((_, n)) => (nums, 1, n.parse().unwrap_or(0)),
        None => (nums, 2, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_names_parse() {
        let r = ReleaseName::from_tarball_name("go1.22.10.linux-amd64.tar.gz").unwrap();
        assert_eq!(
            (r.version.as_str(), r.os.as_str(), r.arch.as_str()),
            ("go1.22.10", "linux", "amd64")
        );
        assert_eq!(r.manifest_name(), "go1.22.10.linux-amd64.offgo.toml");
        assert_eq!(r.sums_name(), "go1.22.10.linux-amd64.sha256sums");
        for ok in [
            "go1.20.linux-arm64.tar.gz",
            "go1.23rc1.linux-386.tar.gz",
            "go1.21beta2.darwin-arm64.tar.gz",
            "go1.21.0.linux-armv6l.tar.gz",
        ] {
            assert!(ReleaseName::from_tarball_name(ok).is_ok(), "{ok}");
        }
    }

    #[test]
    fn other_names_are_refused() {
        for bad in [
            "go1.22.10.linux-amd64.tgz",
            "go1.22.10.linux-amd64.zip",
            "go-latest.tar.gz",
            "go1.22.10.tar.gz",
            "go1.22.10.linux.tar.gz",
            "go1.22.10.linux-amd64-extra.tar.gz",
            "go1.22.10.Linux-amd64.tar.gz",
            "go1.linux-amd64.tar.gz",
            "go1.2.3.4.linux-amd64.tar.gz",
            "go1.22.1rc1.linux-amd64.tar.gz",
            "go1.22rc.linux-amd64.tar.gz",
            "../go1.22.10.linux-amd64.tar.gz",
            "go1.22.10.linux-amd64 .tar.gz",
        ] {
            let err = ReleaseName::from_tarball_name(bad).unwrap_err();
            assert!(err.to_string().contains(bad), "{bad}: {err}");
        }
    }

    #[test]
    fn versions_order_like_people_expect() {
        let mut v = [
            "go1.21.13",
            "go1.9",
            "go1.21.0",
            "go1.21rc1",
            "go1.21beta2",
            "go1.22.10",
            "go1.21.2",
        ];
        v.sort_by_key(|s| version_key(s));
        assert_eq!(
            v,
            [
                "go1.9",
                "go1.21beta2",
                "go1.21rc1",
                "go1.21.0",
                "go1.21.2",
                "go1.21.13",
                "go1.22.10"
            ]
        );
    }
}
