//! What a config says about one host name: for each keyword, the first value obtained in the
//! blocks that apply, with where it was written.

use super::pattern::host_matches;
use super::read::{Item, Key, SshConfig};
use super::Origin;

/// A value and the line it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value<T> {
    pub value: T,
    pub origin: Origin,
}

/// The settings a config gives one host; `None` where it says nothing. Path and host values are
/// as written: `%` tokens and `~` are expanded by the caller, who knows the final user and
/// address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    pub host_name: Option<Value<String>>,
    pub user: Option<Value<String>>,
    pub port: Option<Value<u16>>,
    /// Every `IdentityFile` that applies, in order (OpenSSH tries each; offgo takes the first
    /// that can be read).
    pub identity_files: Vec<Value<String>>,
    /// `Some(None)`: `ProxyJump none`, which rules out a jump set by a later block.
    pub proxy_jump: Option<Value<Option<String>>>,
    /// The first `UserKnownHostsFile` file.
    pub known_hosts: Option<Value<String>>,
}

impl SshConfig {
    /// The settings for `name`, the inventory host name.
    pub fn lookup(&self, name: &str) -> Resolved {
        let mut out = Resolved::default();
        // Lines before the first Host or Match apply to every host.
        let mut active = true;
        walk(&self.items, name, &mut active, &mut out);
        out
    }
}

/// readconf.c's `activep`: Host and Match lines switch it; an included file starts active only
/// if the block that includes it is, and the including block's state comes back after it.
fn walk(items: &[Item], name: &str, active: &mut bool, out: &mut Resolved) {
    for item in items {
        match item {
            Item::Host { patterns, .. } => *active = host_matches(patterns, name),
            Item::Match { all, .. } => *active = *all,
            Item::Set { key, args, origin } if *active => take(out, *key, args, origin),
            Item::Set { .. } | Item::Other { .. } => {}
            Item::Include { files, .. } => {
                let outer = *active;
                if outer {
                    for file in files {
                        *active = true;
                        walk(file, name, active, out);
                    }
                }
                *active = outer;
            }
        }
    }
}

fn take(out: &mut Resolved, key: Key, args: &[String], origin: &Origin) {
    let Some(first) = args.first() else {
        return;
    };
    let value = |v| Value {
        value: v,
        origin: origin.clone(),
    };
    match key {
        Key::HostName => {
            out.host_name.get_or_insert_with(|| value(first.clone()));
        }
        Key::User => {
            out.user.get_or_insert_with(|| value(first.clone()));
        }
        Key::Port => {
            if let Ok(port) = first.parse() {
                out.port.get_or_insert(Value {
                    value: port,
                    origin: origin.clone(),
                });
            }
        }
        Key::IdentityFile => out.identity_files.push(value(first.clone())),
        Key::ProxyJump => {
            if let Ok(jump) = proxy_jump(first) {
                out.proxy_jump.get_or_insert(Value {
                    value: jump,
                    origin: origin.clone(),
                });
            }
        }
        Key::UserKnownHostsFile => {
            out.known_hosts.get_or_insert_with(|| value(first.clone()));
        }
    }
}

/// A `ProxyJump` value as the inventory's `proxy_jump` holds it: `None` for `none`, else the
/// comma-separated hops, each `[user@]host[:port]` and none empty.
pub fn proxy_jump(text: &str) -> Result<Option<String>, String> {
    if text.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    for hop in text.split(',') {
        if hop.is_empty() {
            return Err(format!("ProxyJump \"{text}\" has an empty hop"));
        }
        if hop.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!("ProxyJump hop \"{hop}\" contains whitespace"));
        }
        if hop.contains("://") {
            return Err(format!(
                "ProxyJump hop \"{hop}\" is a URI, which offgo does not read"
            ));
        }
    }
    Ok(Some(text.to_owned()))
}
