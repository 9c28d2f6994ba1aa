//! The per-host settings and their layers: built-in defaults, then `[defaults]`, then each of the
//! host's groups in order, then the host's own keys. A [`Layer`] holds what one table set;
//! [`Settings::apply`] lays it over what came before.

use std::path::PathBuf;
use std::time::Duration;

use super::error::InventoryError;
use super::field::Field;
use super::jump::{self, JumpChain};
use super::model::HostKeyPolicy;
use super::paths::{local_path, remote_glob, remote_path};
use crate::core::goenv::GoShims;
use crate::core::remote::privilege::{Become, BecomeMethod, SUDOERS_FILE};
use crate::core::remote::{HostTools, RemotePaths};

/// Keys allowed in `[defaults]`, in every `[groups.*]` and in every `[[hosts]]`.
pub(super) const SETTING_KEYS: &[&str] = &[
    "user",
    "port",
    "identity_file",
    "known_hosts",
    "host_key_policy",
    "connect_timeout",
    "command_timeout",
    "check_binaries",
    "go_root",
    "releases_dir",
    "state_dir",
    "audit_log",
    "profile_script",
    "keep_releases",
    "proxy_jump",
    "become",
    "become_user",
    "sudoers_file",
    "go_shims",
    "athens_storage",
    "host_tools",
];

/// What one table (defaults, a group or a host) set; `None` means "not set here".
#[derive(Debug, Default, Clone)]
pub(super) struct Layer {
    user: Option<String>,
    port: Option<u16>,
    identity_file: Option<PathBuf>,
    known_hosts: Option<PathBuf>,
    host_key_policy: Option<HostKeyPolicy>,
    connect_timeout: Option<Duration>,
    command_timeout: Option<Duration>,
    check_binaries: Option<Vec<String>>,
    go_root: Option<String>,
    releases_dir: Option<String>,
    state_dir: Option<String>,
    audit_log: Option<String>,
    profile_script: Option<String>,
    keep_releases: Option<usize>,
    proxy_jump: Option<JumpChain>,
    become_method: Option<BecomeMethod>,
    become_user: Option<String>,
    sudoers_file: Option<String>,
    go_shims: Option<GoShims>,
    athens_storage: Option<String>,
    host_tools: Option<HostTools>,
}

impl Layer {
    /// Reads `name` into the layer. `Ok(false)`: `name` is not a setting key.
    pub fn set(&mut self, name: &str, field: &Field<'_>) -> Result<bool, InventoryError> {
        match name {
            "user" => self.user = Some(user(field)?),
            "port" => self.port = Some(port(field)?),
            "identity_file" => self.identity_file = Some(identity_file(field)?),
            "known_hosts" => self.known_hosts = Some(local_path(field)?),
            "host_key_policy" => self.host_key_policy = Some(host_key_policy(field)?),
            "connect_timeout" => self.connect_timeout = Some(timeout(field)?),
            "command_timeout" => self.command_timeout = Some(timeout(field)?),
            "check_binaries" => self.check_binaries = Some(check_binaries(field)?),
            "go_root" => self.go_root = Some(remote_path(field)?),
            "releases_dir" => self.releases_dir = Some(remote_path(field)?),
            "state_dir" => self.state_dir = Some(remote_path(field)?),
            "audit_log" => self.audit_log = Some(remote_path(field)?),
            "profile_script" => self.profile_script = Some(remote_path(field)?),
            "keep_releases" => self.keep_releases = Some(keep_releases(field)?),
            "proxy_jump" => self.proxy_jump = Some(jump::chain(field)?),
            "become" => self.become_method = Some(become_method(field)?),
            "become_user" => self.become_user = Some(become_user(field)?),
            "sudoers_file" => self.sudoers_file = Some(remote_path(field)?),
            "go_shims" => self.go_shims = Some(go_shims(field)?),
            "athens_storage" => self.athens_storage = Some(athens_storage(field)?),
            "host_tools" => self.host_tools = Some(host_tools(field)?),
            _ => return Ok(false),
        }
        Ok(true)
    }
}

/// Every setting of one host, resolved.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Settings {
    pub user: String,
    pub port: u16,
    pub identity_file: Option<PathBuf>,
    pub known_hosts: PathBuf,
    pub host_key_policy: HostKeyPolicy,
    pub connect_timeout: Duration,
    pub command_timeout: Duration,
    pub check_binaries: Vec<String>,
    pub paths: RemotePaths,
    pub keep_releases: usize,
    /// Which connection keys the inventory set at some level: an OpenSSH config may fill only
    /// the others.
    pub explicit: Explicit,
    /// `None`: a direct connection.
    pub proxy_jump: Option<JumpChain>,
    /// `None`: not set anywhere, so it follows the login user (see [`Settings::privilege`]).
    pub become_method: Option<BecomeMethod>,
    pub become_user: String,
    pub sudoers_file: String,
    pub go_shims: GoShims,
}

