//! Hosts reachable only through jump hosts (`proxy_jump`): the targets and the bastions run in a
//! network namespace of their own; the real namespace reaches only bastion-1, through a bridge
//! on its port. Scan, push and rollout through one hop and through a two-hop chain; a changed
//! bastion key refused before any target is contacted; a dead bastion named in every error.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// The fleet behind the bastion. Fields drop in order: the bridge, the fleet, the namespace.
struct Behind {
    bridge: Option<Bridge>,
    fleet: Fleet,
    ns: NetNamespace,
    state: tempfile::TempDir,
}

const TARGETS: [&str; 3] = ["web-01", "web-02", "web-03"];

fn behind() -> Behind {
    let ns = NetNamespace::create().unwrap_or_else(|e| panic!("{e}"));
    let fleet = start(
        &FleetSpec::new()
            .network(&ns)
            .host(HostSpec::new("bastion-1").no_app_binaries())
            .host(HostSpec::new("bastion-2").no_app_binaries())
            .host(HostSpec::new("web-01").group("one").go_manual("1.21.13"))
            .host(HostSpec::new("web-02").group("one").go_managed("1.21.13"))
            .host(HostSpec::new("web-03").group("two").go_manual("1.21.13")),
    );
    let bridge = ns
        .bridge(host(&fleet, "bastion-1").port())
        .unwrap_or_else(|e| panic!("{e}"));
    Behind {
        bridge: Some(bridge),
        fleet,
        ns,
        state: tempfile::tempdir().unwrap(),
    }
}

impl Behind {
    /// The fleet's inventory with group `one` behind bastion-1 and group `two` behind
    /// bastion-1 then bastion-2 (bastion-2 itself is reached through bastion-1).
    fn inventory(&self, opts: &InventoryOptions) -> PathBuf {
        let text = self
            .fleet
            .inventory_toml(opts)
            .replace(
                "[groups.one]\n",
                "[groups.one]\nproxy_jump = \"bastion-1\"\n",
            )
            .replace(
                "[groups.two]\n",
                "[groups.two]\nproxy_jump = \"bastion-1,bastion-2\"\n",
            )
            .replace(
                "name = \"bastion-2\"\n",
                "name = \"bastion-2\"\nproxy_jump = \"bastion-1\"\n",
            );
        let path = self.fleet.dir().join("offgo.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> (String, i32) {
        let out = offgo(self.state.path(), args);
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            !stdout.trim().is_empty(),
            "offgo-tui {args:?} printed nothing; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (stdout, code)
    }

    fn scan(&self, inv: &Path, hosts: &str) -> Vec<Value> {
        let inv = inv.to_str().unwrap();
        let (stdout, _) = self.run(&["scan", "--inventory", inv, "--hosts", hosts, "--json"]);
        let v: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
        v.as_array().unwrap().clone()
    }

    /// How many connections the host's sshd has logged so far.
    fn connections(&self, name: &str) -> usize {
        let log = std::fs::read_to_string(host(&self.fleet, name).log_path()).unwrap_or_default();
        log.matches("Connection from").count()
    }
}

fn by_name<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {hosts:#?}"))
}

#[test]
fn targets_are_isolated_and_scanned_through_one_hop_and_a_two_hop_chain() {
    let b = behind();
    // Isolation, proven: from the real namespace no target answers; from inside, each does.
    for name in TARGETS.iter().chain(&["bastion-2"]) {
        let port = host(&b.fleet, name).port();
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port))
                .map(|s| {
                    // A port taken by someone else's listener outside: not our host.
                    let mut banner = [0u8; 7];
                    std::io::Read::read_exact(&mut &s, &mut banner).is_err()
                })
                .unwrap_or(true),
            "{name} is reachable directly"
        );
        assert!(b.ns.connect(port).is_ok(), "{name} is not up inside");
    }
    let direct = b
        .fleet
        .inventory_toml(&InventoryOptions::new().connect_timeout("2s"));
    let direct_path = b.fleet.dir().join("direct.toml");
    std::fs::write(&direct_path, direct).unwrap();
    for h in b.scan(&direct_path, "web-*") {
        assert_eq!(h["reachable"], false, "{h:#}");
        assert_eq!(h["via"], serde_json::json!([]), "{h:#}");
    }

    let inv = b.inventory(&InventoryOptions::new());
    // One bastion session carries every host behind it.
    let logins = || {
        let log = std::fs::read_to_string(host(&b.fleet, "bastion-1").log_path()).unwrap();
        log.matches("Accepted publickey").count()
    };
    let before = logins();
    let shared = b.scan(&inv, "web-01,web-02");
    assert!(shared.iter().all(|h| h["reachable"] == true), "{shared:#?}");
    assert_eq!(logins() - before, 1, "one bastion login for both hosts");
    let hosts = b.scan(&inv, "all");
    for h in &hosts {
        assert_eq!(h["reachable"], true, "{h:#}");
        assert_eq!(h["error_kind"], Value::Null, "{h:#}");
    }
    assert_eq!(by_name(&hosts, "bastion-1")["via"], serde_json::json!([]));
    assert_eq!(
        by_name(&hosts, "bastion-2")["via"],
        serde_json::json!(["bastion-1"])
    );
    assert_eq!(
        by_name(&hosts, "web-01")["via"],
        serde_json::json!(["bastion-1"])
    );
    assert_eq!(by_name(&hosts, "web-01")["go_version"], "go1.21.13");
    assert_eq!(by_name(&hosts, "web-02")["offgo"]["current"], "go1.21.13");
    assert_eq!(
        by_name(&hosts, "web-03")["via"],
        serde_json::json!(["bastion-1", "bastion-2"])
    );
    assert_eq!(by_name(&hosts, "web-03")["go_version"], "go1.21.13");

    // The chain really runs through bastion-2: without it, web-03 fails and says so.
    host(&b.fleet, "bastion-2").stop();
    let h = b.scan(&inv, "web-03");
    assert_eq!(h[0]["reachable"], false, "{:#}", h[0]);
    let error = h[0]["error"].as_str().unwrap();
    assert!(error.starts_with("via bastion-2: "), "{error}");
    assert_eq!(h[0]["error_kind"], "refused", "{:#}", h[0]);
}

