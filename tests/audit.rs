//! Tamper evidence against a real sshd fleet: a host's log must hold every entry the jump host
//! recorded for it, in order; a push or rollback onto a tampered or diverged log is refused at
//! pre-flight unless `--accept-audit` (recorded in both logs); two inventories that share a
//! host name share no audit state; a probe right after an operation never sees a false
//! `diverged`.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::*;
use offgo::core::audit::AuditStatus;
use offgo::core::engine::{ArtifactKind, Engine, EngineEvent, EngineOptions};
use offgo::core::inventory;
use serde_json::Value;

const LOG: &str = "/var/log/offgo/audit.log";

/// Runs offgo with `args` plus `--inventory INV --json`; the JSON array and the exit code.
fn run(state: &Path, inv: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--inventory", inv.to_str().unwrap(), "--json"]);
    let out = offgo(state, &all);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: no JSON ({e}):\n{stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        value.as_array().expect("a JSON array").clone(),
        out.status.code().unwrap_or(-1),
    )
}

fn named<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {hosts:#?}"))
}

/// `audit verify` of one host: its exit code and the host_log check's detail.
fn audit_verify(state: &Path, inv: &Path, host: &str) -> (i32, String) {
    let (hosts, code) = run(state, inv, &["audit", "verify", "--hosts", host]);
    let check = &named(&hosts, host)["checks"][1];
    assert_eq!(check["check"], "host_log");
    (code, check["detail"].as_str().unwrap_or("").to_string())
}

