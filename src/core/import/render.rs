//! A draft as a TOML inventory: every value with a comment saying where it came from, and the
//! settings this build of offgo has no key for written as comments, so the file loads as it is.

use std::fmt::Write;

use super::draft::{Draft, Val, Vars};

/// Whether the inventory loader in this build takes `become` / `become_user` (DESIGN.md,
/// "Least privilege"). Until it does they are written as comments, so the output still loads.
const BECOME_KEYS: bool = true;
/// Whether the loader takes `proxy_jump` (DESIGN.md, "Jump hosts and OpenSSH config").
const PROXY_JUMP_KEY: bool = true;

pub fn render(draft: &Draft) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Imported by `offgo-tui inventory import` from {}.",
        draft.source.display()
    );
    if draft.warnings.is_empty() {
        out.push_str("# Everything in it was carried over.\n");
    } else {
        let _ = writeln!(
            out,
            "# {} thing(s) in it have no offgo setting and were left out; the import listed them with\n# their lines on stderr.",
            draft.warnings.len()
        );
    }
    if !draft.defaults.is_empty() {
        out.push_str("\n[defaults]\n");
        settings(&mut out, &draft.defaults);
    }
    for group in &draft.groups {
        let _ = writeln!(out, "\n[groups.{}]", key(&group.name));
        settings(&mut out, &group.vars);
    }
    for host in &draft.hosts {
        out.push_str("\n[[hosts]]\n");
        let _ = writeln!(out, "name = {}", string(&host.name));
        match &host.vars.address {
            Some(v) => line(&mut out, "address", string(&v.value), v),
            None => {
                let _ = writeln!(
                    out,
                    "address = {}  # the name itself, as the source connects to it",
                    string(&host.name)
                );
            }
        }
        settings(&mut out, &host.vars);
        if !host.groups.is_empty() {
            let list: Vec<String> = host.groups.iter().map(|g| string(g)).collect();
            let _ = writeln!(out, "groups = [{}]", list.join(", "));
        }
    }
    out
}

/// The settings of one scope (the address is the host's own line).
fn settings(out: &mut String, vars: &Vars) {
    if let Some(v) = &vars.user {
        line(out, "user", string(&v.value), v);
    }
    if let Some(v) = &vars.port {
        line(out, "port", v.value.to_string(), v);
    }
    if let Some(v) = &vars.identity_file {
        line(
            out,
            "identity_file",
            string(&v.value.display().to_string()),
            v,
        );
    }
    if let Some(v) = &vars.known_hosts {
        line(
            out,
            "known_hosts",
            string(&v.value.display().to_string()),
            v,
        );
    }
    if let Some(v) = &vars.proxy_jump {
        maybe(out, PROXY_JUMP_KEY, "proxy_jump", string(&v.value), v);
    }
    if let Some(v) = &vars.become_method {
        maybe(out, BECOME_KEYS, "become", string(&v.value), v);
    }
    if let Some(v) = &vars.become_user {
        maybe(out, BECOME_KEYS, "become_user", string(&v.value), v);
    }
}

fn line<T>(out: &mut String, key: &str, value: String, from: &Val<T>) {
    let _ = writeln!(
        out,
        "{key} = {value}  # {}, {}",
        from.from,
        from.origin.short()
    );
}

/// A key this build may not have: a comment until it does.
fn maybe<T>(out: &mut String, supported: bool, key: &str, value: String, from: &Val<T>) {
    if supported {
        line(out, key, value, from);
    } else {
        let _ = writeln!(
            out,
            "# {key} = {value}  # {}, {} (this offgo has no `{key}` key yet)",
            from.from,
            from.origin.short()
        );
    }
}

/// A TOML basic string, escaped by the toml crate.
fn string(value: &str) -> String {
    toml::Value::String(value.to_owned()).to_string()
}

/// A bare TOML key when it can be one, else a quoted one.
fn key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_owned()
    } else {
        string(name)
    }
}