/// Connection keys set by the inventory itself (defaults, a group or the host).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Explicit {
    pub user: bool,
    pub port: bool,
    pub identity_file: bool,
    pub known_hosts: bool,
}

impl Settings {
    /// The built-in defaults, before `[defaults]`.
    pub fn builtin() -> Self {
        Self {
            user: local_user(),
            port: 22,
            identity_file: None,
            known_hosts: crate::core::xdg::expand_tilde("~/.ssh/known_hosts"),
            host_key_policy: HostKeyPolicy::Strict,
            connect_timeout: Duration::from_secs(5),
            command_timeout: Duration::from_secs(600),
            check_binaries: Vec::new(),
            paths: RemotePaths::default(),
            keep_releases: 3,
            explicit: Explicit::default(),
            proxy_jump: None,
            become_method: None,
            become_user: "root".into(),
            sudoers_file: SUDOERS_FILE.into(),
            go_shims: GoShims::Off,
        }
    }

    /// How privileged steps run: `become` as set, else none for a root login and sudo otherwise.
    pub fn privilege(&self) -> Become {
        Become {
            method: self
                .become_method
                .unwrap_or_else(|| BecomeMethod::default_for(&self.user)),
            user: self.become_user.clone(),
            sudoers_file: self.sudoers_file.clone(),
        }
    }

    pub fn apply(&mut self, layer: &Layer) {
        fn over<T: Clone>(slot: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *slot = v.clone();
            }
        }
        over(&mut self.user, &layer.user);
        over(&mut self.port, &layer.port);
        if layer.identity_file.is_some() {
            self.identity_file.clone_from(&layer.identity_file);
        }
        over(&mut self.known_hosts, &layer.known_hosts);
        over(&mut self.host_key_policy, &layer.host_key_policy);
        over(&mut self.connect_timeout, &layer.connect_timeout);
        over(&mut self.command_timeout, &layer.command_timeout);
        over(&mut self.check_binaries, &layer.check_binaries);
        over(&mut self.paths.go_root, &layer.go_root);
        over(&mut self.paths.releases_dir, &layer.releases_dir);
        over(&mut self.paths.state_dir, &layer.state_dir);
        over(&mut self.paths.audit_log, &layer.audit_log);
        over(&mut self.paths.profile_script, &layer.profile_script);
        over(&mut self.keep_releases, &layer.keep_releases);
        self.explicit.user |= layer.user.is_some();
        self.explicit.port |= layer.port.is_some();
        self.explicit.identity_file |= layer.identity_file.is_some();
        self.explicit.known_hosts |= layer.known_hosts.is_some();
        if layer.proxy_jump.is_some() {
            self.proxy_jump.clone_from(&layer.proxy_jump);
        }
        if layer.become_method.is_some() {
            self.become_method = layer.become_method;
        }
        over(&mut self.become_user, &layer.become_user);
        over(&mut self.sudoers_file, &layer.sudoers_file);
        over(&mut self.go_shims, &layer.go_shims);
        if layer.athens_storage.is_some() {
            self.paths.athens_storage.clone_from(&layer.athens_storage);
        }
        over(&mut self.paths.host_tools, &layer.host_tools);
    }
}

/// The operator's local user name: the SSH user when nothing else is set.
fn local_user() -> String {
    match std::env::var("USER") {
        Ok(user) if !user.is_empty() => user,
        _ => "root".to_owned(),
    }
}

fn user(field: &Field<'_>) -> Result<String, InventoryError> {
    let user = field.string()?;
    if user.is_empty() || user.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(field
            .error(format!("bad user name \"{user}\""))
            .hint("write the SSH login name, e.g. \"deploy\" (no spaces)"));
    }
    Ok(user.to_owned())
}

fn port(field: &Field<'_>) -> Result<u16, InventoryError> {
    const HINT: &str =
        "write the SSH port as a number from 1 to 65535, without quotes, e.g. port = 22";
    if !field.value.get_ref().is_integer() {
        return Err(field.wrong_type("an integer port").hint(HINT));
    }
    match field
        .integer()
        .and_then(|n| u16::try_from(n).ok())
        .filter(|&p| p != 0)
    {
        Some(p) => Ok(p),
        None => {
            let shown = field.doc.text.get(field.value.span()).unwrap_or("?");
            Err(field
                .error(format!("port {shown} is out of range (1-65535)"))
                .hint(HINT))
        }
    }
}

fn identity_file(field: &Field<'_>) -> Result<PathBuf, InventoryError> {
    let path = local_path(field)?;
    // Opening it now turns a typo into a load error at this key, instead of an "auth"
    // failure on every host later.
    const HINT: &str =
        "fix the path or the file's permissions, or remove identity_file to use ssh-agent";
    if path.is_dir() {
        return Err(field
            .error(format!("identity file {} is a directory", path.display()))
            .hint(HINT));
    }
    if let Err(e) = std::fs::File::open(&path) {
        return Err(field
            .error(format!("cannot read identity file {}: {e}", path.display()))
            .hint(HINT));
    }
    Ok(path)
}

