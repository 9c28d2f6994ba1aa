//! Host ranges and selector arithmetic through the real binary: a ranged `[[hosts]]` entry
//! whose first address is a real sshd on loopback and whose others are loopback addresses
//! nothing listens on, scanned with `--hosts 'group:web&!web-03'`; selector and range mistakes
//! exit 2 with the message that says what to fix.

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// The fleet's inventory plus `web-[01-04]` on 127.0.0.[1-4] at the port of the fleet's `solo`
/// host: web-01 is solo's sshd under another name; 127.0.0.2-4 refuse (sshd listens on
/// 127.0.0.1 only).
fn ranged_inventory(fleet: &Fleet) -> std::path::PathBuf {
    let solo = host(fleet, "solo");
    let p = solo.paths();
    let ranged = format!(
        "[groups.web]\n\n[[hosts]]\nname = \"web-[01-04]\"\naddress = \"127.0.0.[1-4]\"\n\
         port = {}\ngroups = [\"web\"]\ngo_root = \"{}\"\nreleases_dir = \"{}\"\n\
         state_dir = \"{}\"\naudit_log = \"{}\"\nprofile_script = \"{}\"\n",
        solo.port(),
        p.go_root,
        p.releases_dir,
        p.state_dir,
        p.audit_log,
        p.profile_script
    );
    inventory(fleet, &InventoryOptions::new().append(ranged))
}

fn scan(state: &Path, inventory: &Path, selector: &str) -> std::process::Output {
    let inv = inventory.to_str().unwrap();
    offgo(
        state,
        &["scan", "--inventory", inv, "--hosts", selector, "--json"],
    )
}

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

fn field<'a>(hosts: &'a [Value], key: &str) -> Vec<&'a Value> {
    hosts.iter().map(|h| &h[key]).collect()
}

#[test]
fn scan_selects_ranged_hosts_with_intersection_negation_and_union() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("solo").go_managed("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let inv = ranged_inventory(&fleet);

    let out = scan(state.path(), &inv, "group:web&!web-03");
    let hosts = json(&out);
    assert_eq!(
        field(&hosts, "name"),
        ["web-01", "web-02", "web-04"],
        "{hosts:#?}"
    );
    assert_eq!(
        field(&hosts, "address"),
        ["127.0.0.1", "127.0.0.2", "127.0.0.4"]
    );
    assert_eq!(field(&hosts, "reachable"), [true, false, false]);
    assert_eq!(field(&hosts, "error_kind")[1..], [&"refused", &"refused"]);
    assert_eq!(hosts[0]["go_version"], "go1.21.13", "{:#?}", hosts[0]);
    assert_eq!(out.status.code(), Some(1), "two hosts refused");

    // A union with a name, and a part that is all reachable: exit 0.
    let out = scan(state.path(), &inv, "solo , group:web&!web-0[2-4]");
    assert_eq!(field(&json(&out), "name"), ["solo", "web-01"]);
    assert_eq!(out.status.code(), Some(0));

    // The inventory's range syntax selects too (a glob would read `[01-02]` as one character).
    let out = scan(state.path(), &inv, "web-[01-02],web-04&!solo");
    assert_eq!(field(&json(&out), "name"), ["web-01", "web-02", "web-04"]);
}

#[test]
fn selector_and_range_mistakes_exit_2_and_say_what_to_fix() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("solo").go_managed("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let inv = ranged_inventory(&fleet);
    for (selector, says) in [
        (
            "group:web&!web-3",
            "no host named `web-3` in the inventory; did you mean `web-03`?",
        ),
        (
            "group:web&!group:web",
            "`group:web&!group:web` selects no host: its `&` and `!` parts leave none",
        ),
        ("group:web&", "has a `&` or `!` with nothing to apply it to"),
        (
            "!group:wbe",
            "no group named `wbe` in the inventory; did you mean `web`?",
        ),
    ] {
        let out = scan(state.path(), &inv, selector);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{selector}: {stderr}");
        assert!(stderr.contains(says), "{selector}: {stderr}");
        assert!(out.stdout.is_empty(), "{selector} printed a result");
    }

    let bad = state.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[[hosts]]\nname = \"web-[01-04]\"\naddress = \"127.0.0.[1-3]\"\n",
    )
    .unwrap();
    let out = scan(state.path(), &bad, "all");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "bad.toml:3:11: hosts[0].address: name \"web-[01-04]\" stands for 4 hosts but \
             address \"127.0.0.[1-3]\" for 3 hosts"
        ),
        "{stderr}"
    );
}
