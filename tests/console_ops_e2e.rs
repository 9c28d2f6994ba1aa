//! Operations from the console, end to end: the built `offgo-tui` in a tmux pane against a real
//! sshd fleet on loopback, with a real go1.22.10 bundle. A push picked and confirmed by keys
//! lands on the marked hosts only (checked with the real OpenSSH client); a rollout over a fleet
//! with a disk-full host shows that host in a "disk full" failure bucket, Enter on the bucket
//! narrows the table to it, and `t` retries it, which fails again the same way; a rollout halted
//! by that host shows the host's own output two keys from the table (`o`, `O`). A host whose
//! ldd gap was there before: the plan predicts it, the rollout's verification passes and the
//! detail pane names the gap as pre-existing.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use common::tmux::{framed, Shell, Tmux};
use common::*;
use regex::Regex;

/// Generous: the machine running the suite may be busy compiling, and a push moves 64 MB.
const FIRST_FRAME: Duration = Duration::from_secs(60);
const PROBED: Duration = Duration::from_secs(90);
const REDRAW: Duration = Duration::from_secs(20);
const OPERATION: Duration = Duration::from_secs(240);

/// A go1.22.10 bundle built by the binary under test into `dir`, which becomes the console's
/// `[bundles] dir`.
fn build_bundle(dir: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-release");
    let out = Command::new(script).arg("1.22.10").output().unwrap();
    assert!(
        out.status.success(),
        "scripts/go-release 1.22.10: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tarball = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    let state = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_offgo-tui"))
        .args(["bundle", "build"])
        .arg(&tarball)
        .arg("--out")
        .arg(dir)
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path())
        .env_remove("OFFGO_INVENTORY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bundle build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("go1.22.10.linux-amd64.offgo.toml").is_file());
}

/// A console on its own fleet: the pane, a private state dir (journal, audit log, log file),
/// the bundle dir and the fleet. Dropping it quits the console (ctrl-c) and then stops the sshds.
struct Console {
    tmux: Tmux,
    fleet: Fleet,
    _state: tempfile::TempDir,
    _bundles: tempfile::TempDir,
}

impl Console {
    /// Starts `spec`, writes its inventory with `[bundles] dir` plus `extra`, and opens the
    /// console on it in a `cols`×`rows` pane.
    fn open(spec: &FleetSpec, extra: &str, cols: u16, rows: u16) -> Console {
        let bundles = tempfile::tempdir().unwrap();
        build_bundle(bundles.path());
        let fleet = start(spec);
        let toml = format!(
            "\n[bundles]\ndir = \"{}\"\n{extra}",
            bundles.path().display()
        );
        let inventory = inventory(
            &fleet,
            &InventoryOptions::new().connect_timeout("5s").append(toml),
        );
        let state = tempfile::tempdir().unwrap();
        let state_dir = state.path().to_str().unwrap();
        let tmux = Tmux::start(
            cols,
            rows,
            Shell::SH,
            &[
                ("OFFGO", env!("CARGO_BIN_EXE_offgo-tui")),
                ("INVENTORY", inventory.to_str().unwrap()),
                ("XDG_STATE_HOME", state_dir),
                ("XDG_CONFIG_HOME", state_dir),
            ],
        );
        tmux.run("\"$OFFGO\" --inventory \"$INVENTORY\"; echo \"console exited: $?\"");
        tmux.wait_for("the console's first frame", FIRST_FRAME, |s| {
            s.contains(" hosts ") && s.contains("? help")
        });
        Console {
            tmux,
            fleet,
            _state: state,
            _bundles: bundles,
        }
    }

    fn port(&self, name: &str) -> u16 {
        host(&self.fleet, name).port()
    }

    /// The table row of `name` on `screen`: its Go column and whether it is marked.
    fn row(&self, screen: &str, name: &str) -> Option<Row> {
        let pattern = format!(
            // The address column is the first a narrow table drops (the detail pane is open).
            r"(?m)^│(.{{0,3}})\b{}\s+(?:127\.0\.0\.1:{}\s+)?(\S+)\s+(\S+)\s+(\S+)\s+(\S+)",
            regex::escape(name),
            self.port(name)
        );
        let caps = Regex::new(&pattern).unwrap().captures(screen)?;
        Some(Row {
            marked: caps[1].contains('●'),
            go: caps[2].to_string(),
            audit: caps[4].to_string(),
            state: caps[5].to_string(),
        })
    }

