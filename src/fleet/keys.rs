//! ed25519 key pairs made with `ssh-keygen`, and the `known_hosts` lines for them.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::cmd;
use super::error::{FleetError, IoContext};

/// Writes a fresh ed25519 key pair at `path` and `path.pub`, replacing any old one. No
/// passphrase: tests and the demo must never prompt.
pub(crate) fn generate(path: &Path, comment: &str) -> Result<(), FleetError> {
    for old in [path.to_path_buf(), pub_path(path)] {
        match std::fs::remove_file(&old) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(FleetError::io(
                    format!("removing old key {}", old.display()),
                    e,
                ))
            }
            _ => {}
        }
    }
    cmd::run(
        Command::new("ssh-keygen")
            .args(["-q", "-t", "ed25519", "-N", "", "-C", comment])
            .arg("-f")
            .arg(path),
    )?;
    Ok(())
}

/// `ssh-ed25519 AAAA…` from `path.pub`, without the comment.
pub(crate) fn public_key(path: &Path) -> Result<String, FleetError> {
    let pub_file = pub_path(path);
    let text =
        std::fs::read_to_string(&pub_file).ctx(|| format!("reading {}", pub_file.display()))?;
    let fields: Vec<&str> = text.split_whitespace().take(2).collect();
    if fields.len() != 2 {
        return Err(FleetError::Spec(format!(
            "{} is not an OpenSSH public key",
            pub_file.display()
        )));
    }
    Ok(fields.join(" "))
}

/// A `known_hosts` line for a host on 127.0.0.1; a non-22 port needs the bracketed form.
pub(crate) fn known_hosts_line(port: u16, public_key: &str) -> String {
    format!("[127.0.0.1]:{port} {public_key}\n")
}

fn pub_path(path: &Path) -> PathBuf {
    let mut p = path.as_os_str().to_owned();
    p.push(".pub");
    PathBuf::from(p)
}
