//! Bundle sets against a real fleet: one amd64 host and one whose reported arch is aarch64
//! (`HostSpec::arch`), with the real go1.22.10 linux-amd64 and linux-arm64 release tarballs
//! built into bundles by `bundle build`. Each host gets the tarball of its arch (the installed
//! `go` binary's ELF machine says which); a set without arm64 refuses the aarch64 host at
//! pre-flight and leaves it untouched while the amd64 host is pushed. The arm64 `go` cannot run
//! on this machine: the checks after the install say how they adapted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use serde_json::Value;

const AMD64: &str = "go1.22.10.linux-amd64";
const ARM64: &str = "go1.22.10.linux-arm64";

/// `set/` holds both bundles; `amd64-only/` the amd64 one (hard links, no second copy).
fn bundle_dirs(root: &Path) -> (PathBuf, PathBuf) {
    let set = root.join("set");
    let only = root.join("amd64-only");
    std::fs::create_dir_all(&set).unwrap();
    std::fs::create_dir_all(&only).unwrap();
    build_bundle(&release_for("1.22.10", "amd64"), &set);
    build_bundle(&release_for("1.22.10", "arm64"), &set);
    for ext in ["offgo.toml", "tar.gz", "sha256sums"] {
        let name = format!("{AMD64}.{ext}");
        std::fs::hard_link(set.join(&name), only.join(&name))
            .or_else(|_| std::fs::copy(set.join(&name), only.join(&name)).map(|_| ()))
            .unwrap();
    }
    (set, only)
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn json_lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!(
                    "not a JSON line ({e}): {l}\nstderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect()
}

fn entry<'a>(all: &'a Value, name: &str) -> &'a Value {
    all.as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in {all}"))
}

/// The ELF machine of the host's active `go` (62 x86-64, 183 AArch64), read by `od`.
fn go_machine(host: &HostHandle) -> String {
    sh(
        host,
        "od -An -tu2 -j18 -N2 /usr/local/go/bin/go | tr -d ' '",
    )
}

/// Everything a push could have left on a host: no Go, nothing of offgo's (not even an empty
/// directory: a pre-flight measures where the push would write without creating it; the fleet
/// itself makes /var/lib/offgo and /var/log/offgo), no file or link in /etc/profile.d.
fn untouched(host: &HostHandle) {
    let left = sh(
        host,
        "ls -d /usr/local/go /opt/offgo 2>/dev/null; \
         find /var/lib/offgo /var/log/offgo -mindepth 1 2>/dev/null; \
         find /etc/profile.d -name '*offgo*' 2>/dev/null; true",
    );
    assert_eq!(left, "", "{} was touched", host.name());
}

