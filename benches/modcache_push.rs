//! Module-cache push speed (issue 13, Speed): `offgo-tui push --bundle modcache-….offgo.toml` to
//! 10 hosts — pre-flight, upload, sha256, extract, `sha256sum -c` of the tree, switch — against
//! the OpenSSH script an operator would write for the same bytes (scp of the tarball and its
//! list, `tar -x` into /opt/offgo/modcache/<id>, `sha256sum -c` of the tree, `ln -s` + `mv -T` of
//! current), on a fresh fleet of the same kind each time, medians of 3, in one run. Target:
//! ≤ 1.1× the script.
//!
//! The bundle is built by `offgo-tui modcache build` from a real module download cache: the
//! cached release's `go mod download` fills it from a module proxy written on disk (no network),
//! 32 modules whose zips hold ~150 KiB of incompressible source each (~5 MiB in all).
//!
//!     cargo bench --bench modcache_push

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

#[path = "../tests/support/modules.rs"]
mod modules;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use support::{settle, ssh_opts};

use offgo::fleet::{release_tree, Fleet, FleetSpec, HostSpec, InventoryOptions};

const RUNS: usize = 3;
const HOSTS: usize = 10;
const MODULES: usize = 32;

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

/// [`MODULES`] modules `example.com/bulkNN` v1.0.0 on a file proxy at `proxy`, each zip a
/// `go.mod` and a Go file holding ~150 KiB of random bytes (base64), as real module zips are
/// deflated source that compresses no further.
fn publish_bulk(proxy: &Path) -> Vec<String> {
    let script = r#"
import base64, os, sys, zipfile
root, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    mod = "example.com/bulk%02d" % i
    v = os.path.join(root, mod, "@v")
    os.makedirs(v, exist_ok=True)
    open(os.path.join(v, "list"), "w").write("v1.0.0\n")
    open(os.path.join(v, "v1.0.0.info"), "w").write('{"Version":"v1.0.0","Time":"2026-01-01T00:00:00Z"}\n')
    gomod = "module %s\n\ngo 1.22\n" % mod
    open(os.path.join(v, "v1.0.0.mod"), "w").write(gomod)
    blob = base64.b64encode(os.urandom(150 * 1024)).decode()
    src = "package bulk%02d\n\n// Blob is filler.\nconst Blob = \"%s\"\n" % (i, blob)
    with zipfile.ZipFile(os.path.join(v, "v1.0.0.zip"), "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(mod + "@v1.0.0/go.mod", gomod)
        z.writestr(mod + "@v1.0.0/blob.go", src)
"#;
    let out = Command::new("python3")
        .args(["-c", script])
        .arg(proxy)
        .arg(MODULES.to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (0..MODULES)
        .map(|i| format!("example.com/bulk{i:02}@v1.0.0"))
        .collect()
}

/// The bundle built from a real download cache: (manifest, tarball, sums, id).
fn bundle(offgo: &Path, work: &Path) -> (PathBuf, PathBuf, PathBuf, String) {
    let proxy = work.join("proxy");
    let mut wanted = publish_bulk(&proxy);
    modules::publish_greet(&proxy, "v1.0.0", "hello from the gap");
    wanted.push("example.com/greet@v1.0.0".into());
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let cache = work.join("cache");
    let mut args = vec!["mod", "download"];
    args.extend(wanted.iter().map(String::as_str));
    let out = modules::go(&go, work, &args, work, &proxy, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out_dir = work.join("bundle");
    let out = Command::new(offgo)
        .args(["modcache", "build"])
        .arg(cache.join("cache/download"))
        .arg("--out")
        .arg(&out_dir)
        .arg("--json")
        .env("XDG_STATE_HOME", work)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = format!("modcache-{}", report["id"].as_str().unwrap());
    (
        out_dir.join(format!("{id}.offgo.toml")),
        out_dir.join(format!("{id}.tar.gz")),
        out_dir.join(format!("{id}.sha256sums")),
        id,
    )
}

/// A fresh fleet of [`HOSTS`] hosts and its inventory.
fn fleet() -> (Fleet, PathBuf) {
    let mut spec = FleetSpec::new();
    for i in 0..HOSTS {
        spec = spec.host(HostSpec::new(format!("m{i:02}")).no_app_binaries());
    }
    let fleet = Fleet::start(&spec).unwrap();
    let inv = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&inv, &InventoryOptions::new())
        .unwrap();
    (fleet, inv)
}

/// What an operator would run by hand on each host (in parallel): the tarball and its list
/// copied, the tree extracted beside its final place, checked file by file, moved into place,
/// and `current` switched atomically.
fn script_push(fleet: &Fleet, tarball: &Path, sums: &Path, id: &str) -> Duration {
    settle();
    let remote = format!(
        r#"set -e
d=/opt/offgo/modcache/{id}
rm -rf "$d.tmp" && mkdir -p "$d.tmp"
tar -xzf /var/lib/offgo/incoming/{id}.tar.gz -C "$d.tmp"
(cd "$d.tmp" && sha256sum -c --quiet --strict /var/lib/offgo/incoming/{id}.sha256sums)
rm -rf "$d" && mv "$d.tmp" "$d"
ln -sfn "$d" /opt/offgo/modcache/current.new && mv -T /opt/offgo/modcache/current.new /opt/offgo/modcache/current
"#
    );
    let started = Instant::now();
    let commands = fleet.hosts().iter().map(|h| {
        let opts = ssh_opts(fleet).join(" ");
        let port = h.port();
        let cmd = format!(
            "ssh -n {opts} -p {port} root@127.0.0.1 mkdir -p /var/lib/offgo/incoming && \
                 scp {opts} -P {port} {t} {s} root@127.0.0.1:/var/lib/offgo/incoming/ && \
                 ssh {opts} -p {port} root@127.0.0.1 sh -s",
            t = tarball.display(),
            s = sums.display()
        );
        cmd
    });
    support::sh_on_all_at_once(commands, remote.as_bytes());
    let elapsed = started.elapsed();
    served(fleet, id);
    elapsed
}

fn offgo_push(offgo: &Path, fleet: &Fleet, inv: &Path, manifest: &Path, id: &str) -> Duration {
    settle();
    let state = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(offgo)
        .args(["push", "--parallel", "64", "--inventory"])
        .arg(inv)
        .arg("--bundle")
        .arg(manifest)
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
    served(fleet, id);
    elapsed
}

/// Both ways end with every host serving the bundle's tree at `current`.
fn served(fleet: &Fleet, id: &str) {
    for h in fleet.hosts() {
        let current = h.local_path("/opt/offgo/modcache/current");
        let target = std::fs::read_link(&current).unwrap_or_default();
        assert_eq!(
            target,
            Path::new(&format!("/opt/offgo/modcache/{id}")),
            "{}",
            h.name()
        );
        assert!(h
            .local_path(&format!(
                "/opt/offgo/modcache/{id}/example.com/bulk00/@v/v1.0.0.zip"
            ))
            .is_file());
    }
}

fn main() {
    let offgo = offgo_binary();
    let work = tempfile::tempdir().unwrap();
    let (manifest, tarball, sums, id) = bundle(&offgo, work.path());
    let size = std::fs::metadata(&tarball).unwrap().len();
    let files = std::fs::read_to_string(&sums).unwrap().lines().count();
    let mut ours = Vec::new();
    let mut script = Vec::new();
    for run in 0..RUNS {
        // Alternate which goes first, so neither always follows the other's clean-up.
        for first in [run % 2 == 0, run % 2 != 0] {
            let (f, inv) = fleet();
            if first {
                ours.push(offgo_push(&offgo, &f, &inv, &manifest, &id));
            } else {
                script.push(script_push(&f, &tarball, &sums, &id));
            }
            drop(f);
            settle();
        }
    }
    let runs = |v: &[Duration]| {
        v.iter()
            .map(|d| d.as_millis().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (ours_runs, script_runs) = (runs(&ours), runs(&script));
    let (ours, script) = (median(ours), median(script));
    let mib = size as f64 / (1024.0 * 1024.0);
    println!(
        "| what ({mib:.1} MiB tarball, {files} files) | median of {RUNS} | runs (ms) | vs script |"
    );
    println!("| --- | --- | --- | --- |");
    println!(
        "| module-cache push to {HOSTS} hosts: offgo | {} ms | {ours_runs} | {:.2}× script (target ≤ 1.10×) |",
        ours.as_millis(),
        ours.as_secs_f64() / script.as_secs_f64()
    );
    println!(
        "| module-cache push to {HOSTS} hosts: scp + ssh script (tar -xzf, sha256sum -c, ln -s + mv -T) | {} ms | {script_runs} | |",
        script.as_millis()
    );
}
