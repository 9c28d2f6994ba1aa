//! Remote paths (DESIGN.md, "Remote host contract"), each overridable in the inventory.

use serde::Serialize;

/// Where offgo's files live on one host. Defaults are the production paths of the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemotePaths {
    /// Symlink to the active release's `go/` directory.
    pub go_root: String,
    /// Extracted releases: `<releases_dir>/<version>/go/`.
    pub releases_dir: String,
    /// Holds `state.json`, `lock` and `incoming/`.
    pub state_dir: String,
    /// The host's hash-chained audit log.
    pub audit_log: String,
    /// The env profile that puts the active Go on `PATH`.
    pub profile_script: String,
    /// The disk-storage root of an Athens server on the host (`athens_storage`,
    /// `ATHENS_DISK_STORAGE_ROOT`): a module-cache push preloads it. `None`: no Athens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athens_storage: Option<String>,
    /// What the host's scripts hash and unpack with (`host_tools`). Not a path, but like the
    /// paths it is fixed in the helper's text, so a sudoers rule's digest covers it.
    #[serde(skip)]
    pub host_tools: HostTools,
}

/// The tools a host's scripts use for SHA-256 and gunzip (`host_tools` in the inventory).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HostTools {
    /// OpenSSL's SHA-256 and a faster gzip decoder (igzip, zstd, unpigz) where the host has
    /// them and each passes a known-answer check there; sha256sum and gzip otherwise.
    #[default]
    Auto,
    /// Only the tools the host contract names: sha256sum and gzip.
    Contract,
}

impl HostTools {
    pub fn as_str(self) -> &'static str {
        match self {
            HostTools::Auto => "auto",
            HostTools::Contract => "contract",
        }
    }
}

impl Default for RemotePaths {
    fn default() -> Self {
        Self {
            go_root: "/usr/local/go".into(),
            releases_dir: "/opt/offgo/releases".into(),
            state_dir: "/var/lib/offgo".into(),
            audit_log: "/var/log/offgo/audit.log".into(),
            profile_script: "/etc/profile.d/offgo-go.sh".into(),
            athens_storage: None,
            host_tools: HostTools::Auto,
        }
    }
}

impl RemotePaths {
    pub fn state_file(&self) -> String {
        format!("{}/state.json", self.state_dir)
    }

    pub fn lock_file(&self) -> String {
        format!("{}/lock", self.state_dir)
    }

    pub fn incoming_dir(&self) -> String {
        format!("{}/incoming", self.state_dir)
    }

    /// The login shells' half of the Go environment policy: next to `profile_script`, its name
    /// with `-env` before `.sh` (`/etc/profile.d/offgo-go-env.sh`). A file of its own, so the
    /// env profile stays the same for every policy.
    pub fn env_profile(&self) -> String {
        match self.profile_script.strip_suffix(".sh") {
            Some(stem) => format!("{stem}-env.sh"),
            None => format!("{}-env", self.profile_script),
        }
    }

    /// Where `go_shims` puts `go1.X.Y`: the `bin` next to go_root (`/usr/local/bin`), on the
    /// `PATH` of login shells and of services alike.
    pub fn shim_dir(&self) -> String {
        match self.go_root.rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => format!("{parent}/bin"),
            _ => "/bin".into(),
        }
    }

    /// `<releases_dir>/<version>/go`, e.g. `/opt/offgo/releases/go1.22.10/go`.
    pub fn release_go_dir(&self, version: &str) -> String {
        format!("{}/{}/go", self.releases_dir, version)
    }

    /// Go applications: `<apps_dir>/<name>/releases/<version>/` and `<apps_dir>/<name>/current`.
    /// Next to releases_dir: `/opt/offgo/apps` by default.
    pub fn apps_dir(&self) -> String {
        let parent = self
            .releases_dir
            .trim_end_matches('/')
            .rsplit_once('/')
            .map_or("", |(parent, _)| parent);
        format!("{parent}/apps")
    }

    /// Each app's state (`<name>.json`) and its uploads (`incoming/`): `/var/lib/offgo/apps`.
    pub fn apps_state_dir(&self) -> String {
        format!("{}/apps", self.state_dir)
    }

    /// Module caches (DESIGN.md, "Module-cache bundles"): `<id>/`, `current` and each cache's
    /// signed file list, next to releases_dir (`/opt/offgo/modcache` by default).
    pub fn modcache_dir(&self) -> String {
        let parent = self.releases_dir.rsplit_once('/').map_or("", |(p, _)| p);
        format!("{parent}/modcache")
    }

    /// `{"current", "previous", "history"}` of the module caches, as state.json is of Go.
    pub fn modcache_state(&self) -> String {
        format!("{}/modcache.json", self.state_dir)
    }

    /// What the jump host and the helper know of the Athens preload: the bundle it serves and
    /// the list its files are checked against (Athens' paths).
    pub fn athens_state(&self) -> String {
        format!("{}/athens.json", self.state_dir)
    }
}
