//! Go application bundles on a real fleet with real Go binaries: a tiny HTTP service built here
//! with the cached Go release (`CGO_ENABLED=0`, `-trimpath`, `-ldflags -X main.version=…`), in
//! three versions, the third with a health endpoint that answers 500. The fleet has no systemd:
//! the bundle ships a small supervisor script (`bin/supervise`, stops the pid in a pidfile and
//! starts current's binary in a new session) as its `restart`, and `health` is curl on the host's
//! loopback. Hosts share one network namespace, so each host's instance listens on its own port,
//! read from a file next to the app's releases.
//!
//! One fleet, one test in phases: push v1 to three hosts (one resuming a partial upload); roll
//! out v2 behind a canary; roll back; roll out v3, which halts at the canary and switches it back
//! (v1 answers again); verify, and verify again after a byte of an installed binary flipped; the
//! audit lines on both ends; a push of the running bundle that has nothing to do; a push refused
//! at pre-flight when the inventory has no health command; a non-root login with become sudo.

#[path = "support/app_service.rs"]
mod app_service;
mod common;

use app_service::*;
use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const HOSTS: [&str; 3] = ["a1", "a2", "a3"];

/// v1, v2 and v3 (unhealthy) bundles; returns their manifests.
fn bundles(work: &Path) -> [PathBuf; 3] {
    let out = work.join("bundles");
    ["1.0.0", "2.0.0", "3.0.0"].map(|v| app_bundle(work, &out, v, v != "3.0.0"))
}

fn run_json(state: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let out = offgo(state, args);
    let hosts: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: no JSON array ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    if !out.status.success() {
        eprintln!("{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
    (hosts, out.status.code().unwrap_or(-1))
}

fn rollout(state: &Path, inv: &Path, bundle: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let mut args = vec![
        "rollout",
        "--inventory",
        inv.to_str().unwrap(),
        "--bundle",
        bundle.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let out = offgo(state, &args);
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    (lines, out.status.code().unwrap_or(-1))
}

fn named<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name || h["host"] == name)
        .unwrap_or_else(|| panic!("no {name} in {hosts:#?}"))
}

fn outcome<'a>(summary: &'a Value, name: &str) -> &'a str {
    named(summary["hosts"].as_array().unwrap(), name)["outcome"]
        .as_str()
        .unwrap()
}

