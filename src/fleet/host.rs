//! [`HostHandle`]: one running (or stopped) host of a fleet, for tests and the demo.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::error::{FleetError, IoContext};
use super::keys;
use super::layout::HostLayout;
use super::spec::{Isolation, Tmpfs};
use super::sshd;
use crate::core::remote::RemotePaths;

/// Fleet-wide files every host needs.
#[derive(Debug)]
pub(crate) struct Shared {
    pub client_key: PathBuf,
    pub known_hosts: PathBuf,
    pub authorized_keys: PathBuf,
    pub user: String,
    pub ready_timeout: Duration,
    /// The network namespace every `sshd` joins (`/proc/PID/ns/net`); `None`: the real one.
    pub netns: Option<PathBuf>,
}

/// One host. Methods take `&self` so tests can hold several hosts of one fleet at once.
#[derive(Debug)]
pub struct HostHandle {
    pub(crate) name: String,
    pub(crate) port: u16,
    pub(crate) groups: Vec<String>,
    pub(crate) layout: HostLayout,
    pub(crate) tmpfs: Option<Tmpfs>,
    pub(crate) shared: Arc<Shared>,
    pub(crate) sshd: Mutex<Option<Child>>,
}

impl HostHandle {
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The port on 127.0.0.1; it stays the same across `stop` and `start`.
    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// The pid of the process this fleet started for the host (`sshd`, or the `unshare` whose
    /// child it is), `None` while stopped.
    pub fn pid(&self) -> Option<u32> {
        self.child().as_ref().map(Child::id)
    }

    /// Every process of the running host: what [`Self::pid`] names and all its descendants
    /// (the listening `sshd`, its per-connection processes and the shells they run).
    pub fn process_ids(&self) -> Vec<u32> {
        self.pid()
            .map(|pid| {
                let mut all = vec![pid];
                all.extend(sshd::descendants(pid));
                all
            })
            .unwrap_or_default()
    }

    /// The listening `sshd`: the started process itself, or the one `sshd` under `unshare`.
    fn listener(&self, pid: u32) -> u32 {
        sshd::children(pid)
            .into_iter()
            .find(|&child| sshd::command_name(child).as_deref() == Some("sshd"))
            .unwrap_or(pid)
    }

    pub fn is_running(&self) -> bool {
        self.pid().is_some()
    }

    /// The contract paths as this host uses them: the production paths with namespaces, the
    /// per-host directories without. Also the inventory's path keys for this host.
    pub fn paths(&self) -> RemotePaths {
        self.layout.paths()
    }

    /// The path this host uses for a contract path (identity with namespaces).
    pub fn remote_path(&self, contract_path: &str) -> String {
        self.layout.remote(contract_path)
    }

    /// Where `remote_path` (a contract path or a path from [`Self::paths`]) lives on this
    /// machine. Under the host's tmpfs it is reached through the running `sshd`'s
    /// `/proc/<pid>/root`, since that mount exists only in the host's namespace; while the
    /// host is stopped it is the directory the tmpfs is seeded from at the next start.
    pub fn local_path(&self, remote_path: &str) -> PathBuf {
        if let (Some(t), Some(pid)) = (&self.tmpfs, self.pid()) {
            if self.layout.isolation == Isolation::Namespaces
                && Path::new(remote_path).starts_with(&t.path)
            {
                return PathBuf::from(format!("/proc/{pid}/root"))
                    .join(remote_path.trim_start_matches('/'));
            }
        }
        self.layout.local(remote_path)
    }

    /// The `sshd` log (all runs, appended).
    pub fn log_path(&self) -> PathBuf {
        self.layout.log()
    }

    /// How many logins the host's `sshd` has accepted so far, over all its runs (its log has a
    /// line for each); 0 while there is no log.
    pub fn logins_accepted(&self) -> usize {
        std::fs::read_to_string(self.log_path())
            .unwrap_or_default()
            .matches("Accepted publickey")
            .count()
    }

    /// Writes `bytes` to `remote_path` on the host, creating parent directories. The file is
    /// replaced (new file, rename), never rewritten in place: it may be a hard link into the
    /// shared Go tree cache.
    pub fn write_file(&self, remote_path: &str, bytes: &[u8]) -> Result<(), FleetError> {
        let path = self.local_path(remote_path);
        let parent = path.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(parent).ctx(|| format!("creating {}", parent.display()))?;
        let mode = std::fs::metadata(&path).ok().map(|m| m.permissions());
        replace(&path, bytes, mode)
    }

    pub fn read_file(&self, remote_path: &str) -> Result<Vec<u8>, FleetError> {
        let path = self.local_path(remote_path);
        std::fs::read(&path).ctx(|| format!("reading {} of host {}", path.display(), self.name))
    }

    /// Flips every bit of the middle byte of an installed file (a corrupted file, same size and
    /// mode), by replacing the file so the Go tree cache it may be hard-linked to is untouched.
    pub fn flip_byte(&self, remote_path: &str) -> Result<(), FleetError> {
        let path = self.local_path(remote_path);
        let mut bytes = std::fs::read(&path).ctx(|| format!("reading {}", path.display()))?;
        let middle = bytes.len() / 2;
        let Some(byte) = bytes.get_mut(middle) else {
            return Err(FleetError::Spec(format!(
                "{} is empty: no byte to flip",
                path.display()
            )));
        };
        *byte ^= 0xff;
        let mode = std::fs::metadata(&path)
            .ctx(|| format!("reading {}", path.display()))?
            .permissions();
        replace(&path, &bytes, Some(mode))
    }

