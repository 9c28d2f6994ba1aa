//! What a fleet should look like before it starts: hosts, their Go installs, app binaries, audit
//! logs and faults. Builder style: `HostSpec::new("web-01").go_manual("1.21.13").ldd_gap()`.

use std::path::PathBuf;
use std::time::Duration;

/// How each host gets its own `/usr/local`, `/opt`, … (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Isolation {
    /// Namespaces when running as root and `unshare --mount` works, else directories.
    #[default]
    Auto,
    /// Each `sshd` in a private mount namespace: contract paths are the real paths on each host.
    Namespaces,
    /// No namespaces: each host's paths are per-host directories, named in the inventory.
    Directories,
}

/// How Go is installed on a host before offgo touches it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum GoInstall {
    /// No Go at all.
    #[default]
    None,
    /// A real release tree at `go_root`, installed by hand before offgo (not a symlink).
    Manual { version: String },
    /// Managed by offgo: `releases/<goX>/go`, the `go_root` symlink, `state.json` and the profile.
    Managed {
        current: String,
        previous: Option<String>,
    },
}

/// What sits in the host's `/opt/app/bin` (the inventory's `check_binaries`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AppBinaries {
    /// An empty `/opt/app/bin`.
    None,
    /// A healthy dynamic binary (`webd`) and a shell script (`rotate-logs.sh`, not ELF).
    #[default]
    Healthy,
    /// The healthy ones plus `invoicer`, whose `libledger.so.1` is missing (`ldd` says `not found`).
    LddGap,
}

/// A small tmpfs mounted over one of the host's paths, to run it out of disk space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tmpfs {
    /// The remote path it covers, e.g. `/opt`; must lie under one of the per-host roots.
    pub path: String,
    pub size_mib: u32,
}

/// One simulated host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSpec {
    /// Unique in the fleet; also the inventory name.
    pub name: String,
    pub go: GoInstall,
    pub app: AppBinaries,
    /// Raw bytes of the host's audit log; `None` leaves it missing.
    pub audit_log: Option<Vec<u8>>,
    pub tmpfs: Option<Tmpfs>,
    /// `false`: prepared (port, host key, known_hosts entry) but `sshd` not started.
    pub running: bool,
    /// Inventory groups, declared as empty `[groups.NAME]` tables.
    pub groups: Vec<String>,
    /// The architecture the host reports (`uname -m`, `/proc/sys/kernel/arch`) instead of the
    /// machine's, e.g. `aarch64`; needs namespaces. Binaries for it still run only where the
    /// machine can run them.
    pub arch: Option<String>,
}

impl HostSpec {
    /// A running host with no Go and healthy app binaries.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            go: GoInstall::None,
            app: AppBinaries::Healthy,
            audit_log: None,
            tmpfs: None,
            running: true,
            groups: Vec::new(),
            arch: None,
        }
    }

    /// Go `version` (`1.21.13` or `go1.21.13`) installed by hand as a real directory at `go_root`.
    pub fn go_manual(mut self, version: impl Into<String>) -> Self {
        self.go = GoInstall::Manual {
            version: version.into(),
        };
        self
    }

    /// Go `current` managed by offgo, with no previous release.
    pub fn go_managed(mut self, current: impl Into<String>) -> Self {
        self.go = GoInstall::Managed {
            current: current.into(),
            previous: None,
        };
        self
    }

    /// Go `current` managed by offgo, with `previous` also kept under `releases/` for rollback.
    pub fn go_managed_after(
        mut self,
        current: impl Into<String>,
        previous: impl Into<String>,
    ) -> Self {
        self.go = GoInstall::Managed {
            current: current.into(),
            previous: Some(previous.into()),
        };
        self
    }

    /// Adds a binary with a missing shared library to `/opt/app/bin`.
    pub fn ldd_gap(mut self) -> Self {
        self.app = AppBinaries::LddGap;
        self
    }

    /// Leaves `/opt/app/bin` empty.
    pub fn no_app_binaries(mut self) -> Self {
        self.app = AppBinaries::None;
        self
    }

    /// The host's audit log content, byte for byte (valid, tampered or garbage: the caller decides).
    pub fn audit_log(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.audit_log = Some(bytes.into());
        self
    }

    /// A `size_mib` tmpfs over the host's `path` (needs namespaces).
    pub fn tmpfs(mut self, path: impl Into<String>, size_mib: u32) -> Self {
        self.tmpfs = Some(Tmpfs {
            path: path.into(),
            size_mib,
        });
        self
    }

    /// Prepared but not started: connections are refused until `HostHandle::start`.
    pub fn stopped(mut self) -> Self {
        self.running = false;
        self
    }

    pub fn group(mut self, name: impl Into<String>) -> Self {
        self.groups.push(name.into());
        self
    }

    /// The host reports `arch` (`uname -m` style: `aarch64`) as its architecture: a `uname`
    /// wrapper first on PATH in its `/usr/local/bin` and a bind mount over
    /// `/proc/sys/kernel/arch` in its mount namespace (needs namespaces).
    pub fn arch(mut self, arch: impl Into<String>) -> Self {
        self.arch = Some(arch.into());
        self
    }
}

/// A whole fleet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FleetSpec {
    pub hosts: Vec<HostSpec>,
    /// Where the fleet lives; `None` makes a temp dir that is removed on drop. A given dir is
    /// created if missing and kept on drop (its hosts are still stopped).
    pub dir: Option<PathBuf>,
    pub isolation: Isolation,
    /// How long one `sshd` may take to start listening.
    pub ready_timeout: Duration,
    /// A network namespace (`/proc/PID/ns/net`, see [`super::NetNamespace`]) every `sshd` runs
    /// in; `None`: the real one.
    pub netns: Option<PathBuf>,
}

impl Default for FleetSpec {
    fn default() -> Self {
        Self {
            hosts: Vec::new(),
            dir: None,
            isolation: Isolation::Auto,
            ready_timeout: Duration::from_secs(15),
            netns: None,
        }
    }
}

impl FleetSpec {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn host(mut self, host: HostSpec) -> Self {
        self.hosts.push(host);
        self
    }

    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dir = Some(dir.into());
        self
    }

    pub fn isolation(mut self, isolation: Isolation) -> Self {
        self.isolation = isolation;
        self
    }

    /// Runs every `sshd` inside `ns`: the hosts are unreachable from the real namespace except
    /// through a [`super::Bridge`].
    pub fn network(mut self, ns: &super::NetNamespace) -> Self {
        self.netns = Some(ns.path().to_path_buf());
        self
    }

    /// The host named `name`, to adjust a prepared spec (e.g. the demo's audit logs).
    pub fn host_mut(&mut self, name: &str) -> Option<&mut HostSpec> {
        self.hosts.iter_mut().find(|h| h.name == name)
    }
}
