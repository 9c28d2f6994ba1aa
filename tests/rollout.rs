//! Rollouts against a real sshd fleet with real Go releases: halting on a disk-full host, a
//! percentage limit that tolerates it, the failure policies, a manual pause, ctrl-c (abort)
//! mid-batch, and `kill -9` mid-batch followed by `--resume`.

mod common;

use std::path::Path;
use std::process::{Output, Stdio};

use common::*;
use serde_json::Value;

/// JSON lines; the last one is the summary.
fn events(out: &Output) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    stdout
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| {
                panic!(
                    "not a JSON line ({e}): {l}\nstderr: {}",
                    String::from_utf8_lossy(&out.stderr)
                )
            })
        })
        .collect()
}

/// `offgo-tui rollout --json` of the go1.22.10 bundle with `extra` flags, not yet started.
fn rollout_cmd(state: &Path, inv: &Path, extra: &[&str]) -> std::process::Command {
    let mut args = vec![
        "rollout",
        "--inventory",
        inv.to_str().unwrap(),
        "--bundle",
        bundle_1_22().to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    offgo_cmd(state, &args)
}

fn rollout(state: &Path, inv: &Path, extra: &[&str]) -> (Vec<Value>, i32) {
    let out = rollout_cmd(state, inv, extra).output().unwrap();
    (events(&out), out.status.code().unwrap_or(-1))
}

fn version(host: &HostHandle) -> String {
    sh(host, "/usr/local/go/bin/go version")
}

/// Per host, how many logins its sshd has accepted so far (its log has a line for each).
fn logins(fleet: &Fleet) -> Vec<(String, usize)> {
    fleet
        .hosts()
        .iter()
        .map(|h| (h.name().to_string(), h.logins_accepted()))
        .collect()
}

fn outcome<'a>(summary: &'a Value, name: &str) -> &'a str {
    summary["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["name"] == name)
        .unwrap()["outcome"]
        .as_str()
        .unwrap()
}

