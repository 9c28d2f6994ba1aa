//! What an import found, before it is written as TOML.

use std::path::PathBuf;

use super::Warning;
use crate::core::ssh_config::Origin;

/// A value and the line it came from (written next to the key, for review).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Val<T> {
    pub value: T,
    pub origin: Origin,
    /// The source's name for it (`ansible_user`, `User`), for the comment.
    pub from: &'static str,
}

/// The settings offgo has keys for, as one scope (defaults, a group, a host) set them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vars {
    /// Hosts only.
    pub address: Option<Val<String>>,
    pub port: Option<Val<u16>>,
    pub user: Option<Val<String>>,
    pub identity_file: Option<Val<PathBuf>>,
    pub known_hosts: Option<Val<PathBuf>>,
    pub proxy_jump: Option<Val<String>>,
    /// `none`, `sudo` or `doas`.
    pub become_method: Option<Val<String>>,
    pub become_user: Option<Val<String>>,
}

impl Vars {
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftGroup {
    pub name: String,
    pub vars: Vars,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DraftHost {
    pub name: String,
    pub vars: Vars,
    /// In the order their settings apply (the later wins).
    pub groups: Vec<String>,
}

/// An import's result: what becomes the inventory, and what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Draft {
    /// The file imported, named in the output's header.
    pub source: PathBuf,
    pub defaults: Vars,
    pub groups: Vec<DraftGroup>,
    pub hosts: Vec<DraftHost>,
    pub warnings: Vec<Warning>,
}

impl Draft {
    pub fn warn(&mut self, origin: &Origin, message: impl Into<String>) {
        self.warnings.push(Warning {
            origin: origin.clone(),
            message: message.into(),
        });
    }
}

/// Whether `name` can be an inventory host name (the loader's rules).
pub fn valid_host_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',' || c == '/')
        && name != "all"
        && !name.starts_with("group:")
}

/// Whether `name` can be an inventory group name.
pub fn valid_group_name(name: &str) -> bool {
    !name.is_empty()
        && !name
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
}
