//! Headless commands whose reader goes away: stdout a pipe with its read end already closed,
//! or closed after the first line (`| head -1`), or a `| tee` killed together with the rollout
//! by ctrl-c. The real binary against a real sshd fleet: no panic, the exit code of the
//! contract, and the work itself done.

mod common;

use std::io::BufRead;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::*;

/// A pipe whose read end is already closed: every write to it fails with EPIPE.
fn reader_gone() -> Stdio {
    let mut fds = [0; 2];
    // SAFETY: pipe(2) fills both descriptors; each is then owned exactly once.
    assert_eq!(unsafe { libc::pipe(fds.as_mut_ptr()) }, 0);
    // SAFETY: as above.
    let (read, write) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    drop(read);
    Stdio::from(write)
}

/// Runs `cmd` with stdout a pipe nobody reads.
fn run_unread(mut cmd: Command) -> Output {
    cmd.stdout(reader_gone())
        .stderr(Stdio::piped())
        .output()
        .expect("run offgo-tui")
}

/// Runs `cmd`, reads the first line of its stdout, then closes the pipe (`| head -1`).
fn run_head_1(mut cmd: Command) -> (String, Output) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    stdout.read_line(&mut first).unwrap();
    drop(stdout);
    (first, child.wait_with_output().unwrap())
}

/// No panic text, and not the exit codes of a panic (101) or an abort (134).
fn assert_quiet(what: &str, out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{what}: {stderr}"
    );
    assert!(
        !matches!(out.status.code(), Some(101) | Some(134) | None),
        "{what}: {} {stderr}",
        out.status
    );
}

fn go_version(host: &HostHandle) -> String {
    sh(host, "/usr/local/go/bin/go version")
}

fn with_inventory<'a>(inv: &'a Path, args: &[&'a str]) -> Vec<&'a str> {
    let mut all = args.to_vec();
    all.extend(["--inventory", inv.to_str().unwrap()]);
    all
}

#[test]
fn scan_push_verify_and_audit_verify_exit_quietly_when_nobody_reads() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("p0").go_managed("1.21.13"))
            .host(HostSpec::new("p1").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let bundle = bundle_1_22().to_str().unwrap();
    for args in [&["scan"][..], &["scan", "--json"]] {
        let out = run_unread(offgo_cmd(state.path(), &with_inventory(&inv, args)));
        assert_quiet(&args.join(" "), &out);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
    let out = run_unread(offgo_cmd(
        state.path(),
        &with_inventory(&inv, &["push", "--bundle", bundle]),
    ));
    assert_quiet("push", &out);
    assert_eq!(out.status.code(), Some(0));
    for h in fleet.hosts() {
        assert_eq!(
            go_version(h),
            "go version go1.22.10 linux/amd64",
            "the push happened"
        );
    }
    for args in [
        &["verify"][..],
        &["verify", "--json"],
        &["audit", "verify"],
        &["rollback", "--hosts", "p0"],
    ] {
        let out = run_unread(offgo_cmd(state.path(), &with_inventory(&inv, args)));
        assert_quiet(&args.join(" "), &out);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
    }
    assert_eq!(
        go_version(host(&fleet, "p0")),
        "go version go1.21.13 linux/amd64"
    );
}

#[test]
fn usage_errors_bundle_and_report_exit_quietly_when_nobody_reads() {
    let state = tempfile::tempdir().unwrap();
    // The error goes to stderr; nobody reads that either.
    let mut cmd = offgo_cmd(
        state.path(),
        &["scan", "--inventory", "/nonexistent/offgo.toml"],
    );
    let out = cmd
        .stdout(reader_gone())
        .stderr(reader_gone())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let out = run_unread(offgo_cmd(
        state.path(),
        &["bundle", "verify", bundle_1_22().to_str().unwrap()],
    ));
    assert_quiet("bundle verify", &out);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_rollout_read_for_one_line_goes_on_and_ends_with_its_exit_code() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("h0").go_managed("1.21.13"))
            .host(HostSpec::new("h1").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let bundle = bundle_1_22().to_str().unwrap();
    for json in [true, false] {
        let mut args = vec!["rollout", "--bundle", bundle, "--batches", "1"];
        if json {
            args.push("--json");
        }
        let (first, out) = run_head_1(offgo_cmd(state.path(), &with_inventory(&inv, &args)));
        assert!(first.contains("rollout"), "the plan line: {first}");
        assert_quiet("rollout | head -1", &out);
        assert_eq!(
            out.status.code(),
            Some(0),
            "json={json}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for h in fleet.hosts() {
            assert_eq!(go_version(h), "go version go1.22.10 linux/amd64");
        }
        // Back to go1.21.13 for the next round.
        let out = offgo(state.path(), &with_inventory(&inv, &["rollback"]));
        assert_eq!(out.status.code(), Some(0), "{out:?}");
    }
}

#[test]
fn a_piped_rollout_interrupted_by_ctrl_c_aborts_quietly() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("t0").go_managed("1.21.13"))
            .host(HostSpec::new("t1").go_managed("1.21.13"))
            .host(HostSpec::new("t2").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let bundle = bundle_1_22().to_str().unwrap();
    // `offgo-tui rollout … | tee log`, then ctrl-c: the terminal sends SIGINT to both, tee dies
    // first, and every line after that meets a closed pipe.
    let mut child = offgo_cmd(
        state.path(),
        &with_inventory(&inv, &["rollout", "--bundle", bundle, "--batches", "1"]),
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 && !line.contains(": upload") {
        line.clear();
    }
    assert!(line.contains(": upload"), "a host started uploading");
    drop(stdout);
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    assert_quiet("rollout | tee, ctrl-c", &out);
    assert_eq!(out.status.code(), Some(1), "aborted");
    // The host in flight finished whole; the others were never touched.
    let on_new = fleet
        .hosts()
        .iter()
        .filter(|h| go_version(h) == "go version go1.22.10 linux/amd64")
        .count();
    assert_eq!(on_new, 1);
}
