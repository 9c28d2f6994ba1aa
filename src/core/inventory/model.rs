//! The resolved inventory: every host with every setting merged (defaults → groups in order →
//! host). Built by [`super::load`]; nothing else constructs it from raw TOML.

use std::path::PathBuf;
use std::sync::Arc;

use crate::core::goenv::GoEnvPolicy;
use std::time::Duration;

use crate::core::remote::privilege::Become;
use crate::core::remote::RemotePaths;

/// Index of a host in [`Inventory::hosts`]; stable for the life of one loaded inventory.
pub type HostId = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HostKeyPolicy {
    /// Unknown and changed keys are refused.
    Strict,
    /// An unknown key is recorded in `known_hosts` and accepted; a changed key is refused.
    AcceptNew,
}

/// One host, with every setting resolved.
#[derive(Debug, Clone, PartialEq)]
pub struct Host {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub user: String,
    /// `None`: try ssh-agent, then the usual `~/.ssh/id_*` files.
    pub identity_file: Option<PathBuf>,
    pub known_hosts: PathBuf,
    pub host_key_policy: HostKeyPolicy,
    /// TCP connect plus SSH handshake and authentication.
    pub connect_timeout: Duration,
    /// Any single remote command (probe, upload chunk, extraction step).
    pub command_timeout: Duration,
    /// Globs expanded on the host; each match is run through `ldd`.
    pub check_binaries: Vec<String>,
    pub paths: RemotePaths,
    /// Releases kept on the host after a successful switch (older ones are pruned).
    pub keep_releases: usize,
    /// How privileged steps run: `become`, `become_user`, `sudoers_file`.
    pub privilege: Become,
    /// Group names, in the order they were applied.
    pub groups: Vec<String>,
    /// The fleet's Go environment policy (`[go_env]`), shared by every host.
    pub go_env: Arc<GoEnvPolicy>,
    /// The settings an OpenSSH config supplied, with where (empty without `ssh_config`).
    pub sources: Vec<SettingSource>,
    /// The jump hosts this host is reached through, first hop first (`proxy_jump`, flattened:
    /// a named hop's own chain comes before it); empty for a direct connection.
    pub proxy_jump: Vec<Hop>,
    /// The fleet's `[apps.NAME]` tables, shared by every host.
    pub apps: Arc<super::apps::AppTable>,
}

/// One setting a host took from the OpenSSH config named by `ssh_config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingSource {
    /// The inventory key it stands for: `address`, `user`, `port`, `identity_file`,
    /// `known_hosts` or `proxy_jump`.
    pub key: &'static str,
    /// The value as offgo uses it (a path expanded, `none` for a ProxyJump turned off).
    pub value: String,
    pub origin: crate::core::ssh_config::Origin,
}

/// One jump host on the way to a host, with every setting it is reached with.
#[derive(Debug, Clone, PartialEq)]
pub struct Hop {
    /// As the operator wrote it: an inventory host name or `[user@]address[:port]`.
    pub name: String,
    /// How the hop itself is reached (its `proxy_jump` is always empty).
    pub host: Host,
}

impl Host {
    /// The hop names, first hop first (`via` in `scan --json`).
    pub fn via(&self) -> Vec<String> {
        self.proxy_jump.iter().map(|h| h.name.clone()).collect()
    }
}

/// Console settings (`[console]`).
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleSettings {
    /// Re-probe the fleet this often; `None` turns auto-refresh off.
    pub refresh: Option<Duration>,
}

impl Default for ConsoleSettings {
    fn default() -> Self {
        Self {
            refresh: Some(Duration::from_secs(60)),
        }
    }
}

/// Bundle settings (`[bundles]`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BundleSettings {
    /// Where the console looks for bundles to push.
    pub dir: Option<PathBuf>,
    /// Refuse unsigned bundles, and bundles not signed by one of `trusted_keys`.
    pub require_signed: bool,
    /// ed25519 public key files.
    pub trusted_keys: Vec<PathBuf>,
}

/// A loaded inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    /// The file it was read from.
    pub source: PathBuf,
    pub hosts: Vec<Host>,
    /// Every group declared under `[groups.*]`, in file order.
    pub groups: Vec<String>,
    pub console: ConsoleSettings,
    pub bundles: BundleSettings,
    /// The raw `[rollout]` table, interpreted by the rollout planner.
    pub rollout: Option<toml::Table>,
    /// `[go_env]`: the Go environment every host must have (empty: no policy).
    pub go_env: Arc<GoEnvPolicy>,
    /// `[apps.NAME]`: how each Go application is restarted and health-checked.
    pub apps: Arc<super::apps::AppTable>,
}

impl Inventory {
    pub fn host(&self, id: HostId) -> &Host {
        &self.hosts[id]
    }

    pub fn find(&self, name: &str) -> Option<HostId> {
        self.hosts.iter().position(|h| h.name == name)
    }
}
