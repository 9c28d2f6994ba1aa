//! The steps of [`Fleet::start`](super::Fleet::start): checking the spec, the fleet directory
//! and its fleet-wide files, the Go trees, and preparing and starting each host.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Arc, Mutex};

use super::cmd;
use super::error::{FleetError, IoContext};
use super::go_tree;
use super::host::{HostHandle, Shared};
use super::isolation;
use super::keys;
use super::layout::{split_root, HostLayout};
use super::port;
use super::prepare::{self, Trees};
use super::spec::{FleetSpec, GoInstall, HostSpec, Isolation};
use super::sshd;

/// How many ports a host tries when another process takes its port before `sshd` binds it.
const BIND_ATTEMPTS: usize = 5;

/// Host names become directory names and inventory names; group names become selectors
/// (`group:NAME`), which the inventory limits to letters, digits, `-` and `_`.
pub(crate) fn check_names(spec: &FleetSpec) -> Result<(), FleetError> {
    let word = |n: &str, extra: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_".contains(c) || extra.contains(c))
    };
    let mut seen = HashSet::new();
    for h in &spec.hosts {
        if !word(&h.name, ".") || h.name.starts_with('.') || h.name == "all" {
            return Err(FleetError::Spec(format!(
                "host name {:?}: use letters, digits, '-', '_' and '.'",
                h.name
            )));
        }
        if let Some(g) = h.groups.iter().find(|g| !word(g, "")) {
            return Err(FleetError::Spec(format!(
                "host {}: group name {g:?}: use letters, digits, '-' and '_'",
                h.name
            )));
        }
        if !seen.insert(h.name.as_str()) {
            return Err(FleetError::Spec(format!(
                "host name {:?} appears twice",
                h.name
            )));
        }
    }
    Ok(())
}

/// The given dir (created, kept on drop) or a fresh temp dir (removed on drop). With
/// namespaces it must not lie under a per-host root: each `sshd` would see its private copy
/// of that root instead, and miss its config and keys.
pub(crate) fn fleet_dir(
    spec: &FleetSpec,
    isolation: Isolation,
) -> Result<(PathBuf, Option<tempfile::TempDir>), FleetError> {
    let (dir, temp) = match &spec.dir {
        Some(d) => {
            std::fs::create_dir_all(d).ctx(|| format!("creating the fleet dir {}", d.display()))?;
            (d.clone(), None)
        }
        None => {
            let t = tempfile::Builder::new()
                .prefix("offgo-fleet-")
                .tempdir()
                .ctx(|| "creating the fleet temp dir".into())?;
            (t.path().to_path_buf(), Some(t))
        }
    };
    let dir = dir
        .canonicalize()
        .ctx(|| format!("resolving {}", dir.display()))?;
    if isolation == Isolation::Namespaces && split_root(&dir.to_string_lossy()).is_some() {
        return Err(FleetError::Spec(format!(
            "the fleet dir {} lies under a path each host replaces with its own; use a dir elsewhere, e.g. under /tmp",
            dir.display()
        )));
    }
    Ok((dir, temp))
}

/// The client key pair, `authorized_keys` (its public key) and the login user.
pub(crate) fn fleet_files(dir: &Path, spec: &FleetSpec) -> Result<Shared, FleetError> {
    let client_key = dir.join("client_ed25519");
    keys::generate(&client_key, "offgo-fleet client")?;
    let authorized_keys = dir.join("authorized_keys");
    let line = keys::public_key(&client_key)? + "\n";
    std::fs::write(&authorized_keys, line)
        .ctx(|| format!("writing {}", authorized_keys.display()))?;
    let user = if isolation::is_root() {
        "root".to_string()
    } else {
        cmd::stdout(std::process::Command::new("id").arg("-un"))?
    };
    Ok(Shared {
        client_key,
        known_hosts: dir.join("known_hosts"),
        authorized_keys,
        user,
        ready_timeout: spec.ready_timeout,
        netns: spec.netns.clone(),
    })
}

/// Each Go version any host needs, extracted into the cache once.
pub(crate) fn release_trees(hosts: &[HostSpec]) -> Result<Trees, FleetError> {
    let mut versions = BTreeSet::new();
    for h in hosts {
        match &h.go {
            GoInstall::None => {}
            GoInstall::Manual { version } => {
                versions.insert(go_tree::bare_version(version)?);
            }
            GoInstall::Managed { current, previous } => {
                versions.insert(go_tree::bare_version(current)?);
                if let Some(p) = previous {
                    versions.insert(go_tree::bare_version(p)?);
                }
            }
        }
    }
    versions
        .into_iter()
        .map(|v| go_tree::release_tree(&v).map(|t| (v, t)))
        .collect()
}

/// Builds one host's files and key, and starts it if the spec says so, trying a new port when
/// another process took the picked one first.
pub(crate) fn start_host(
    dir: &Path,
    isolation: Isolation,
    spec: &HostSpec,
    mut port: u16,
    shared: &Arc<Shared>,
    trees: &Trees,
    app_cache: Option<&Path>,
) -> Result<HostHandle, FleetError> {
    let layout = HostLayout::new(dir, &spec.name, isolation);
    prepare::populate(&layout, spec, trees, app_cache)?;
    keys::generate(
        &layout.host_key(),
        &format!("offgo-fleet host {}", spec.name),
    )?;
    let mut child: Option<Child> = None;
    for attempt in 1..=BIND_ATTEMPTS {
        if !spec.running {
            break;
        }
        match sshd::launch_once(&layout, port, shared, spec.tmpfs.as_ref()) {
            Ok(c) => {
                child = Some(c);
                break;
            }
            Err(f) if f.bind_race && attempt < BIND_ATTEMPTS => {
                port = port::free_ports(1)?.first().copied().unwrap_or(port)
            }
            Err(f) => return Err(f.into_error(&spec.name, port, &layout.log())),
        }
    }
    Ok(HostHandle {
        name: spec.name.clone(),
        port,
        groups: spec.groups.clone(),
        layout,
        tmpfs: spec.tmpfs.clone(),
        shared: Arc::clone(shared),
        sshd: Mutex::new(child),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_would_break_paths_or_the_inventory_are_refused() {
        let one = |h: HostSpec| check_names(&FleetSpec::new().host(h));
        assert!(one(HostSpec::new("web-01.dc1").group("web_2")).is_ok());
        for bad in ["", "a/b", "../x", ".hidden", "all", "two words"] {
            assert!(one(HostSpec::new(bad)).is_err(), "host {bad:?} accepted");
        }
        assert!(one(HostSpec::new("a").group("g.1")).is_err());
        let twice = FleetSpec::new()
            .host(HostSpec::new("a"))
            .host(HostSpec::new("a"));
        assert!(check_names(&twice)
            .unwrap_err()
            .to_string()
            .contains("twice"));
    }
}
