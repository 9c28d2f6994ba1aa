//! Predict before you push (issue 11, item 4) against a real sshd fleet: `rollout --dry-run`
//! names, per host, what the probe already says will fail (text and `--json`), and a rollout
//! to a host whose ldd gap was there before the push succeeds and says the gap is
//! pre-existing, while a standalone `verify` (no baseline) still fails on it.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn json_lines(out: &std::process::Output) -> Vec<Value> {
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

fn rollout(state: &Path, inv: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "rollout",
        "--inventory",
        inv.to_str().unwrap(),
        "--bundle",
        bundle_1_22().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    offgo(state, &args)
}

/// The warnings of `host` in a dry run's JSON, as (kind, detail).
fn warnings_of(dry_run: &Value, host: &str) -> Vec<(String, String)> {
    dry_run["warnings"]
        .as_array()
        .expect("a warnings array")
        .iter()
        .filter(|w| w["host"] == host)
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_string(),
                w["detail"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn dry_run_predicts_unreachable_full_disk_ldd_gap_and_audit_trouble_per_host() {
    let spec = FleetSpec::new()
        .host(HostSpec::new("fine").go_managed("1.21.13"))
        .host(HostSpec::new("down").go_managed("1.21.13").stopped())
        // Its Go lives in /usr/local; /opt, where releases go, is a 40 MiB tmpfs.
        .host(HostSpec::new("full").go_manual("1.21.13").tmpfs("/opt", 40))
        .host(HostSpec::new("gap").go_managed("1.21.13").ldd_gap())
        .host(
            HostSpec::new("edited")
                .go_managed("1.21.13")
                .audit_log("{\"not\": \"an offgo line\"}\n\x1b[31mred\n"),
        );
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());

    let out = rollout(state.path(), &inv, &["--dry-run", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    let dry = &lines[0];
    assert_eq!(dry["event"], "dry_run");
    // The older field stays.
    assert_eq!(dry["unreachable"], serde_json::json!(["down"]));

    assert_eq!(warnings_of(dry, "fine"), vec![]);
    let down = warnings_of(dry, "down");
    assert_eq!(down.len(), 1, "{down:?}");
    assert_eq!(down[0].0, "unreachable");
    assert!(down[0].1.contains("refused"), "{down:?}");
    let full = warnings_of(dry, "full");
    assert_eq!(full.len(), 1, "{full:?}");
    assert_eq!(full[0].0, "disk_space");
    assert!(
        full[0].1.starts_with("disk full: releases need ") && full[0].1.contains("MiB free"),
        "{full:?}"
    );
    let gap = warnings_of(dry, "gap");
    assert_eq!(gap.len(), 1, "{gap:?}");
    assert_eq!(gap[0].0, "ldd_gap");
    assert!(
        gap[0]
            .1
            .contains("/opt/app/bin/invoicer needs libledger.so.1"),
        "{gap:?}"
    );
    let edited = warnings_of(dry, "edited");
    assert_eq!(edited.len(), 1, "{edited:?}");
    assert_eq!(edited[0].0, "audit");
    assert!(edited[0].1.starts_with("audit log "), "{edited:?}");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains('\x1b'),
        "host text reaches the output escaped"
    );

    let out = rollout(state.path(), &inv, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Predicted from the last probe (4 host(s) with warnings):"),
        "{text}"
    );
    assert!(text.contains("  warning: down: unreachable: "), "{text}");
    assert!(
        text.contains("  warning: full: disk full: releases need "),
        "{text}"
    );
    assert!(
        text.contains(
            "  warning: gap: ldd gap already there: /opt/app/bin/invoicer needs libledger.so.1"
        ),
        "{text}"
    );
    assert!(text.contains("  warning: edited: audit log "), "{text}");
    assert!(!text.contains("warning: fine"), "{text}");
    assert!(!text.contains('\x1b'), "{text}");
    assert!(text.ends_with("Nothing was changed.\n"), "{text}");
}

#[test]
fn a_pre_existing_ldd_gap_does_not_fail_the_push_but_a_standalone_verify_still_does() {
    let spec = FleetSpec::new()
        .host(HostSpec::new("gap-1").go_managed("1.21.13").ldd_gap())
        .host(HostSpec::new("gap-2").go_managed("1.21.13").ldd_gap());
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let note = "pre-existing ldd gap: /opt/app/bin/invoicer needs libledger.so.1";

    // JSON: the push and its verification pass, the verification says the gap was there.
    let out = rollout(state.path(), &inv, &["--hosts", "gap-1", "--json"]);
    let lines = json_lines(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{lines:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verify = lines
        .iter()
        .find(|l| l["event"] == "host_done" && l["op"] == "verify")
        .unwrap_or_else(|| panic!("no verify in {lines:#?}"));
    assert_eq!(verify["ok"], true, "{verify:#}");
    assert!(
        verify["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == note),
        "{verify:#}"
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["hosts"][0]["outcome"], "succeeded", "{summary:#}");
    assert_eq!(
        sh(host(&fleet, "gap-1"), "/usr/local/go/bin/go version"),
        "go version go1.22.10 linux/amd64",
        "not rolled back"
    );

    // Text: the same, said on the verify line.
    let out = rollout(state.path(), &inv, &["--hosts", "gap-2"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.lines()
            .any(|l| l.starts_with("gap-2: verify ok") && l.contains(note)),
        "{text}"
    );

    // A standalone verify has no baseline: the gap fails it, as before.
    let out = offgo(
        state.path(),
        &[
            "verify",
            "--inventory",
            inv.to_str().unwrap(),
            "--hosts",
            "gap-1",
            "--json",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let hosts: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ldd = hosts[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "ldd")
        .unwrap();
    assert_eq!(ldd["ok"], false, "{ldd:#}");
    assert!(
        ldd["detail"]
            .as_str()
            .unwrap()
            .contains("invoicer needs libledger.so.1"),
        "{ldd:#}"
    );
}

/// A go1.99.0 release tree (`go version` a script that says so) that also ships
/// `go/bin/invoicer`, an ELF needing `libledger.so.1`, which no host has: pushing it introduces
/// an ldd gap wherever `go/bin` is checked.
fn release_with_a_gap(dir: &Path, invoicer: &[u8]) -> std::path::PathBuf {
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |path: &str, mode: u32, data: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_mode(mode);
        header.set_mtime(1_700_000_000);
        if path.ends_with('/') {
            header.set_entry_type(tar::EntryType::Directory);
            header.set_size(0);
        } else {
            header.set_size(data.len() as u64);
        }
        tar.append_data(&mut header, path, data).unwrap();
    };
    add("go/", 0o755, b"");
    add(
        "go/VERSION",
        0o644,
        b"go1.99.0\ntime 2025-01-01T00:00:00Z\n",
    );
    add("go/bin/", 0o755, b"");
    add(
        "go/bin/go",
        0o755,
        b"#!/bin/sh\necho 'go version go1.99.0 linux/amd64'\n",
    );
    add("go/bin/invoicer", 0o755, invoicer);
    let bytes = tar.into_inner().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, &bytes).unwrap();
    let tarball = dir.join("go1.99.0.linux-amd64.tar.gz");
    std::fs::write(&tarball, gz.finish().unwrap()).unwrap();
    build_bundle(&tarball, dir)
}

#[test]
fn a_gap_the_push_introduced_still_fails_its_verification_and_rolls_it_back() {
    let spec = FleetSpec::new().host(HostSpec::new("intro").go_managed("1.21.13").ldd_gap());
    let fleet = start(&spec);
    let intro = host(&fleet, "intro");
    let invoicer = exec(intro, "cat /opt/app/bin/invoicer").stdout;
    assert!(invoicer.starts_with(b"\x7fELF"), "an ELF binary");
    let work = tempfile::tempdir().unwrap();
    let bundle = release_with_a_gap(work.path(), &invoicer);
    let state = tempfile::tempdir().unwrap();
    // The last host table gets its own check_binaries: the app's and the active Go's.
    let inv = inventory(
        &fleet,
        &InventoryOptions::new()
            .append("check_binaries = [\"/opt/app/bin/*\", \"/usr/local/go/bin/*\"]\n"),
    );
    let out = offgo(
        state.path(),
        &[
            "rollout",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--json",
        ],
    );
    let lines = json_lines(&out);
    assert_eq!(out.status.code(), Some(1), "{lines:#?}");
    let verify = lines
        .iter()
        .find(|l| l["event"] == "host_done" && l["op"] == "verify")
        .unwrap_or_else(|| panic!("no verify in {lines:#?}"));
    assert_eq!(verify["ok"], false, "{verify:#}");
    let error = verify["error"].as_str().unwrap();
    assert!(
        error.contains("/usr/local/go/bin/invoicer needs libledger.so.1")
            && error.contains("(pre-existing: /opt/app/bin/invoicer needs libledger.so.1)"),
        "only the new gap fails, the old one is named: {error}"
    );
    assert_eq!(
        sh(intro, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64",
        "rolled back"
    );
}
