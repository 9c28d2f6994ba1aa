//! The `.sha256sums` sidecar and the tree digest.
//!
//! Format: one line per regular file of the release tree (hard links included, with the
//! content of their target; directories and symlinks have no line), exactly as GNU
//! `sha256sum` prints it in text mode: 64 lowercase hex digits, two spaces, the path relative
//! to the directory holding `go/` (`go/bin/go`), `\n`. Lines are sorted by path in byte order
//! (`LC_ALL=C sort`). So `cd /opt/offgo/releases/go1.22.10 && sha256sum -c --quiet
//! go1.22.10.linux-amd64.sha256sums` checks an installed tree with nothing but coreutils.
//!
//! The **tree digest** is the sha256 of the `.sha256sums` file's bytes, as lowercase hex. It
//! pins every file's content and the exact set of file paths; the manifest records it and the
//! signature covers it.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::error::BundleError;

/// One regular file of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSum {
    pub path: String,
    pub sha256: [u8; 32],
}

/// Renders the sidecar from files in any order.
pub fn render(files: &mut [FileSum]) -> Vec<u8> {
    files.sort_unstable_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
    let mut out = Vec::with_capacity(files.len() * 100);
    for file in files.iter() {
        out.extend_from_slice(hex::encode(file.sha256).as_bytes());
        out.extend_from_slice(b"  ");
        out.extend_from_slice(file.path.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The tree digest of a sidecar's bytes.
pub fn tree_digest(sums: &[u8]) -> String {
    hex::encode(Sha256::digest(sums))
}

/// What a sidecar on disk holds, checked line by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SumsFile {
    pub file_count: u64,
    pub tree_digest: String,
}

/// Reads a sidecar, checking each line has the shape [`render`] writes and that the lines are
/// sorted and unique. The error names the line.
pub fn read(path: &Path) -> Result<SumsFile, BundleError> {
    let bytes = std::fs::read(path).map_err(|e| BundleError::read(path, e))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| BundleError::Sums {
        path: path.to_path_buf(),
        detail: "not UTF-8 text".into(),
    })?;
    if !text.is_empty() && !text.ends_with('\n') {
        return Err(BundleError::Sums {
            path: path.to_path_buf(),
            detail: "the last line has no newline (truncated?)".into(),
        });
    }
    let mut previous: Option<&str> = None;
    let mut count = 0u64;
    for (index, line) in text.lines().enumerate() {
        let bad = |what: &str| BundleError::Sums {
            path: path.to_path_buf(),
            detail: format!("line {}: {what}", index + 1),
        };
        let (hex_part, file) = line
            .split_once("  ")
            .ok_or_else(|| bad("expected `<sha256>  go/<path>`"))?;
        if !is_sha256_hex(hex_part) {
            return Err(bad("the checksum is not 64 lowercase hex digits"));
        }
        if !file.starts_with("go/") {
            return Err(bad("the path is not under go/"));
        }
        if previous.is_some_and(|p| p.as_bytes() >= file.as_bytes()) {
            return Err(bad("paths are not sorted and unique"));
        }
        previous = Some(file);
        count += 1;
    }
    Ok(SumsFile {
        file_count: count,
        tree_digest: tree_digest(&bytes),
    })
}

/// Reads the sidecar at `path` ([`read`]) and checks it is the list the manifest recorded:
/// its digest is `tree_digest` (which the signature covers) and it lists `file_count` files.
/// `bundle verify` and push both use this, so a list edited after signing is refused alike.
pub fn check(path: &Path, tree_digest: &str, file_count: u64) -> Result<SumsFile, BundleError> {
    let found = read(path)?;
    if found.tree_digest != tree_digest {
        return Err(BundleError::Sums {
            path: path.to_path_buf(),
            detail: format!(
                "has digest {}, the manifest's tree_digest is {tree_digest}: the file list changed since the bundle was built (or signed); rebuild the bundle from the official tarball",
                found.tree_digest
            ),
        });
    }
    if found.file_count != file_count {
        return Err(BundleError::Sums {
            path: path.to_path_buf(),
            detail: format!(
                "lists {} files, the manifest says {file_count}",
                found.file_count
            ),
        });
    }
    Ok(found)
}

pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_sorted_sha256sum_lines() {
        let mut files = vec![
            FileSum {
                path: "go/src/z.go".into(),
                sha256: [1; 32],
            },
            FileSum {
                path: "go/VERSION".into(),
                sha256: [0xab; 32],
            },
            FileSum {
                path: "go/bin/go".into(),
                sha256: [2; 32],
            },
        ];
        let text = String::from_utf8(render(&mut files)).unwrap();
        let paths: Vec<&str> = text.lines().map(|l| &l[66..]).collect();
        assert_eq!(paths, ["go/VERSION", "go/bin/go", "go/src/z.go"]);
        assert!(text.starts_with(&format!("{}  go/VERSION\n", "ab".repeat(32))));
    }

    #[test]
    fn reading_checks_each_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.sha256sums");
        let good = format!("{}  go/a\n{}  go/b\n", "0".repeat(64), "1".repeat(64));
        std::fs::write(&path, &good).unwrap();
        let sums = read(&path).unwrap();
        assert_eq!(
            sums,
            SumsFile {
                file_count: 2,
                tree_digest: tree_digest(good.as_bytes())
            }
        );
        for (bad, why) in [
            (
                format!("{}  go/b\n{}  go/a\n", "0".repeat(64), "1".repeat(64)),
                "line 2: paths are not sorted",
            ),
            (format!("{} go/a\n", "0".repeat(64)), "line 1: expected"),
            (
                format!("{}  go/a\n", "A".repeat(64)),
                "line 1: the checksum",
            ),
            (format!("{}  etc/a\n", "0".repeat(64)), "line 1: the path"),
            (format!("{}  go/a", "0".repeat(64)), "truncated"),
        ] {
            std::fs::write(&path, bad).unwrap();
            let err = read(&path).unwrap_err().to_string();
            assert!(err.contains(why), "{err}");
        }
    }
}
