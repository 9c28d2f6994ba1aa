//! `offgo-tui run -- CMD` (the console's `:run`, headless) against a real sshd fleet: answers
//! gathered by identical result like `clush -b`, `--json` per host, exit 1 when any host's
//! command failed, and every run recorded in both audit logs, so `audit verify` stays clean.

mod common;

use common::*;
use serde_json::Value;

const LOG: &str = "/var/log/offgo/audit.log";
const COMMAND: &str = "cat /var/lib/offgo/color";

fn fleet_with_colors() -> Fleet {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("db-1"))
            .host(HostSpec::new("web-01"))
            .host(HostSpec::new("web-02")),
    );
    for name in ["web-01", "web-02"] {
        sh(host(&fleet, name), "echo blue > /var/lib/offgo/color");
    }
    fleet
}

fn run_lines(host: &HostHandle) -> Vec<Value> {
    let log = exec(host, &format!("cat {LOG}"));
    String::from_utf8_lossy(&log.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|l| l["action"] == "run")
        .collect()
}

#[test]
fn answers_are_gathered_by_identical_result_and_recorded_on_both_ends() {
    let fleet = fleet_with_colors();
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let inv = inv.to_str().unwrap();

    let out = offgo(state.path(), &["run", "--inventory", inv, "--", COMMAND]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "one host failed:\n{stdout}\n{stderr}"
    );
    let blocks: Vec<&str> = stdout.split("----------------\n").collect();
    let want = "web-[01-02] (2) · exit 0\n";
    let at = blocks
        .iter()
        .position(|b| *b == want)
        .unwrap_or_else(|| panic!("no block headed {want:?}:\n{stdout}"));
    assert_eq!(blocks[at + 1].trim_end(), "blue", "{stdout}");
    assert!(
        stdout.contains("db-1 (1) · exit 1"),
        "the odd host out has its own block:\n{stdout}"
    );
    assert!(
        stdout.contains("stderr │ cat: /var/lib/offgo/color: No such file"),
        "{stdout}"
    );
    // The larger group comes first.
    assert!(stdout.find("web-[01-02]") < stdout.find("db-1"), "{stdout}");

    // Both ends recorded each run: the host's own log and the jump host's.
    for (name, result) in [("db-1", "failed"), ("web-01", "ok"), ("web-02", "ok")] {
        let lines = run_lines(host(&fleet, name));
        assert_eq!(lines.len(), 1, "{name}: {lines:#?}");
        assert_eq!(lines[0]["target"], COMMAND);
        assert_eq!(lines[0]["result"], result);
    }
    let local = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    let local_runs = local
        .lines()
        .filter(|l| l.contains("\"action\":\"run\""))
        .count();
    assert_eq!(local_runs, 3, "{local}");
    // And the logs agree: nothing diverged.
    let verify = offgo(
        state.path(),
        &["audit", "verify", "--inventory", inv, "--json"],
    );
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );

    // --json: one object per host with what it answered.
    let out = offgo(
        state.path(),
        &[
            "run",
            "--inventory",
            inv,
            "--hosts",
            "web-*",
            "--json",
            "--",
            COMMAND,
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    let hosts: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hosts.len(), 2);
    for h in &hosts {
        assert_eq!(h["ok"], true, "{h:#}");
        assert_eq!(h["exit_status"], 0, "{h:#}");
        assert_eq!(h["stdout"], serde_json::json!(["blue"]), "{h:#}");
    }
}

#[test]
fn host_text_in_the_answer_is_data_not_terminal_control() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("evil")));
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let out = offgo(
        state.path(),
        &[
            "run",
            "--inventory",
            inv.to_str().unwrap(),
            "--",
            r"printf '\033]0;owned\007\033[2Jhi\n'",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !out.stdout.contains(&0x1b),
        "an escape reached the terminal: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("hi"));
}

#[test]
fn an_empty_command_is_a_usage_error_before_any_host_is_contacted() {
    let state = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["run", "--inventory", "/nonexistent.toml", "--", " "],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("the command is empty"));
}
