//! `offgo-tui inventory import`: an OpenSSH config or an Ansible inventory (INI or YAML) turned
//! into a TOML inventory that loads without edits (DESIGN.md, "Jump hosts and OpenSSH config").
//!
//! Each source is read into a [`Draft`] — hosts, groups and the settings offgo has keys for,
//! each value with the file and line it came from — and everything offgo has no key for is a
//! [`Warning`] naming its file and line: nothing is dropped silently. [`render`] writes the draft
//! as TOML.

mod ansible;
mod ansible_ini;
mod ansible_vars;
mod ansible_yaml;
mod draft;
mod from_ssh;
mod ranges;
mod render;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::Path;

pub use draft::{Draft, DraftGroup, DraftHost, Val, Vars};
pub use ranges::expand as expand_ranges;
pub use render::render;

use crate::core::ssh_config::Origin;

/// Something in the source that the inventory does not carry, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub origin: Origin,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: warning: {}",
            self.origin.file.display(),
            self.origin.line,
            self.message
        )
    }
}

/// A source that cannot be imported at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub origin: Option<Origin>,
    pub message: String,
}

impl ImportError {
    pub fn at(origin: Origin, message: impl Into<String>) -> Self {
        Self {
            origin: Some(origin),
            message: message.into(),
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            Some(o) if o.line > 0 => write!(f, "{}:{}: {}", o.file.display(), o.line, self.message),
            Some(o) => write!(f, "{}: {}", o.file.display(), self.message),
            None => write!(f, "{}", self.message),
        }
    }
}

impl std::error::Error for ImportError {}

/// Reads an OpenSSH client config: every `Host` name without a wildcard becomes a host, with
/// the settings the whole config gives it.
pub fn from_ssh_config(path: &Path) -> Result<Draft, ImportError> {
    from_ssh::import(path)
}

/// Reads an Ansible inventory, YAML if the file says so (a `.yml`/`.yaml` name, or a first line
/// that is a mapping key such as `all:`), else INI.
pub fn from_ansible(path: &Path) -> Result<Draft, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|e| ImportError {
        origin: Some(Origin {
            file: path.to_path_buf(),
            line: 0,
        }),
        message: format!("cannot read the Ansible inventory: {e}"),
    })?;
    let tree = if ansible::looks_like_yaml(path, &text) {
        ansible_yaml::read(path, &text)?
    } else {
        ansible_ini::read(path, &text)
    };
    Ok(tree.into_draft())
}