    /// Waits until every host in `want` shows its Go version with state `ok`.
    fn wait_for_go(&self, what: &str, timeout: Duration, want: &[(&str, &str)]) -> String {
        self.tmux.wait_for(what, timeout, |s| {
            want.iter().all(|(name, go)| {
                self.row(s, name)
                    .is_some_and(|r| r.go == *go && r.state == "ok")
            })
        })
    }

    /// What `go version` prints on the host, over the real OpenSSH client.
    fn go_version(&self, name: &str) -> String {
        sh(host(&self.fleet, name), "/usr/local/go/bin/go version")
    }

    /// Quits with `q` and checks the console ended with status 0.
    fn quit(&self) {
        self.tmux.keys(&["q"]);
        self.tmux.wait_for_shell(REDRAW);
        self.tmux
            .wait_for_output("the console's exit status", REDRAW, |s| {
                s.contains("console exited: 0")
            });
    }
}

#[derive(Debug)]
struct Row {
    marked: bool,
    go: String,
    audit: String,
    state: String,
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

#[test]
fn a_push_picked_and_confirmed_in_the_console_lands_on_the_marked_hosts() {
    let spec = FleetSpec::new()
        .host(HostSpec::new("app-01").go_manual("1.21.13"))
        .host(HostSpec::new("app-02").go_manual("1.21.13"))
        .host(HostSpec::new("app-03").go_manual("1.21.13"));
    let console = Console::open(&spec, "", 160, 48);
    let tmux = &console.tmux;
    console.wait_for_go(
        "every host probed on go1.21.13",
        PROBED,
        &[
            ("app-01", "go1.21.13"),
            ("app-02", "go1.21.13"),
            ("app-03", "go1.21.13"),
        ],
    );

    // The cursor starts on the first row (sorted by name); space marks it and moves down.
    tmux.keys(&["Space"]);
    tmux.keys(&["Space"]);
    let screen = tmux.wait_for("two hosts marked", REDRAW, |s| s.contains("2 marked"));
    let marks: Vec<bool> = ["app-01", "app-02", "app-03"]
        .iter()
        .map(|n| console.row(&screen, n).unwrap().marked)
        .collect();
    assert_eq!(marks, [true, true, false], "{}", framed(&screen));

    // p: the picker lists the bundle in `[bundles] dir`; Enter picks it.
    tmux.keys(&["p"]);
    tmux.wait_for("the picker with the bundle", REDRAW, |s| {
        s.contains("push to 2 hosts: pick a bundle") && s.contains("go1.22.10")
    });
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the push confirm dialog", REDRAW, |s| {
        s.contains("push go1.22.10 to 2 hosts?") && s.contains("y run")
    });
    for name in ["app-01", "app-02"] {
        let line = Regex::new(&format!(r"{name}\s+go1\.21\.13 → go1\.22\.10")).unwrap();
        assert!(line.is_match(&screen), "{}", framed(&screen));
    }
    assert!(
        !screen.contains("app-03  go1.21.13 →"),
        "{}",
        framed(&screen)
    );
    tmux.keys(&["y"]);

    // The push runs, then the console re-probes: the table shows the new Go on both hosts.
    tmux.wait_for("the push under way", REDRAW * 3, |s| {
        s.contains("push go1.22.10 requested on") || s.contains("operating")
    });
    let screen = console.wait_for_go(
        "the pushed hosts re-probed on go1.22.10",
        OPERATION,
        &[
            ("app-01", "go1.22.10"),
            ("app-02", "go1.22.10"),
            ("app-03", "go1.21.13"),
        ],
    );
    let log = events(&screen);
    for name in ["app-01", "app-02"] {
        assert!(
            log.iter().any(|l| l.contains(&format!("{name}: push ok"))),
            "the event log reports the push on {name}:\n{}",
            framed(&screen)
        );
    }

    // What the hosts really run, through the real OpenSSH client.
    assert!(console.go_version("app-01").contains("go1.22.10"));
    assert!(console.go_version("app-02").contains("go1.22.10"));
    assert!(console.go_version("app-03").contains("go1.21.13"));
    console.quit();
}

