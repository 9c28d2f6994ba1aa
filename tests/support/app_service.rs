//! A tiny Go HTTP service for app-bundle tests, built with the cached Go release
//! (`CGO_ENABLED=0`, `-trimpath`, `-ldflags -X main.version=…`), packed by `offgo-tui app build`
//! with a small supervisor script (`bin/supervise`: stops the pid in a pidfile, starts current's
//! binary in a new session) as its `restart`; `health` is curl on the host's loopback. Hosts
//! share one network namespace, so each host's instance listens on its own port, read from a
//! file next to the app's releases. Used by tests/app_push.rs and tests/console_app_e2e.rs
//! (`mod common;` first: this file uses its helpers).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::*;

pub const SERVICE: &str = r#"package main

import (
	"fmt"
	"net/http"
	"os"
)

var version = "dev"
var healthy = "yes"

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
		if healthy != "yes" {
			http.Error(w, "unhealthy "+version, http.StatusInternalServerError)
			return
		}
		fmt.Fprintln(w, "ok", version)
	})
	http.HandleFunc("/version", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, version) })
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
"#;

/// The test's service manager. Every pid it starts is also listed in `pids` for the test's
/// clean-up.
pub const SUPERVISE: &str = r#"#!/bin/sh
home=$OFFGO_APP_DIR/../..
port=$(cat "$home/port") || exit 1
if [ -f "$home/pid" ]; then
  old=$(cat "$home/pid")
  kill "$old" 2>/dev/null
  i=0
  while kill -0 "$old" 2>/dev/null && [ "$i" -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
fi
setsid "$OFFGO_APP_DIR/bin/svc" "127.0.0.1:$port" </dev/null >>"$home/svc.log" 2>&1 &
echo $! > "$home/pid"
echo $! >> "$home/pids"
echo "started $OFFGO_APP_VERSION on $port"
"#;

pub const APPS: &str = r#"
[apps.svc]
restart = 'sh "$OFFGO_APP_DIR/bin/supervise"'
health = 'curl -fsS --max-time 2 "http://127.0.0.1:$(cat "$OFFGO_APP_DIR/../../port")/health"'
health_timeout = "3s"
"#;

/// Stops every service instance the test started, even when an assertion failed: each pid the
/// supervisor listed, if it still runs the service's binary (a pid reused by another process
/// is left alone).
pub struct Services(pub Vec<PathBuf>);

impl Drop for Services {
    fn drop(&mut self) {
        for list in &self.0 {
            let Ok(text) = std::fs::read_to_string(list) else {
                continue;
            };
            for pid in text.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains("/apps/svc/") {
                    // SAFETY: a plain signal to a pid this test started and just checked.
                    unsafe { libc::kill(pid, libc::SIGTERM) };
                }
            }
        }
    }
}

/// The cached Go release's `go`, offline; its build cache outlives the test run.
pub fn go_build(src: &Path, out: &Path, ldflags: &str) {
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("app-push-go");
    let result = Command::new(go)
        .args(["build", "-trimpath", "-ldflags", ldflags, "-o"])
        .arg(out)
        .arg(".")
        .current_dir(src)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &cache)
        .env("GOCACHE", cache.join("cache"))
        .env("GOPATH", cache.join("path"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-buildvcs=false")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap();
    assert!(
        result.status.success(),
        "go build: {}",
        String::from_utf8_lossy(&result.stderr)
    );
}

/// `<apps_dir>/svc` of `host`, as the host sees it.
pub fn app_home(host: &HostHandle) -> String {
    let releases = host.paths().releases_dir;
    let parent = releases.rsplit_once('/').unwrap().0;
    format!("{parent}/apps/svc")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the instance on `port` says its version is (None: nothing answers).
pub fn served(port: u16) -> Option<String> {
    let out = Command::new("curl")
        .args(["-fsS", "--max-time", "2"])
        .arg(format!("http://127.0.0.1:{port}/version"))
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Writes the service's source and supervisor into `work` (once per `work`).
fn sources(work: &Path) -> (PathBuf, PathBuf) {
    let src = work.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), "module example.com/svc\n\ngo 1.22\n").unwrap();
    std::fs::write(src.join("main.go"), SERVICE).unwrap();
    let supervise = work.join("supervise");
    std::fs::write(&supervise, SUPERVISE).unwrap();
    (src, supervise)
}

/// Builds `svc` at `version` (its `/health` answering 500 unless `healthy`) and packs it with
/// `offgo-tui app build` into `out`; returns the bundle's manifest.
pub fn app_bundle(work: &Path, out: &Path, version: &str, healthy: bool) -> PathBuf {
    let (src, supervise) = sources(work);
    let state = work.join("state");
    let binary = work.join(format!("svc-{version}"));
    let healthy = if healthy { "yes" } else { "no" };
    go_build(
        &src,
        &binary,
        &format!("-X main.version={version} -X main.healthy={healthy}"),
    );
    let out_dir = out.to_str().unwrap();
    let result = offgo(
        &state,
        &[
            "app",
            "build",
            binary.to_str().unwrap(),
            "--name",
            "svc",
            "--version",
            version,
            "--file",
            &format!("{}:bin/supervise", supervise.display()),
            "--out",
            out_dir,
            "--json",
        ],
    );
    assert!(
        result.status.success(),
        "app build {version}: {}",
        String::from_utf8_lossy(&result.stderr)
    );
    out.join(format!("svc-{version}.linux-amd64.offgo-app.toml"))
}

/// What the instance on `port` answers on `/health` (None: nothing answers, or not 200).
pub fn health(port: u16) -> Option<String> {
    let out = Command::new("curl")
        .args(["-fsS", "--max-time", "2"])
        .arg(format!("http://127.0.0.1:{port}/health"))
        .output()
        .unwrap();
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}