#[test]
fn a_host_the_bastion_cannot_reach_fails_on_its_own_naming_the_bastion() {
    let b = behind();
    // Inside the namespace only `lo` exists: the bastion has no route to 10.255.255.1.
    let mut opts = InventoryOptions::new();
    opts.extra_hosts.push(ExtraHost {
        name: "ghost".into(),
        address: "10.255.255.1".into(),
        port: 22,
        groups: vec!["one".into()],
    });
    let inv = b.inventory(&opts);
    let hosts = b.scan(&inv, "ghost,web-01");
    let ghost = by_name(&hosts, "ghost");
    assert_eq!(ghost["error_kind"], "refused", "{ghost:#}");
    assert_eq!(ghost["via"], serde_json::json!(["bastion-1"]));
    let error = ghost["error"].as_str().unwrap();
    assert!(
        error.starts_with("bastion-1 could not connect to 10.255.255.1:22: "),
        "{error}"
    );
    // The bastion and the other hosts behind it are fine.
    assert_eq!(by_name(&hosts, "web-01")["reachable"], true);
}

#[test]
fn a_changed_bastion_key_is_refused_before_any_target_is_contacted() {
    let b = behind();
    let inv = b.inventory(&InventoryOptions::new());
    let before: Vec<usize> = TARGETS.iter().map(|t| b.connections(t)).collect();
    host(&b.fleet, "bastion-1").rotate_host_key().unwrap();
    let hosts = b.scan(&inv, "web-*");
    for h in &hosts {
        assert_eq!(h["error_kind"], "host_key_mismatch", "{h:#}");
        let error = h["error"].as_str().unwrap();
        assert!(error.starts_with("via bastion-1: host key of "), "{error}");
    }
    let after: Vec<usize> = TARGETS.iter().map(|t| b.connections(t)).collect();
    assert_eq!(
        before, after,
        "a target was contacted past a changed bastion key"
    );
}

#[test]
fn a_dead_bastion_gives_every_host_behind_it_the_hops_error() {
    let mut b = behind();
    let inv = b.inventory(&InventoryOptions::new());
    host(&b.fleet, "bastion-1").stop();
    let hosts = b.scan(&inv, "web-*,bastion-2");
    assert_eq!(hosts.len(), 4);
    for h in &hosts {
        assert_eq!(h["error_kind"], "refused", "{h:#}");
        let error = h["error"].as_str().unwrap();
        assert!(error.starts_with("via bastion-1: "), "{error}");
    }
    // No bridge at all: refused at the TCP connect, still named.
    b.bridge = None;
    for h in b.scan(&inv, "web-*") {
        assert_eq!(h["error_kind"], "refused", "{h:#}");
        let error = h["error"].as_str().unwrap();
        assert!(
            error.starts_with("via bastion-1: connection to 127.0.0.1:"),
            "{error}"
        );
    }
}

