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
}

impl Default for RemotePaths {
    fn default() -> Self {
        Self {
            go_root: "/usr/local/go".into(),
            releases_dir: "/opt/offgo/releases".into(),
            state_dir: "/var/lib/offgo".into(),
            audit_log: "/var/log/offgo/audit.log".into(),
            profile_script: "/etc/profile.d/offgo-go.sh".into(),
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
}