#[test]
fn a_bundle_set_gives_each_host_the_tarball_of_its_arch() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("x-01").no_app_binaries())
            .host(HostSpec::new("a-01").no_app_binaries().arch("aarch64")),
    );
    let inv = inventory(&fleet, &InventoryOptions::new());
    let inv = inv.to_str().unwrap();
    let state = tempfile::tempdir().unwrap();
    let bundles = tempfile::tempdir().unwrap();
    let (set, only) = bundle_dirs(bundles.path());
    let (x, a) = (host(&fleet, "x-01"), host(&fleet, "a-01"));

    // The faked host reports aarch64 wherever offgo reads an arch.
    let scan = json(&offgo(
        state.path(),
        &["scan", "--inventory", inv, "--json"],
    ));
    assert_eq!(entry(&scan, "a-01")["arch"], "aarch64", "{scan}");
    assert_eq!(entry(&scan, "x-01")["arch"], "x86_64", "{scan}");

    // A set without arm64: the aarch64 host is refused at pre-flight and left untouched; the
    // amd64 host is pushed.
    let out = offgo(
        state.path(),
        &[
            "push",
            "--inventory",
            inv,
            "--bundle",
            only.to_str().unwrap(),
            "--json",
        ],
    );
    let pushed = json(&out);
    assert_eq!(out.status.code(), Some(1), "{pushed}");
    let refused = entry(&pushed, "a-01");
    assert_eq!(refused["ok"], false, "{refused}");
    assert_eq!(refused["step"], "preflight", "{refused}");
    assert_eq!(refused["error_kind"], "command_failed", "{refused}");
    let error = refused["error"].as_str().unwrap();
    assert!(
        error.contains("has no bundle for aarch64 (it holds amd64)")
            && error.contains("amd64-only"),
        "{error}"
    );
    untouched(a);
    assert_eq!(entry(&pushed, "x-01")["ok"], true, "{pushed}");
    assert_eq!(go_machine(x), "62");

    // The dry run of the whole set says which tarball each host gets.
    let rollout = |extra: &[&str]| {
        let mut args = vec![
            "rollout",
            "--inventory",
            inv,
            "--bundle",
            set.to_str().unwrap(),
            "--json",
            "--batches",
            "100%",
        ];
        args.extend_from_slice(extra);
        offgo(state.path(), &args)
    };
    let dry = json_lines(&rollout(&["--dry-run"]));
    let plan = &dry[0];
    assert_eq!(plan["event"], "dry_run", "{plan}");
    assert_eq!(plan["skipped"][0]["host"], "x-01", "{plan}");
    assert_eq!(plan["tarballs"][0]["host"], "a-01", "{plan}");
    assert_eq!(
        plan["tarballs"][0]["tarball"],
        format!("{ARM64}.tar.gz (for aarch64)"),
        "{plan}"
    );
    untouched(a);

    // The rollout of the set: the aarch64 host gets the arm64 tarball, and its verification
    // passes, saying plainly that `go version` could not run here and what was checked instead.
    let out = rollout(&[]);
    let events = json_lines(&out);
    assert_eq!(out.status.code(), Some(0), "{events:?}");
    let done: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "host_done" && e["host"] == "a-01")
        .collect();
    assert_eq!(done.len(), 2, "push and verify: {events:?}");
    let notes = done[0]["notes"].to_string();
    assert!(
        notes.contains(&format!("{ARM64}.tar.gz for this aarch64 host")),
        "{notes}"
    );
    assert!(
        notes.contains("go version not run")
            && notes.contains("Exec format error")
            && notes.contains("the bundle's sha256sums"),
        "{notes}"
    );
    assert_eq!(go_machine(a), "183");
    assert_eq!(sh(a, "head -n 1 /usr/local/go/VERSION"), "go1.22.10");
    // The amd64 host kept its amd64 tree (skipped: already on go1.22.10).
    assert_eq!(go_machine(x), "62");

    // The journal records each arch's tarball sha256, so a resume pushes the same bytes.
    let journals = state.path().join("offgo/rollouts");
    let journal = std::fs::read_dir(&journals)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .unwrap_or_else(|| panic!("no journal in {}", journals.display()));
    let first: Value = serde_json::from_str(
        std::fs::read_to_string(&journal)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    let sha = |arch: &str| {
        let manifest =
            std::fs::read_to_string(set.join(format!("go1.22.10.linux-{arch}.offgo.toml")))
                .unwrap();
        let line = manifest
            .lines()
            .find(|l| l.starts_with("sha256"))
            .unwrap()
            .to_string();
        line.split('"').nth(1).unwrap().to_string()
    };
    assert_eq!(first["arch_sha256"]["amd64"], sha("amd64"), "{first}");
    assert_eq!(first["arch_sha256"]["arm64"], sha("arm64"), "{first}");

    // verify on its own says the same of the aarch64 host.
    let out = offgo(
        state.path(),
        &["verify", "--inventory", inv, "--hosts", "a-01", "--json"],
    );
    let verified = json(&out);
    let checks = &entry(&verified, "a-01")["checks"];
    let go = checks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "go_version")
        .unwrap_or_else(|| panic!("{verified}"));
    assert_eq!(go["ok"], true, "{go}");
    assert!(
        go["detail"]
            .as_str()
            .unwrap()
            .contains("go version not run"),
        "{go}"
    );
    assert_eq!(out.status.code(), Some(0), "{verified}");
}
