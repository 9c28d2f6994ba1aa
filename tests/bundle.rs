//! Bundle build / verify / keygen, end to end: the real go1.21.13 release checked with real
//! `tar` and `sha256sum`, and small crafted tarballs for every refusal.

#[path = "support/tarballs.rs"]
mod tarballs;

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Parser;
use offgo::cli::bundle::{execute, BundleCommand, Outcome};
use offgo::core::bundle::{self, Bundle, BundleError, SignatureStatus};
use tar::EntryType;
use tarballs::*;

/// Parses argv the way the binary does (`offgo-tui bundle …`) and runs it.
#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: BundleCommand,
}

fn run(args: &[&str]) -> Outcome {
    let cli = Cli::try_parse_from(std::iter::once("bundle").chain(args.iter().copied())).unwrap();
    execute(cli.command, false)
}

fn run_json(args: &[&str]) -> (u8, serde_json::Value) {
    let cli = Cli::try_parse_from(std::iter::once("bundle").chain(args.iter().copied())).unwrap();
    let out = execute(cli.command, true);
    (out.exit, serde_json::from_str(&out.stdout).unwrap())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn go_release(version: &str) -> PathBuf {
    let out = Command::new("scripts/go-release")
        .arg(version)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

fn sha256sum_of(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn check<'a>(report: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap()
}

const REAL: &str = "go1.21.13.linux-amd64";

#[test]
fn real_release_builds_and_its_tree_checks_with_coreutils() {
    let tarball = go_release("1.21.13");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("bundle");
    let published = work.path().join("SHA256SUMS");
    std::fs::write(
        &published,
        format!("{}  {REAL}.tar.gz\n", sha256sum_of(&tarball)),
    )
    .unwrap();

    let built = run(&[
        "build",
        s(&tarball),
        "--sha256-file",
        s(&published),
        "--out",
        s(&out),
    ]);
    assert_eq!(built.exit, 0, "{built:?}");
    assert_eq!(
        files_in(&out),
        [
            format!("{REAL}.offgo.toml"),
            format!("{REAL}.sha256sums"),
            format!("{REAL}.tar.gz")
        ]
    );

    // The sidecar checks the extracted tree with nothing but coreutils, from the parent of go/.
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let untar = Command::new("tar")
        .arg("-xzf")
        .arg(out.join(format!("{REAL}.tar.gz")))
        .arg("-C")
        .arg(&tree)
        .status()
        .unwrap();
    assert!(untar.success());
    let sums = out.join(format!("{REAL}.sha256sums"));
    let sha256sum_c = |tree: &Path| {
        Command::new("sha256sum")
            .args(["-c", "--quiet", "--strict"])
            .arg(&sums)
            .current_dir(tree)
            .output()
            .unwrap()
    };
    let checked = sha256sum_c(&tree);
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    let find = Command::new("find")
        .args(["go", "-type", "f"])
        .current_dir(&tree)
        .output()
        .unwrap();
    let regular_files = String::from_utf8(find.stdout).unwrap().lines().count();
    let bundle = Bundle::open(&out.join(format!("{REAL}.tar.gz"))).unwrap();
    assert_eq!(bundle.file_count(), regular_files as u64);
    assert_eq!(
        (bundle.go_version(), bundle.os(), bundle.arch()),
        ("go1.21.13", "linux", "amd64")
    );
    assert_eq!(bundle.sha256(), sha256sum_of(&tarball));
    assert_eq!(bundle.tree_digest(), sha256sum_of(&sums));
    assert_eq!(bundle.size(), std::fs::metadata(&tarball).unwrap().len());
    assert_eq!(bundle.signature_status(), &SignatureStatus::Unsigned);

    // ... and it notices a changed file in the installed tree.
    std::fs::write(tree.join("go/src/fmt/print.go"), "package fmt\n").unwrap();
    assert!(!sha256sum_c(&tree).status.success());

    let (exit, report) = run_json(&["verify", s(&out.join(format!("{REAL}.offgo.toml")))]);
    assert_eq!(exit, 0, "{report}");
    assert_eq!(report["ok"], true);
    let names: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "manifest",
            "tarball size",
            "tarball sha256",
            "sha256sums",
            "signature"
        ]
    );

    // One flipped byte in the middle of the tarball: same size, different sha256.
    let copy = out.join(format!("{REAL}.tar.gz"));
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&copy, bytes).unwrap();
    let (exit, report) = run_json(&["verify", s(&copy)]);
    assert_eq!(exit, 1, "{report}");
    assert_eq!(check(&report, "tarball sha256")["ok"], false);
    assert_eq!(check(&report, "tarball size")["ok"], true);
    assert!(check(&report, "tarball sha256")["detail"]
        .as_str()
        .unwrap()
        .contains("sha256"));
    let text = run(&["verify", s(&copy)]);
    assert!(
        text.stdout.contains("FAIL  tarball sha256"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_tarball_with_the_wrong_sha256_is_refused_and_nothing_is_written() {
    let tarball = go_release("1.21.13");
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("bundle");
    let wrong = "0".repeat(64);
    let refused = run(&["build", s(&tarball), "--sha256", &wrong, "--out", s(&out)]);
    assert_eq!(refused.exit, 1, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains(&format!("sha256 is {}", sha256sum_of(&tarball))),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains(&wrong));
    assert!(
        files_in(&out).is_empty(),
        "left behind: {:?}",
        files_in(&out)
    );
}

/// Builds a crafted tarball in its own directory and returns (exit, stderr, files left there).
fn build_crafted(name: &str, entries: &[Entry]) -> (u8, String, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let tarball = write_tarball(dir.path(), name, entries);
    let out = run(&["build", s(&tarball)]);
    (out.exit, out.stderr, files_in(dir.path()))
}

const NAME: &str = "go1.99.0.linux-amd64.tar.gz";

fn with(extra: Vec<Entry>) -> Vec<Entry> {
    let mut entries = release_tree("go1.99.0");
    entries.extend(extra);
    entries
}

#[test]
fn a_crafted_release_tree_builds_with_safe_links() {
    let dir = tempfile::tempdir().unwrap();
    let entries = with(vec![
        symlink("go/bin/gofmt", "go"),
        symlink("go/misc", "src"),
        hard_link("go/bin/go2", "go/bin/go"),
        directory("./"),
    ]);
    let tarball = write_tarball(dir.path(), NAME, &entries);
    let out = run(&["build", s(&tarball), "--sha256", &sha256sum_of(&tarball)]);
    assert_eq!(out.exit, 0, "{out:?}");
    assert!(out.stderr.is_empty(), "{}", out.stderr);
    let sums = std::fs::read_to_string(dir.path().join("go1.99.0.linux-amd64.sha256sums")).unwrap();
    let paths: Vec<&str> = sums.lines().map(|l| &l[66..]).collect();
    assert_eq!(
        paths,
        ["go/VERSION", "go/bin/go", "go/bin/go2", "go/src/fmt.go"]
    );
    let tree = dir.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    assert!(Command::new("tar")
        .arg("-xzf")
        .arg(&tarball)
        .arg("-C")
        .arg(&tree)
        .status()
        .unwrap()
        .success());
    let checked = Command::new("sha256sum")
        .arg("-c")
        .arg(dir.path().join("go1.99.0.linux-amd64.sha256sums"))
        .current_dir(&tree)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
    assert_eq!(run(&["verify", s(&tarball)]).exit, 0);
}

#[test]
fn unsafe_entries_are_refused_naming_the_entry() {
    let cases: Vec<(Vec<Entry>, &str, &str)> = vec![
        (
            with(vec![file("/etc/cron.d/evil", "x")]),
            "/etc/cron.d/evil",
            "absolute path",
        ),
        (
            with(vec![file("go/../../etc/passwd", "x")]),
            "go/../../etc/passwd",
            "`..`",
        ),
        (
            with(vec![file("etc/profile.d/evil.sh", "x")]),
            "etc/profile.d/evil.sh",
            "outside the top directory",
        ),
        (
            with(vec![symlink("go/bin/sh", "/bin/sh")]),
            "go/bin/sh",
            "points outside the tree",
        ),
        (
            with(vec![symlink("go/src/up", "../../..")]),
            "go/src/up",
            "points outside the tree",
        ),
        (
            with(vec![symlink("go/self", "."), symlink("go/d", "self/../x")]),
            "go/d",
            "points outside the tree",
        ),
        (
            with(vec![hard_link("go/bin/shadow", "etc/shadow")]),
            "go/bin/shadow",
            "outside the tree",
        ),
        (
            with(vec![hard_link("go/bin/up", "../x")]),
            "go/bin/up",
            "outside the tree",
        ),
        (
            with(vec![hard_link("go/bin/ghost", "go/bin/nothing")]),
            "go/bin/ghost",
            "not a regular file earlier",
        ),
        (
            with(vec![special("go/dev/null", EntryType::Char)]),
            "go/dev/null",
            "device node",
        ),
        (
            with(vec![special("go/dev/sda", EntryType::Block)]),
            "go/dev/sda",
            "device node",
        ),
        (
            with(vec![special("go/pipe", EntryType::Fifo)]),
            "go/pipe",
            "FIFO",
        ),
        (
            with(vec![symlink("go/lib", "src"), file("go/lib/evil", "x")]),
            "go/lib/evil",
            "is a symlink",
        ),
        (
            with(vec![file("go/bin/go", "again")]),
            "go/bin/go",
            "appears twice",
        ),
    ];
    for (entries, entry, why) in cases {
        let (exit, stderr, left) = build_crafted(NAME, &entries);
        assert_eq!(exit, 1, "{entry}: {stderr}");
        assert!(
            stderr.contains(&format!("entry `{entry}`")) && stderr.contains(why),
            "{entry}: {stderr}"
        );
        assert_eq!(left, [NAME], "{entry}: nothing may be written");
    }
}

#[test]
fn a_version_file_that_disagrees_with_the_name_is_refused() {
    let (exit, stderr, left) =
        build_crafted("go1.21.13.linux-amd64.tar.gz", &release_tree("go1.22.0"));
    assert_eq!(exit, 1);
    assert!(
        stderr.contains("entry `go/VERSION` says \"go1.22.0\"") && stderr.contains("go1.21.13"),
        "{stderr}"
    );
    assert_eq!(left, ["go1.21.13.linux-amd64.tar.gz"]);
    let no_version: Vec<Entry> = release_tree("go1.99.0")
        .into_iter()
        .filter(|e| e.path != b"go/VERSION")
        .collect();
    let (exit, stderr, _) = build_crafted(NAME, &no_version);
    assert_eq!(exit, 1);
    assert!(stderr.contains("no `go/VERSION`"), "{stderr}");
}

#[test]
fn names_that_are_not_release_names_are_refused() {
    for name in [
        "go-latest.tar.gz",
        "go1.99.0.linux-amd64.tgz",
        "go1.99.0.tar.gz",
        "release.tar.gz",
    ] {
        let (exit, stderr, _) = build_crafted(name, &release_tree("go1.99.0"));
        assert_eq!(exit, 2, "{name}");
        assert!(
            stderr.contains(name) && stderr.contains("goX.Y.Z.OS-ARCH.tar.gz"),
            "{stderr}"
        );
    }
}

#[test]
fn files_that_are_not_complete_gzip_tar_archives_are_refused() {
    let good = gzip(&tar_bytes(&release_tree("go1.99.0")));
    let not_tar = gzip(&b"just some text, not a tar archive at all\n".repeat(50));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain tar", tar_bytes(&release_tree("go1.99.0"))),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("no gzip trailer", good[..good.len() - 4].to_vec()),
        ("not tar", not_tar),
        ("trailing junk", [good.clone(), b"junk".to_vec()].concat()),
        ("empty", vec![]),
    ];
    for (what, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        let tarball = dir.path().join(NAME);
        std::fs::write(&tarball, bytes).unwrap();
        let out = run(&["build", s(&tarball)]);
        assert_eq!(out.exit, 1, "{what}: {out:?}");
        assert!(
            out.stderr.contains(&format!("refusing {NAME}")),
            "{what}: {}",
            out.stderr
        );
        assert_eq!(files_in(dir.path()), [NAME], "{what}");
    }
    // `tar -xzf` reads every gzip member as one stream, up to the tar end marker: entries in a
    // second member count unless the first one already ended the archive.
    let evil = gzip(&tar_bytes(&[file("go/../../etc/x", "x")]));
    let first = tar_bytes(&release_tree("go1.99.0"));
    let unterminated = &first[..first.len() - 1024];
    for (lead, refused) in [(&first[..], false), (unterminated, true)] {
        let dir = tempfile::tempdir().unwrap();
        let tarball = dir.path().join(NAME);
        std::fs::write(&tarball, [gzip(lead), evil.clone()].concat()).unwrap();
        let listed = Command::new("tar")
            .arg("-tzf")
            .arg(&tarball)
            .output()
            .unwrap();
        let gnu_tar_sees_it = String::from_utf8_lossy(&listed.stdout).contains("etc/x");
        assert_eq!(gnu_tar_sees_it, refused, "the test's premise about GNU tar");
        let out = run(&["build", s(&tarball)]);
        assert_eq!(out.exit, if refused { 1 } else { 0 }, "{out:?}");
        assert_eq!(
            out.stderr.contains("entry `go/../../etc/x`"),
            refused,
            "{}",
            out.stderr
        );
    }
}

#[test]
fn the_sha256_file_may_list_other_releases() {
    let dir = tempfile::tempdir().unwrap();
    let tarball = write_tarball(dir.path(), NAME, &release_tree("go1.99.0"));
    let list = dir.path().join("SHA256SUMS");
    let sum = sha256sum_of(&tarball);
    std::fs::write(
        &list,
        format!(
            "{}  go1.98.0.linux-amd64.tar.gz\n{sum}  {NAME}\n",
            "1".repeat(64)
        ),
    )
    .unwrap();
    assert_eq!(
        run(&["build", s(&tarball), "--sha256-file", s(&list)]).exit,
        0
    );
    std::fs::write(
        &list,
        format!("{}  go1.98.0.linux-amd64.tar.gz\n", "1".repeat(64)),
    )
    .unwrap();
    let out = run(&["build", s(&tarball), "--sha256-file", s(&list)]);
    assert_eq!(out.exit, 2);
    assert!(
        out.stderr.contains(&format!("no sha256 line for {NAME}")),
        "{}",
        out.stderr
    );
}

#[test]
fn missing_inputs_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join(NAME);
    let out = run(&["build", s(&missing)]);
    assert_eq!(out.exit, 2, "{out:?}");
    assert!(out.stderr.contains(s(&missing)));
    assert_eq!(
        run(&[
            "verify",
            s(&dir.path().join("go1.99.0.linux-amd64.offgo.toml"))
        ])
        .exit,
        2
    );
    assert_eq!(run(&["verify", s(&dir.path().join("notes.txt"))]).exit, 2);
    let (exit, value) = run_json(&["build", s(&missing)]);
    assert_eq!(
        (exit, value["ok"].as_bool(), value["error_kind"].as_str()),
        (2, Some(false), Some("read"))
    );
}

