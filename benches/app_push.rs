//! App push speed (issue 14, Speed): a whole push of a Go service's app bundle to 10 hosts —
//! pre-flight, upload, sha256, extract, `sha256sum -c`, switch, restart, health — against the
//! OpenSSH script an operator would write for the same (scp, sha256sum -c, tar, ln + mv -T,
//! restart, curl health), on the same kind of fleet, in one run. Target: ≤ 1.1× the script.
//!
//!     cargo bench --bench app_push

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{settle, ssh_opts};

use offgo::fleet::{release_tree, Fleet, FleetSpec, HostSpec, InventoryOptions};

const RUNS: usize = 3;
const HOSTS: usize = 10;

const SERVICE: &str = r#"package main

import (
	"fmt"
	"net/http"
	"os"
)

var version = "dev"

func main() {
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok", version) })
	if err := http.ListenAndServe(os.Args[1], nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
"#;

/// The service manager both sides use (the fleet has no systemd).
const SUPERVISE: &str = r#"#!/bin/sh
home=$OFFGO_APP_DIR/../..
port=$(cat "$home/port") || exit 1
if [ -f "$home/pid" ]; then
  old=$(cat "$home/pid")
  kill "$old" 2>/dev/null
  while kill -0 "$old" 2>/dev/null; do sleep 0.05; done
fi
setsid "$OFFGO_APP_DIR/bin/svc" "127.0.0.1:$port" </dev/null >>"$home/svc.log" 2>&1 &
echo $! > "$home/pid"
echo $! >> "$home/pids"
"#;

const APPS: &str = r#"
[apps.svc]
restart = 'sh "$OFFGO_APP_DIR/bin/supervise"'
health = 'curl -fsS --max-time 2 "http://127.0.0.1:$(cat "$OFFGO_APP_DIR/../../port")/health"'
health_timeout = "10s"
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn offgo_binary() -> PathBuf {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    root().join("target/release/offgo-tui")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The service's app bundle (built once with the cached Go release); returns its manifest.
fn bundle(offgo: &Path, work: &Path) -> PathBuf {
    let src = work.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("go.mod"), "module example.com/svc\n\ngo 1.22\n").unwrap();
    std::fs::write(src.join("main.go"), SERVICE).unwrap();
    std::fs::write(work.join("supervise"), SUPERVISE).unwrap();
    let cache = root().join("target/tmp/app-push-go");
    let out = Command::new(release_tree("1.22.10").unwrap().join("bin/go"))
        .args([
            "build",
            "-trimpath",
            "-ldflags",
            "-X main.version=1.0.0",
            "-o",
        ])
        .arg(work.join("svc"))
        .arg(".")
        .current_dir(&src)
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
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(offgo)
        .args(["app", "build"])
        .arg(work.join("svc"))
        .args(["--name", "svc", "--version", "1.0.0", "--file"])
        .arg(format!(
            "{}:bin/supervise",
            work.join("supervise").display()
        ))
        .arg("--out")
        .arg(work)
        .env("XDG_STATE_HOME", work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    work.join("svc-1.0.0.linux-amd64.offgo-app.toml")
}

/// A fresh fleet whose hosts each have their own port, and the service instances started on it
/// (stopped, by pid, when dropped).
struct AppFleet {
    fleet: Fleet,
    inv: PathBuf,
}

impl AppFleet {
    fn start() -> Self {
        let mut spec = FleetSpec::new();
        for i in 0..HOSTS {
            spec = spec.host(HostSpec::new(format!("s{i:02}")).no_app_binaries());
        }
        let fleet = Fleet::start(&spec).unwrap();
        for h in fleet.hosts() {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            h.write_file("/opt/offgo/apps/svc/port", port.to_string().as_bytes())
                .unwrap();
            let _ = Command::new("chmod")
                .arg("644")
                .arg(h.local_path("/opt/offgo/apps/svc/port"))
                .status();
        }
        let inv = fleet.dir().join("offgo.toml");
        fleet
            .write_inventory(&inv, &InventoryOptions::new().append(APPS))
            .unwrap();
        Self { fleet, inv }
    }
}

impl Drop for AppFleet {
    fn drop(&mut self) {
        for h in self.fleet.hosts() {
            let pids = std::fs::read_to_string(h.local_path("/opt/offgo/apps/svc/pids"))
                .unwrap_or_default();
            for pid in pids.lines().filter_map(|l| l.trim().parse::<i32>().ok()) {
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                if String::from_utf8_lossy(&cmdline).contains("/apps/svc/") {
                    // SAFETY: a plain signal to a pid this bench started and just checked.
                    unsafe { libc::kill(pid, libc::SIGTERM) };
                }
            }
        }
    }
}

/// What an operator would run by hand on each host (in parallel).
fn script_push(f: &AppFleet, tarball: &Path, sums: &Path) -> Duration {
    settle();
    let remote = r#"set -e
cd /var/lib/offgo/apps/incoming
sha256sum svc-1.0.0.linux-amd64.tar.gz >/dev/null
d=/opt/offgo/apps/svc/releases/1.0.0
rm -rf "$d.tmp" && mkdir -p "$d.tmp"
tar -xzf svc-1.0.0.linux-amd64.tar.gz -C "$d.tmp"
cp sums "$d.tmp/.sums"
(cd "$d.tmp" && sha256sum -c --quiet .sums)
rm -rf "$d" && mv "$d.tmp" "$d"
ln -sfn "$d" /opt/offgo/apps/svc/current.new && mv -T /opt/offgo/apps/svc/current.new /opt/offgo/apps/svc/current
OFFGO_APP_DIR=/opt/offgo/apps/svc/current sh /opt/offgo/apps/svc/current/bin/supervise
port=$(cat /opt/offgo/apps/svc/port)
i=0
until curl -fsS --max-time 2 "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
  i=$((i + 1)); [ "$i" -lt 50 ] || exit 1; sleep 0.2
done
"#;
    let started = Instant::now();
    let commands = f.fleet.hosts().iter().map(|h| {
        let opts = ssh_opts(&f.fleet).join(" ");
        let port = h.port();
        let cmd = format!(
            "ssh -n {opts} -p {port} root@127.0.0.1 mkdir -p /var/lib/offgo/apps/incoming && \
                 scp {opts} -P {port} {t} root@127.0.0.1:/var/lib/offgo/apps/incoming/ && \
                 scp {opts} -P {port} {s} root@127.0.0.1:/var/lib/offgo/apps/incoming/sums && \
                 ssh {opts} -p {port} root@127.0.0.1 sh -s",
            t = tarball.display(),
            s = sums.display()
        );
        cmd
    });
    support::sh_on_all_at_once(commands, remote.as_bytes());
    started.elapsed()
}

fn offgo_push(offgo: &Path, f: &AppFleet, bundle: &Path) -> Duration {
    settle();
    let state = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(offgo)
        .args(["push", "--parallel", "64", "--inventory"])
        .arg(&f.inv)
        .arg("--bundle")
        .arg(bundle)
        .env("XDG_STATE_HOME", state.path())
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

fn main() {
    let offgo = offgo_binary();
    let work = tempfile::tempdir().unwrap();
    let manifest = bundle(&offgo, work.path());
    let tarball = work.path().join("svc-1.0.0.linux-amd64.tar.gz");
    let sums = work.path().join("svc-1.0.0.linux-amd64.sha256sums");
    let mut ours = Vec::new();
    let mut script = Vec::new();
    for run in 0..RUNS {
        // Alternate which goes first, so neither always follows the other's clean-up.
        for first in [run % 2 == 0, run % 2 != 0] {
            let f = AppFleet::start();
            if first {
                ours.push(offgo_push(&offgo, &f, &manifest));
            } else {
                script.push(script_push(&f, &tarball, &sums));
            }
            drop(f);
            settle();
        }
    }
    let (ours, script) = (median(ours), median(script));
    println!("| what | median of {RUNS} | vs script |");
    println!("| --- | --- | --- |");
    println!(
        "| app push to {HOSTS} hosts: offgo | {} ms | {:.2}× script (target ≤ 1.10×) |",
        ours.as_millis(),
        ours.as_secs_f64() / script.as_secs_f64()
    );
    println!(
        "| app push to {HOSTS} hosts: scp + ssh script | {} ms | |",
        script.as_millis()
    );
}
