//! `offgo-tui demo`: the console on a throwaway fleet of real OpenSSH `sshd` hosts on
//! 127.0.0.1, removed again on exit.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use crate::core::audit::record::{line_hash, AuditRecord, GENESIS};
use crate::core::engine::DEFAULT_PARALLEL;
use crate::core::inventory;
use crate::exit::EXIT_USAGE;
use crate::fleet::{Fleet, FleetError, FleetSpec, GoInstall, InventoryOptions};
use crate::tui::{self, ConsoleOptions};

const SSHD: &str = "/usr/sbin/sshd";
/// The release the demo offers to push (its hosts run 1.21.13 and 1.22.10).
const DEMO_BUNDLE_VERSION: &str = "1.22.10";

/// Runs the demo; `keep` names a directory to keep the fleet's files in (for scripts that want
/// to look at them), otherwise everything lives in a temp dir removed on exit.
pub fn run(parallel: Option<usize>, read_only: bool, keep: Option<PathBuf>) -> ExitCode {
    if let Some(missing) = missing_tools() {
        eprintln!(
            "offgo-tui demo: {missing} is not installed. The demo runs real OpenSSH servers on 127.0.0.1.\n  \
             Install them with: sudo apt-get install openssh-server openssh-client"
        );
        return ExitCode::from(EXIT_USAGE);
    }
    eprintln!("offgo-tui demo: starting 8 local sshd hosts…");
    let fleet = match start_fleet(keep) {
        Ok(fleet) => fleet,
        Err(e) => {
            eprintln!("offgo-tui demo: the demo fleet did not start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let inventory_path = fleet.dir().join("offgo.toml");
    let mut options = InventoryOptions::new().connect_timeout("3s");
    match demo_bundle_dir() {
        Ok(dir) => options = options.append(format!("\n[bundles]\ndir = {}\n", toml_string(&dir))),
        Err(e) => {
            eprintln!("offgo-tui demo: no bundle to push in the demo ({e}); everything else works")
        }
    }
    if let Err(e) = fleet.write_inventory(&inventory_path, &options) {
        eprintln!("offgo-tui demo: {e}");
        return ExitCode::FAILURE;
    }
    let inventory = match inventory::load(&inventory_path) {
        Ok(inventory) => inventory,
        Err(e) => {
            eprintln!("offgo-tui demo: the generated inventory does not load (a bug): {e}");
            return ExitCode::FAILURE;
        }
    };
    let options = ConsoleOptions {
        parallel: parallel.unwrap_or(DEFAULT_PARALLEL),
        read_only,
        local_audit_log: Some(fleet.dir().join("jump-host-audit.log")),
        ..ConsoleOptions::default()
    };
    // A panic off the console's main thread ends the process without dropping `fleet`.
    let stop = fleet.emergency_stop();
    tui::on_abrupt_exit(move || stop.now());
    let result = tui::run(Arc::new(inventory), options);
    // The fleet's sshds stop and its files go when `fleet` drops, after the terminal is back.
    drop(fleet);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("offgo-tui demo: {e:?}");
            ExitCode::FAILURE
        }
    }
}

/// The demo's bundle: go1.22.10, built once next to the cached release tarball.
fn demo_bundle_dir() -> Result<PathBuf, String> {
    let tarball = crate::fleet::release_tarball(DEMO_BUNDLE_VERSION).map_err(|e| e.to_string())?;
    let dir = tarball.parent().map(Path::to_path_buf).unwrap_or_default();
    if crate::core::bundle::Bundle::open(&tarball).is_ok() {
        return Ok(dir);
    }
    eprintln!("offgo-tui demo: building the go{DEMO_BUNDLE_VERSION} bundle once…");
    let options = crate::core::bundle::BuildOptions {
        tarball,
        expected_sha256: None,
        expected_size: None,
        out_dir: None,
        signing_key: None,
        created: std::time::SystemTime::now(),
        builder: crate::core::bundle::builder_identity(),
    };
    crate::core::bundle::build(&options).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn toml_string(path: &Path) -> String {
    toml::Value::String(path.display().to_string()).to_string()
}

fn missing_tools() -> Option<&'static str> {
    if !Path::new(SSHD).is_file() {
        return Some(SSHD);
    }
    let keygen = std::process::Command::new("ssh-keygen").arg("-?").output();
    if keygen.is_err() {
        return Some("ssh-keygen");
    }
    None
}

fn start_fleet(keep: Option<PathBuf>) -> Result<Fleet, FleetError> {
    let mut spec = FleetSpec::demo();
    spec.dir = keep;
    if let Some(host) = spec.host_mut(FleetSpec::DEMO_TAMPERED_HOST) {
        host.audit_log = Some(tampered_audit_log(FleetSpec::DEMO_TAMPERED_HOST));
    }
    match Fleet::start(&spec) {
        Err(FleetError::GoRelease { version, detail }) => {
            // Real Go releases come from the local cache (scripts/go-release). Without them the
            // demo still shows everything else, on hosts without Go.
            eprintln!("offgo-tui demo: no Go {version} release to install on the demo hosts ({detail}); continuing without Go");
            for host in &mut spec.hosts {
                host.go = GoInstall::None;
            }
            Fleet::start(&spec)
        }
        other => other,
    }
}

/// A valid hash chain of three entries, the second edited afterwards: what `tampered` looks like.
pub fn tampered_audit_log(host: &str) -> Vec<u8> {
    let mut prev = GENESIS.to_string();
    let mut lines = Vec::new();
    for (action, target) in [
        ("push", "go1.21.13"),
        ("verify", "go1.21.13"),
        ("push", "go1.22.10"),
    ] {
        let line = AuditRecord {
            ts: "2026-11-01T10:00:00Z".into(),
            actor: "ops@jump".into(),
            host: host.into(),
            action: action.into(),
            target: target.into(),
            result: "ok".into(),
            detail: String::new(),
            prev: prev.clone(),
        }
        .to_line();
        prev = line_hash(line.as_bytes());
        lines.push(line);
    }
    lines[1] = lines[1].replace("\"result\":\"ok\"", "\"result\":\"failed\"");
    (lines.join("\n") + "\n").into_bytes()
}
