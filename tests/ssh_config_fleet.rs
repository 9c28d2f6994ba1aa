//! `ssh_config` against real sshd hosts: every host's address, port, login, key and known_hosts
//! come from an OpenSSH config; the inventory names the hosts and nothing about reaching them.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn scan_reaches_hosts_whose_connection_comes_only_from_ssh_config() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("web-a").go_manual("1.21.13"))
            .host(HostSpec::new("web-b")),
    );
    // The fleet's own inventory less every connection key, so nothing else could supply them.
    let stripped: String = fleet
        .inventory_toml(&InventoryOptions::new())
        .lines()
        .filter(|l| {
            ![
                "address =",
                "port =",
                "user =",
                "identity_file =",
                "known_hosts =",
            ]
            .iter()
            .any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect();
    // web-b's block names a port nothing listens on: the inventory's own `port` must win.
    let web_b = fleet.host("web-b").unwrap().port();
    let mut config = String::from("# per host: the port\n");
    for h in fleet.hosts() {
        let port = if h.name() == "web-b" { 1 } else { h.port() };
        config.push_str(&format!("Host {}\n    Port {port}\n\n", h.name()));
    }
    config.push_str(&format!(
        "Host web-*\n    HostName 127.0.0.1\n    User {}\n    IdentityFile {}\n    UserKnownHostsFile {}\n",
        fleet.user(),
        fleet.client_key_path().display(),
        fleet.known_hosts_path().display()
    ));
    let config_path = fleet.dir().join("ssh_config");
    std::fs::write(&config_path, config).unwrap();
    let stripped = stripped.replacen(
        "name = \"web-b\"\n",
        &format!("name = \"web-b\"\nport = {web_b}\n"),
        1,
    );
    // Without the config nothing says where the hosts are: the load itself fails.
    let bare = offgo::core::inventory::parse(&stripped, &fleet.dir().join("bare.toml"));
    assert!(
        bare.is_err_and(|e| e.message.contains("missing `address`")),
        "the inventory alone must not be enough to reach the hosts"
    );
    let inventory = fleet.dir().join("offgo.toml");
    let text = stripped.replacen(
        "[defaults]\n",
        &format!(
            "[defaults]\nssh_config = {:?}\n",
            config_path.display().to_string()
        ),
        1,
    );
    std::fs::write(&inventory, &text).unwrap();

    let state = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["scan", "--inventory", inventory.to_str().unwrap(), "--json"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let hosts: Vec<Value> = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {stdout}\nstderr: {}\ninventory:\n{text}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert_eq!(out.status.code(), Some(0), "{hosts:#?}");
    for h in fleet.hosts() {
        let report = hosts.iter().find(|r| r["name"] == h.name()).unwrap();
        assert_eq!(report["reachable"], true, "{report:#?}");
        assert_eq!(report["address"], "127.0.0.1");
        assert_eq!(report["port"], h.port());
    }
    let web_a = hosts.iter().find(|r| r["name"] == "web-a").unwrap();
    assert_eq!(web_a["go_version"], "go1.21.13");
}