#[test]
fn a_disk_full_host_halts_the_rollout_and_a_percentage_limit_tolerates_it() {
    let mut spec = FleetSpec::new();
    for i in 0..20 {
        let mut host = HostSpec::new(format!("h{i:02}")).go_managed("1.21.13");
        if i == 7 {
            // Its Go lives in /usr/local; /opt, where releases go, is a 40 MiB tmpfs.
            host = HostSpec::new("h07").go_manual("1.21.13").tmpfs("/opt", 40);
        }
        spec = spec.host(host);
    }
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let logins_before = logins(&fleet);

    // canary h00, then batches of 4, 5 and the rest; h07 (disk full) is in batch 2.
    let (lines, code) = rollout(
        state.path(),
        &inv,
        &[
            "--canary",
            "1",
            "--batches",
            "4,5,100%",
            "--max-failures",
            "0",
            "--parallel",
            "5",
        ],
    );
    for l in lines
        .iter()
        .filter(|l| l["event"] == "host_done" && l["ok"] == false)
    {
        eprintln!("FAILED HOST: {l}");
    }
    // One login per host for the whole rollout: the plan's probe, the push (its pre-flight, ldd
    // baseline, lock, upload, install, audit) and the verification all use one pooled session.
    let during: Vec<(String, usize)> = logins(&fleet)
        .into_iter()
        .zip(&logins_before)
        .map(|((name, after), (_, before))| (name, after - before))
        .collect();
    assert!(during.iter().all(|(_, n)| *n == 1), "{during:?}");
    // Each verification right after its host's push does not read the tree the push has just
    // proved, and says so.
    let verified: Vec<&Value> = lines
        .iter()
        .filter(|l| l["event"] == "host_done" && l["op"] == "verify" && l["ok"] == true)
        .collect();
    assert!(!verified.is_empty());
    for l in &verified {
        assert!(l["notes"].to_string().contains("not read again"), "{l}");
    }
    assert_eq!(code, 1);
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["halted"], true, "{summary:#}");
    assert!(
        summary["reason"]
            .as_str()
            .unwrap()
            .contains("1 failed in the rollout; limit 0"),
        "{summary:#}"
    );
    let plan = &lines[0];
    assert_eq!(
        plan["batches"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b["hosts"].as_array().unwrap().len())
            .collect::<Vec<_>>(),
        [1, 4, 5, 10]
    );
    assert_eq!(outcome(summary, "h07"), "failed");
    let h07 = host(&fleet, "h07");
    assert_eq!(
        version(h07),
        "go version go1.21.13 linux/amd64",
        "the failed host keeps its old release"
    );
    for i in 10..20 {
        let h = host(&fleet, &format!("h{i:02}"));
        assert_eq!(outcome(summary, h.name()), "untouched");
        assert_eq!(version(h), "go version go1.21.13 linux/amd64");
        assert_eq!(
            sh(h, "ls -A /var/lib/offgo/incoming 2>/dev/null; true"),
            "",
            "no upload on {}",
            h.name()
        );
    }
    for i in [0, 1, 4] {
        assert_eq!(
            version(host(&fleet, &format!("h{i:02}"))),
            "go version go1.22.10 linux/amd64"
        );
    }
    // The report says why.
    let out_dir = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["report", "--out", out_dir.path().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = std::fs::read_to_string(out_dir.path().join("report.md")).unwrap();
    assert!(md.contains("**halted**") && md.contains("limit 0"), "{md}");
    assert!(
        md.contains("| h07 | failed | go1.21.13 | go1.21.13 |") && md.contains("disk full"),
        "{md}"
    );
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.path().join("report.json")).unwrap())
            .unwrap();
    assert_eq!(report["bundle"]["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(report["bundle"]["signature"], "unsigned");

    // Again with a limit of 25% of a batch: h07 fails alone in its batch (1 of 5), the rest goes on.
    // Hosts already on the target are skipped and counted.
    let (lines, code) = rollout(
        state.path(),
        &inv,
        &["--batches", "5", "--max-failures", "25%", "--parallel", "5"],
    );
    assert_eq!(code, 1, "h07 still fails");
    let summary = lines.last().unwrap();
    assert_eq!(summary["halted"], false, "{summary:#}");
    // h00–h06, h08, h09 switched in the first run.
    assert_eq!(summary["skipped"], 9, "{summary:#}");
    assert_eq!(summary["failed"], 1);
    assert_eq!(summary["succeeded"], 10);
    for i in (0..20).filter(|&i| i != 7) {
        assert_eq!(
            version(host(&fleet, &format!("h{i:02}"))),
            "go version go1.22.10 linux/amd64"
        );
    }
}

#[test]
fn failure_policies_roll_back_what_they_say() {
    for (policy, rolled_back) in [
        ("leave", vec![]),
        ("rollback-batch", vec!["c"]),
        ("rollback-all", vec!["a", "c"]),
    ] {
        let fleet = start(
            &FleetSpec::new()
                .host(HostSpec::new("a").go_managed("1.21.13"))
                .host(HostSpec::new("b").go_manual("1.21.13").tmpfs("/opt", 40))
                .host(HostSpec::new("c").go_managed("1.21.13")),
        );
        let state = tempfile::tempdir().unwrap();
        let inv = inventory(&fleet, &InventoryOptions::new());
        // batch 1: a; batch 2: b (fails), c. c is switched before the halt policy runs.
        let (lines, code) = rollout(
            state.path(),
            &inv,
            &["--batches", "1,2", "--on-halt", policy, "--parallel", "2"],
        );
        assert_eq!(code, 1, "{policy}");
        let summary = lines.last().unwrap();
        assert_eq!(summary["halted"], true, "{policy}: {summary:#}");
        for name in ["a", "c"] {
            let expected = if rolled_back.contains(&name) {
                "go1.21.13"
            } else {
                "go1.22.10"
            };
            assert_eq!(
                version(host(&fleet, name)),
                format!("go version {expected} linux/amd64"),
                "{policy}: {name}"
            );
        }
        assert_eq!(
            version(host(&fleet, "b")),
            "go version go1.21.13 linux/amd64"
        );
    }
}

#[test]
fn a_manual_pause_stops_a_headless_run_and_resume_continues() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").go_managed("1.21.13"))
            .host(HostSpec::new("b").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let (lines, code) = rollout(state.path(), &inv, &["--batches", "1", "--pause", "manual"]);
    assert_eq!(code, 1);
    assert!(lines.iter().any(|l| l["event"] == "waiting"), "{lines:#?}");
    assert_eq!(
        version(host(&fleet, "a")),
        "go version go1.22.10 linux/amd64"
    );
    assert_eq!(
        version(host(&fleet, "b")),
        "go version go1.21.13 linux/amd64",
        "paused before batch 2"
    );
    // Resumed without --json: text for people, every line of it.
    let out = offgo(state.path(), &["rollout", "--resume"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(
        lines[0].starts_with("resuming rollout ") && lines[0].ends_with("no host was cut short"),
        "{stdout}"
    );
    assert!(
        lines
            .iter()
            .all(|l| !l.starts_with('{') && !l.contains("[\"")),
        "no JSON or Rust lists in text mode:\n{stdout}"
    );
    assert!(
        lines
            .last()
            .is_some_and(|l| l.contains("2 succeeded, 0 failed, 0 rolled back")),
        "{stdout}"
    );
    assert_eq!(
        version(host(&fleet, "b")),
        "go version go1.22.10 linux/amd64"
    );
}

/// Waits until the (only) rollout journal under `state` contains `text`.
fn wait_for_journal(state: &Path, text: &str) {
    let rollouts = state.join("offgo/rollouts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let journal = std::fs::read_dir(&rollouts)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(|e| e.ok())
            .map(|e| e.path());
        if journal
            .and_then(|p| std::fs::read_to_string(p).ok())
            .is_some_and(|t| t.contains(text))
        {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the journal never showed {text}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn ctrl_c_mid_batch_lets_the_hosts_in_flight_finish_and_starts_no_other() {
    let mut spec = FleetSpec::new();
    for i in 0..4 {
        spec = spec.host(HostSpec::new(format!("a{i}")).go_managed("1.21.13"));
    }
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    // Batches of two, both hosts of a batch at once: a0 and a1 are uploading when ctrl-c comes.
    let child = rollout_cmd(state.path(), &inv, &["--batches", "2", "--parallel", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(state.path(), "\"step\":\"upload\"");
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let out = child.wait_with_output().unwrap();
    let lines = events(&out);
    assert_eq!(out.status.code(), Some(1), "{lines:#?}");
    let aborting = lines
        .iter()
        .find(|l| l["event"] == "aborting")
        .unwrap_or_else(|| panic!("an aborting event: {lines:#?}"));
    assert_eq!(aborting["signal"], "SIGINT");
    assert_eq!(aborting["in_flight"], serde_json::json!(["a0", "a1"]));
    let summary = lines.last().unwrap();
    assert_eq!(summary["event"], "summary");
    assert_eq!(summary["aborted"], true, "{summary:#}");
    // The hosts in flight finished their push; nothing was started on the others.
    for (name, expected, result) in [
        ("a0", "go1.22.10", "succeeded"),
        ("a1", "go1.22.10", "succeeded"),
        ("a2", "go1.21.13", "untouched"),
        ("a3", "go1.21.13", "untouched"),
    ] {
        assert_eq!(outcome(summary, name), result, "{summary:#}");
        assert_eq!(
            version(host(&fleet, name)),
            format!("go version {expected} linux/amd64"),
            "{name}"
        );
    }
    for name in ["a2", "a3"] {
        assert!(
            !lines.iter().any(|l| l["host"] == name),
            "no step on {name}: {lines:#?}"
        );
        assert_eq!(
            sh(
                host(&fleet, name),
                "ls -A /var/lib/offgo/incoming 2>/dev/null | wc -l"
            ),
            "0",
            "nothing uploaded to {name}"
        );
    }
    // An aborted rollout is over: there is nothing to resume.
    let out = offgo(state.path(), &["rollout", "--resume", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_second_ctrl_c_stops_waiting_and_resume_settles_the_hosts_cut_short() {
    use std::io::BufRead;
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("b0").go_managed("1.21.13"))
            .host(HostSpec::new("b1").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let mut child = rollout_cmd(state.path(), &inv, &["--batches", "2"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for_journal(state.path(), "\"step\":\"upload\"");
    let pid = child.id() as i32;
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let mut lines = Vec::new();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while stdout.read_line(&mut line).unwrap() > 0 {
        let value: Value = serde_json::from_str(&line).unwrap();
        line.clear();
        let aborting = value["event"] == "aborting";
        lines.push(value);
        if aborting {
            // SAFETY: as above.
            assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1), "{lines:#?}");
    let interrupted = lines
        .iter()
        .find(|l| l["event"] == "interrupted")
        .unwrap_or_else(|| panic!("an interrupted event: {lines:#?}"));
    assert!(
        !interrupted["cut_short"].as_array().unwrap().is_empty(),
        "{interrupted:#}"
    );

    // The journal kept the rollout: resuming settles the hosts cut short and, the rollout
    // being aborted, starts nothing new. Every host is on one release or the other, whole.
    let out = offgo(state.path(), &["rollout", "--resume", "--json"]);
    let lines = events(&out);
    assert_eq!(lines[0]["event"], "resumed", "{lines:#?}");
    let summary = lines.last().unwrap();
    assert_eq!(summary["aborted"], true, "{lines:#?}");
    for h in fleet.hosts() {
        let link = sh(h, "readlink /usr/local/go");
        let expected = match version(h).as_str() {
            "go version go1.22.10 linux/amd64" => "go1.22.10",
            "go version go1.21.13 linux/amd64" => "go1.21.13",
            other => panic!("{}: {other}", h.name()),
        };
        assert!(link.contains(expected), "{}: {link}", h.name());
        if expected == "go1.22.10" {
            assert_eq!(outcome(summary, h.name()), "succeeded", "{summary:#}");
        }
    }
    assert_eq!(
        offgo(state.path(), &["rollout", "--resume"]).status.code(),
        Some(2),
        "nothing left to resume"
    );
}

#[test]
fn kill_9_mid_batch_then_resume_finishes_every_host_verified() {
    let mut spec = FleetSpec::new();
    for i in 0..4 {
        spec = spec.host(HostSpec::new(format!("k{i}")).go_managed("1.21.13"));
    }
    let fleet = start(&spec);
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let mut child = rollout_cmd(state.path(), &inv, &["--batches", "2", "--parallel", "2"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the journal shows an upload under way, then kill the rollout outright.
    wait_for_journal(state.path(), "\"step\":\"upload\"");
    child.kill().unwrap();
    let _ = child.wait();

    let out = offgo(state.path(), &["rollout", "--resume", "--json"]);
    let lines = events(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{lines:#?}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(lines[0]["event"], "resumed");
    assert!(
        !lines[0]["unknown"].as_array().unwrap().is_empty(),
        "some host was mid-step: {:#}",
        lines[0]
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["succeeded"], 4, "{summary:#}");
    let out = offgo(
        state.path(),
        &["verify", "--inventory", inv.to_str().unwrap(), "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "every host verified: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    for h in fleet.hosts() {
        assert_eq!(version(h), "go version go1.22.10 linux/amd64");
    }
    // Nothing left unfinished.
    let out = offgo(state.path(), &["rollout", "--resume", "--json"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn resume_takes_the_run_s_own_flags_and_names_those_that_differ() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("r0").go_managed("1.21.13"))
            .host(HostSpec::new("r1").go_managed("1.21.13"))
            .host(HostSpec::new("r2").go_managed("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let flags = ["--hosts", "r0,r1", "--batches", "1", "--pause", "manual"];
    let (lines, code) = rollout(state.path(), &inv, &flags);
    assert_eq!(code, 1);
    assert!(lines.iter().any(|l| l["event"] == "waiting"), "{lines:#?}");

    // Flags that differ from the journal: each is named, nothing starts.
    let other_dir = tempfile::tempdir().unwrap();
    let other = build_bundle(&release("1.21.13"), other_dir.path());
    let out = offgo(
        state.path(),
        &[
            "rollout",
            "--resume",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            other.to_str().unwrap(),
            "--hosts",
            "all",
            "--batches",
            "2",
            "--json",
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("was not started with these flags"),
        "{stderr}"
    );
    assert!(stderr.contains("is go1.21.13 (sha256"), "{stderr}");
    assert!(
        stderr.contains("--hosts \"all\" selects r2, not in the rollout"),
        "{stderr}"
    );
    assert!(stderr.contains("--batches says"), "{stderr}");
    assert!(
        !stderr.contains("--pause"),
        "--pause was not given: {stderr}"
    );
    assert_eq!(
        version(host(&fleet, "r1")),
        "go version go1.21.13 linux/amd64"
    );

    // The same command line with --resume added resumes.
    let mut args = vec![
        "rollout",
        "--resume",
        "--inventory",
        inv.to_str().unwrap(),
        "--bundle",
        bundle_1_22().to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(&flags);
    let out = offgo(state.path(), &args);
    let lines = events(&out);
    assert_eq!(out.status.code(), Some(0), "{lines:#?}");
    assert_eq!(lines[0]["event"], "resumed", "{lines:#?}");
    for (name, expected) in [
        ("r0", "go1.22.10"),
        ("r1", "go1.22.10"),
        ("r2", "go1.21.13"),
    ] {
        assert_eq!(
            version(host(&fleet, name)),
            format!("go version {expected} linux/amd64"),
            "{name}"
        );
    }
}