fn bundle() -> &'static str {
    bundle_1_22().to_str().unwrap()
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[test]
fn push_and_a_rollout_run_through_one_hop_and_a_two_hop_chain() {
    let b = behind();
    let inv = b.inventory(&InventoryOptions::new());
    let inv = inv.to_str().unwrap();

    // Push: web-01 behind bastion-1, web-03 behind bastion-1 then bastion-2.
    let (stdout, code) = b.run(&[
        "push",
        "--inventory",
        inv,
        "--bundle",
        bundle(),
        "--hosts",
        "web-01,web-03",
        "--json",
    ]);
    let pushed: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(code, 0, "{pushed:#}");
    for h in pushed.as_array().unwrap() {
        assert_eq!(h["ok"], true, "{h:#}");
        assert_eq!(h["to"], "go1.22.10", "{h:#}");
    }
    for name in ["web-01", "web-03"] {
        assert_eq!(
            sh(host(&b.fleet, name), "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64"
        );
    }

    // Rollout over both routes: a canary, then the rest.
    let (stdout, code) = b.run(&[
        "rollout",
        "--inventory",
        inv,
        "--bundle",
        bundle(),
        "--hosts",
        "web-*",
        "--canary",
        "web-02",
        "--batches",
        "100%",
        "--max-failures",
        "0",
        "--json",
    ]);
    let lines = json_lines(&stdout);
    let summary = lines.last().unwrap();
    assert_eq!(code, 0, "{summary:#}");
    assert_eq!(summary["halted"], false, "{summary:#}");
    for name in TARGETS {
        assert_eq!(
            sh(host(&b.fleet, name), "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64",
            "{name}"
        );
    }
    // The bastions themselves were never touched.
    for name in ["bastion-1", "bastion-2"] {
        assert_eq!(
            sh(
                host(&b.fleet, name),
                "test -e /usr/local/go && echo yes || echo no"
            ),
            "no"
        );
    }
}

#[test]
fn a_silent_bastion_is_waited_for_once_for_every_host_behind_it() {
    let b = behind();
    // A listener that accepts and never speaks, counting the connections it gets.
    let silent = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = silent.local_addr().unwrap().port();
    let accepted = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let held = std::sync::Arc::clone(&accepted);
    std::thread::spawn(move || {
        for stream in silent.incoming().flatten() {
            held.lock().unwrap().push(stream);
        }
    });
    let text = b
        .fleet
        .inventory_toml(&InventoryOptions::new().connect_timeout("2s"))
        .replace(
            "[groups.one]\n",
            &format!("[groups.one]\nproxy_jump = \"127.0.0.1:{port}\"\n"),
        )
        .replace(
            "[groups.two]\n",
            &format!("[groups.two]\nproxy_jump = \"127.0.0.1:{port}\"\n"),
        );
    let inv = b.fleet.dir().join("silent.toml");
    std::fs::write(&inv, text).unwrap();
    let inv = inv.to_str().unwrap();
    // One host at a time: without the hop's failure shared and remembered, each would try it.
    let (stdout, _) = b.run(&[
        "scan",
        "--inventory",
        inv,
        "--hosts",
        "web-*",
        "--parallel",
        "1",
        "--json",
    ]);
    let hosts: Value = serde_json::from_str(&stdout).unwrap();
    for h in hosts.as_array().unwrap() {
        assert_eq!(h["error_kind"], "timeout", "{h:#}");
        let error = h["error"].as_str().unwrap();
        assert!(
            error.starts_with(&format!("via 127.0.0.1:{port}: ")),
            "{error}"
        );
    }
    assert_eq!(
        accepted.lock().unwrap().len(),
        1,
        "the silent hop was tried more than once"
    );
}

#[test]
fn pooled_sessions_through_a_hop_that_goes_away_fail_naming_it_and_come_back_with_it() {
    let b = behind();
    let inv = b.inventory(&InventoryOptions::new());
    let inventory = offgo::core::inventory::load(&inv).unwrap_or_else(|e| panic!("{e}"));
    let web = inventory.host(inventory.find("web-01").unwrap()).clone();
    let mut link = offgo::core::ssh::HostLink::new(web);
    let hello = link.run("probe", "echo hello", b"").unwrap();
    assert_eq!(String::from_utf8_lossy(&hello.stdout), "hello\n");
    assert!(link.is_connected());

    // The bastion dies under the pooled session: the tunnel ends, the reconnect names the hop.
    let bastion = host(&b.fleet, "bastion-1");
    bastion.stop();
    let error = link.run("probe", "echo hello", b"").unwrap_err();
    assert_eq!(error.kind, offgo::core::ssh::ErrorKind::Refused, "{error}");
    assert!(error.message.starts_with("via bastion-1: "), "{error}");

    // Back up (after the failure is no longer remembered): the same link works again.
    bastion.start().unwrap();
    std::thread::sleep(offgo::core::ssh::HOP_FAILURE_MEMORY + std::time::Duration::from_secs(1));
    let again = link.run("probe", "echo again", b"").unwrap();
    assert_eq!(String::from_utf8_lossy(&again.stdout), "again\n");
}
