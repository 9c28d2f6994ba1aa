//! Go versions in release order, for the table's sort and the header's version counts.

use std::cmp::Ordering;

/// A Go version's place in release order; versions that are not releases (`devel`) sort after
/// every release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum VersionKey {
    /// `(major, minor, patch, pre-release rank, pre-release number)`; a release sorts after
    /// its betas and release candidates.
    Release(u32, u32, u32, u8, u32),
    Other,
}

impl VersionKey {
    pub fn of(version: &str) -> Self {
        match release_key(version) {
            Some((a, b, c, d, e)) => VersionKey::Release(a, b, c, d, e),
            None => VersionKey::Other,
        }
    }
}

/// Go versions in release order: `go1.9` < `go1.10` < `go1.21rc1` < `go1.21.0` < `go1.21.13`.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    VersionKey::of(a)
        .cmp(&VersionKey::of(b))
        .then_with(|| a.cmp(b))
}

fn release_key(version: &str) -> Option<(u32, u32, u32, u8, u32)> {
    let rest = version.strip_prefix("go")?;
    let split = rest
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    let (numbers, pre) = rest.split_at(split);
    let mut parts = numbers.split('.').map(|p| p.parse::<u32>());
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    let (rank, n) = if pre.is_empty() {
        (2, 0)
    } else if let Some(n) = pre.strip_prefix("rc") {
        (1, n.parse().ok()?)
    } else if let Some(n) = pre.strip_prefix("beta") {
        (0, n.parse().ok()?)
    } else {
        return None;
    };
    Some((major, minor, patch, rank, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_in_release_order() {
        let mut v = vec![
            "go1.21.13",
            "go1.10",
            "devel",
            "go1.9.7",
            "go1.21rc1",
            "go1.21beta2",
            "go1.21.0",
        ];
        v.sort_by(|a, b| compare_versions(a, b));
        assert_eq!(
            v,
            [
                "go1.9.7",
                "go1.10",
                "go1.21beta2",
                "go1.21rc1",
                "go1.21.0",
                "go1.21.13",
                "devel"
            ]
        );
    }
}
