//! Hosts that lie: a `go` binary printing terminal escapes and a megabyte line, a VERSION file,
//! a state.json and a lock owner holding escapes. Headless `scan` (table and JSON), `verify` and
//! `push` against them must print no raw ESC or BEL, keep JSON valid, exit 0 or 1, never panic;
//! and a host printing without end cannot make the jump host allocate without bound.

mod common;

use std::process::Output;

use common::*;

/// What a hostile terminal title and clear-screen look like.
const ESCAPES: &str = "\\033]0;pwn\\007\\033[2J\\342\\200\\256";

fn hostile_fleet() -> Fleet {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("evil").go_manual("1.21.13")));
    let h = host(&fleet, "evil");
    let root = h.paths().go_root;
    let go = format!(
        "#!/bin/sh\nprintf 'go version go1.21.13{ESCAPES}'\nhead -c 1000000 /dev/zero | tr '\\0' x\necho\n"
    );
    h.write_file(&format!("{root}/bin/go"), go.as_bytes())
        .unwrap();
    h.write_file(&format!("{root}/VERSION"), b"go1.21.13\x1b]0;pwn\x07\n")
        .unwrap();
    let state_dir = h.paths().state_dir;
    h.write_file(
        &format!("{state_dir}/state.json"),
        "{\"current\":\"go1.21.13\u{1b}[2J\",\"previous\":\"\u{202e}x\",\"history\":[]}".as_bytes(),
    )
    .unwrap();
    h.write_file(&format!("{state_dir}/lock.owner"), b"mallory\x1b]0;pwn\x07")
        .unwrap();
    fleet
}

/// No byte a terminal would act on, a sane exit code, no panic message.
fn assert_inert(what: &str, out: &Output) {
    for (stream, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !bytes.iter().any(|&b| b == 0x1b || b == 0x07) && !text.contains('\u{202e}'),
            "{what} {stream} carries raw control characters:\n{}",
            text.escape_debug()
        );
        assert!(!text.contains("panicked"), "{what} panicked: {text}");
    }
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{what} exited {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn json(what: &str, out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what} printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn hostile_host_text_never_reaches_the_terminal_raw() {
    let fleet = hostile_fleet();
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let inv = inv.to_str().unwrap();

    let table = offgo(state.path(), &["scan", "--inventory", inv]);
    assert_inert("scan", &table);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("unrecognised"), "{text}");
    assert!(text.contains("\\x1b]0;pwn\\x07"), "shown escaped: {text}");
    assert!(
        text.len() < 16 * 1024,
        "the megabyte line is cut: {} bytes",
        text.len()
    );

    let scan = offgo(state.path(), &["scan", "--inventory", inv, "--json"]);
    assert_inert("scan --json", &scan);
    let hosts = json("scan --json", &scan);
    assert_eq!(
        hosts[0]["go_version"],
        serde_json::Value::Null,
        "not a Go version"
    );
    assert_eq!(
        hosts[0]["offgo"],
        serde_json::Value::Null,
        "state.json's versions are not versions"
    );
    assert!(scan.stdout.len() < 16 * 1024);

    for args in [
        vec!["verify", "--inventory", inv],
        vec!["verify", "--inventory", inv, "--json"],
    ] {
        let out = offgo(state.path(), &args);
        assert_inert("verify", &out);
        if args.contains(&"--json") {
            json("verify --json", &out);
        }
    }

    let bundle = bundle_1_22().to_str().unwrap();
    let push = offgo(
        state.path(),
        &["push", "--inventory", inv, "--bundle", bundle, "--json"],
    );
    assert_inert("push --json", &push);
    json("push --json", &push);
    let push = offgo(
        state.path(),
        &["push", "--inventory", inv, "--bundle", bundle],
    );
    assert_inert("push", &push);
}

/// A host that prints without end cannot make the jump host allocate without bound: stdout is
/// kept up to the cap, the command is cut, and the pooled session still runs the next command.
#[test]
fn endless_output_is_cut_at_the_cap_and_the_session_stays_usable() {
    use offgo::core::ssh::exec::STDOUT_CAP;
    use offgo::core::ssh::HostLink;
    let fleet = start(&FleetSpec::new().host(HostSpec::new("loud")));
    let path = inventory(&fleet, &InventoryOptions::new());
    let inv = offgo::core::inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut link = HostLink::new(inv.hosts[0].clone());
    let started = std::time::Instant::now();
    let out = link.run("flood", "yes", b"").unwrap();
    assert!(out.truncated);
    assert_eq!(out.stdout.len(), STDOUT_CAP);
    assert!(!out.success(), "a cut command is not a success");
    assert!(out.combined().contains("[output cut"));
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let out = link
        .run("after", "yes x | head -c 100; echo done >&2", b"")
        .unwrap();
    assert!(!out.truncated);
    assert_eq!(out.stdout.len(), 100);
    assert_eq!(out.stderr, b"done\n");
    assert!(out.success());
}

/// A remote command killed by a signal has no exit status: sshd sends `exit-signal` and
/// libssh2 reports 0. That must read as a failure (an audit append killed half-way is not
/// written), with the shell's 128 + signal number.
#[test]
fn a_command_killed_by_a_signal_is_a_failure() {
    use offgo::core::ssh::HostLink;
    let fleet = start(&FleetSpec::new().host(HostSpec::new("killed")));
    let path = inventory(&fleet, &InventoryOptions::new());
    let inv = offgo::core::inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut link = HostLink::new(inv.hosts[0].clone());
    let out = link.run("killed", "echo started; kill -9 $$", b"").unwrap();
    assert_eq!(out.stdout, b"started\n");
    assert!(!out.success(), "killed by SIGKILL, yet: {out:?}");
    assert_eq!(out.exit_status, 128 + 9);
    let out = link.run("terminated", "kill -TERM $$", b"").unwrap();
    assert_eq!(out.exit_status, 128 + 15);
    assert!(link.run("after", "true", b"").unwrap().success());
}
