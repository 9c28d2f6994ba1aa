//! A rollout run headless, triaged in the console, end to end: `offgo-tui rollout` halts on a
//! disk-full host; the console started afterwards on the same state dir lists it (`L`), opens it
//! with the host in its failure bucket, and `t` (confirmed, if the console asks) takes the
//! rollout over from its journal and pushes the host again, which fails again the same way.

mod common;

use std::time::Duration;

use common::tmux::{framed, Shell, Tmux};
use common::*;
use regex::Regex;

const FIRST_FRAME: Duration = Duration::from_secs(60);
const REDRAW: Duration = Duration::from_secs(20);
const OPERATION: Duration = Duration::from_secs(240);

#[test]
fn a_headless_rollout_that_halted_is_retried_from_the_console() {
    // r-02's /opt, where releases go, is a 40 MiB tmpfs: its preflight refuses the push.
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("r-01").go_managed("1.21.13"))
            .host(HostSpec::new("r-02").go_manual("1.21.13").tmpfs("/opt", 40))
            .host(HostSpec::new("r-03").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new().connect_timeout("5s"));
    let out = offgo_cmd(
        state.path(),
        &[
            "rollout",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--batches",
            "100%",
            "--max-failures",
            "0",
            "--parallel",
            "3",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the headless rollout halts: {}",
        String::from_utf8_lossy(&out.stdout)
    );

    let state_dir = state.path().to_str().unwrap();
    let tmux = Tmux::start(
        160,
        48,
        Shell::SH,
        &[
            ("OFFGO", env!("CARGO_BIN_EXE_offgo-tui")),
            ("INVENTORY", inv.to_str().unwrap()),
            ("XDG_STATE_HOME", state_dir),
            ("XDG_CONFIG_HOME", state_dir),
        ],
    );
    tmux.run("\"$OFFGO\" --inventory \"$INVENTORY\"; echo \"console exited: $?\"");
    tmux.wait_for("the console's first frame", FIRST_FRAME, |s| {
        s.contains(" hosts ") && s.contains("? help")
    });

    // L: the headless run is listed, halted, one failed host.
    tmux.keys(&["L"]);
    let row = Regex::new(r"▶ halted\s+\S+-\d+\s+go1\.22\.10\s+2\s+1\s+0\s+0").unwrap();
    let screen = tmux.wait_for("the rollout list", REDRAW, |s| {
        s.contains("┌ rollouts (1) ") && row.is_match(s)
    });
    assert!(
        screen.contains("t retries the failed hosts"),
        "{}",
        framed(&screen)
    );

    // enter: the rollout view, r-02 in a disk-full bucket.
    tmux.keys(&["Enter"]);
    let bucket =
        Regex::new(r"▶\s+1 × preflight · disk full: releases need .* free · r-02").unwrap();
    tmux.wait_for("the halted rollout with r-02 in a bucket", REDRAW, |s| {
        s.contains("┌ rollout ") && s.contains("status  HALTED") && bucket.is_match(s)
    });

    // t (and y, should the console ask first): taken over, r-02 is pushed again and fails the
    // same way.
    tmux.keys(&["t"]);
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("the retry to fail again", OPERATION, |s| {
        let log = events(s);
        let Some(retry) = log
            .iter()
            .position(|l| l.contains("rollout: retry the failed hosts"))
        else {
            return false;
        };
        log[retry..]
            .iter()
            .any(|l| l.contains("r-02: push FAILED at preflight") && l.contains("disk full"))
            && bucket.is_match(s)
    });
    assert!(
        !screen.contains("rollout refused"),
        "the takeover worked:\n{}",
        framed(&screen)
    );

    // The list now says this console drives it.
    tmux.keys(&["L"]);
    tmux.wait_for("the list with the rollout driven here", REDRAW, |s| {
        s.contains("▶ halted (here)")
    });
    tmux.keys(&["q"]);
    tmux.wait_for_shell(REDRAW);
    tmux.wait_for_output("the console's exit status", REDRAW, |s| {
        s.contains("console exited: 0")
    });

    // The report: r-02 failed, was retried from the console, failed again.
    let out = offgo_cmd(
        state.path(),
        &[
            "report",
            "--out",
            state.path().join("report").to_str().unwrap(),
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(state.path().join("report/report.md")).unwrap();
    let history = Regex::new(
        r"- r-02: push failed at preflight: .* → retry requested by \S+ → push failed at preflight",
    )
    .unwrap();
    assert!(history.is_match(&md), "{md}");
    assert!(md.contains("taken over from the journal"), "{md}");
}

/// The lines of the events panel, oldest first.
fn events(screen: &str) -> Vec<String> {
    let mut lines = screen.lines().skip_while(|l| !l.starts_with("┌ events "));
    lines.next();
    lines
        .take_while(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches(|c: char| c == '│' || c.is_whitespace())
                .to_string()
        })
        .collect()
}
