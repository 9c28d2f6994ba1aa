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

    /// `<releases_dir>/<version>/go`, e.g. `/opt/offgo/releases/go1.22.10/go`.
    pub fn release_go_dir(&self, version: &str) -> String {
        format!("{}/{}/go", self.releases_dir, version)
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