#[test]
fn app_bundles_push_roll_out_halt_on_health_roll_back_and_verify() {
    let work = tempfile::tempdir().unwrap();
    let builder = {
        let work = work.path().to_path_buf();
        std::thread::spawn(move || bundles(&work))
    };
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a1"))
            .host(HostSpec::new("a2"))
            .host(HostSpec::new("a3")),
    );
    let mut ports = Vec::new();
    let mut services = Services(Vec::new());
    for name in HOSTS {
        let h = host(&fleet, name);
        let port = free_port();
        ports.push(port);
        let home = app_home(h);
        h.write_file(&format!("{home}/port"), port.to_string().as_bytes())
            .unwrap();
        services.0.push(h.local_path(&format!("{home}/pids")));
    }
    let [v1, v2, v3] = builder.join().expect("the service builds");
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new().append(APPS));
    let inv_arg = inv.to_str().unwrap();

    // a1 holds the start of v1's tarball, as an upload cut short leaves it: its push resumes.
    let a1 = host(&fleet, "a1");
    let tarball = std::fs::read(v1.with_file_name("svc-1.0.0.linux-amd64.tar.gz")).unwrap();
    a1.write_file(
        &format!(
            "{}/apps/incoming/svc-1.0.0.linux-amd64.tar.gz.part",
            a1.paths().state_dir
        ),
        &tarball[..100 * 1024],
    )
    .unwrap();

    // Phase 1: push v1 to the three hosts; each answers 1.0.0 on its own port.
    let (hosts, code) = run_json(
        state.path(),
        &[
            "push",
            "--inventory",
            inv_arg,
            "--bundle",
            v1.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    for (name, port) in HOSTS.iter().zip(&ports) {
        let h = named(&hosts, name);
        assert_eq!(h["ok"], true, "{h:#}");
        assert_eq!(h["to"], "1.0.0");
        assert_eq!(h["from"], Value::Null);
        assert_eq!(h["health"]["ok"], true, "{h:#}");
        assert!(
            h["health"]["output"].as_str().unwrap().contains("ok 1.0.0"),
            "{h:#}"
        );
        assert_eq!(served(*port).as_deref(), Some("1.0.0"), "{name}");
        // Unpacked and checked by the faster tools CI installs (host_tools = "auto").
        assert!(
            h["notes"]
                .to_string()
                .contains("host tools: openssl for SHA-256"),
            "{h:#}"
        );
    }
    let resumed = format!("resumed the upload at 100 of {} KiB", tarball.len() >> 10);
    assert!(
        named(&hosts, "a1")["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == resumed.as_str()),
        "{hosts:#?}"
    );
    let home = app_home(a1);
    let state_json: Value = serde_json::from_slice(
        &a1.read_file(&format!("{}/apps/svc.json", a1.paths().state_dir))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(state_json["name"], "svc");
    assert_eq!(state_json["current"], "1.0.0");
    assert_eq!(state_json["previous"], Value::Null);
    assert_eq!(state_json["history"][0]["action"], "push");
    let manifest = std::fs::read(&v1).unwrap();
    assert_eq!(
        a1.read_file(&format!("{home}/releases/1.0.0/.offgo-app.toml"))
            .unwrap(),
        manifest,
        "the manifest travels verbatim"
    );
    assert_eq!(
        state_json["bundle_sha256"],
        toml::from_str::<toml::Table>(&String::from_utf8_lossy(&manifest)).unwrap()["sha256"]
            .as_str()
            .unwrap()
    );
    assert_eq!(
        sh(a1, &format!("readlink {home}/current")),
        format!("{home}/releases/1.0.0")
    );

    // Phase 2: roll out v2 behind the canary a1.
    let (lines, code) = rollout(
        state.path(),
        &inv,
        &v2,
        &["--canary", "a1", "--batches", "100%"],
    );
    let summary = lines.last().unwrap();
    assert_eq!(code, 0, "{lines:#?}");
    assert_eq!(summary["halted"], false, "{summary:#}");
    for (name, port) in HOSTS.iter().zip(&ports) {
        assert_eq!(outcome(summary, name), "succeeded", "{summary:#}");
        assert_eq!(served(*port).as_deref(), Some("2.0.0"), "{name}");
    }
    // Again: every host already runs svc-2.0.0, healthy, so the plan skips them all.
    let (lines, code) = rollout(state.path(), &inv, &v2, &["--batches", "100%"]);
    assert_eq!(code, 0, "{lines:#?}");
    let plan = lines.iter().find(|l| l["event"] == "plan").unwrap();
    assert_eq!(
        plan["skipped"].as_array().map(Vec::len),
        Some(HOSTS.len()),
        "{plan:#}"
    );

    // Phase 3: roll back to the previous release (1.0.0): restarted and healthy.
    let (hosts, code) = run_json(
        state.path(),
        &["rollback", "--inventory", inv_arg, "--app", "svc", "--json"],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    for (name, port) in HOSTS.iter().zip(&ports) {
        let h = named(&hosts, name);
        assert_eq!(
            (h["from"].as_str(), h["to"].as_str()),
            (Some("2.0.0"), Some("1.0.0")),
            "{h:#}"
        );
        assert_eq!(h["health"]["ok"], true, "{h:#}");
        assert_eq!(served(*port).as_deref(), Some("1.0.0"), "{name}");
    }

    // Phase 4: v3 fails its health check on the canary: the rollout halts there, the canary
    // is switched back and serves 1.0.0 again, the others are never touched.
    let (lines, code) = rollout(
        state.path(),
        &inv,
        &v3,
        &["--canary", "a1", "--batches", "100%", "--max-failures", "0"],
    );
    let summary = lines.last().unwrap();
    assert_eq!(code, 1, "{lines:#?}");
    assert_eq!(summary["halted"], true, "{summary:#}");
    assert_eq!(outcome(summary, "a1"), "failed", "{summary:#}");
    assert_eq!(outcome(summary, "a2"), "untouched");
    assert_eq!(outcome(summary, "a3"), "untouched");
    let done = lines
        .iter()
        .find(|l| l["event"] == "host_done" && l["host"] == "a1")
        .unwrap();
    assert_eq!(done["step"], "health", "{done:#}");
    let error = done["error"].as_str().unwrap();
    assert!(error.contains("500") && error.contains("3.0.0"), "{error}");
    assert!(
        done["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n == "switched back to 1.0.0"),
        "{done:#}"
    );
    for port in &ports {
        assert_eq!(served(*port).as_deref(), Some("1.0.0"));
    }
    assert_eq!(
        sh(a1, &format!("readlink {home}/current")),
        format!("{home}/releases/1.0.0")
    );

    // Phase 5: verify passes everywhere, then names the flipped byte of a2's installed binary.
    let (hosts, code) = run_json(
        state.path(),
        &["verify", "--inventory", inv_arg, "--app", "svc", "--json"],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    let checks: Vec<&str> = named(&hosts, "a3")["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    assert_eq!(checks, ["tree", "state", "current", "health"]);
    let a2 = host(&fleet, "a2");
    a2.flip_byte(&format!("{}/releases/1.0.0/bin/svc", app_home(a2)))
        .unwrap();
    let (hosts, code) = run_json(
        state.path(),
        &["verify", "--inventory", inv_arg, "--app", "svc", "--json"],
    );
    assert_eq!(code, 1, "{hosts:#?}");
    let h = named(&hosts, "a2");
    assert_eq!(h["ok"], false);
    assert_eq!(h["step"], "tree", "{h:#}");
    assert!(
        h["error"].as_str().unwrap().contains("bin/svc: FAILED"),
        "{h:#}"
    );
    assert_eq!(named(&hosts, "a1")["ok"], true);

    // Phase 6: both audit logs hold the app's changes, target NAME-VERSION.
    let local = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    let on_host = String::from_utf8(a1.read_file(&a1.paths().audit_log).unwrap()).unwrap();
    for log in [&local, &on_host] {
        let entries: Vec<(String, String, String)> = log
            .lines()
            .map(|l| serde_json::from_str::<Value>(l).unwrap())
            .filter(|e| e["host"] == "a1")
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["target"].as_str().unwrap().to_string(),
                    e["result"].as_str().unwrap().to_string(),
                )
            })
            .filter(|(a, ..)| matches!(a.as_str(), "push" | "rollback" | "verify"))
            .collect();
        let want = [
            ("push", "svc-1.0.0", "ok"),
            ("push", "svc-2.0.0", "ok"),
            // The rollout's verification after the push (auto_rollback).
            ("verify", "svc-2.0.0", "ok"),
            ("rollback", "svc-1.0.0", "ok"),
            ("push", "svc-3.0.0", "failed"),
            ("verify", "svc-1.0.0", "ok"),
            ("verify", "svc-1.0.0", "ok"),
        ]
        .map(|(a, t, r)| (a.to_string(), t.to_string(), r.to_string()));
        assert_eq!(entries, want, "{log}");
    }

    // Phase 7: pushing the bundle a healthy host already runs changes nothing (no restart, no
    // audit line).
    let pid = sh(a1, &format!("cat {home}/pid"));
    let (hosts, code) = run_json(
        state.path(),
        &[
            "push",
            "--inventory",
            inv_arg,
            "--hosts",
            "a1",
            "--bundle",
            v1.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    let h = named(&hosts, "a1");
    assert_eq!(h["changed"], false, "{h:#}");
    assert_eq!(
        h["notes"][0],
        "already on svc-1.0.0: nothing to do (its files match the bundle and it is healthy)"
    );
    assert_eq!(sh(a1, &format!("cat {home}/pid")), pid, "not restarted");

    // Phase 8: an inventory without the app's health command: refused at pre-flight, named.
    let bare = fleet.dir().join("no-health.toml");
    let text = std::fs::read_to_string(&inv)
        .unwrap()
        .replace("health = 'curl", "# health = 'curl");
    std::fs::write(&bare, text).unwrap();
    let (hosts, code) = run_json(
        state.path(),
        &[
            "push",
            "--inventory",
            bare.to_str().unwrap(),
            "--hosts",
            "a3",
            "--bundle",
            v2.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 1);
    let h = named(&hosts, "a3");
    assert_eq!(h["step"], "preflight", "{h:#}");
    assert!(
        h["error"].as_str().unwrap().contains("apps.svc.health"),
        "{h:#}"
    );
    assert_eq!(served(ports[2]).as_deref(), Some("1.0.0"));

    // Phase 9: a non-root `deploy` login with become sudo: every privileged step through the
    // helper's app verbs, the files root's; restart and health run as deploy itself (the test's
    // supervisor then needs its pid and log files, and root's instance stopped first).
    let a3 = host(&fleet, "a3");
    let home3 = app_home(a3);
    sh(
        a3,
        &format!(
            "kill $(cat {home3}/pid); while kill -0 $(cat {home3}/pid) 2>/dev/null; do sleep 0.05; done; \
             : > {home3}/pid; chown deploy {home3}/pid {home3}/pids {home3}/svc.log; chmod 644 {home3}/port"
        ),
    );
    let dropin = SudoersDropIn::unique();
    ensure_login_user("deploy").unwrap();
    fleet.open_to_other_logins().unwrap();
    let deploy_inv = fleet.dir().join("deploy.toml");
    fleet
        .write_inventory(
            &deploy_inv,
            &InventoryOptions::new()
                .login("deploy")
                .default_line(format!("sudoers_file = \"{}\"", dropin.path().display()))
                .append(APPS),
        )
        .unwrap();
    let deploy_arg = deploy_inv.to_str().unwrap();
    let (hosts, code) = run_json(
        state.path(),
        &[
            "privileges",
            "install",
            "--inventory",
            deploy_arg,
            "--hosts",
            "a3",
            "--login",
            "root",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    let (hosts, code) = run_json(
        state.path(),
        &[
            "push",
            "--inventory",
            deploy_arg,
            "--hosts",
            "a3",
            "--bundle",
            v2.to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(served(ports[2]).as_deref(), Some("2.0.0"));
    assert_eq!(
        sh(
            a3,
            &format!(
                "stat -c %U {home3}/releases/2.0.0/bin/svc {home3}/current {}/apps/svc.json",
                a3.paths().state_dir
            )
        ),
        "root\nroot\nroot"
    );
    assert_eq!(
        sh(a3, &format!("ps -o user= -p $(cat {home3}/pid)")),
        "deploy"
    );
    let (hosts, code) = run_json(
        state.path(),
        &[
            "rollback",
            "--inventory",
            deploy_arg,
            "--hosts",
            "a3",
            "--app",
            "svc",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(named(&hosts, "a3")["to"], "1.0.0");
    assert_eq!(served(ports[2]).as_deref(), Some("1.0.0"));
    drop(services);
}
