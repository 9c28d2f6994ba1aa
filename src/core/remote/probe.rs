//! The probe: one POSIX `sh` script run over one SSH exec, and what it learns of a host. Its
//! `key=value` output is parsed in `probe_parse`.

use serde::Deserialize;

use crate::core::goenv::GoEnvRead;

pub use super::go_version::GoVersion;
use super::paths::RemotePaths;
pub use super::probe_apps::{AppPaths, AppProbe};
use super::quote::{sh_quote, sh_quote_all};
use crate::core::app::InstalledApp;

pub use super::probe_parse::{
    parse_probe_output, parse_state, version_from_go_version, ProbeParseError,
};

const PROBE_BODY: &str = include_str!("probe.sh");

/// Largest audit-log tail a probe fetches; the chain is checked within it.
pub const AUDIT_FETCH_CAP: u64 = 16 * 1024 * 1024;

/// The complete script for one host, its inputs quoted ahead of the fixed body. With the
/// fingerprint of the host's last probe, an unchanged host answers [`ProbeReply::Unchanged`].
pub fn probe_script(
    paths: &RemotePaths,
    check_binaries: &[String],
    go_env_vars: &[String],
    known_fingerprint: Option<&str>,
) -> String {
    probe_script_with_apps(
        paths,
        check_binaries,
        go_env_vars,
        known_fingerprint,
        &AppProbe::default(),
    )
}

/// [`probe_script`] that also runs each configured app's `health` command.
pub fn probe_script_with_apps(
    paths: &RemotePaths,
    check_binaries: &[String],
    go_env_vars: &[String],
    known_fingerprint: Option<&str>,
    apps: &AppProbe,
) -> String {
    let mut script = String::with_capacity(PROBE_BODY.len() + 512);
    for (name, value) in [
        ("go_root", paths.go_root.as_str()),
        ("releases_dir", paths.releases_dir.as_str()),
        ("audit_log", paths.audit_log.as_str()),
    ] {
        script.push_str(&format!("{name}={}\n", sh_quote(value)));
    }
    script.push_str(&format!("state_file={}\n", sh_quote(&paths.state_file())));
    script.push_str(&format!(
        "profile_script={}\n",
        sh_quote(&paths.profile_script)
    ));
    // Names checked by the policy parser (upper case, digits, `_`): safe unquoted in the list.
    script.push_str(&format!(
        "go_env_vars={}\n",
        sh_quote(&go_env_vars.join(" "))
    ));
    script.push_str(&format!(
        "env_profile={}\nshim_dir={}\n",
        sh_quote(&paths.env_profile()),
        sh_quote(&paths.shim_dir())
    ));
    script.push_str(&format!(
        "helper={}\n",
        sh_quote(super::privilege::HELPER_PATH)
    ));
    script.push_str(&format!("audit_cap={AUDIT_FETCH_CAP}\n"));
    if paths.athens_storage.is_some() {
        script.push_str(&format!(
            "athens_state={}\n",
            sh_quote(&paths.athens_state())
        ));
    }
    script.push_str(&format!(
        "known_fingerprint={}\n",
        sh_quote(known_fingerprint.unwrap_or(""))
    ));
    script.push_str("set --");
    if !check_binaries.is_empty() {
        script.push(' ');
        script.push_str(&sh_quote_all(check_binaries.iter().map(String::as_str)));
    }
    script.push('\n');
    script.push_str(&super::probe_apps::app_inputs(paths, apps));
    script.push_str(super::frame::PRELUDE);
    script.push_str(PROBE_BODY);
    script
}

/// What `go_root` is on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoRootKind {
    /// offgo-managed: a symlink to a release directory.
    Symlink {
        target: String,
    },
    /// Installed by hand before offgo.
    Directory,
    /// Exists but is neither (a file, a dangling link's target…).
    Other,
    Missing,
}

/// `state.json` (DESIGN.md): `{"current": …, "previous": …, "history": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
pub struct OffgoState {
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default)]
    pub history: Vec<serde_json::Value>,
    /// The Go environment policy offgo last wrote to the host, with the digests of the files it
    /// wrote (scripts/go_env.sh); `None` when it wrote none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_env: Option<GoEnvRecord>,
}