#[test]
fn a_rollout_shows_the_disk_full_host_in_its_bucket_and_a_retry_fails_it_again() {
    // r-02's /opt, where releases go, is a 40 MiB tmpfs: its preflight refuses the push.
    let spec = FleetSpec::new()
        .host(HostSpec::new("r-01").go_managed("1.21.13"))
        .host(HostSpec::new("r-02").go_manual("1.21.13").tmpfs("/opt", 40))
        .host(HostSpec::new("r-03").go_managed("1.21.13"))
        .host(HostSpec::new("r-04").go_managed("1.21.13"));
    // One failure is tolerated, so the second batch still runs after r-02 fails in the first.
    let rollout = "[rollout]\nbatches = [2, \"100%\"]\nmax_failures = 1\nparallel = 2\n";
    let console = Console::open(&spec, rollout, 160, 60);
    let tmux = &console.tmux;
    let all_old = [
        ("r-01", "go1.21.13"),
        ("r-02", "go1.21.13"),
        ("r-03", "go1.21.13"),
        ("r-04", "go1.21.13"),
    ];
    console.wait_for_go("every host probed on go1.21.13", PROBED, &all_old);

    // R with nothing marked: every visible host. Pick the bundle, read the plan, run it.
    tmux.keys(&["R"]);
    tmux.wait_for("the rollout's bundle picker", REDRAW, |s| {
        s.contains("pick a bundle") && s.contains("go1.22.10")
    });
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the rollout plan", REDRAW, |s| {
        s.contains("roll go1.22.10 out to 4 host(s)?") && s.contains("y run")
    });
    for batch in ["batch 1 (2): r-01, r-02", "batch 2 (2): r-03, r-04"] {
        assert!(
            screen.contains(batch),
            "the plan shows `{batch}`:\n{}",
            framed(&screen)
        );
    }
    tmux.keys(&["y"]);

    // Confirming opens the rollout view; it ends with both batches done and r-02 failed in a
    // disk-full bucket.
    tmux.wait_for_text("┌ rollout ", REDRAW * 3);
    let bucket =
        Regex::new(r"▶\s+1 × preflight · disk full: releases need .* free · r-02").unwrap();
    // Columns: hosts, done, run, fail, wait.
    let batch1 = Regex::new(r"(?m)^│ batch 1\s+2\s+1\s+0\s+1\s+0\s*│$").unwrap();
    let batch2 = Regex::new(r"(?m)^│ batch 2\s+2\s+2\s+0\s+0\s+0\s*│$").unwrap();
    let screen = tmux.wait_for(
        "the rollout finished with r-02 in a bucket",
        OPERATION,
        |s| {
            s.contains("┌ rollout ")
                && bucket.is_match(s)
                && batch1.is_match(s)
                && batch2.is_match(s)
        },
    );
    assert!(
        screen.contains("status  finished")
            && screen.contains("now: 1 failed in the rollout; limit 1 → ok"),
        "the rollout finished within its failure limit:\n{}",
        framed(&screen)
    );

    // o closes the view onto the table and opens it again.
    tmux.keys(&["o"]);
    tmux.wait_for("the table instead of the rollout view", REDRAW, |s| {
        !s.contains("┌ rollout ") && s.contains("4/4 hosts")
    });
    tmux.keys(&["o"]);
    tmux.wait_for("the rollout view again", REDRAW, |s| {
        s.contains("┌ rollout ") && bucket.is_match(s)
    });

    // Enter on the bucket: the table shows only r-02, marked.
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the table narrowed to the bucket", REDRAW, |s| {
        s.contains("1/4 hosts") && s.contains("showing the 1 host(s) that failed at preflight")
    });
    let row = console.row(&screen, "r-02");
    assert!(
        row.is_some_and(|r| r.marked && r.go == "go1.21.13"),
        "r-02 is shown, marked, still on go1.21.13:\n{}",
        framed(&screen)
    );
    for name in ["r-01", "r-03", "r-04"] {
        assert!(console.row(&screen, name).is_none(), "{}", framed(&screen));
    }

    // Back to the rollout view; t retries the marked failed host. The disk is still full, so
    // the retry fails at the same step: a second failure line for r-02 after the retry.
    tmux.keys(&["o"]);
    tmux.wait_for_text("┌ rollout ", REDRAW);
    // t asks first, naming the host it pushes again; y sends it.
    tmux.keys(&["t"]);
    tmux.wait_for("the retry's question", REDRAW, |s| {
        s.contains("push 1 host again?") && s.contains("r-02")
    });
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
    assert!(screen.contains("┌ rollout "), "{}", framed(&screen));

    // The hosts agree: three moved, r-02 kept what it had.
    for name in ["r-01", "r-03", "r-04"] {
        assert!(
            console.go_version(name).contains("go1.22.10"),
            "{name} runs go1.22.10"
        );
    }
    assert!(console.go_version("r-02").contains("go1.21.13"));

    // Back on the whole table, a re-probe of every host finds each audit log in step with the
    // jump host's: the push and verify lines of the rollout are on both ends.
    tmux.keys(&["Escape"]);
    tmux.wait_for("the table, still narrowed", REDRAW, |s| {
        s.contains("1/4 hosts") && s.contains("q quit")
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for_text("4/4 hosts", REDRAW);
    tmux.keys(&["a"]);
    tmux.wait_for_text("4 marked", REDRAW);
    tmux.keys(&["C-r"]);
    let screen = tmux.wait_for("every host re-probed with its audit log ok", PROBED, |s| {
        s.contains("re-probing the marked hosts: 4 hosts")
            && s.contains("audit problems 0")
            && ["r-01", "r-02", "r-03", "r-04"].iter().all(|name| {
                console
                    .row(s, name)
                    .is_some_and(|r| r.audit == "ok" && r.state == "ok")
            })
    });
    for (name, go) in [("r-01", "go1.22.10"), ("r-02", "go1.21.13")] {
        assert_eq!(
            console.row(&screen, name).map(|r| r.go),
            Some(go.to_string()),
            "{}",
            framed(&screen)
        );
    }
    console.quit();
}

#[test]
fn a_rollout_halted_by_a_full_disk_shows_the_host_s_output_two_keys_from_the_table() {
    // r-02's /opt is a 40 MiB tmpfs: its preflight refuses, and with no failure allowed the
    // rollout halts.
    let spec = FleetSpec::new()
        .host(HostSpec::new("r-01").go_managed("1.21.13"))
        .host(HostSpec::new("r-02").go_manual("1.21.13").tmpfs("/opt", 40));
    let rollout = "[rollout]\nbatches = [\"100%\"]\nmax_failures = 0\nparallel = 2\n";
    let console = Console::open(&spec, rollout, 160, 48);
    let tmux = &console.tmux;
    console.wait_for_go(
        "every host probed on go1.21.13",
        PROBED,
        &[("r-01", "go1.21.13"), ("r-02", "go1.21.13")],
    );
    tmux.keys(&["R"]);
    tmux.wait_for("the rollout's bundle picker", REDRAW, |s| {
        s.contains("pick a bundle") && s.contains("go1.22.10")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the rollout plan", REDRAW, |s| {
        s.contains("roll go1.22.10 out to 2 host(s)?")
    });
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("the rollout halted on r-02", OPERATION, |s| {
        s.contains("status  HALTED: 1 failed in the rollout; limit 0 → halted")
            && s.contains("× preflight · disk full: releases need")
    });
    assert!(
        screen.contains("now: 1 failed in the rollout; limit 0 → halted"),
        "the two status lines agree:\n{}",
        framed(&screen)
    );

    // From the table: o (the rollout view), O (the highlighted bucket's host's output).
    tmux.keys(&["o"]);
    tmux.wait_for("the table", REDRAW, |s| {
        !s.contains("┌ rollout ") && s.contains("2/2 hosts")
    });
    tmux.keys(&["o"]);
    tmux.wait_for_text("┌ rollout ", REDRAW);
    tmux.keys(&["O"]);
    // Waits for the whole pane: a capture can land while a frame is still being written.
    let shown = [
        "output of r-02",
        "▸ push failed at preflight: disk full: releases need",
        "$ preflight · exit 0",
        "stdout │ offgo_preflight=1",
        "releases_free_kb=",
    ];
    tmux.wait_for("r-02's output, every part of it", REDRAW, |s| {
        shown.iter().all(|part| s.contains(part))
    });
    tmux.keys(&["Escape"]);
    tmux.wait_for_text("┌ rollout ", REDRAW);
    console.quit();
}

#[test]
fn the_plan_predicts_an_ldd_gap_and_the_rollout_passes_it_as_pre_existing() {
    let spec = FleetSpec::new()
        .host(HostSpec::new("g-01").go_managed("1.21.13").ldd_gap())
        .host(HostSpec::new("g-02").go_managed("1.21.13"));
    let console = Console::open(&spec, "", 160, 60);
    let tmux = &console.tmux;
    tmux.wait_for("both hosts probed on go1.21.13", PROBED, |s| {
        ["g-01", "g-02"]
            .iter()
            .all(|n| console.row(s, n).is_some_and(|r| r.go == "go1.21.13"))
    });
    tmux.keys(&["R"]);
    tmux.wait_for("the rollout's bundle picker", REDRAW, |s| {
        s.contains("pick a bundle") && s.contains("go1.22.10")
    });
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the rollout plan", REDRAW, |s| {
        s.contains("roll go1.22.10 out to 2 host(s)?") && s.contains("y run")
    });
    assert!(
        screen.contains("predicted from the last probe: 0 of 2 host(s) will likely fail")
            && screen.contains("g-01 — ldd gap already there: /opt/app/bin/invoicer needs"),
        "the plan names the gap:\n{}",
        framed(&screen)
    );
    tmux.keys(&["y"]);
    tmux.wait_for_text("┌ rollout ", REDRAW * 3);
    tmux.wait_for("the rollout finished", OPERATION, |s| {
        s.contains("status  finished")
    });
    // Back on the table, g-01 (the first row) is selected: its detail shows the verification.
    tmux.keys(&["o"]);
    // Waited for whole: a capture taken while the terminal is mid-redraw can hold the start of
    // the pane and not yet its end.
    let screen = tmux.wait_for("g-01's verification in the detail pane", REDRAW, |s| {
        s.contains("┌ g-01 ")
            && s.contains("operation verify · ok")
            && s.contains("note      pre-existing ldd gap: /opt/app/bin/invoicer needs")
            && s.contains("ok     ldd        pre-existing ldd gap: /opt/app/bin/invoicer")
    });
    assert!(
        screen.contains("note      pre-existing ldd gap: /opt/app/bin/invoicer needs")
            && screen.contains("ok     ldd        pre-existing ldd gap: /opt/app/bin/invoicer"),
        "the gap is named as pre-existing and the ldd check passed:\n{}",
        framed(&screen)
    );
    assert!(
        console.go_version("g-01").contains("go1.22.10"),
        "not rolled back"
    );
    console.quit();
}

