//! An app bundle pushed from the console, end to end: the built `offgo-tui` in a tmux pane
//! against a real two-host sshd fleet on loopback, with a real Go service built here and packed
//! by `offgo-tui app build` into the inventory's `[bundles] dir`. Both hosts marked, the picker
//! lists the app bundle by its kind (`app svc 1.0.0`), the confirm dialog names what changes,
//! `y` runs it; both hosts report the push in the event log, each host's instance answers its
//! health check with 1.0.0, and the apps view (`A`) shows svc 1.0.0 on both.

#[path = "support/app_service.rs"]
mod app_service;
mod common;

use std::time::Duration;

use app_service::*;
use common::tmux::{framed, Shell, Tmux};
use common::*;
use regex::Regex;

/// Generous: the machine running the suite may be busy compiling.
const FIRST_FRAME: Duration = Duration::from_secs(60);
const PROBED: Duration = Duration::from_secs(90);
const REDRAW: Duration = Duration::from_secs(20);
const OPERATION: Duration = Duration::from_secs(120);

const HOSTS: [&str; 2] = ["svc-01", "svc-02"];

#[test]
fn an_app_bundle_picked_and_confirmed_in_the_console_runs_on_the_marked_hosts() {
    let work = tempfile::tempdir().unwrap();
    let bundles = work.path().join("bundles");
    let builder = {
        let (work, bundles) = (work.path().to_path_buf(), bundles.clone());
        std::thread::spawn(move || app_bundle(&work, &bundles, "1.0.0", true))
    };
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new(HOSTS[0]))
            .host(HostSpec::new(HOSTS[1])),
    );
    let mut services = Services(Vec::new());
    let mut ports = Vec::new();
    for name in HOSTS {
        let h = host(&fleet, name);
        let port = free_port();
        ports.push(port);
        let home = app_home(h);
        h.write_file(&format!("{home}/port"), port.to_string().as_bytes())
            .unwrap();
        services.0.push(h.local_path(&format!("{home}/pids")));
    }
    builder.join().expect("the service builds");
    let toml = format!("\n[bundles]\ndir = \"{}\"\n{APPS}", bundles.display());
    let inventory = inventory(
        &fleet,
        &InventoryOptions::new().connect_timeout("5s").append(toml),
    );
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().to_str().unwrap();
    let tmux = Tmux::start(
        160,
        48,
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
    tmux.wait_for("both hosts probed", PROBED, |s| s.contains("reachable 2"));

    // The cursor starts on the first row (sorted by name); space marks it and moves down.
    tmux.keys(&["Space"]);
    tmux.keys(&["Space"]);
    tmux.wait_for("both hosts marked", REDRAW, |s| s.contains("2 marked"));

    // p: the picker lists the app bundle by its kind; Enter picks it.
    tmux.keys(&["p"]);
    tmux.wait_for("the picker with the app bundle", REDRAW, |s| {
        s.contains("push to 2 hosts: pick a bundle") && s.contains("▶ app svc 1.0.0")
    });
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("the push confirm dialog", REDRAW, |s| {
        s.contains("push svc-1.0.0 to 2 hosts?") && s.contains("y run")
    });
    for name in HOSTS {
        let line = Regex::new(&format!(r"{name}\s+svc not installed → 1\.0\.0")).unwrap();
        assert!(line.is_match(&screen), "{}", framed(&screen));
    }
    tmux.keys(&["y"]);

    // Both hosts report the push done in the event log.
    let screen = tmux.wait_for("the push done on both hosts", OPERATION, |s| {
        HOSTS.iter().all(|n| {
            s.contains(&format!("{n}: push ok")) || s.contains(&format!("{n}: push FAILED"))
        })
    });
    for name in HOSTS {
        assert!(
            screen.contains(&format!("{name}: push ok, none → 1.0.0")),
            "{}",
            framed(&screen)
        );
    }

    // Each host's instance answers its health check with the pushed version.
    for (name, port) in HOSTS.iter().zip(&ports) {
        assert_eq!(health(*port).as_deref(), Some("ok 1.0.0"), "{name}");
        assert_eq!(served(*port).as_deref(), Some("1.0.0"), "{name}");
    }

    // A: the apps view shows svc 1.0.0 on both hosts (once the console re-probed them).
    tmux.keys(&["A"]);
    let rows: Vec<Regex> = HOSTS
        .iter()
        .map(|n| Regex::new(&format!(r"│{n}\s+svc\s+1\.0\.0\s+go1\.22\.10\s")).unwrap())
        .collect();
    tmux.wait_for("the apps view with svc on both hosts", PROBED, |s| {
        s.contains("┌ apps ") && rows.iter().all(|r| r.is_match(s))
    });

    tmux.keys(&["q"]);
    tmux.wait_for_shell(REDRAW);
    tmux.wait_for_output("the console's exit status", REDRAW, |s| {
        s.contains("console exited: 0")
    });
    drop(services);
}