/// state.json's `go_env` record: what verify tells "offgo's policy" from "edited since" by.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
pub struct GoEnvRecord {
    #[serde(default)]
    pub policy: std::collections::BTreeMap<String, String>,
    /// sha256 of the release's go.env as offgo wrote it (official lines, then its block).
    #[serde(default)]
    pub go_env_sha256: String,
    /// sha256 of the login profile offgo wrote (`RemotePaths::env_profile`).
    #[serde(default)]
    pub profile_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRead {
    Absent,
    Unreadable,
    Invalid { raw: String, error: String },
    Parsed(OffgoState),
}

/// One binary matched by a `check_binaries` glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryCheck {
    pub path: String,
    pub status: BinaryStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryStatus {
    /// Dynamic, every library found.
    Ok,
    /// Dynamic, with these libraries not found.
    Gaps(Vec<String>),
    /// Static or not an ELF executable: ldd has nothing to say, which is not a gap.
    NotDynamic,
    /// The glob matched nothing (the path is the glob itself).
    NoMatch,
    /// Not checked: its name holds a line break (a host-made name, shown escaped).
    Unchecked,
}

/// The audit log as the probe read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditLogRead {
    Missing,
    Unreadable,
    Present {
        bytes: Vec<u8>,
        /// Total lines in the file (the bytes may be only its tail).
        lines: usize,
        /// Only the last [`AUDIT_FETCH_CAP`] bytes were fetched.
        truncated: bool,
    },
}

/// Everything a probe learnt, less the audit log (kept apart: it can be large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFacts {
    pub arch: String,
    pub go_root_kind: GoRootKind,
    /// First line of `$go_root/bin/go version`, when the binary exists. When the service
    /// view's `go env` says GOVERSION is the VERSION file's line, its line as `go version`
    /// prints it (GOVERSION, GOHOSTOS/GOHOSTARCH) instead of running it (probe.sh).
    pub go_version_output: Option<String>,
    /// First line of `$go_root/VERSION`.
    pub go_version_file: Option<String>,
    pub state: StateRead,
    pub free_bytes: Option<u64>,
    pub auditd_running: bool,
    pub binaries: Vec<BinaryCheck>,
    /// What `go env` said, as a login shell and as a service see it (not read without Go).
    pub go_env: GoEnvRead,
    /// sha256 of offgo's helper, when the host has one.
    pub helper_sha256: Option<String>,
    /// offgo's `go1.X.Y` shims in the shim directory (`go_shims`), by name.
    pub go_shims: Vec<String>,
    /// The Go applications installed under the apps directory, in the host's listing order.
    pub apps: Vec<InstalledApp>,
    /// The module-cache bundle the host's Athens was last preloaded with (`athens_storage`
    /// hosts only; see engine/modcache_push.rs).
    pub athens_bundle: Option<String>,
}

impl ProbeFacts {
    /// The installed Go version (`go1.22.10`): what `go version` says, else the VERSION file.
    pub fn go_version(&self) -> Option<String> {
        if matches!(self.go_root_kind, GoRootKind::Missing) {
            return None;
        }
        let from_binary = self
            .go_version_output
            .as_deref()
            .and_then(version_from_go_version);
        from_binary.or_else(|| {
            GoVersion::from_version_file(self.go_version_file.as_deref()?).map(|v| v.to_string())
        })
    }

    /// What the host said its Go version was, when that is not a Go version (`go version`'s
    /// line, else the VERSION file's): to be shown as "unrecognised", escaped.
    pub fn unrecognised_version(&self) -> Option<&str> {
        if matches!(self.go_root_kind, GoRootKind::Missing) || self.go_version().is_some() {
            return None;
        }
        self.go_version_output
            .as_deref()
            .or(self.go_version_file.as_deref())
    }

    /// `go version` ran and printed a version.
    pub fn go_runs(&self) -> bool {
        self.go_version_output
            .as_deref()
            .and_then(version_from_go_version)
            .is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutput {
    /// What the host's probe-relevant files looked like (see probe.sh).
    pub fingerprint: String,
    pub facts: ProbeFacts,
    pub audit_log: AuditLogRead,
}

/// A probe's answer: everything, or "nothing changed since `fingerprint`" (free space and auditd
/// are then those of the last full probe, which the jump host repeats every few minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per probe, short-lived: boxing buys nothing
pub enum ProbeReply {
    Full(ProbeOutput),
    Unchanged { fingerprint: String },
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "probe_go_version_tests.rs"]
mod go_version_tests;
