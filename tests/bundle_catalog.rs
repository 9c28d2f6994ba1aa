//! `bundle build --catalog FILE`: go.dev's release list, saved on the connected side, is the
//! official word on each tarball's name, size and sha256. A tarball that differs in any of them,
//! or is not listed, is refused and nothing is written. The catalog here is written by the test
//! in go.dev's exact format (`/dl/?mode=json&include=all`).

#[allow(dead_code)]
#[path = "support/tarballs.rs"]
mod tarballs;

use std::path::Path;

use clap::Parser;
use offgo::cli::bundle::{execute, BundleCommand, Outcome};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tarballs::*;

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: BundleCommand,
}

fn run(args: &[&str], as_json: bool) -> Outcome {
    let cli = Cli::try_parse_from(std::iter::once("bundle").chain(args.iter().copied())).unwrap();
    execute(cli.command, as_json)
}

const NAME: &str = "go1.99.0.linux-amd64.tar.gz";

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// go.dev's list with `NAME` at `size` and `sha256`, among other files and releases.
fn catalog(sha256: &str, size: u64, stable: bool) -> Value {
    json!([
        {
            "version": "go1.99.0",
            "stable": stable,
            "files": [
                {"filename": "go1.99.0.src.tar.gz", "os": "", "arch": "", "version": "go1.99.0",
                 "sha256": "1".repeat(64), "size": 27_000_000, "kind": "source"},
                {"filename": "go1.99.0.darwin-arm64.tar.gz", "os": "darwin", "arch": "arm64",
                 "version": "go1.99.0", "sha256": "2".repeat(64), "size": 65_000_000, "kind": "archive"},
                {"filename": NAME, "os": "linux", "arch": "amd64", "version": "go1.99.0",
                 "sha256": sha256, "size": size, "kind": "archive"},
                {"filename": "go1.99.0.windows-amd64.msi", "os": "windows", "arch": "amd64",
                 "version": "go1.99.0", "sha256": "3".repeat(64), "size": 60_000_000, "kind": "installer"}
            ]
        },
        {
            "version": "go1.98.5",
            "stable": true,
            "files": [
                {"filename": "go1.98.5.linux-amd64.tar.gz", "os": "linux", "arch": "amd64",
                 "version": "go1.98.5", "sha256": "4".repeat(64), "size": 64_000_000, "kind": "archive"}
            ]
        }
    ])
}

struct Case {
    dir: tempfile::TempDir,
    tarball: std::path::PathBuf,
    sha256: String,
    size: u64,
}

impl Case {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let tarball = write_tarball(dir.path(), NAME, &release_tree("go1.99.0"));
        let bytes = std::fs::read(&tarball).unwrap();
        Self {
            sha256: hex::encode(Sha256::digest(&bytes)),
            size: bytes.len() as u64,
            dir,
            tarball,
        }
    }

    /// Builds into `out/` with `catalog` written as the catalog file.
    fn build(&self, catalog: &str, as_json: bool) -> (Outcome, Vec<String>) {
        let file = self.dir.path().join("go-releases.json");
        std::fs::write(&file, catalog).unwrap();
        let out_dir = self.dir.path().join("out");
        let outcome = run(
            &[
                "build",
                s(&self.tarball),
                "--catalog",
                s(&file),
                "--out",
                s(&out_dir),
            ],
            as_json,
        );
        let mut left: Vec<String> = std::fs::read_dir(&out_dir)
            .map(|d| {
                d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        left.sort();
        (outcome, left)
    }
}

#[test]
fn a_tarball_matching_its_catalog_entry_builds_and_says_so() {
    let case = Case::new();
    let listed = catalog(&case.sha256, case.size, true).to_string();
    let (out, files) = case.build(&listed, true);
    assert_eq!(out.exit, 0, "{out:?}");
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(report["sha256_checked"], true);
    assert_eq!(report["checked_against"], "catalog");
    assert_eq!(report["stable"], true);
    assert_eq!(files.len(), 3, "{files:?}");

    let (out, _) = case.build(&listed, false);
    assert_eq!(out.exit, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("matches go.dev's release list: name, size and sha256"),
        "{}",
        out.stdout
    );
    assert!(out.stderr.is_empty(), "{}", out.stderr);
}

#[test]
fn a_release_go_dev_does_not_call_stable_builds_with_a_warning() {
    let case = Case::new();
    let (out, _) = case.build(&catalog(&case.sha256, case.size, false).to_string(), false);
    assert_eq!(out.exit, 0, "{out:?}");
    assert!(
        out.stderr.contains("not list go1.99.0 as a stable release"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_wrong_sha256_or_size_is_refused_and_nothing_is_written() {
    let case = Case::new();
    let wrong_sum = "0".repeat(64);
    let (out, files) = case.build(&catalog(&wrong_sum, case.size, true).to_string(), false);
    assert_eq!(out.exit, 1, "{out:?}");
    assert!(
        out.stderr.contains(&format!("sha256 is {}", case.sha256)),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&wrong_sum), "{}", out.stderr);
    assert!(files.is_empty(), "left behind: {files:?}");

    let (out, files) = case.build(
        &catalog(&case.sha256, case.size + 1, true).to_string(),
        false,
    );
    assert_eq!(out.exit, 1, "{out:?}");
    assert!(
        out.stderr.contains(&format!(
            "{} bytes, but the release catalog says {}",
            case.size,
            case.size + 1
        )),
        "{}",
        out.stderr
    );
    assert!(files.is_empty(), "left behind: {files:?}");
}

#[test]
fn a_tarball_not_in_the_catalog_or_a_catalog_that_is_not_go_dev_s_is_refused() {
    let case = Case::new();
    let mut listed = catalog(&case.sha256, case.size, true);
    listed[0]["files"][2]["filename"] = json!("go1.99.0.linux-386.tar.gz");
    let (out, files) = case.build(&listed.to_string(), false);
    assert_eq!(out.exit, 1, "the check said no: {out:?}");
    assert!(
        out.stderr.contains(&format!("{NAME} is not in it")),
        "{}",
        out.stderr
    );
    assert!(files.is_empty());

    // Listed under another arch than its name says.
    let mut listed = catalog(&case.sha256, case.size, true);
    listed[0]["files"][2]["arch"] = json!("arm64");
    let (out, _) = case.build(&listed.to_string(), false);
    assert_eq!(out.exit, 1, "the check said no: {out:?}");
    assert!(
        out.stderr
            .contains("says arch arm64, the file name says amd64"),
        "{}",
        out.stderr
    );

    // Listed twice with different sums.
    let mut listed = catalog(&case.sha256, case.size, true);
    let mut again = listed[0]["files"][2].clone();
    again["sha256"] = json!("5".repeat(64));
    listed[1]["files"].as_array_mut().unwrap().push(again);
    let (out, _) = case.build(&listed.to_string(), false);
    assert_eq!(out.exit, 1, "the check said no: {out:?}");
    assert!(out.stderr.contains("twice"), "{}", out.stderr);

    // Not JSON at all: the line and column are named.
    let (out, _) = case.build("[{\"version\": \"go1.99.0\",\n  \"files\": [oops]}]", false);
    assert_eq!(out.exit, 2, "{out:?}");
    assert!(
        out.stderr.contains("not go.dev's release list"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
}

#[test]
fn the_catalog_and_a_sha256_flag_are_one_or_the_other() {
    let parsed = Cli::try_parse_from([
        "bundle",
        "build",
        NAME,
        "--catalog",
        "c.json",
        "--sha256",
        &"0".repeat(64),
    ]);
    assert!(parsed.is_err());
}