/// A small signed bundle: (scratch dir, manifest path, key pair).
fn signed_bundle() -> (tempfile::TempDir, PathBuf, bundle::KeyPair) {
    let dir = tempfile::tempdir().unwrap();
    let keys = run_json(&["keygen", s(&dir.path().join("keys"))]);
    assert_eq!(keys.0, 0, "{}", keys.1);
    let pair = bundle::KeyPair {
        private_path: PathBuf::from(keys.1["private_key"].as_str().unwrap()),
        public_path: PathBuf::from(keys.1["public_key_file"].as_str().unwrap()),
        public_key: bundle::PublicKey::from_base64(keys.1["public_key"].as_str().unwrap()).unwrap(),
    };
    let tarball = write_tarball(dir.path(), NAME, &release_tree("go1.99.0"));
    let built = run(&["build", s(&tarball), "--sign", s(&pair.private_path)]);
    assert_eq!(built.exit, 0, "{built:?}");
    (
        dir,
        tarball.with_file_name("go1.99.0.linux-amd64.offgo.toml"),
        pair,
    )
}

#[test]
fn signed_bundles_verify_against_trusted_keys() {
    let (dir, manifest, pair) = signed_bundle();
    let (exit, report) = run_json(&[
        "verify",
        s(&manifest),
        "--trusted-keys",
        s(&pair.public_path),
        "--require-signed",
    ]);
    assert_eq!(exit, 0, "{report}");
    assert!(check(&report, "signature")["detail"]
        .as_str()
        .unwrap()
        .contains("trusted key"));
    let bundle = Bundle::open(&manifest).unwrap();
    assert_eq!(
        bundle.check_signature(&[pair.public_key], true).unwrap(),
        SignatureStatus::Signed {
            key: pair.public_key,
            trusted: true
        }
    );

    // Signed, but by someone else.
    let other = run_json(&["keygen", s(&dir.path().join("other"))]).1;
    let other_pub = other["public_key_file"].as_str().unwrap();
    let (exit, report) = run_json(&["verify", s(&manifest), "--trusted-keys", other_pub]);
    assert_eq!(exit, 1);
    assert!(check(&report, "signature")["detail"]
        .as_str()
        .unwrap()
        .contains("not one of the trusted keys"));
    let other_key = bundle::read_public_keys(Path::new(other_pub)).unwrap();
    assert!(matches!(
        bundle.check_signature(&other_key, false),
        Err(BundleError::UntrustedKey { .. })
    ));
    assert!(matches!(
        bundle.check_signature(&[], true),
        Err(BundleError::NoTrustedKeys)
    ));
}