fn host_key_policy(field: &Field<'_>) -> Result<HostKeyPolicy, InventoryError> {
    match field.string()? {
        "strict" => Ok(HostKeyPolicy::Strict),
        "accept-new" => Ok(HostKeyPolicy::AcceptNew),
        other => Err(field
            .error(format!("unknown host_key_policy \"{other}\""))
            .hint("use \"strict\" (refuse unknown keys) or \"accept-new\" (record unknown keys, refuse changed ones)")),
    }
}

fn host_tools(field: &Field<'_>) -> Result<HostTools, InventoryError> {
    match field.string()? {
        "auto" => Ok(HostTools::Auto),
        "contract" => Ok(HostTools::Contract),
        other => Err(field
            .error(format!("unknown host_tools \"{}\"", crate::core::text::safe(other)))
            .hint("use \"auto\" (OpenSSL's SHA-256 and a faster gzip decoder where the host has them) or \"contract\" (sha256sum and gzip only)")),
    }
}

fn timeout(field: &Field<'_>) -> Result<Duration, InventoryError> {
    let duration = field.duration()?;
    if duration.is_zero() {
        // A zero timeout means "wait forever" to libssh2: never what an operator wants.
        return Err(field
            .error("a timeout of zero would never time out")
            .hint("write a positive duration, e.g. \"5s\""));
    }
    Ok(duration)
}

fn check_binaries(field: &Field<'_>) -> Result<Vec<String>, InventoryError> {
    let items = field
        .array()
        .map_err(|e| e.hint("write a list of globs, e.g. [\"/opt/app/bin/*\"]"))?;
    let mut out = Vec::with_capacity(items.len());
    for (key, value) in &items {
        let element = Field {
            key,
            value,
            ..*field
        };
        out.push(remote_glob(&element, element.string()?)?);
    }
    Ok(out)
}

fn keep_releases(field: &Field<'_>) -> Result<usize, InventoryError> {
    const HINT: &str =
        "write how many releases to keep on each host, at least 1, e.g. keep_releases = 3";
    if !field.value.get_ref().is_integer() {
        return Err(field.wrong_type("an integer").hint(HINT));
    }
    match field
        .integer()
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n >= 1)
    {
        Some(n) => Ok(n),
        None => Err(field.error("keep_releases must be at least 1").hint(HINT)),
    }
}

fn become_method(field: &Field<'_>) -> Result<BecomeMethod, InventoryError> {
    let text = field.string()?;
    BecomeMethod::parse(text).ok_or_else(|| {
        field
            .error(format!("unknown become \"{text}\""))
            .hint("use \"none\" (the login user is root), \"sudo\" or \"doas\"")
    })
}

fn become_user(field: &Field<'_>) -> Result<String, InventoryError> {
    let name = field.string()?;
    let ok = !name.is_empty()
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if !ok {
        return Err(field
            .error(format!("bad become_user \"{name}\""))
            .hint("write the account privileged steps run as, e.g. become_user = \"root\""));
    }
    Ok(name.to_owned())
}

/// `go_shims = true | false | ["go1.21.13", …]`: a shim for every kept release, none, or these.
fn go_shims(field: &Field<'_>) -> Result<GoShims, InventoryError> {
    const HINT: &str = "write go_shims = true (every kept release), false, or a list of releases, e.g. [\"go1.21.13\"]";
    if let Some(on) = field.value.get_ref().as_bool() {
        return Ok(if on { GoShims::All } else { GoShims::Off });
    }
    let items = field.array().map_err(|_| {
        field
            .wrong_type("true, false or a list of Go versions")
            .hint(HINT)
    })?;
    let mut versions = Vec::with_capacity(items.len());
    for (key, value) in &items {
        let element = Field {
            key,
            value,
            ..*field
        };
        let text = element.string()?;
        match crate::core::remote::go_version::GoVersion::parse(text) {
            Some(v) if v.to_string() == text && text.starts_with("go1") => {
                versions.push(text.to_string())
            }
            _ => {
                return Err(element
                    .error(format!(
                        "\"{}\" is not a Go release name",
                        crate::core::text::safe(text)
                    ))
                    .hint(HINT))
            }
        }
    }
    Ok(GoShims::Only(versions))
}

/// `athens_storage`: a remote path whose every component is a plain name (the helper writes
/// under it as root, and its sudoers digest covers it), never inside offgo's own directories.
fn athens_storage(field: &Field<'_>) -> Result<String, InventoryError> {
    let path = remote_path(field)?;
    let plain = path.split('/').skip(1).all(|part| {
        !part.starts_with(['.', '-'])
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
    });
    if !plain {
        return Err(field
            .error(format!(
                "athens_storage \"{path}\" has a name offgo will not write under as root"
            ))
            .hint(
                "use letters, digits, '.', '_', '-' and '+' in each part, e.g. \"/var/lib/athens\"",
            ));
    }
    Ok(path)
}
