//! The small edges of the headless contract, with the real binary: `rollback --to` in both
//! spellings and a non-version refused as a usage error; the actor recorded when `$USER` is
//! unset.

mod common;

use common::*;
use serde_json::Value;

fn json(out: &std::process::Output) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str::<Value>(&stdout)
        .unwrap_or_else(|e| {
            panic!(
                "no JSON ({e}):\n{stdout}\nstderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
        .as_array()
        .expect("a JSON array")
        .clone()
}

#[test]
fn rollback_to_a_non_version_is_a_usage_error() {
    let state = tempfile::tempdir().unwrap();
    for bad in ["banana", "go", "1.21.13; ls", ""] {
        let out = offgo(state.path(), &["rollback", "--to", bad]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "--to {bad:?}: {stderr}");
        assert!(
            stderr.contains("not a Go version: write it as 1.21.13 or go1.21.13"),
            "{stderr}"
        );
    }
}

fn id_un() -> String {
    let out = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn rollback_to_takes_both_spellings_and_the_actor_comes_from_the_uid_without_user() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("e0").go_managed("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let inv = inv.to_str().unwrap();
    let bundle = bundle_1_22().to_str().unwrap();
    for to in ["1.21.13", "go1.21.13"] {
        let out = offgo_cmd(
            state.path(),
            &["push", "-i", inv, "--bundle", bundle, "--json"],
        )
        .env_remove("USER")
        .env_remove("LOGNAME")
        .output()
        .unwrap();
        assert_eq!(out.status.code(), Some(0), "{:#?}", json(&out));
        let out = offgo(state.path(), &["rollback", "-i", inv, "--to", to, "--json"]);
        let hosts = json(&out);
        assert_eq!(out.status.code(), Some(0), "--to {to}: {hosts:#?}");
        assert_eq!(hosts[0]["to"], "go1.21.13", "--to {to}");
        assert_eq!(
            sh(host(&fleet, "e0"), "/usr/local/go/bin/go version"),
            "go version go1.21.13 linux/amd64"
        );
    }
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap();
    let expected = format!("{}@{}", id_un(), hostname.trim());
    let log = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    let pushes: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["action"] == "push")
        .collect();
    assert_eq!(pushes.len(), 2, "{log}");
    for record in pushes {
        assert_eq!(record["actor"], expected.as_str(), "{record}");
    }
}