#[test]
fn a_tampered_signed_manifest_fails_its_signature_check() {
    let (_dir, manifest, pair) = signed_bundle();
    let text = std::fs::read_to_string(&manifest).unwrap();
    let tampered = text.replace("file_count = 3", "file_count = 4");
    assert_ne!(text, tampered);
    std::fs::write(&manifest, tampered).unwrap();
    let (exit, report) = run_json(&[
        "verify",
        s(&manifest),
        "--trusted-keys",
        s(&pair.public_path),
    ]);
    assert_eq!(exit, 1);
    assert_eq!(check(&report, "signature")["ok"], false, "{report}");
    assert!(check(&report, "signature")["detail"]
        .as_str()
        .unwrap()
        .contains("does not match the manifest"));
    let bundle = Bundle::open(&manifest).unwrap();
    let err = bundle
        .check_signature(&[pair.public_key], false)
        .unwrap_err();
    assert!(matches!(err, BundleError::SignatureInvalid { .. }), "{err}");
    assert!(err.to_string().contains("go1.99.0.linux-amd64.offgo.toml"));

    // A flipped signature alone fails only the signature check.
    std::fs::write(&manifest, &text).unwrap();
    let value_line = text.lines().find(|l| l.starts_with("value = \"")).unwrap();
    let mut chars: Vec<char> = value_line.chars().collect();
    chars[12] = if chars[12] == 'A' { 'B' } else { 'A' };
    let flipped_value: String = chars.into_iter().collect();
    std::fs::write(&manifest, text.replace(value_line, &flipped_value)).unwrap();
    let (exit, report) = run_json(&["verify", s(&manifest)]);
    assert_eq!(exit, 1);
    let failed: Vec<&str> = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["ok"] == false)
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(failed, ["signature"], "{report}");
}

