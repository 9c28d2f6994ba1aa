//! preflight_common.sh's `check_writable`, run by the real `sh`: a pre-flight says where a push
//! could not write without creating anything itself.

use std::process::Command;

use crate::core::remote::frame::PRELUDE;

const COMMON: &str = include_str!("scripts/preflight_common.sh");

/// The `not_writable` lines `check_writable` prints for `dirs`.
fn not_writable(dirs: &[&std::path::Path]) -> Vec<String> {
    let script = format!("{PRELUDE}\n{COMMON}\ncheck_writable \"$@\"\n");
    let out = Command::new("sh")
        .args(["-c", &script, "sh"])
        .args(dirs)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.strip_prefix("not_writable=").map(str::to_string))
        .collect()
}

#[test]
fn a_missing_directory_under_a_writable_one_is_writable_and_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let deep = dir.path().join("opt/offgo/releases");
    assert!(not_writable(&[&deep, dir.path()]).is_empty());
    assert!(
        !dir.path().join("opt").exists(),
        "the check created a directory"
    );
}

#[test]
fn a_file_or_a_dangling_link_in_the_way_is_not_writable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("file"), "").unwrap();
    std::os::unix::fs::symlink(dir.path().join("gone"), dir.path().join("link")).unwrap();
    let through_file = dir.path().join("file/releases");
    let through_link = dir.path().join("link/releases");
    let file = dir.path().join("file");
    let found = not_writable(&[&through_file, &through_link, &file]);
    assert_eq!(found.len(), 3, "{found:?}");
}
