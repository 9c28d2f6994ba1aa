//! The sha256 an operator expects a tarball to have: given as hex on the command line, or read
//! from a checksum file as published with the release (bare hex, `sha256sum` lines, or BSD
//! `SHA256 (name) = hex` lines; the line for the tarball is picked by file name).

use std::path::Path;

use super::error::BundleError;

/// Parses 64 hex digits (either case).
pub fn from_hex(text: &str, source_name: &str) -> Result<[u8; 32], BundleError> {
    parse_hex(text.trim()).ok_or_else(|| BundleError::ExpectedSha256 {
        source_name: source_name.to_string(),
        detail: format!("{:?} is not a sha256 (64 hex digits)", text.trim()),
    })
}

/// Picks the sha256 of `tarball_name` from a checksum file.
pub fn from_file(path: &Path, tarball_name: &str) -> Result<[u8; 32], BundleError> {
    let text = std::fs::read_to_string(path).map_err(|e| BundleError::read(path, e))?;
    let mut bare = Vec::new();
    let mut named = 0;
    for line in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if let Some(sum) = parse_hex(line) {
            bare.push(sum);
            continue;
        }
        if let Some((sum, name)) = parse_named(line) {
            named += 1;
            let base = name.rsplit('/').next().unwrap_or(name);
            if base == tarball_name {
                return parse_hex(sum).ok_or_else(|| BundleError::ExpectedSha256 {
                    source_name: path.display().to_string(),
                    detail: format!("the line for {tarball_name} has no valid sha256"),
                });
            }
        }
    }
    match (bare.as_slice(), named) {
        ([only], 0) => Ok(*only),
        _ => Err(BundleError::ExpectedSha256 {
            source_name: path.display().to_string(),
            detail: format!("no sha256 line for {tarball_name} in it"),
        }),
    }
}

/// `<hex>  name`, `<hex> *name` or `SHA256 (name) = <hex>`.
fn parse_named(line: &str) -> Option<(&str, &str)> {
    if let Some(rest) = line.strip_prefix("SHA256 (") {
        let (name, sum) = rest.rsplit_once(") = ")?;
        return Some((sum.trim(), name));
    }
    let (sum, name) = line.split_once(char::is_whitespace)?;
    let name = name.trim_start();
    Some((sum, name.strip_prefix('*').unwrap_or(name)))
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    if text.len() != 64 {
        return None;
    }
    let bytes = hex::decode(text.to_ascii_lowercase()).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TARBALL: &str = "go1.21.13.linux-amd64.tar.gz";

    fn pick(content: &str) -> Result<[u8; 32], BundleError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("SHA256SUMS");
        std::fs::write(&path, content).unwrap();
        from_file(&path, TARBALL)
    }

    #[test]
    fn the_line_for_the_tarball_is_picked() {
        let a = "a".repeat(64);
        let b = "B".repeat(64);
        assert_eq!(
            pick(&format!(
                "{a}  go1.22.10.linux-amd64.tar.gz\n{b}  {TARBALL}\n"
            ))
            .unwrap(),
            [0xbb; 32]
        );
        assert_eq!(pick(&format!("{b} *dl/{TARBALL}\n")).unwrap(), [0xbb; 32]);
        assert_eq!(
            pick(&format!("SHA256 ({TARBALL}) = {b}\n")).unwrap(),
            [0xbb; 32]
        );
        assert_eq!(pick(&format!("{b}\n")).unwrap(), [0xbb; 32]);
    }

    #[test]
    fn files_without_a_line_for_it_are_refused() {
        let a = "a".repeat(64);
        let err = pick(&format!("{a}  go1.22.10.linux-amd64.tar.gz\n"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("no sha256 line for go1.21.13.linux-amd64.tar.gz"),
            "{err}"
        );
        assert!(pick(&format!("{a}\n{a}\n")).is_err());
        assert!(pick("").is_err());
        assert!(from_hex("abc", "--sha256")
            .unwrap_err()
            .to_string()
            .contains("--sha256"));
    }
}
