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
