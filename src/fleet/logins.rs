//! Non-root logins on a fleet (DESIGN.md, "Test fleet facts for milestone 2"): a local account
//! such as `deploy` that logs in with the fleet key, and a sudoers drop-in name unique to one
//! fleet. Accounts and `/etc/sudoers.d` are the real machine's, shared by every host and every
//! fleet running at once: accounts are created idempotently and never removed; a drop-in is
//! this fleet's alone and is removed when its guard drops.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::cmd;
use super::error::FleetError;
use super::local_fleet::Fleet;

/// Creates the account `name` if it is missing, with a home and `/bin/sh`, able to log in by
/// key: with `UsePAM no`, sshd refuses an account whose password field starts with `!`
/// (useradd's "locked"), so it is set to `*` (no password can match, key logins work).
pub fn ensure_login_user(name: &str) -> Result<(), FleetError> {
    if !exists(name) {
        let made = retried(|| {
            cmd::run(
                std::process::Command::new("useradd")
                    .args(["--create-home", "--shell", "/bin/sh"])
                    .arg(name),
            )
        });
        // Another test may have created it in between: that is as good.
        if let Err(e) = made {
            if !exists(name) {
                return Err(e);
            }
        }
    }
    if password_field(name).as_deref() != Some("*") {
        retried(|| cmd::run(std::process::Command::new("usermod").args(["-p", "*", name])))?;
    }
    Ok(())
}

/// useradd and usermod fail at once when another process holds /etc/passwd's lock (tests
/// running at the same time): tried again a few times.
fn retried(
    mut f: impl FnMut() -> Result<std::process::Output, FleetError>,
) -> Result<std::process::Output, FleetError> {
    let mut tries = 0;
    loop {
        match f() {
            Err(FleetError::Command { stderr, .. }) if stderr.contains("lock") && tries < 50 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            other => return other,
        }
    }
}

fn password_field(name: &str) -> Option<String> {
    let out = std::process::Command::new("getent")
        .args(["shadow", name])
        .output()
        .ok()?;
    let line = String::from_utf8_lossy(&out.stdout).into_owned();
    line.split(':').nth(1).map(str::to_string)
}

fn exists(name: &str) -> bool {
    std::process::Command::new("id")
        .arg("-u")
        .arg(name)
        .output()
        .is_ok_and(|o| o.status.success())
}

impl Fleet {
    /// Lets accounts other than the fleet's own log in: sshd reads `authorized_keys` as the
    /// logging-in user, so the fleet dir must be traversable and the file readable (the
    /// private keys stay 0600).
    pub fn open_to_other_logins(&self) -> Result<(), FleetError> {
        let set = |path: &Path, mode: u32| {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).map_err(|e| {
                FleetError::Io {
                    what: format!("chmod {mode:o} {}", path.display()),
                    source: e,
                }
            })
        };
        set(self.dir(), 0o755)?;
        set(&self.dir().join("authorized_keys"), 0o644)
    }
}

/// A sudoers drop-in path unique to this process and guard (`/etc/sudoers.d/offgo-test-…`, no
/// dot: sudo skips names with one). Whatever is at the path is removed on drop.
#[derive(Debug)]
pub struct SudoersDropIn {
    path: PathBuf,
}

impl SudoersDropIn {
    pub fn unique() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        Self {
            path: PathBuf::from(format!(
                "/etc/sudoers.d/offgo-test-{}-{n}",
                std::process::id()
            )),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for SudoersDropIn {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}
