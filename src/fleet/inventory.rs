//! A valid offgo inventory (DESIGN.md, "Inventory") for a running fleet, plus whatever extra
//! hosts and settings a test needs (the blackhole, another key, a `[rollout]` table).

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::PathBuf;

use super::layout::APP_BIN_DIR;
use super::local_fleet::Fleet;
use super::spec::Isolation;

/// A host in the inventory that is not a fleet host (e.g. the blackhole, or a closed port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraHost {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub groups: Vec<String>,
}

/// What to put in the generated inventory besides the fleet's hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryOptions {
    /// Overrides the fleet's client key (e.g. [`Fleet::other_client_key`] for the `auth` case).
    pub identity_file: Option<PathBuf>,
    /// `strict` (default) or `accept-new`.
    pub host_key_policy: String,
    /// Default `5s`.
    pub connect_timeout: String,
    /// Raw TOML lines added to `[defaults]`, e.g. `command_timeout = "10s"`.
    pub extra_defaults: Vec<String>,
    pub extra_hosts: Vec<ExtraHost>,
    /// Raw TOML appended at the end, e.g. a `[rollout]` table.
    pub extra_toml: String,
    /// The login user instead of the fleet's own (e.g. a non-root `deploy`).
    pub login: Option<String>,
}

impl Default for InventoryOptions {
    fn default() -> Self {
        Self {
            identity_file: None,
            host_key_policy: "strict".into(),
            connect_timeout: "5s".into(),
            extra_defaults: Vec::new(),
            extra_hosts: Vec::new(),
            extra_toml: String::new(),
            login: None,
        }
    }
}

impl InventoryOptions {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn identity_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.identity_file = Some(path.into());
        self
    }

    pub fn host_key_policy(mut self, policy: impl Into<String>) -> Self {
        self.host_key_policy = policy.into();
        self
    }

    pub fn connect_timeout(mut self, timeout: impl Into<String>) -> Self {
        self.connect_timeout = timeout.into();
        self
    }

    pub fn default_line(mut self, line: impl Into<String>) -> Self {
        self.extra_defaults.push(line.into());
        self
    }

    /// An extra host on 127.0.0.1, e.g. `("blackhole", port)`.
    pub fn extra_host(mut self, name: impl Into<String>, port: u16) -> Self {
        self.extra_hosts.push(ExtraHost {
            name: name.into(),
            address: "127.0.0.1".into(),
            port,
            groups: Vec::new(),
        });
        self
    }

    pub fn login(mut self, user: impl Into<String>) -> Self {
        self.login = Some(user.into());
        self
    }

    pub fn append(mut self, toml: impl Into<String>) -> Self {
        self.extra_toml.push_str(&toml.into());
        self
    }
}

pub(crate) fn render(fleet: &Fleet, opts: &InventoryOptions) -> String {
    let identity = opts
        .identity_file
        .clone()
        .unwrap_or_else(|| fleet.client_key_path().to_path_buf());
    let mut out = format!(
        "# offgo inventory for the local fleet in {}\n\n[defaults]\n",
        fleet.dir().display()
    );
    let _ = writeln!(
        out,
        "user = {}",
        s(opts.login.as_deref().unwrap_or(fleet.user()))
    );
    let _ = writeln!(out, "identity_file = {}", s(&identity.to_string_lossy()));
    let _ = writeln!(
        out,
        "known_hosts = {}",
        s(&fleet.known_hosts_path().to_string_lossy())
    );
    let _ = writeln!(out, "host_key_policy = {}", s(&opts.host_key_policy));
    let _ = writeln!(out, "connect_timeout = {}", s(&opts.connect_timeout));
    let _ = writeln!(out, "check_binaries = [{}]", s(&format!("{APP_BIN_DIR}/*")));
    for line in &opts.extra_defaults {
        let _ = writeln!(out, "{line}");
    }
    let groups: BTreeSet<&str> = fleet
        .hosts()
        .iter()
        .flat_map(|h| h.groups().iter())
        .chain(opts.extra_hosts.iter().flat_map(|h| h.groups.iter()))
        .map(String::as_str)
        .collect();
    for group in groups {
        let _ = write!(out, "\n[groups.{}]\n", key(group));
    }
    for host in fleet.hosts() {
        host_table(
            &mut out,
            host.name(),
            "127.0.0.1",
            host.port(),
            host.groups(),
        );
        if fleet.isolation() == Isolation::Directories {
            let p = host.paths();
            for (key, value) in [
                ("go_root", p.go_root),
                ("releases_dir", p.releases_dir),
                ("state_dir", p.state_dir),
                ("audit_log", p.audit_log),
                ("profile_script", p.profile_script),
            ] {
                let _ = writeln!(out, "{key} = {}", s(&value));
            }
            let _ = writeln!(
                out,
                "check_binaries = [{}]",
                s(&format!("{}/*", host.remote_path(APP_BIN_DIR)))
            );
        }
    }
    for extra in &opts.extra_hosts {
        host_table(
            &mut out,
            &extra.name,
            &extra.address,
            extra.port,
            &extra.groups,
        );
    }
    if !opts.extra_toml.is_empty() {
        let _ = write!(out, "\n{}\n", opts.extra_toml.trim_end());
    }
    out
}

fn host_table(out: &mut String, name: &str, address: &str, port: u16, groups: &[String]) {
    let _ = write!(
        out,
        "\n[[hosts]]\nname = {}\naddress = {}\nport = {port}\n",
        s(name),
        s(address)
    );
    if !groups.is_empty() {
        let list: Vec<String> = groups.iter().map(|g| s(g)).collect();
        let _ = writeln!(out, "groups = [{}]", list.join(", "));
    }
}

/// A bare TOML key when it can be one, else a quoted one.
fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if bare {
        name.to_string()
    } else {
        s(name)
    }
}

/// A TOML basic string, escaped by the `toml` crate.
fn s(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}