#[test]
fn run_on_three_marked_hosts_asks_then_gathers_their_answers_and_audits_them() {
    let spec = FleetSpec::new()
        .host(HostSpec::new("app-01"))
        .host(HostSpec::new("app-02"))
        .host(HostSpec::new("app-03"))
        .host(HostSpec::new("app-04"));
    let console = Console::open(&spec, "", 160, 48);
    let tmux = &console.tmux;
    for name in ["app-01", "app-02"] {
        sh(
            host(&console.fleet, name),
            "echo green > /var/lib/offgo/color",
        );
    }
    sh(
        host(&console.fleet, "app-04"),
        "echo crimson > /var/lib/offgo/color",
    );
    tmux.wait_for("every host probed", PROBED, |s| {
        ["app-01", "app-02", "app-03", "app-04"]
            .iter()
            .all(|n| console.row(s, n).is_some_and(|r| r.state == "ok"))
    });
    tmux.keys(&["Space", "Space", "Space"]);
    tmux.wait_for("three hosts marked", REDRAW, |s| s.contains("3 marked"));
    tmux.type_text(":run cat /var/lib/offgo/color");
    tmux.wait_for("the command line", REDRAW, |s| {
        s.contains(":run cat /var/lib/offgo/color")
    });
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the confirm dialog", REDRAW, |s| {
        s.contains("run a command on 3 hosts?")
    });
    assert!(
        screen.contains("command cat /var/lib/offgo/color"),
        "{}",
        framed(&screen)
    );
    tmux.keys(&["y"]);
    let screen = tmux.wait_for("every answer gathered", OPERATION, |s| {
        s.contains("3 of 3 answered")
    });
    assert!(
        screen.contains("app-[01-02] (2) exit 0"),
        "{}",
        framed(&screen)
    );
    assert!(screen.contains("green"), "{}", framed(&screen));
    assert!(screen.contains("app-03 (1) exit 1"), "{}", framed(&screen));
    assert!(
        !screen.contains("crimson") && !screen.contains("app-04"),
        "only the marked hosts ran it:\n{}",
        framed(&screen)
    );
    // Both ends recorded it, on the marked hosts only.
    for (name, runs) in [("app-01", 1), ("app-03", 1), ("app-04", 0)] {
        let log = sh(
            host(&console.fleet, name),
            "cat /var/log/offgo/audit.log 2>/dev/null || true",
        );
        let found = log
            .lines()
            .filter(|l| l.contains("\"action\":\"run\"") && l.contains("cat /var/lib/offgo/color"))
            .count();
        assert_eq!(found, runs, "{name}'s audit log:\n{log}");
    }
    let local = std::fs::read_to_string(console._state.path().join("offgo/audit.log")).unwrap();
    assert_eq!(
        local.matches("\"action\":\"run\"").count(),
        3,
        "the jump host's audit log:\n{local}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("the table again", REDRAW, |s| {
        !s.contains("gathered output")
    });
    console.quit();
}

