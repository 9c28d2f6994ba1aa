//! `offgo-tui scan` contract tests: the built binary against a real sshd fleet on loopback.
//! Each case asserts DESIGN.md's JSON shape and `error_kind` values, and the exit code.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn scan_json(state: &Path, inventory: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let inv = inventory.to_str().unwrap();
    let mut args = vec!["scan", "--inventory", inv, "--json"];
    args.extend_from_slice(extra);
    let out = offgo(state, &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let parsed: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "scan --json printed no JSON ({e}):\n{stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        parsed.as_array().expect("a JSON array").clone(),
        out.status.code().unwrap_or(-1),
    )
}

fn by_name<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {hosts:#?}"))
}

const CONTRACT_KEYS: [&str; 18] = [
    "name",
    "address",
    "port",
    "reachable",
    "error_kind",
    "error",
    "go_version",
    "go_root",
    "ldd_gaps",
    "audit",
    "offgo",
    "arch",
    "latency_ms",
    "audit",
    // Milestone 2: the Go environment policy.
    "go_env",
    "go_env_drift",
    "via",
    // Go applications.
    "apps",
];

#[test]
fn scan_reports_every_state_with_the_contract_shape() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("hand").group("web").go_manual("1.21.13"))
            .host(
                HostSpec::new("managed")
                    .group("db")
                    .go_managed_after("1.22.10", "1.21.13"),
            )
            .host(HostSpec::new("nogo").group("db"))
            .host(
                HostSpec::new("gap")
                    .group("web")
                    .go_manual("1.22.10")
                    .ldd_gap(),
            )
            .host(
                HostSpec::new("tampered")
                    .go_manual("1.21.13")
                    .audit_log(offgo::demo::tampered_audit_log("tampered")),
            )
            .host(HostSpec::new("stopped").go_manual("1.21.13").stopped()),
    );
    let (blackhole_port, _blackhole) = fleet.blackhole().unwrap();
    let state = tempfile::tempdir().unwrap();
    let inventory = inventory(
        &fleet,
        &InventoryOptions::new()
            .connect_timeout("2s")
            .extra_host("silent", blackhole_port),
    );
    let started = Instant::now();
    let (hosts, code) = scan_json(state.path(), &inventory, &[]);
    let took = started.elapsed();
    assert_eq!(code, 1, "unreachable hosts make the scan exit 1");
    assert_eq!(hosts.len(), 7);
    let names: Vec<&str> = hosts.iter().map(|h| h["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        ["hand", "managed", "nogo", "gap", "tampered", "stopped", "silent"],
        "inventory order"
    );
    for h in &hosts {
        let keys: Vec<&String> = h.as_object().unwrap().keys().collect();
        for key in CONTRACT_KEYS {
            assert!(h.get(key).is_some(), "{} lacks {key}", h["name"]);
        }
        assert_eq!(keys.len(), 17, "exactly the contract keys: {keys:?}");
    }

    let hand = by_name(&hosts, "hand");
    assert_eq!(hand["reachable"], true);
    assert_eq!(hand["error_kind"], Value::Null);
    assert_eq!(hand["go_version"], "go1.21.13");
    assert_eq!(hand["go_root"], fleet.host("hand").unwrap().paths().go_root);
    assert_eq!(hand["offgo"], Value::Null, "hand-installed: not managed");
    assert_eq!(hand["arch"], "x86_64");
    assert_eq!(hand["ldd_gaps"], serde_json::json!([]));
    assert_eq!(
        hand["audit"],
        serde_json::json!({"status": "missing", "entries": 0, "last_action": null})
    );
    assert!(hand["latency_ms"].as_u64().is_some());

    let managed = by_name(&hosts, "managed");
    assert_eq!(managed["go_version"], "go1.22.10");
    assert_eq!(
        managed["offgo"],
        serde_json::json!({"current": "go1.22.10", "previous": "go1.21.13"})
    );

    let nogo = by_name(&hosts, "nogo");
    assert_eq!(
        (nogo["reachable"].clone(), nogo["go_version"].clone()),
        (Value::Bool(true), Value::Null)
    );

    let gap = by_name(&hosts, "gap");
    let gaps = gap["ldd_gaps"].as_array().unwrap();
    assert_eq!(
        gaps.len(),
        1,
        "only the binary with a missing .so: {gaps:?}"
    );
    assert!(gaps[0]["binary"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{LDD_GAP_BINARY}")));
    assert_eq!(gaps[0]["missing"], serde_json::json!([MISSING_LIBRARY]));

    let tampered = by_name(&hosts, "tampered");
    assert_eq!(tampered["audit"]["status"], "tampered");
    assert_eq!(tampered["audit"]["entries"], 3);

    let stopped = by_name(&hosts, "stopped");
    assert_eq!(
        (stopped["reachable"].clone(), stopped["error_kind"].clone()),
        (Value::Bool(false), "refused".into())
    );
    assert!(stopped["error"].as_str().unwrap().contains("refused"));
    assert_eq!(stopped["go_version"], Value::Null);

    let silent = by_name(&hosts, "silent");
    assert_eq!(silent["error_kind"], "timeout");
    assert!(
        silent["error"].as_str().unwrap().contains("2s"),
        "{}",
        silent["error"]
    );
    // The whole scan waits for the silent host's connect_timeout (2s), not longer.
    assert!(
        took < Duration::from_secs(8),
        "scan took {took:?} with a 2s connect_timeout"
    );

    // The table names every host and each failure with its hint.
    let out = offgo(
        state.path(),
        &["scan", "--inventory", inventory.to_str().unwrap()],
    );
    let table = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "hand",
        "go1.21.13",
        "managed (go1.22.10)",
        "tampered",
        "refused",
        "timeout",
        "hint:",
        MISSING_LIBRARY,
    ] {
        assert!(
            table.contains(needle),
            "{needle:?} not in the table:\n{table}"
        );
    }
    assert_eq!(out.status.code(), Some(1));

    // Selectors: a group, a glob, names; all healthy hosts exit 0.
    let (web, code) = scan_json(state.path(), &inventory, &["--hosts", "group:web"]);
    assert_eq!(
        web.iter()
            .map(|h| h["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["hand", "gap"]
    );
    assert_eq!(code, 0);
    let (some, _) = scan_json(state.path(), &inventory, &["--hosts", "man*,nogo"]);
    assert_eq!(
        some.iter()
            .map(|h| h["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["managed", "nogo"]
    );
}

#[test]
fn host_keys_are_checked_before_any_credential_is_offered() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("rotated").go_manual("1.21.13"))
            .host(HostSpec::new("unknown").go_manual("1.21.13"))
            .host(HostSpec::new("known").go_manual("1.21.13")),
    );
    fleet.write_known_hosts(&["unknown"]).unwrap();
    let rotated = fleet.host("rotated").unwrap();
    rotated.rotate_host_key().unwrap();
    let log_before = std::fs::read_to_string(rotated.log_path())
        .unwrap_or_default()
        .len();
    let state = tempfile::tempdir().unwrap();
    let strict = inventory(&fleet, &InventoryOptions::new());
    let (hosts, code) = scan_json(state.path(), &strict, &[]);
    assert_eq!(code, 1);
    let mismatch = by_name(&hosts, "rotated");
    assert_eq!(mismatch["error_kind"], "host_key_mismatch");
    let message = mismatch["error"].as_str().unwrap();
    assert!(
        message.contains("changed") && message.contains(fleet.known_hosts_path().to_str().unwrap()),
        "{message}"
    );
    // sshd logs every key offered at LogLevel VERBOSE: none may have been.
    let log = std::fs::read_to_string(rotated.log_path()).unwrap();
    let after = &log[log_before.min(log.len())..];
    assert!(
        !after.contains("publickey"),
        "a key was offered to a host with a changed key:\n{after}"
    );
    assert_eq!(by_name(&hosts, "unknown")["error_kind"], "host_key_unknown");
    assert_eq!(by_name(&hosts, "known")["error_kind"], Value::Null);

    // accept-new records the unknown key (one line appended, nothing else touched) and still
    // refuses the changed one.
    let before = std::fs::read_to_string(fleet.known_hosts_path()).unwrap();
    let accept_new = fleet.dir().join("accept-new.toml");
    fleet
        .write_inventory(
            &accept_new,
            &InventoryOptions::new().host_key_policy("accept-new"),
        )
        .unwrap();
    let (hosts, _) = scan_json(state.path(), &accept_new, &[]);
    assert_eq!(by_name(&hosts, "unknown")["error_kind"], Value::Null);
    assert_eq!(by_name(&hosts, "unknown")["go_version"], "go1.21.13");
    assert_eq!(
        by_name(&hosts, "rotated")["error_kind"],
        "host_key_mismatch"
    );
    let after = std::fs::read_to_string(fleet.known_hosts_path()).unwrap();
    assert!(
        after.starts_with(&before),
        "existing known_hosts lines kept"
    );
    let added: Vec<&str> = after[before.len()..].lines().collect();
    assert_eq!(added.len(), 1, "one line added: {added:?}");
    assert!(added[0].starts_with(&format!(
        "[127.0.0.1]:{} ssh-ed25519 ",
        fleet.host("unknown").unwrap().port()
    )));
    // Now known: strict accepts it.
    let (hosts, _) = scan_json(state.path(), &strict, &["--hosts", "unknown"]);
    assert_eq!(by_name(&hosts, "unknown")["error_kind"], Value::Null);
}

#[test]
fn a_key_the_host_does_not_accept_is_an_auth_error() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("h").go_manual("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(
        &fleet,
        &InventoryOptions::new().identity_file(fleet.other_client_key()),
    );
    let (hosts, code) = scan_json(state.path(), &inv, &[]);
    assert_eq!(code, 1);
    assert_eq!(hosts[0]["error_kind"], "auth");
    assert_eq!(hosts[0]["reachable"], false);
    assert!(hosts[0]["error"]
        .as_str()
        .unwrap()
        .contains(fleet.other_client_key().to_str().unwrap()));
}

#[test]
fn usage_and_configuration_errors_exit_2() {
    let state = tempfile::tempdir().unwrap();
    let missing = offgo(
        state.path(),
        &["scan", "--inventory", "/nonexistent/offgo.toml"],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/offgo.toml"));

    let bad = state.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[defaults]\nusr = \"root\"\n\n[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n",
    )
    .unwrap();
    let out = offgo(
        state.path(),
        &["scan", "--inventory", bad.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:2:1") && err.contains("defaults.usr"),
        "{err}"
    );

    let good = state.path().join("good.toml");
    std::fs::write(&good, "[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n").unwrap();
    let out = offgo(
        state.path(),
        &[
            "scan",
            "--inventory",
            good.to_str().unwrap(),
            "--hosts",
            "nope",
        ],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nope"));

    let out = offgo(state.path(), &["scan", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
}

/// `scan --format csv`: the console's table columns, one record per host in inventory order,
/// read back with a CSV parser; `--format json` is `--json`; the two disagreeing is a usage
/// error.
#[test]
fn scan_format_csv_is_the_console_table_as_csv() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("hand").go_manual("1.21.13"))
            .host(HostSpec::new("nogo"))
            .host(HostSpec::new("gap").go_manual("1.22.10").ldd_gap())
            .host(
                HostSpec::new("tampered")
                    .go_manual("1.21.13")
                    .audit_log(offgo::demo::tampered_audit_log("tampered")),
            )
            .host(HostSpec::new("stopped").go_manual("1.21.13").stopped()),
    );
    let state = tempfile::tempdir().unwrap();
    let inventory = inventory(&fleet, &InventoryOptions::new().connect_timeout("2s"));
    let inv = inventory.to_str().unwrap();
    let out = offgo(
        state.path(),
        &["scan", "--inventory", inv, "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(1), "a stopped host fails the scan");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "name",
            "address",
            "go",
            "ldd_gaps",
            "audit",
            "state",
            "latency_ms",
            "error"
        ]
    );
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    let names: Vec<&str> = records.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        names,
        ["hand", "nogo", "gap", "tampered", "stopped"],
        "{text}"
    );
    let row = |name: &str| records.iter().find(|r| r[0] == name).unwrap();
    let hand = row("hand");
    let port = fleet.host("hand").unwrap().port();
    assert_eq!(hand[1], format!("127.0.0.1:{port}"));
    assert_eq!(&hand[2..6], ["go1.21.13", "0", "missing", "ok"]);
    assert!(hand[6].parse::<u64>().is_ok(), "latency in ms: {hand:?}");
    assert_eq!(hand[7], "");
    assert_eq!(&row("nogo")[2..4], ["none", "0"]);
    assert_eq!(row("gap")[3], "1");
    assert_eq!(row("tampered")[4], "tampered");
    let stopped = row("stopped");
    assert_eq!(&stopped[2..6], ["", "", "", "refused"], "not read: empty");
    assert!(stopped[7].contains("refused"), "{stopped:?}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );

    // --format json is --json; table is the default.
    let (json, _) = scan_json(state.path(), &inventory, &["--hosts", "hand"]);
    let out = offgo(
        state.path(),
        &[
            "scan",
            "--inventory",
            inv,
            "--hosts",
            "hand",
            "--format",
            "json",
        ],
    );
    let same: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(same[0]["name"], json[0]["name"]);
    assert_eq!(same.as_array().unwrap()[0].as_object().unwrap().len(), 17);
    let out = offgo(
        state.path(),
        &[
            "scan",
            "--inventory",
            inv,
            "--hosts",
            "hand",
            "--format",
            "table",
        ],
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("HOST"));
    let out = offgo(
        state.path(),
        &["scan", "--inventory", inv, "--json", "--format", "csv"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--json means --format json"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = offgo(
        state.path(),
        &["scan", "--inventory", inv, "--format", "xml"],
    );
    assert_eq!(out.status.code(), Some(2));
}
