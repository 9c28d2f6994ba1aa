//! Throwaway local fleets of real OpenSSH `sshd` hosts on 127.0.0.1, for `offgo-tui demo` and the
//! test suite (DESIGN.md, "Test fleet"). Errors are returned, never panicked, since the demo
//! runs this in front of an operator.
//!
//! ```no_run
//! use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};
//! # fn main() -> Result<(), offgo::fleet::FleetError> {
//! let fleet = Fleet::start(&FleetSpec::new()
//!     .host(HostSpec::new("web-01").go_manual("1.21.13"))
//!     .host(HostSpec::new("db-01").go_managed("1.22.10").ldd_gap()))?;
//! let out = fleet.host("web-01").map(|h| h.exec("/usr/local/go/bin/go version"));
//! fleet.write_inventory(&fleet.dir().join("offgo.toml"), &InventoryOptions::new())?;
//! # Ok(()) }
//! ```
//!
//! # Layout
//! ```text
//! <fleet>/                      a temp dir (removed on drop) or a given dir (kept)
//!   client_ed25519{,.pub}       the key every host authorizes (no passphrase)
//!   other_ed25519{,.pub}        a key no host authorizes (auth failures)
//!   authorized_keys             the client public key; every sshd's AuthorizedKeysFile
//!   known_hosts                 "[127.0.0.1]:PORT ssh-ed25519 …" per host
//!   hosts/<name>/
//!     sshd_config  ssh_host_ed25519_key{,.pub}  sshd.log
//!     fs/usr/local  fs/opt  fs/var/lib/offgo  fs/var/log/offgo  fs/etc/profile.d  fs/root
//! ```
//!
//! # One filesystem per host
//! As root, when `unshare --mount` works (detected, not assumed; see [`Isolation`]), each `sshd`
//! runs as `unshare --mount --propagation private sh -c '<bind mounts>; exec /usr/sbin/sshd -D
//! -e -f CFG'`. Where PID namespaces work too, `--pid --fork --kill-child --mount-proc` give each
//! host its own process table, as a real host has (a probe walking `/proc` sees only that host's
//! processes): `sshd` is then the namespace's init under the `unshare` whose pid is held, and
//! killing that `unshare` ends the host with every session. Each [`HOST_ROOTS`] entry is bind-mounted from `fs/…`, so the contract paths
//! (`/usr/local/go`, `/opt/offgo/releases`, `/var/lib/offgo/state.json`, …) are the real paths on
//! every host, yet differ from host to host. `/root` is private too: a login shell sourcing a
//! heavy `~/.bashrc` costs ~130 ms per command. The mount points are created on the real system
//! if missing (empty dirs); nothing is mounted there, and no unmount is ever needed: a namespace
//! dies with its last process. An optional tmpfs of a few MiB over e.g. `/opt`, seeded with what
//! the host had there, simulates a full disk; it lives only while that `sshd` runs.
//!
//! Without namespaces each host simply uses its `fs/…` directories, and the generated
//! inventory names them with the path keys (`go_root`, `releases_dir`, `state_dir`,
//! `audit_log`, `profile_script`, `check_binaries`). [`HostHandle::paths`] and
//! [`HostHandle::remote_path`] give the paths a host uses in either mode, so tests can run in both.
//!
//! # sshd
//! `/usr/sbin/sshd` (it insists on an absolute path, to re-exec itself) with `-D` (foreground:
//! the pid is ours to stop) and `-e` (log to stderr, which goes to `sshd.log`). As root it also
//! needs `/run/sshd`, created if missing. Why each config option is set is written beside it in
//! `sshd.rs`: loopback only, no pid file, an absolute `AuthorizedKeysFile`, `StrictModes no` (keys
//! under `/tmp`), `UsePAM no` (no per-login PAM work), key auth only, `MaxStartups`/`MaxSessions
//! 1000` (parallel probes are otherwise refused), `Subsystem sftp internal-sftp`. A host is
//! ready when this run's log says `Server listening on 127.0.0.1 port N.` and the port answers
//! with an `SSH-2.0` banner; otherwise the error shows the log tail. A port taken between our
//! pick and `sshd`'s bind is retried with a new port.
//!
//! # Go trees and the hard-link rule
//! `scripts/go-release X.Y.Z` caches the official tarball; each version is extracted once to
//! `trees/goX.Y.Z/go` next to it and copied to hosts with `cp -al`. **Hard links share bytes
//! with that cache**: never modify an installed file in place (no `>>`, no `chmod`, no
//! `truncate`). Replace it: write a new file and rename it over the old one, as
//! [`HostHandle::flip_byte`] and [`HostHandle::write_file`] do.
//!
//! # Stopping
//! [`HostHandle::stop`] and dropping a [`Fleet`] stop `sshd`s by pid only: SIGTERM, a short wait,
//! SIGKILL; every child is reaped. Nothing else is ever signalled. Sessions already open end
//! when their client disconnects.

mod app_bins;
mod blackhole;
mod cmd;
mod demo;
mod error;
mod go_tree;
mod host;
mod inventory;
mod isolation;
mod keys;
mod layout;
mod local_fleet;
mod logins;
mod netns;
mod port;
mod prepare;
mod setup;
mod spec;
mod sshd;

pub use app_bins::{HEALTHY_BINARY, LDD_GAP_BINARY, MISSING_LIBRARY, SCRIPT};
pub use blackhole::Blackhole;
pub use error::FleetError;
pub use go_tree::{release_tarball, release_tree};
pub use host::HostHandle;
pub use inventory::{ExtraHost, InventoryOptions};
pub use layout::{APP_BIN_DIR, HOST_ROOTS};
pub use local_fleet::{EmergencyStop, Fleet};
pub use logins::{ensure_login_user, SudoersDropIn};
pub use netns::{Bridge, NetNamespace};
pub use spec::{AppBinaries, FleetSpec, GoInstall, HostSpec, Isolation, Tmpfs};

/// Kills every process under `pid` (a host's listening `sshd`, see
/// [`HostHandle::listener_pid`]) as a crash would; for the fault-injection harness.
pub fn kill_processes_under(pid: u32) {
    sshd::kill_under(pid);
}
