//! SIGTERM and ctrl-c during a headless push, verify or rollback: the host in flight finishes
//! whole, no other host starts, the results are printed with the hosts left out, exit 1, and
//! nothing is left behind on the hosts or the jump host.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

/// Waits until the push has reached `host`: an upload, a tarball or a temp tree there.
fn wait_for_push_on(host: &HostHandle) {
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let out = exec(
            host,
            "ls -A /var/lib/offgo/incoming /opt/offgo/releases 2>/dev/null \
             | grep -c -e '\\.part$' -e '\\.tar\\.gz$' -e '^\\.offgo-new'",
        );
        if String::from_utf8_lossy(&out.stdout).trim() != "0" {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the push never reached {}",
            host.name()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The names of every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(files(&path));
        } else {
            out.push(entry.file_name().to_string_lossy().into_owned());
        }
    }
    out
}

#[test]
fn sigterm_during_a_push_lets_the_host_in_flight_finish_and_starts_no_other() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("s0").go_managed("1.21.13"))
            .host(HostSpec::new("s1").go_managed("1.21.13"))
            .host(HostSpec::new("s2").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let child = offgo_cmd(
        state.path(),
        &[
            "push",
            "-i",
            inv.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--parallel",
            "1",
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    wait_for_push_on(host(&fleet, "s0"));
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let hosts: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("the results as JSON ({e}): {stderr}"));
    let hosts = hosts.as_array().unwrap();
    assert_eq!(hosts.len(), 3, "{hosts:#?}");
    assert_eq!(hosts[0]["name"], "s0");
    assert_eq!(hosts[0]["ok"], true, "s0 finished its push: {hosts:#?}");
    for (i, name) in [(1, "s1"), (2, "s2")] {
        assert_eq!(hosts[i]["name"], name);
        assert_eq!(hosts[i]["ok"], false);
        assert_eq!(hosts[i]["step"], "interrupted");
        assert_eq!(hosts[i]["error"], "not started: SIGTERM came first");
    }
    assert!(
        stderr.contains("interrupted by SIGTERM: 1 host(s) finished, 2 not started"),
        "{stderr}"
    );
    for (name, version) in [
        ("s0", "go1.22.10"),
        ("s1", "go1.21.13"),
        ("s2", "go1.21.13"),
    ] {
        let h = host(&fleet, name);
        assert_eq!(
            sh(h, "/usr/local/go/bin/go version"),
            format!("go version {version} linux/amd64"),
            "{name}"
        );
        assert_eq!(
            sh(h, "ls -a /opt/offgo/releases | grep -c offgo-new || true"),
            "0",
            "no temp tree left on {name}"
        );
    }
    for name in ["s1", "s2"] {
        assert_eq!(
            sh(
                host(&fleet, name),
                "ls -A /var/lib/offgo/incoming 2>/dev/null | wc -l"
            ),
            "0",
            "nothing uploaded to {name}"
        );
    }
    let leftovers: Vec<String> = files(state.path())
        .into_iter()
        .filter(|f| f.contains(".tmp") || f.contains("offgo-new") || f.ends_with(".part"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temp files on the jump host: {leftovers:?}"
    );
}

#[test]
fn ctrl_c_twice_during_a_verify_stops_waiting() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("v0").go_managed("1.21.13"))
            .host(HostSpec::new("v1").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    // A verify that hangs on v0 (its go binary sleeps) keeps v0 in flight.
    sh(
        host(&fleet, "v0"),
        "d=$(readlink /usr/local/go) && mv $d/bin/go $d/bin/go.real && \
         printf '#!/bin/sh\\nsleep 600\\n' > $d/bin/go && chmod +x $d/bin/go",
    );
    let child = offgo_cmd(
        state.path(),
        &[
            "verify",
            "-i",
            inv.to_str().unwrap(),
            "--parallel",
            "1",
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let pid = child.id() as i32;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    std::thread::sleep(Duration::from_millis(500));
    // SAFETY: as above.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let started = Instant::now();
    let out = child.wait_with_output().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "stopped waiting"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let hosts: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("the results as JSON ({e}): {stderr}"));
    assert_eq!(hosts[0]["step"], "interrupted", "{hosts:#}");
    assert_eq!(
        hosts[0]["error"], "cut short by a second SIGINT while in flight",
        "{hosts:#}"
    );
    assert_eq!(
        hosts[1]["error"], "not started: SIGINT came first",
        "{hosts:#}"
    );
}