#[test]
fn unsigned_bundles_are_refused_when_a_signature_is_required() {
    let dir = tempfile::tempdir().unwrap();
    let tarball = write_tarball(dir.path(), NAME, &release_tree("go1.99.0"));
    assert_eq!(run(&["build", s(&tarball)]).exit, 0);
    let pair = bundle::keygen(&dir.path().join("keys"), "test").unwrap();
    let bundle = Bundle::open(&tarball).unwrap();
    assert_eq!(
        bundle.check_signature(&[pair.public_key], false).unwrap(),
        SignatureStatus::Unsigned
    );
    let err = bundle
        .check_signature(&[pair.public_key], true)
        .unwrap_err();
    assert!(matches!(err, BundleError::Unsigned { .. }), "{err}");
    let out = run(&[
        "verify",
        s(&tarball),
        "--require-signed",
        "--trusted-keys",
        s(&pair.public_path),
    ]);
    assert_eq!(out.exit, 1);
    assert!(
        out.stdout.contains("FAIL  signature")
            && out.stdout.contains("unsigned, and a signature is required"),
        "{}",
        out.stdout
    );
}

#[test]
fn keygen_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(&["keygen", s(dir.path())]).exit, 0);
    let before = std::fs::read(dir.path().join("offgo-bundle.key")).unwrap();
    let again = run(&["keygen", s(dir.path())]);
    assert_eq!(again.exit, 2);
    assert!(
        again.stderr.contains("offgo-bundle.key already exists"),
        "{}",
        again.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("offgo-bundle.key")).unwrap(),
        before
    );
}

