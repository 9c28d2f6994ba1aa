//! Where one host's files live on this machine, and how a contract path (`/usr/local/go`) maps to
//! the path the host sees and to the local path behind it.

use std::path::{Path, PathBuf};

use super::error::{FleetError, IoContext};
use super::spec::Isolation;
use crate::core::remote::RemotePaths;

/// The real paths each host gets its own copy of. With namespaces each is bind-mounted over the
/// real path; without, the host uses the per-host directory itself. `/root` is there so that a
/// login shell finds a nearly empty home instead of the operator's heavy `~/.bashrc`.
pub const HOST_ROOTS: [&str; 6] = [
    "/usr/local",
    "/opt",
    "/var/lib/offgo",
    "/var/log/offgo",
    "/etc/profile.d",
    "/root",
];

/// The `check_binaries` glob of the contract; app binaries are installed in its directory.
pub const APP_BIN_DIR: &str = "/opt/app/bin";

/// One host's corner of the fleet directory: `<fleet>/hosts/<name>/`.
#[derive(Debug, Clone)]
pub(crate) struct HostLayout {
    /// `<fleet>/hosts/<name>`: config, host key, log.
    pub dir: PathBuf,
    /// `<dir>/fs`: the per-host roots, e.g. `<dir>/fs/usr/local`.
    pub fs: PathBuf,
    /// `Namespaces` or `Directories`, never `Auto`.
    pub isolation: Isolation,
}

impl HostLayout {
    pub fn new(fleet_dir: &Path, name: &str, isolation: Isolation) -> Self {
        let dir = fleet_dir.join("hosts").join(name);
        Self {
            fs: dir.join("fs"),
            dir,
            isolation,
        }
    }

    pub fn sshd_config(&self) -> PathBuf {
        self.dir.join("sshd_config")
    }

    pub fn host_key(&self) -> PathBuf {
        self.dir.join("ssh_host_ed25519_key")
    }

    pub fn log(&self) -> PathBuf {
        self.dir.join("sshd.log")
    }

    /// What the host reports as its arch when its spec fakes one: bind-mounted over
    /// `/proc/sys/kernel/arch` when present.
    pub fn arch_file(&self) -> PathBuf {
        self.dir.join("kernel_arch")
    }

    /// The per-host directory that stands for `root` (one of [`HOST_ROOTS`]).
    pub fn root_dir(&self, root: &str) -> PathBuf {
        self.fs.join(root.trim_start_matches('/'))
    }

    /// `root_dir(root)/rest`, without a trailing `/` when `rest` is empty.
    fn under_root(&self, root: &str, rest: &Path) -> PathBuf {
        let dir = self.root_dir(root);
        if rest.as_os_str().is_empty() {
            dir
        } else {
            dir.join(rest)
        }
    }

    /// Creates every per-host root; the private home is `0700` like a real `/root`.
    pub fn create(&self) -> Result<(), FleetError> {
        for root in HOST_ROOTS {
            let dir = self.root_dir(root);
            std::fs::create_dir_all(&dir).ctx(|| format!("creating {}", dir.display()))?;
        }
        set_mode(&self.root_dir("/root"), 0o700)
    }

    /// The path the host itself uses for the contract path `contract`.
    pub fn remote(&self, contract: &str) -> String {
        match (self.isolation, split_root(contract)) {
            (Isolation::Directories, Some((root, rest))) => {
                self.under_root(root, &rest).to_string_lossy().into_owned()
            }
            _ => contract.to_string(),
        }
    }

    /// Where `path` (a contract path, or a path the host uses) lives on this machine.
    pub fn local(&self, path: &str) -> PathBuf {
        if Path::new(path).starts_with(&self.fs) {
            return PathBuf::from(path);
        }
        match split_root(path) {
            Some((root, rest)) => self.under_root(root, &rest),
            None => PathBuf::from(path),
        }
    }

    /// The contract paths as this host uses them (the inventory's path keys).
    pub fn paths(&self) -> RemotePaths {
        let d = RemotePaths::default();
        RemotePaths {
            go_root: self.remote(&d.go_root),
            releases_dir: self.remote(&d.releases_dir),
            state_dir: self.remote(&d.state_dir),
            audit_log: self.remote(&d.audit_log),
            profile_script: self.remote(&d.profile_script),
            athens_storage: None,
            ..d
        }
    }
}

/// Splits `path` into the per-host root it lies under and the rest, relative.
pub(crate) fn split_root(path: &str) -> Option<(&'static str, PathBuf)> {
    let p = Path::new(path);
    HOST_ROOTS.iter().find_map(|root| {
        p.strip_prefix(root)
            .ok()
            .map(|rest| (*root, rest.to_path_buf()))
    })
}

pub(crate) fn set_mode(path: &Path, mode: u32) -> Result<(), FleetError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .ctx(|| format!("setting mode {mode:o} on {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contract_paths_map_per_mode() {
        let ns = HostLayout::new(Path::new("/f"), "a", Isolation::Namespaces);
        assert_eq!(ns.remote("/usr/local/go"), "/usr/local/go");
        assert_eq!(
            ns.local("/usr/local/go"),
            PathBuf::from("/f/hosts/a/fs/usr/local/go")
        );
        assert_eq!(ns.local("/tmp/x"), PathBuf::from("/tmp/x"));
        assert_eq!(ns.local("/optional"), PathBuf::from("/optional"));

        let dirs = HostLayout::new(Path::new("/f"), "a", Isolation::Directories);
        assert_eq!(
            dirs.paths().releases_dir,
            "/f/hosts/a/fs/opt/offgo/releases"
        );
        assert_eq!(dirs.paths().state_dir, "/f/hosts/a/fs/var/lib/offgo");
        assert_eq!(
            dirs.local("/f/hosts/a/fs/opt/x"),
            PathBuf::from("/f/hosts/a/fs/opt/x")
        );
        assert_eq!(dirs.local("/opt/x"), PathBuf::from("/f/hosts/a/fs/opt/x"));
        assert_eq!(dirs.local("/opt"), PathBuf::from("/f/hosts/a/fs/opt"));
    }
}
