//! `scan --json` `apps` on a real fleet: the test lays out the app contract by hand (DESIGN.md,
//! "Go application bundles": `/opt/offgo/apps/<name>/current` → `releases/<version>`, the
//! binary, the bundle's manifest, `/var/lib/offgo/apps/<name>.json`) with real Go binaries built
//! here by the cached Go release — one static, one cgo binary whose library is gone — and checks
//! what the probe reports: versions (and a link that disagrees with the state), build info,
//! static or not, ldd gaps, and the inventory's health command's verdict, run on the host.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::{json, Value};

/// `svc health FLAG` exits 0 when FLAG exists, else prints why and exits 1.
const SVC: &str = r#"package main

import (
	"fmt"
	"os"
)

var version = "dev"

func main() {
	if len(os.Args) > 2 && os.Args[1] == "health" {
		if _, err := os.Stat(os.Args[2]); err != nil {
			fmt.Println("unhealthy: svc " + version + " has no " + os.Args[2])
			fmt.Println("second line")
			os.Exit(1)
		}
		fmt.Println("ok")
		return
	}
	fmt.Println(version)
}
"#;

/// A cgo binary linked against libledger.so.1, which the test then removes: an ldd gap.
const WORKER: &str = r#"package main

// #cgo LDFLAGS: -L${SRCDIR} -l:libledger.so.1
// int ledger_total(void);
import "C"
import "fmt"

func main() { fmt.Println(C.ledger_total()) }
"#;

