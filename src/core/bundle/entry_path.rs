//! Turns a raw tarball entry name into the path it will have under the extraction directory,
//! or says why `tar -xzf` must never be given it.

use super::error::EntryProblem;

/// The normalized path of an entry: `go/…`, no `.` or empty components. `None` means the entry
/// is the extraction directory itself (`./`), which is harmless and carries no content.
pub fn normalize_entry(raw: &[u8]) -> Result<Option<String>, EntryProblem> {
    let text = std::str::from_utf8(raw).map_err(|_| EntryProblem::NotUtf8)?;
    if text.bytes().any(|b| matches!(b, b'\n' | b'\r' | b'\\' | 0)) {
        return Err(EntryProblem::UnusualCharacter);
    }
    if text.starts_with('/') {
        return Err(EntryProblem::Absolute);
    }
    let parts = components(text)?;
    match parts.first() {
        None => Ok(None),
        Some(&"go") => Ok(Some(parts.join("/"))),
        Some(_) => Err(EntryProblem::OutsideGo),
    }
}

/// The components of a relative path with `.` and empty ones dropped; `..` is refused.
fn components(text: &str) -> Result<Vec<&str>, EntryProblem> {
    let mut parts = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(EntryProblem::ParentDir),
            name => parts.push(name),
        }
    }
    Ok(parts)
}

/// A hard link names its target relative to the archive root, like an entry name.
pub fn normalize_hard_link_target(raw: &[u8]) -> Result<String, EntryProblem> {
    let shown = String::from_utf8_lossy(raw).into_owned();
    let escapes = || EntryProblem::HardLinkEscapes {
        target: shown.clone(),
    };
    match normalize_entry(raw) {
        Ok(Some(path)) if path != "go" => Ok(path),
        Ok(_) => Err(escapes()),
        Err(EntryProblem::NotUtf8) => Err(EntryProblem::NotUtf8),
        Err(_) => Err(escapes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_paths_normalize() {
        assert_eq!(
            normalize_entry(b"go/bin/go").unwrap().as_deref(),
            Some("go/bin/go")
        );
        assert_eq!(
            normalize_entry(b"./go//src/./x.go").unwrap().as_deref(),
            Some("go/src/x.go")
        );
        assert_eq!(normalize_entry(b"go/").unwrap().as_deref(), Some("go"));
        assert_eq!(normalize_entry(b"./").unwrap(), None);
    }

    #[test]
    fn unsafe_paths_are_refused() {
        assert_eq!(normalize_entry(b"/etc/passwd"), Err(EntryProblem::Absolute));
        assert_eq!(
            normalize_entry(b"go/../../etc/cron.d/x"),
            Err(EntryProblem::ParentDir)
        );
        assert_eq!(normalize_entry(b"go/src/.."), Err(EntryProblem::ParentDir));
        assert_eq!(normalize_entry(b"etc/passwd"), Err(EntryProblem::OutsideGo));
        assert_eq!(normalize_entry(b"gopher/x"), Err(EntryProblem::OutsideGo));
        assert_eq!(
            normalize_entry(b"go/a\nb"),
            Err(EntryProblem::UnusualCharacter)
        );
        assert_eq!(
            normalize_entry(b"go/a\\b"),
            Err(EntryProblem::UnusualCharacter)
        );
        assert_eq!(normalize_entry(b"go/\xff"), Err(EntryProblem::NotUtf8));
    }

    #[test]
    fn hard_link_targets_stay_inside() {
        assert_eq!(
            normalize_hard_link_target(b"go/bin/go").unwrap(),
            "go/bin/go"
        );
        for bad in [&b"/etc/shadow"[..], b"../x", b"etc/x", b"go", b"./"] {
            assert!(matches!(
                normalize_hard_link_target(bad),
                Err(EntryProblem::HardLinkEscapes { .. })
            ));
        }
    }
}
