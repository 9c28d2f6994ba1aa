//! An Ansible inventory as both formats describe it: groups with hosts, children and vars, and
//! hosts with vars. [`Tree::into_draft`] flattens it the way Ansible applies it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::ansible_vars::{map_vars, Scope};
use super::draft::{valid_group_name, valid_host_name, Draft, DraftGroup, DraftHost};
use super::Warning;
use crate::core::ssh_config::Origin;

/// A variable's value as written.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Scalar {
    Str(String),
    Int(i64),
    Bool(bool),
    /// A list, a mapping or a float: what it is, for the warning.
    Other(&'static str),
}

#[derive(Debug, Clone)]
pub(super) struct RawVar {
    pub key: String,
    pub value: Scalar,
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub(super) struct Group {
    pub hosts: Vec<String>,
    pub children: Vec<String>,
    pub vars: Vec<RawVar>,
}

#[derive(Debug)]
pub(super) struct Host {
    pub name: String,
    pub vars: Vec<RawVar>,
}

/// Groups and hosts in the order the file first names them.
#[derive(Debug)]
pub(super) struct Tree {
    pub file: PathBuf,
    group_names: Vec<String>,
    groups: HashMap<String, Group>,
    hosts: Vec<Host>,
    host_index: HashMap<String, usize>,
    pub warnings: Vec<Warning>,
}

impl Tree {
    pub fn new(file: &Path) -> Self {
        Self {
            file: file.to_path_buf(),
            group_names: Vec::new(),
            groups: HashMap::new(),
            hosts: Vec::new(),
            host_index: HashMap::new(),
            warnings: Vec::new(),
        }
    }

    pub fn origin(&self, line: usize) -> Origin {
        Origin {
            file: self.file.clone(),
            line,
        }
    }

    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        let origin = self.origin(line);
        self.warnings.push(Warning {
            origin,
            message: message.into(),
        });
    }

    pub fn group(&mut self, name: &str) -> &mut Group {
        if !self.groups.contains_key(name) {
            self.group_names.push(name.to_owned());
        }
        self.groups.entry(name.to_owned()).or_default()
    }

    /// Adds `host` (to `group`, unless `None`), returning it for its vars.
    pub fn host(&mut self, host: &str, group: Option<&str>) -> &mut Host {
        if let Some(group) = group {
            let g = self.group(group);
            if !g.hosts.iter().any(|h| h == host) {
                g.hosts.push(host.to_owned());
            }
        }
        let index = match self.host_index.get(host) {
            Some(&i) => i,
            None => {
                self.hosts.push(Host {
                    name: host.to_owned(),
                    vars: Vec::new(),
                });
                self.host_index
                    .insert(host.to_owned(), self.hosts.len() - 1);
                self.hosts.len() - 1
            }
        };
        &mut self.hosts[index]
    }

    pub fn child(&mut self, parent: &str, child: &str) {
        self.group(child);
        let p = self.group(parent);
        if !p.children.iter().any(|c| c == child) {
            p.children.push(child.to_owned());
        }
    }

    /// The inventory: `all`'s vars become `[defaults]`; every other group a `[groups.*]`; each
    /// host lists its groups and their ancestors, shallowest first and by name within a depth,
    /// so a child group's vars override its parent's, as Ansible orders them.
    pub fn into_draft(mut self) -> Draft {
        let mut draft = Draft {
            source: self.file.clone(),
            warnings: std::mem::take(&mut self.warnings),
            ..Draft::default()
        };
        let parents = self.parents();
        let mut depth = HashMap::new();
        for name in &self.group_names {
            depth_of(name, &parents, &mut depth, &mut HashSet::new());
        }
        if let Some(all) = self.groups.get("all") {
            draft.defaults = map_vars(&all.vars, Scope::Defaults, &self.file, &mut draft);
        }
        let mut skipped = HashSet::new();
        for name in &self.group_names {
            if name == "all" || name == "ungrouped" {
                continue;
            }
            let group = &self.groups[name];
            if !valid_group_name(name) {
                let line = group.vars.first().map_or(0, |v| v.origin.line);
                draft.warn(
                    &self.origin(line),
                    format!("group \"{name}\" is not a valid offgo group name; left out"),
                );
                skipped.insert(name.clone());
                continue;
            }
            let vars = map_vars(&group.vars, Scope::Group, &self.file, &mut draft);
            draft.groups.push(DraftGroup {
                name: name.clone(),
                vars,
            });
        }
        for host in &self.hosts {
            if !valid_host_name(&host.name) {
                let line = host.vars.first().map_or(0, |v| v.origin.line);
                draft.warn(
                    &self.origin(line),
                    format!(
                        "host \"{}\" is not a valid offgo host name; left out",
                        host.name
                    ),
                );
                continue;
            }
            let mut groups: Vec<String> = self
                .ancestors(&host.name, &parents)
                .into_iter()
                .filter(|g| g != "all" && g != "ungrouped" && !skipped.contains(g))
                .collect();
            groups.sort_by(|a, b| (depth.get(a), a).cmp(&(depth.get(b), b)));
            let vars = map_vars(&host.vars, Scope::Host, &self.file, &mut draft);
            draft.hosts.push(DraftHost {
                name: host.name.clone(),
                vars,
                groups,
            });
        }
        // One file: list what was left out in the order the operator reads it.
        draft.warnings.sort_by_key(|w| w.origin.line);
        draft
    }

    fn parents(&self) -> HashMap<&str, Vec<&str>> {
        let mut parents: HashMap<&str, Vec<&str>> = HashMap::new();
        for (name, group) in &self.groups {
            for child in &group.children {
                parents.entry(child).or_default().push(name);
            }
        }
        parents
    }

    /// Every group `host` is in, directly or through children.
    fn ancestors(&self, host: &str, parents: &HashMap<&str, Vec<&str>>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut todo: Vec<&str> = self
            .group_names
            .iter()
            .filter(|g| self.groups[*g].hosts.iter().any(|h| h == host))
            .map(String::as_str)
            .collect();
        while let Some(g) = todo.pop() {
            if out.iter().any(|o| o == g) {
                continue;
            }
            out.push(g.to_owned());
            todo.extend(parents.get(g).into_iter().flatten());
        }
        out
    }
}

/// `all` is 0; a group is one deeper than its deepest parent (`all` when it has none). A
/// `children` loop is cut where it closes.
fn depth_of(
    name: &str,
    parents: &HashMap<&str, Vec<&str>>,
    memo: &mut HashMap<String, usize>,
    visiting: &mut HashSet<String>,
) -> usize {
    if name == "all" {
        return 0;
    }
    if let Some(&d) = memo.get(name) {
        return d;
    }
    if !visiting.insert(name.to_owned()) {
        return 1;
    }
    let deepest = parents
        .get(name)
        .into_iter()
        .flatten()
        .map(|p| depth_of(p, parents, memo, visiting))
        .max()
        .unwrap_or(0);
    visiting.remove(name);
    memo.insert(name.to_owned(), deepest + 1);
    deepest + 1
}

/// YAML by its name, or by a first line that is a bare mapping key (`all:`), as INI never has.
pub(super) fn looks_like_yaml(path: &Path, text: &str) -> bool {
    if let Some(ext) = path.extension().and_then(|e| e.to_str()) {
        if ext.eq_ignore_ascii_case("yml") || ext.eq_ignore_ascii_case("yaml") {
            return true;
        }
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';'));
    matches!(first, Some(l) if l == "---" || (l.ends_with(':') && !l.starts_with('[')))
}