/// The console opens a push's bundle off its event loop: a manifest that turns into a FIFO
/// nobody writes between the pick and the confirmation (a stand-in for a media mount that hangs)
/// leaves the push waiting, while keys still work and `q` still quits at once.
#[test]
fn a_push_whose_bundle_never_opens_does_not_hold_the_keys() {
    let spec = FleetSpec::new().host(HostSpec::new("app-01").go_manual("1.21.13"));
    let console = Console::open(&spec, "", 160, 48);
    let tmux = &console.tmux;
    console.wait_for_go("the host probed", PROBED, &[("app-01", "go1.21.13")]);
    tmux.keys(&["p"]);
    tmux.wait_for("the picker with the bundle", REDRAW, |s| {
        s.contains("pick a bundle") && s.contains("go1.22.10")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the push confirm dialog", REDRAW, |s| {
        s.contains("push go1.22.10 to") && s.contains("y run")
    });
    let manifest = console
        ._bundles
        .path()
        .join("go1.22.10.linux-amd64.offgo.toml");
    std::fs::rename(&manifest, manifest.with_extension("toml.away")).unwrap();
    let made = Command::new("mkfifo").arg(&manifest).status().unwrap();
    assert!(made.success());
    tmux.keys(&["y"]);
    tmux.wait_for("the push requested", REDRAW, |s| {
        s.contains("push go1.22.10 requested on")
    });
    // The help overlay opens and closes: the loop is not stuck reading the FIFO.
    tmux.keys(&["?"]);
    tmux.wait_for("the help overlay", REDRAW, |s| s.contains("in the filter"));
    tmux.keys(&["Escape"]);
    tmux.wait_for("the help closed", REDRAW, |s| !s.contains("in the filter"));
    console.quit();
    assert!(console.go_version("app-01").contains("go1.21.13"));
}
