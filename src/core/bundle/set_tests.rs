use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use super::*;
use crate::core::bundle::{build, BuildOptions};

/// Builds the bundle of a tiny release tree `goVERSION.linux-ARCH.tar.gz` in `dir`.
fn bundle(dir: &Path, version: &str, arch: &str, os: &str) {
    let name = format!("{version}.{os}-{arch}.tar.gz");
    let path = dir.join(&name);
    let file = std::fs::File::create(&path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut add = |entry: &str, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(data.len() as u64);
        header.set_mode(0o755);
        header.set_mtime(1_700_000_000);
        header.set_cksum();
        tar.append_data(&mut header, entry, data).unwrap();
    };
    add("go/VERSION", format!("{version}\ntime x\n").as_bytes());
    add("go/bin/go", arch.as_bytes());
    tar.into_inner().unwrap().finish().unwrap().flush().unwrap();
    build(&BuildOptions {
        tarball: path,
        expected_sha256: None,
        expected_size: None,
        out_dir: None,
        signing_key: None,
        created: SystemTime::UNIX_EPOCH,
        builder: "test".into(),
    })
    .unwrap();
}

#[test]
fn a_set_gives_each_host_the_bundle_of_its_arch() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "go1.22.10", "arm64", "linux");
    bundle(dir.path(), "go1.22.10", "amd64", "linux");
    let set = BundleSet::open(dir.path()).unwrap();
    assert_eq!(set.go_version(), "go1.22.10");
    assert_eq!(set.arches(), ["amd64", "arm64"]);
    assert_eq!(set.for_uname("aarch64").unwrap().arch(), "arm64");
    assert_eq!(set.for_uname("x86_64").unwrap().arch(), "amd64");
    assert!(set.for_uname("riscv64").is_none());
    assert_eq!(set.digest().len(), 64);

    // Another tarball for one arch is another set: a resume must notice.
    let before = set.digest().to_string();
    for f in std::fs::read_dir(dir.path()).unwrap() {
        let p = f.unwrap().path();
        if p.to_string_lossy().contains("arm64") {
            std::fs::remove_file(p).unwrap();
        }
    }
    bundle(dir.path(), "go1.22.10", "riscv64", "linux");
    bundle(dir.path(), "go1.22.10", "arm64", "linux");
    let again = BundleSet::open(dir.path()).unwrap();
    assert_eq!(again.arches(), ["amd64", "arm64", "riscv64"]);
    assert_ne!(again.digest(), before);
}

#[test]
fn a_set_of_two_versions_is_refused_naming_the_files() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "go1.22.10", "amd64", "linux");
    bundle(dir.path(), "go1.21.13", "arm64", "linux");
    let e = BundleSet::open(dir.path()).unwrap_err().to_string();
    assert!(e.contains("mixes Go versions"), "{e}");
    assert!(
        e.contains("go1.21.13.linux-arm64.offgo.toml is go1.21.13"),
        "{e}"
    );
    assert!(
        e.contains("go1.22.10.linux-amd64.offgo.toml is go1.22.10"),
        "{e}"
    );
}

#[test]
fn two_bundles_one_host_could_take_are_refused_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    bundle(dir.path(), "go1.22.10", "amd64", "linux");
    bundle(dir.path(), "go1.22.10", "armv6l", "linux");
    bundle(dir.path(), "go1.22.10", "arm", "linux");
    let e = BundleSet::open(dir.path()).unwrap_err().to_string();
    assert!(e.contains("two bundles for armv6l hosts"), "{e}");
    assert!(e.contains("go1.22.10.linux-arm.offgo.toml (arm)"), "{e}");
    assert!(
        e.contains("go1.22.10.linux-armv6l.offgo.toml (armv6l)"),
        "{e}"
    );

    let other = tempfile::tempdir().unwrap();
    bundle(other.path(), "go1.22.10", "arm64", "linux");
    bundle(other.path(), "go1.22.10", "arm64", "freebsd");
    let e = BundleSet::open(other.path()).unwrap_err().to_string();
    assert!(
        e.contains("go1.22.10.freebsd-arm64.offgo.toml is for freebsd"),
        "{e}"
    );
}

#[test]
fn an_empty_directory_or_a_broken_bundle_is_no_set() {
    let dir = tempfile::tempdir().unwrap();
    let e = BundleSet::open(dir.path()).unwrap_err();
    assert_eq!(e.kind(), "bundle_set");
    assert!(e.to_string().contains("no bundle in it"), "{e}");
    bundle(dir.path(), "go1.22.10", "amd64", "linux");
    bundle(dir.path(), "go1.22.10", "arm64", "linux");
    std::fs::remove_file(dir.path().join("go1.22.10.linux-arm64.sha256sums")).unwrap();
    let e = BundleSet::open(dir.path()).unwrap_err().to_string();
    assert!(e.contains("go1.22.10.linux-arm64.sha256sums"), "{e}");
}