    /// Stops `sshd` by pid (SIGTERM, then SIGKILL after a grace period): new connections are
    /// refused, and open sessions are cut, as when a host goes down. No-op when stopped.
    pub fn stop(&self) {
        let mut guard = self.child();
        if let Some(mut child) = guard.take() {
            sshd::kill_all(&sshd::descendants(child.id()));
            sshd::terminate(&mut child);
            sshd::reap(&mut child, sshd::STOP_GRACE);
        }
    }

    /// Cuts every open SSH connection to this host (kills sshd's per-connection processes),
    /// leaving sshd listening: what a client sees when a link drops mid-transfer.
    pub fn drop_connections(&self) {
        if let Some(pid) = self.pid() {
            sshd::kill_all(&sshd::descendants(self.listener(pid)));
        }
    }

    /// The listening `sshd` (the PID namespace's init with namespaces): every other process of
    /// the host runs under it. `None` while stopped.
    pub fn listener_pid(&self) -> Option<u32> {
        self.pid().map(|pid| self.listener(pid))
    }

    /// Kills every process of the host except its listening `sshd`, as a crash would: open
    /// connections are cut and the shells they ran (and their children) die mid-command.
    /// With PID namespaces even orphans are caught (they belong to the listener); without,
    /// a process that left its session is out of reach.
    pub fn kill_remote_processes(&self) {
        if let Some(listener) = self.listener_pid() {
            sshd::kill_under(listener);
        }
    }

    /// Starts `sshd` again on the same port, waiting until it answers. No-op when running.
    pub fn start(&self) -> Result<(), FleetError> {
        let mut guard = self.child();
        if guard.is_some() {
            return Ok(());
        }
        *guard = Some(sshd::launch(
            &self.name,
            &self.layout,
            self.port,
            &self.shared,
            self.tmpfs.as_ref(),
        )?);
        Ok(())
    }

    /// A new host key, with a restart if running: clients holding the old key in `known_hosts`
    /// now see a changed key (`host_key_mismatch`).
    pub fn rotate_host_key(&self) -> Result<(), FleetError> {
        let was_running = self.is_running();
        self.stop();
        keys::generate(
            &self.layout.host_key(),
            &format!("offgo-fleet host {}", self.name),
        )?;
        if was_running {
            self.start()?;
        }
        Ok(())
    }

    /// `ssh-ed25519 AAAA…`: the host's current public key.
    pub fn public_host_key(&self) -> Result<String, FleetError> {
        keys::public_key(&self.layout.host_key())
    }

    /// The OpenSSH client, set up to reach this host with `identity` and nothing else: no user
    /// config, no agent, batch mode, the fleet's `known_hosts` checked strictly. Add the
    /// remote command with `.arg(…)`.
    pub fn ssh_command(&self, identity: &Path) -> Command {
        let mut cmd = match &self.shared.netns {
            None => Command::new("ssh"),
            Some(ns) => {
                let mut nsenter = Command::new("nsenter");
                nsenter.arg(format!("--net={}", ns.display())).arg("ssh");
                nsenter
            }
        };
        cmd.args(["-F", "/dev/null", "-T", "-i"]).arg(identity);
        for opt in [
            "IdentitiesOnly=yes",
            "IdentityAgent=none",
            "BatchMode=yes",
            "StrictHostKeyChecking=yes",
            "GlobalKnownHostsFile=/dev/null",
            "ConnectTimeout=5",
            "LogLevel=ERROR",
        ] {
            cmd.arg("-o").arg(opt);
        }
        let mut known = std::ffi::OsString::from("UserKnownHostsFile=");
        known.push(&self.shared.known_hosts);
        cmd.arg("-o").arg(known);
        cmd.arg("-p").arg(self.port.to_string());
        cmd.arg(format!("{}@127.0.0.1", self.shared.user)).arg("--");
        cmd.stdin(Stdio::null());
        cmd
    }

    /// Runs `command` (a shell command line) on the host through the real OpenSSH client with
    /// the fleet key: a check that does not depend on offgo's own SSH code. A failing command
    /// or connection is not an error here; look at the `Output`.
    pub fn exec(&self, command: &str) -> Result<Output, FleetError> {
        self.ssh_command(&self.shared.client_key)
            .arg(command)
            .output()
            .ctx(|| {
                format!(
                    "running ssh to {} (is the OpenSSH client installed?)",
                    self.name
                )
            })
    }

    fn child(&self) -> MutexGuard<'_, Option<Child>> {
        // A panic while holding the lock leaves the Option in a valid state.
        self.sshd
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn terminate(&self) {
        if let Some(child) = self.child().as_mut() {
            sshd::terminate(child);
        }
    }
}

impl Drop for HostHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Writes `bytes` to a temp file next to `path` and renames it over `path`.
fn replace(
    path: &Path,
    bytes: &[u8],
    mode: Option<std::fs::Permissions>,
) -> Result<(), FleetError> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("/"));
    let mut tmp = tempfile::Builder::new()
        .prefix(".offgo-fleet-")
        .tempfile_in(dir)
        .ctx(|| format!("creating a temp file in {}", dir.display()))?;
    tmp.write_all(bytes)
        .ctx(|| format!("writing a new {}", path.display()))?;
    if let Some(mode) = mode {
        std::fs::set_permissions(tmp.path(), mode)
            .ctx(|| format!("setting the mode of a new {}", path.display()))?;
    }
    tmp.persist(path).map_err(|e| {
        FleetError::io(
            format!("renaming a new file over {}", path.display()),
            e.error,
        )
    })?;
    Ok(())
}