fn lines(host: &HostHandle) -> Vec<Value> {
    sh(host, &format!("cat {LOG}"))
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn actions(host: &HostHandle) -> Vec<String> {
    lines(host)
        .iter()
        .map(|l| l["action"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_shortened_log_is_diverged_and_only_an_explicit_acceptance_pushes_onto_it() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("web").go_managed("1.21.13"))
            .host(HostSpec::new("edit").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let (web, edit) = (host(&fleet, "web"), host(&fleet, "edit"));
    for _ in 0..3 {
        run(state.path(), &inv, &["verify"]);
    }
    let (code, detail) = audit_verify(state.path(), &inv, "web");
    assert_eq!(code, 0, "{detail}");

    // A middle line edited: the host's own chain breaks at the next line.
    let log = sh(edit, &format!("cat {LOG}"));
    let edited = log.replacen("\"verify\"", "\"VERIFY\"", 1) + "\n";
    edit.write_file(LOG, edited.as_bytes()).unwrap();
    let (code, detail) = audit_verify(state.path(), &inv, "edit");
    assert_eq!(code, 1);
    assert!(
        detail.starts_with("tampered") && detail.contains("line 2: prev does not match"),
        "{detail}"
    );
    let (scan, _) = run(state.path(), &inv, &["scan", "--hosts", "edit"]);
    assert_eq!(scan[0]["audit"]["status"], "tampered");

    // The last line deleted, then an operation appends onto the shortened log: the chain is
    // intact, but the jump host's third entry is not there.
    let log = sh(web, &format!("cat {LOG}"));
    let kept: Vec<&str> = log.lines().take(2).collect();
    web.write_file(LOG, format!("{}\n", kept.join("\n")).as_bytes())
        .unwrap();
    run(state.path(), &inv, &["verify", "--hosts", "web"]);
    assert_eq!(actions(web), ["verify", "verify", "verify"]);
    let (code, detail) = audit_verify(state.path(), &inv, "web");
    assert_eq!(code, 1);
    assert!(
        detail.starts_with("diverged")
            && detail.contains("(verify at")
            && detail.contains("after its line 2"),
        "{detail}"
    );

    // Push and rollback are refused at pre-flight, naming the flag; nothing changes.
    let before = sh(web, &format!("cat {LOG}"));
    let bundle = bundle_1_22().to_str().unwrap();
    let (pushed, code) = run(
        state.path(),
        &inv,
        &["push", "--bundle", bundle, "--hosts", "web"],
    );
    assert_eq!(code, 1, "{pushed:#?}");
    assert_eq!(pushed[0]["step"], "preflight");
    let error = pushed[0]["error"].as_str().unwrap();
    assert!(
        error.contains("audit log diverged") && error.contains("--accept-audit"),
        "{error}"
    );
    let (rolled, code) = run(state.path(), &inv, &["rollback", "--hosts", "edit"]);
    assert_eq!(code, 1);
    assert_eq!(rolled[0]["step"], "preflight");
    assert!(rolled[0]["error"]
        .as_str()
        .unwrap()
        .contains("audit log tampered"));
    assert_eq!(sh(web, &format!("cat {LOG}")), before);
    assert_eq!(
        sh(web, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );

    // Accepted explicitly: the push goes ahead and both logs say what was accepted.
    let (pushed, code) = run(
        state.path(),
        &inv,
        &[
            "push",
            "--bundle",
            bundle,
            "--hosts",
            "web",
            "--accept-audit",
        ],
    );
    assert_eq!(code, 0, "{pushed:#?}");
    assert!(
        pushed[0]["notes"]
            .to_string()
            .contains("accepted as diverged"),
        "{pushed:#?}"
    );
    assert_eq!(
        sh(web, "/usr/local/go/bin/go version"),
        "go version go1.22.10 linux/amd64"
    );
    let host_lines = lines(web);
    assert_eq!(
        actions(web),
        ["verify", "verify", "verify", "audit-accept", "push"]
    );
    let accept = &host_lines[3];
    assert!(
        accept["detail"].as_str().unwrap().contains("diverged")
            && accept["detail"]
                .as_str()
                .unwrap()
                .contains("--accept-audit"),
        "{accept:#}"
    );
    let jump = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    let jump_accept: Vec<Value> = jump
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["action"] == "audit-accept")
        .collect();
    assert_eq!(jump_accept.len(), 1);
    assert_eq!(jump_accept[0]["detail"], accept["detail"]);
    assert_eq!(jump_accept[0]["host"], "web");

    // The acceptance is the new baseline: the log is judged from it on, and is ok again.
    assert_eq!(audit_verify(state.path(), &inv, "web").0, 0);
    // ... until the next tampering.
    let log = sh(web, &format!("cat {LOG}"));
    let without_push: Vec<&str> = log.lines().take(4).collect();
    web.write_file(LOG, format!("{}\n", without_push.join("\n")).as_bytes())
        .unwrap();
    let (code, detail) = audit_verify(state.path(), &inv, "web");
    assert_eq!(code, 1);
    assert!(
        detail.contains("diverged") && detail.contains("(push at"),
        "{detail}"
    );
}

#[test]
fn two_inventories_with_the_same_host_name_share_no_audit_state() {
    let staging = start(&FleetSpec::new().host(HostSpec::new("web")));
    let prod = start(&FleetSpec::new().host(HostSpec::new("web")));
    let state = tempfile::tempdir().unwrap();
    let (inv_s, inv_p) = (
        inventory(&staging, &InventoryOptions::new()),
        inventory(&prod, &InventoryOptions::new()),
    );
    // Interleaved: the jump host's newest "web" line is always the other inventory's.
    run(state.path(), &inv_s, &["verify"]);
    run(state.path(), &inv_p, &["verify"]);
    run(state.path(), &inv_s, &["verify"]);
    run(state.path(), &inv_p, &["verify"]);
    run(state.path(), &inv_s, &["verify"]);
    let jump = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    assert_eq!(jump.lines().count(), 5, "one file for both");
    for inv in [&inv_s, &inv_p] {
        let (scan, _) = run(state.path(), inv, &["scan"]);
        assert_eq!(scan[0]["audit"]["status"], "ok", "{inv:?}: {scan:#?}");
        assert_eq!(audit_verify(state.path(), inv, "web").0, 0);
    }
    // Tampering on one is not seen on the other.
    let web_s = host(&staging, "web");
    let log = sh(web_s, &format!("cat {LOG}"));
    let kept: Vec<&str> = log.lines().take(2).collect();
    web_s
        .write_file(LOG, format!("{}\n", kept.join("\n")).as_bytes())
        .unwrap();
    assert_eq!(audit_verify(state.path(), &inv_s, "web").0, 1);
    assert_eq!(audit_verify(state.path(), &inv_p, "web").0, 0);
}

#[test]
fn a_probe_queued_behind_an_operation_sees_its_audit_line() {
    let mut spec = FleetSpec::new();
    for i in 0..4 {
        spec = spec.host(HostSpec::new(format!("h{i}")));
    }
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let path = inventory(&fleet, &InventoryOptions::new());
    let inv = inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = EngineOptions {
        parallel: 8,
        local_audit_log: state.path().join("audit.log"),
        worker_nice: 0,
        fault: None,
    };
    let (engine, mut events) = Engine::new(Arc::new(inv), options);
    let ids: Vec<usize> = (0..4).collect();
    let mut finished = 0;
    engine.verify(&ids, ArtifactKind::GoRelease);
    while finished < ids.len() {
        if let Some(EngineEvent::OperationFinished { .. }) = events.blocking_recv() {
            finished += 1;
        }
    }
    // Each probe is queued behind its host's verify, which writes an audit line on both ends.
    engine.verify(&ids, ArtifactKind::GoRelease);
    engine.probe(&ids);
    let (mut finished, mut probed) = (0, Vec::new());
    while finished < ids.len() || probed.len() < ids.len() {
        match events.blocking_recv().expect("engine alive") {
            EngineEvent::OperationFinished { .. } => finished += 1,
            EngineEvent::HostProbed { report, .. } => probed.push(report),
            _ => {}
        }
    }
    for report in probed {
        assert_eq!(
            (report.audit.status, report.audit.entries),
            (AuditStatus::Ok, 2),
            "{}: {:?}",
            report.name,
            report.audit.detail
        );
    }
}

#[test]
fn a_rollout_followed_at_once_by_a_scan_shows_every_audit_ok() {
    let mut spec = FleetSpec::new();
    for i in 0..3 {
        spec = spec.host(HostSpec::new(format!("r{i}")).go_managed("1.21.13"));
    }
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let out = offgo(
        state.path(),
        &[
            "rollout",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--canary",
            "1",
            "--batches",
            "100%",
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let (scan, code) = run(state.path(), &inv, &["scan"]);
    assert_eq!(code, 0);
    for h in &scan {
        assert_eq!(h["go_version"], "go1.22.10", "{h:#}");
        assert_eq!(h["audit"]["status"], "ok", "{h:#}");
    }
    for h in fleet.hosts() {
        assert_eq!(audit_verify(state.path(), &inv, h.name()).0, 0);
    }
}