/// What `go version -m BINARY` prints, its lines.
fn go_version_m(binary: &Path) -> Vec<String> {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-scan-go");
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let out = Command::new(go)
        .args(["version", "-m"])
        .arg(binary)
        .env("HOME", &cache)
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

/// The Go of the cached 1.22.10 release, offline, its build cache kept between runs of this
/// test (the standard library is compiled once, not per run).
fn go(dir: &Path, args: &[&str], cgo: bool) {
    let cache = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("app-scan-go");
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let out = Command::new(go)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", &cache)
        .env("GOCACHE", cache.join("gocache"))
        .env("GOPATH", cache.join("gopath"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("CGO_ENABLED", if cgo { "1" } else { "0" })
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Builds `main` as module example.com/NAME in a committed git work tree; returns the binary
/// and the commit (its vcs.revision).
fn build(work: &Path, name: &str, main: &str, version: &str, cgo: bool) -> (PathBuf, String) {
    let src = work.join(name);
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        src.join("go.mod"),
        format!("module example.com/{name}\n\ngo 1.22\n"),
    )
    .unwrap();
    std::fs::write(src.join("main.go"), main).unwrap();
    if cgo {
        std::fs::write(
            src.join("ledger.c.in"),
            "int ledger_total(void) { return 42; }\n",
        )
        .unwrap();
        run(
            &src,
            "gcc",
            &[
                "-shared",
                "-fPIC",
                "-x",
                "c",
                "-o",
                "libledger.so.1",
                "ledger.c.in",
            ],
        );
    }
    run(&src, "git", &["init", "-q"]);
    run(&src, "git", &["add", "go.mod", "main.go"]);
    run(&src, "git", &["commit", "-q", "-m", "v"]);
    let revision = run(&src, "git", &["rev-parse", "HEAD"]);
    let binary = work.join(format!("{name}.bin"));
    let ldflags = format!("-X main.version={version}");
    go(
        &src,
        &[
            "build",
            "-trimpath",
            "-ldflags",
            &ldflags,
            "-o",
            binary.to_str().unwrap(),
            ".",
        ],
        cgo,
    );
    (binary, revision)
}

/// `app build`'s manifest for `binary`, as the release on a host keeps it.
fn manifest(state: &Path, out: &Path, binary: &Path, name: &str, version: &str) -> Vec<u8> {
    let built = offgo(
        state,
        &[
            "app",
            "build",
            binary.to_str().unwrap(),
            "--name",
            name,
            "--version",
            version,
            "--allow-dynamic",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert!(
        built.status.success(),
        "app build: {}",
        String::from_utf8_lossy(&built.stderr)
    );
    std::fs::read(out.join(format!("{name}-{version}.linux-amd64.offgo-app.toml"))).unwrap()
}

/// Installs a release by hand as app-push would leave it: the release directory, `current`
/// linking to `link` (relative), and the state file naming `state_current`.
fn install(
    host: &HostHandle,
    name: &str,
    version: &str,
    binary: &Path,
    manifest: &[u8],
    link: &str,
    state_current: &str,
) {
    let release = format!("/opt/offgo/apps/{name}/releases/{version}");
    host.write_file(
        &format!("{release}/bin/{name}"),
        &std::fs::read(binary).unwrap(),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    let local = host.local_path(&format!("{release}/bin/{name}"));
    std::fs::set_permissions(&local, std::fs::Permissions::from_mode(0o755)).unwrap();
    host.write_file(&format!("{release}/.offgo-app.toml"), manifest)
        .unwrap();
    let current = host.local_path(&format!("/opt/offgo/apps/{name}/current"));
    let _ = std::fs::remove_file(&current);
    std::os::unix::fs::symlink(format!("releases/{link}"), current).unwrap();
    let state = json!({
        "name": name,
        "current": state_current,
        "previous": null,
        "history": [{"version": state_current, "action": "push", "at": "2026-12-01T00:00:00Z"}],
        "bundle_sha256": "00",
    });
    host.write_file(
        &format!("/var/lib/offgo/apps/{name}.json"),
        state.to_string().as_bytes(),
    )
    .unwrap();
}

#[test]
fn scan_reports_each_hosts_apps_build_info_ldd_gaps_and_health() {
    let work = tempfile::tempdir().unwrap();
    let (svc, svc_revision) = build(work.path(), "svc", SVC, "1.1.0", false);
    let (worker, _) = build(work.path(), "worker", WORKER, "0.3.0", true);
    let state = tempfile::tempdir().unwrap();
    let out = work.path().join("bundles");
    let svc_manifest = manifest(state.path(), &out, &svc, "svc", "1.1.0");
    let svc_old_manifest = manifest(state.path(), &out, &svc, "svc", "1.0.0");
    let worker_manifest = manifest(state.path(), &out, &worker, "worker", "0.3.0");

    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").no_app_binaries())
            .host(HostSpec::new("b").no_app_binaries())
            .host(HostSpec::new("c").no_app_binaries()),
    );
    let (a, b) = (host(&fleet, "a"), host(&fleet, "b"));
    install(a, "svc", "1.1.0", &svc, &svc_manifest, "1.1.0", "1.1.0");
    a.write_file("/opt/offgo/apps/svc/up", b"").unwrap();
    install(
        a,
        "worker",
        "0.3.0",
        &worker,
        &worker_manifest,
        "0.3.0",
        "0.3.0",
    );
    // b: the link went back to 1.0.0 while the state still says 1.1.0, and no `up` flag.
    install(b, "svc", "1.1.0", &svc, &svc_manifest, "1.1.0", "1.1.0");
    install(b, "svc", "1.0.0", &svc, &svc_old_manifest, "1.0.0", "1.1.0");
    // Not an app offgo made: no such name.
    std::fs::create_dir_all(b.local_path("/opt/offgo/apps/Not An App")).unwrap();

    let inventory = inventory(
        &fleet,
        &InventoryOptions {
            extra_toml: "\n[apps.svc]\nrestart = \"true\"\n\
                         health = \"/opt/offgo/apps/svc/current/bin/svc health /opt/offgo/apps/svc/up\"\n"
                .into(),
            ..InventoryOptions::new()
        },
    );
    let scanned = offgo(
        state.path(),
        &["scan", "--inventory", inventory.to_str().unwrap(), "--json"],
    );
    let hosts: Value = serde_json::from_slice(&scanned.stdout).unwrap_or_else(|e| {
        panic!(
            "scan --json: {e}\n{}",
            String::from_utf8_lossy(&scanned.stderr)
        )
    });
    assert_eq!(scanned.status.code(), Some(0), "{hosts:#}");
    let apps = |name: &str| -> Vec<Value> {
        let host = hosts
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["name"] == name)
            .unwrap();
        host["apps"].as_array().expect("apps is an array").clone()
    };

    let on_a = apps("a");
    assert_eq!(on_a.len(), 2, "{on_a:#?}");
    let svc_a = &on_a[0];
    assert_eq!(svc_a["name"], "svc");
    assert_eq!(svc_a["version"], "1.1.0");
    assert_eq!(svc_a["go_version"], "go1.22.10");
    assert_eq!(svc_a["static"], true);
    assert_eq!(svc_a["vcs_revision"], svc_revision.as_str());
    assert_eq!(svc_a["ldd_missing"], json!([]));
    assert_eq!(svc_a["health"], "ok");
    assert_eq!(svc_a["problems"], json!([]));
    let worker_a = &on_a[1];
    assert_eq!(worker_a["name"], "worker");
    assert_eq!(worker_a["static"], false);
    assert_eq!(worker_a["ldd_missing"], json!(["libledger.so.1"]));
    assert_eq!(worker_a["health"], Value::Null, "no [apps.worker] health");

    let on_b = apps("b");
    assert_eq!(on_b.len(), 1, "only offgo's names: {on_b:#?}");
    let svc_b = &on_b[0];
    assert_eq!(svc_b["version"], "1.0.0", "what current links to");
    assert_eq!(svc_b["state_version"], "1.1.0");
    assert_eq!(
        svc_b["problems"],
        json!(["current links to 1.0.0, the state file says 1.1.0"])
    );
    assert_eq!(svc_b["health"], "failed");
    assert_eq!(
        svc_b["health_output"], "unhealthy: svc 1.1.0 has no /opt/offgo/apps/svc/up",
        "the first line, from the real binary run on the host"
    );

    assert_eq!(apps("c"), Vec::<Value>::new(), "no apps: []");

    // The table says what is wrong with an app, a line each; a healthy one is not mentioned.
    let table = offgo(
        state.path(),
        &["scan", "--inventory", inventory.to_str().unwrap()],
    );
    let table = String::from_utf8_lossy(&table.stdout);
    for line in [
        "a: app worker 0.3.0 needs libledger.so.1",
        "b: app svc 1.0.0: health failed: unhealthy: svc 1.1.0 has no /opt/offgo/apps/svc/up",
        "b: app svc 1.0.0: current links to 1.0.0, the state file says 1.1.0",
    ] {
        assert!(table.contains(line), "{line:?} in:\n{table}");
    }
    assert!(!table.contains("a: app svc"), "{table}");

    // The console's provenance is `go version -m`'s own lines, as far as the manifest keeps
    // them (Go leaves -ldflags out of a -trimpath build's info; so does the manifest).
    let manifest: offgo::core::app::AppManifest =
        toml::from_str(std::str::from_utf8(&svc_manifest).unwrap()).unwrap();
    let ours = offgo::core::app::go_version_m(svc.to_str().unwrap(), &manifest);
    let go = go_version_m(&svc);
    assert_eq!(ours[0], go[0], "the binary and its Go");
    for line in &ours[1..] {
        assert!(
            go.contains(line),
            "{line:?} is not one of go version -m's:\n{go:#?}"
        );
    }
    assert!(
        ours.iter().any(|l| l.contains("vcs.revision=")),
        "{ours:#?}"
    );
    assert!(
        ours.len() >= 7,
        "path, mod and five build lines at least: {ours:#?}"
    );
}