#[test]
fn a_changed_sums_file_or_resized_tarball_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let tarball = write_tarball(dir.path(), NAME, &release_tree("go1.99.0"));
    assert_eq!(run(&["build", s(&tarball)]).exit, 0);
    let sums = dir.path().join("go1.99.0.linux-amd64.sha256sums");
    let original = std::fs::read_to_string(&sums).unwrap();
    std::fs::write(&sums, original.replacen('0', "1", 1).replacen('a', "b", 1)).unwrap();
    let (exit, report) = run_json(&["verify", s(&tarball)]);
    assert_eq!(exit, 1);
    assert!(
        check(&report, "sha256sums")["detail"]
            .as_str()
            .unwrap()
            .contains("tree_digest"),
        "{report}"
    );
    std::fs::write(&sums, original).unwrap();
    let mut bytes = std::fs::read(&tarball).unwrap();
    bytes.push(0);
    std::fs::write(&tarball, bytes).unwrap();
    let (exit, report) = run_json(&["verify", s(&tarball)]);
    assert_eq!(exit, 1);
    assert_eq!(check(&report, "tarball size")["ok"], false);
    assert!(Bundle::open(&tarball)
        .unwrap_err()
        .to_string()
        .contains("bytes but the manifest says"));
}

#[test]
fn find_bundles_lists_every_manifest_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    for version in ["go1.21.13", "go1.9.2", "go1.22.0"] {
        let tarball = write_tarball(
            dir.path(),
            &format!("{version}.linux-amd64.tar.gz"),
            &release_tree(version),
        );
        assert_eq!(run(&["build", s(&tarball)]).exit, 0);
    }
    std::fs::write(
        dir.path().join("go1.30.0.linux-amd64.offgo.toml"),
        "not = [valid",
    )
    .unwrap();
    let found = bundle::find_bundles(dir.path());
    let versions: Vec<String> = found
        .iter()
        .map(|b| match b {
            Ok(b) => b.go_version().to_string(),
            Err(e) => format!("error: {}", e.kind()),
        })
        .collect();
    assert_eq!(
        versions,
        ["go1.9.2", "go1.21.13", "go1.22.0", "error: manifest"]
    );
    assert_eq!(bundle::find_bundles(&dir.path().join("none")).len(), 1);
}
