//! [`Fleet`]: starting a whole fleet from a [`FleetSpec`], its fleet-wide files, and stopping
//! every process it started when dropped.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::app_bins;
use super::blackhole::{self, Blackhole};
use super::error::{FleetError, IoContext};
use super::host::{HostHandle, Shared};
use super::inventory::{self, InventoryOptions};
use super::isolation;
use super::keys;
use super::port;
use super::setup::{check_names, fleet_dir, fleet_files, release_trees, start_host};
use super::spec::{AppBinaries, FleetSpec, Isolation};
use super::sshd;

/// A running fleet. Dropping it stops every `sshd` it started (by pid) and removes its temp dir.
#[derive(Debug)]
pub struct Fleet {
    hosts: Vec<HostHandle>,
    shared: Arc<Shared>,
    dir: PathBuf,
    isolation: Isolation,
    other_key: PathBuf,
    /// Declared last so it is removed after the hosts are stopped.
    _temp: Option<tempfile::TempDir>,
}

impl Fleet {
    /// Prepares every host (in parallel) and starts those marked running; returns once each
    /// answers with an SSH banner. On error, whatever was started is stopped again.
    pub fn start(spec: &FleetSpec) -> Result<Fleet, FleetError> {
        check_names(spec)?;
        let isolation = isolation::resolve(spec.isolation)?;
        for h in spec.hosts.iter() {
            if let Some(t) = &h.tmpfs {
                isolation::check_tmpfs(&h.name, t, isolation)?;
            }
            if h.arch.is_some() {
                isolation::check_arch(&h.name, isolation)?;
            }
        }
        isolation::prepare_system(isolation)?;
        let (dir, temp) = fleet_dir(spec, isolation)?;
        let shared = Arc::new(fleet_files(&dir, spec)?);
        let other_key = dir.join("other_ed25519");
        keys::generate(&other_key, "offgo-fleet unauthorized client")?;
        let trees = release_trees(&spec.hosts)?;
        let needs_app = spec.hosts.iter().any(|h| h.app != AppBinaries::None);
        let app_cache = if needs_app {
            Some(app_bins::build_cached()?)
        } else {
            None
        };
        let ports = port::free_ports(spec.hosts.len())?;

        let results: Vec<Result<HostHandle, FleetError>> = std::thread::scope(|scope| {
            let workers: Vec<_> = spec
                .hosts
                .iter()
                .zip(ports)
                .map(|(h, port)| {
                    let (shared, trees, app) = (&shared, &trees, app_cache.as_deref());
                    let dir = &dir;
                    scope.spawn(move || start_host(dir, isolation, h, port, shared, trees, app))
                })
                .collect();
            workers
                .into_iter()
                .map(|w| {
                    w.join().unwrap_or_else(|_| {
                        Err(FleetError::Spec("a host setup thread panicked".into()))
                    })
                })
                .collect()
        });
        // Collecting stops at the first error; the handles already built stop on drop.
        let hosts = results.into_iter().collect::<Result<Vec<_>, _>>()?;
        let fleet = Fleet {
            hosts,
            shared,
            dir,
            isolation,
            other_key,
            _temp: temp,
        };
        fleet.write_known_hosts(&[])?;
        Ok(fleet)
    }

    /// The fleet directory (see the module docs for its layout).
    /// See [`EmergencyStop`]; taken once the fleet runs (hosts started later are not in it).
    pub fn emergency_stop(&self) -> EmergencyStop {
        EmergencyStop {
            pids: self.hosts.iter().filter_map(HostHandle::pid).collect(),
            temp_dir: self._temp.as_ref().map(|t| t.path().to_path_buf()),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `Namespaces` or `Directories`: what `Auto` resolved to.
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }

    /// The login user on every host: `root` as root, else the current user.
    pub fn user(&self) -> &str {
        &self.shared.user
    }

    pub fn hosts(&self) -> &[HostHandle] {
        &self.hosts
    }

    pub fn host(&self, name: &str) -> Option<&HostHandle> {
        self.hosts.iter().find(|h| h.name() == name)
    }

    /// The private key every host authorizes.
    pub fn client_key_path(&self) -> &Path {
        &self.shared.client_key
    }

    /// A key pair no host authorizes (the `auth` fault).
    pub fn other_client_key(&self) -> &Path {
        &self.other_key
    }

    /// The fleet's `known_hosts`, holding every host's current key after [`Fleet::start`].
    pub fn known_hosts_path(&self) -> &Path {
        &self.shared.known_hosts
    }

    /// Rewrites `known_hosts` with every host's current key except those named in `omit` (the
    /// `host_key_unknown` fault). Keys are read afresh, so this also forgets a rotated key.
    pub fn write_known_hosts(&self, omit: &[&str]) -> Result<(), FleetError> {
        if let Some(unknown) = omit.iter().find(|n| self.host(n).is_none()) {
            return Err(FleetError::NoSuchHost(unknown.to_string()));
        }
        let mut text = String::new();
        for h in self.hosts.iter().filter(|h| !omit.contains(&h.name())) {
            text += &keys::known_hosts_line(h.port(), &h.public_host_key()?);
        }
        let path = self.known_hosts_path();
        std::fs::write(path, text).ctx(|| format!("writing {}", path.display()))
    }

    /// A TCP port that accepts and never answers (the `timeout` fault), open while the guard lives.
    pub fn blackhole(&self) -> Result<(u16, Blackhole), FleetError> {
        blackhole::open()
    }

    /// A valid offgo inventory for this fleet (see [`InventoryOptions`]).
    pub fn inventory_toml(&self, opts: &InventoryOptions) -> String {
        inventory::render(self, opts)
    }

    pub fn write_inventory(&self, path: &Path, opts: &InventoryOptions) -> Result<(), FleetError> {
        std::fs::write(path, self.inventory_toml(opts))
            .ctx(|| format!("writing the inventory {}", path.display()))
    }
}

/// What it takes to end a fleet when its owner cannot drop it (a process about to exit after a
/// panic): the pids this fleet started, and its directory if it is a temp dir.
pub struct EmergencyStop {
    pids: Vec<u32>,
    temp_dir: Option<PathBuf>,
}

impl EmergencyStop {
    /// SIGKILLs every process of the fleet (the started ones and their descendants) and removes
    /// its temp dir.
    pub fn now(&self) {
        let mut all = self.pids.clone();
        for &pid in &self.pids {
            all.extend(sshd::descendants(pid));
        }
        sshd::kill_all(&all);
        if let Some(dir) = &self.temp_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Drop for Fleet {
    /// Every started process gets SIGTERM first, then [`HostHandle::stop`] SIGKILLs each host's
    /// descendants and reaps it, so stopping many hosts costs one grace period at most. (An
    /// `unshare --fork` ignores SIGTERM while it waits; SIGKILLing its `sshd`, the descendant,
    /// is what ends it.)
    fn drop(&mut self) {
        for h in &self.hosts {
            h.terminate();
        }
        for h in &self.hosts {
            h.stop();
        }
    }
}
