//! OpenSSH client config (`ssh_config(5)`) as the inventory's `ssh_config` key reads it: the
//! `Host` blocks that match an inventory host name supply `HostName`, `User`, `Port`,
//! `IdentityFile`, `ProxyJump` and `UserKnownHostsFile`, each with the file and line it came
//! from, so the console can say where a setting was decided.
//!
//! A small reader of our own rather than a crate: the crates that parse this format
//! (ssh2-config, russh-config, ssh_config) resolve a host to bare values and report errors
//! without a line, and provenance (file:line) is the point here. The reader follows OpenSSH's
//! readconf.c where it matters: keywords are case-insensitive, `keyword value` or
//! `keyword=value`, quoted arguments, `#` comments; the first value obtained for a keyword
//! wins; `Host` patterns with `*`, `?` and `!negation`; `Include` with globs, nested up to 16
//! deep, read in place with the including block's state. `Match` blocks other than
//! `Match all` are taken as never matching (their criteria — exec, user, localnetwork — are
//! about an `ssh` invocation, not an inventory), which the import command reports.

mod error;
mod lexer;
mod pattern;
mod read;
mod resolve;
mod tokens;

#[cfg(test)]
mod tests;

pub use error::SshConfigError;
pub use lexer::{tokenize, Line};
pub use pattern::{host_matches, is_plain_name};
pub use read::{read, Item, Key, SshConfig};
pub use resolve::{Resolved, Value};
pub use tokens::{expand, TokenValues};

use std::path::PathBuf;

/// Where a setting was read: the file (an `Include`d one when it came from there) and the
/// 1-based line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
}

impl Origin {
    /// `~/.ssh/config:12`: the home directory shortened the way operators write it.
    pub fn short(&self) -> String {
        format!("{}:{}", tilde(&self.file), self.line)
    }
}

/// `path` with the home directory written as `~`.
pub fn tilde(path: &std::path::Path) -> String {
    if let Some(home) = dirs::home_dir() {
        if let Ok(rest) = path.strip_prefix(&home) {
            return format!("~/{}", rest.display());
        }
    }
    path.display().to_string()
}
