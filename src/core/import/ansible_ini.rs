//! Ansible's INI inventory, which is not standard INI: host lines carry `key=value` pairs,
//! `[g:vars]` and `[g:children]` sections, ranges in host names, `host:port`.

use std::path::Path;

use super::ansible::{RawVar, Scalar, Tree};
use super::ranges;

enum Section {
    /// Host lines; `None` before the first header (Ansible's `ungrouped`).
    Hosts(Option<String>),
    Vars(String),
    Children(String),
    /// A header Ansible does not know: its lines are left out, once warned.
    Unknown,
}

pub(super) fn read(path: &Path, text: &str) -> Tree {
    let mut tree = Tree::new(path);
    let mut section = Section::Hosts(None);
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            section = header(&mut tree, line, line_no);
            continue;
        }
        match &section {
            Section::Hosts(group) => {
                let group = group.clone();
                host_line(&mut tree, group.as_deref(), line, line_no);
            }
            Section::Vars(group) => {
                let group = group.clone();
                match line.split_once('=') {
                    Some((key, value)) => {
                        let var = raw_var(&tree, key.trim(), value.trim(), line_no);
                        tree.group(&group).vars.push(var);
                    }
                    None => tree.warn(
                        line_no,
                        format!("\"{line}\" in [{group}:vars] is not key=value; left out"),
                    ),
                }
            }
            Section::Children(parent) => {
                let parent = parent.clone();
                let child = line.split_whitespace().next().unwrap_or(line);
                tree.child(&parent, child);
            }
            Section::Unknown => {}
        }
    }
    tree
}

fn header(tree: &mut Tree, line: &str, line_no: usize) -> Section {
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.split(']').next()) else {
        tree.warn(
            line_no,
            format!("\"{line}\" is not a section header; left out"),
        );
        return Section::Unknown;
    };
    let section = match inner.split_once(':') {
        None => Section::Hosts(Some(inner.to_owned())),
        Some((group, "vars")) => Section::Vars(group.to_owned()),
        Some((group, "children")) => Section::Children(group.to_owned()),
        Some((_, kind)) => {
            tree.warn(line_no, format!("section kind \":{kind}\" is not one Ansible reads (vars, children); its lines are left out"));
            return Section::Unknown;
        }
    };
    if let Section::Hosts(Some(g)) | Section::Vars(g) | Section::Children(g) = &section {
        tree.group(g);
    }
    section
}

/// `web[01:20].example.com:2222 ansible_user=deploy ansible_become=true # comment`
fn host_line(tree: &mut Tree, group: Option<&str>, line: &str, line_no: usize) {
    let tokens = match split(line) {
        Ok(tokens) => tokens,
        Err(e) => return tree.warn(line_no, format!("{e}; line left out")),
    };
    let Some((pattern, pairs)) = tokens.split_first() else {
        return;
    };
    let (pattern, port) = host_port(pattern);
    let names = match ranges::expand(pattern) {
        Ok(names) => names,
        Err(e) => return tree.warn(line_no, format!("{e}; left out")),
    };
    let mut vars = Vec::new();
    if let Some(port) = port {
        vars.push(raw_var(tree, "ansible_port", port, line_no));
    }
    for pair in pairs {
        match pair.split_once('=') {
            Some((key, value)) => vars.push(raw_var(tree, key, value, line_no)),
            None => tree.warn(
                line_no,
                format!("\"{pair}\" after host \"{pattern}\" is not key=value; left out"),
            ),
        }
    }
    for name in names {
        tree.host(&name, group).vars.extend(vars.iter().cloned());
    }
}

/// `host:port`, as Ansible reads it: one colon and digits after it (an IPv6 address has more).
fn host_port(pattern: &str) -> (&str, Option<&str>) {
    match pattern.rsplit_once(':') {
        Some((host, port))
            if !host.contains(':')
                && !port.is_empty()
                && port.bytes().all(|b| b.is_ascii_digit()) =>
        {
            (host, Some(port))
        }
        _ => (pattern, None),
    }
}

/// Ansible reads INI values as Python literals: quotes come off; everything else is a string.
fn raw_var(tree: &Tree, key: &str, value: &str, line_no: usize) -> RawVar {
    RawVar {
        key: key.to_owned(),
        value: Scalar::Str(unquote(value).to_owned()),
        origin: tree.origin(line_no),
    }
}

fn unquote(value: &str) -> &str {
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return &value[1..value.len() - 1];
        }
    }
    value
}

/// Splits a host line on whitespace as shlex does: quotes group (and stay, for [`unquote`] to
/// take off the value), an unquoted `#` starts a comment.
fn split(line: &str) -> Result<Vec<String>, String> {
    let mut tokens = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                current.push(c);
            }
            (Some(_), c) => current.push(c),
            (None, '"' | '\'') => {
                quote = Some(c);
                current.push(c);
            }
            (None, '#') if current.is_empty() => break,
            (None, c) if c.is_whitespace() => {
                if !current.is_empty() {
                    tokens.push(std::mem::take(&mut current));
                }
            }
            (None, c) => current.push(c),
        }
    }
    if let Some(q) = quote {
        return Err(format!("unterminated {q} quote"));
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    Ok(tokens)
}
