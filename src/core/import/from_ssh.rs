//! An OpenSSH config into a draft: each `Host` name without a wildcard is a host, with what the
//! whole config gives it (later `Host *` blocks included), as `ssh NAME` would see it.

use std::path::{Path, PathBuf};

use super::draft::{valid_host_name, Draft, DraftHost, Val, Vars};
use super::ImportError;
use crate::core::ssh_config::{
    self, expand, is_plain_name, Item, Origin, Resolved, TokenValues, Value,
};

pub(super) fn import(path: &Path) -> Result<Draft, ImportError> {
    let config = ssh_config::read(path).map_err(|e| ImportError {
        origin: Some(Origin {
            file: e.file.clone(),
            line: e.line,
        }),
        message: e.message,
    })?;
    let mut draft = Draft {
        source: path.to_path_buf(),
        ..Draft::default()
    };
    let mut names = Vec::new();
    collect(&config.items, &mut names, &mut draft);
    for name in names {
        let found = config.lookup(&name);
        let vars = vars(&name, &found, &mut draft);
        draft.hosts.push(DraftHost {
            name,
            vars,
            groups: Vec::new(),
        });
    }
    Ok(draft)
}

/// The host names, in file order, once each; a warning for every line the inventory cannot
/// carry.
fn collect(items: &[Item], names: &mut Vec<String>, draft: &mut Draft) {
    for item in items {
        match item {
            Item::Host { patterns, origin } => {
                for p in patterns {
                    if !is_plain_name(p) {
                        draft.warn(origin, format!("pattern \"{p}\" is not one host: its settings are given to the named hosts it matches, and it is not imported itself"));
                    } else if !valid_host_name(p) {
                        draft.warn(
                            origin,
                            format!("\"{p}\" is not a valid offgo host name; left out"),
                        );
                    } else if !names.contains(p) {
                        names.push(p.clone());
                    }
                }
            }
            Item::Match { all: true, .. } => {}
            Item::Match {
                criteria, origin, ..
            } => draft.warn(
                origin,
                format!(
                    "Match {}: offgo does not evaluate Match blocks; their settings are left out",
                    criteria.join(" ")
                ),
            ),
            Item::Other { keyword, origin } => {
                draft.warn(origin, format!("{keyword} has no offgo setting; left out"));
            }
            Item::Set { .. } => {}
            Item::Include { files, .. } => {
                for file in files {
                    collect(file, names, draft);
                }
            }
        }
    }
}

fn vars(name: &str, found: &Resolved, draft: &mut Draft) -> Vars {
    let mut out = Vars::default();
    let val = |value, origin: &Origin, from| Val {
        value,
        origin: origin.clone(),
        from,
    };
    let user = found.user.as_ref().map_or("", |v| v.value.as_str());
    let port = found.port.as_ref().map_or(22, |v| v.value);
    if let Some(v) = &found.user {
        out.user = Some(val(v.value.clone(), &v.origin, "User"));
    }
    if let Some(v) = &found.port {
        out.port = Some(Val {
            value: v.value,
            origin: v.origin.clone(),
            from: "Port",
        });
    }
    let early = TokenValues {
        original: name,
        host: name,
        user,
        port,
    };
    if let Some(v) = &found.host_name {
        match expand(&v.value, &early, &v.origin) {
            Ok(address) => out.address = Some(val(address, &v.origin, "HostName")),
            Err(e) => draft.warn(&v.origin, e.message),
        }
    }
    let address = out
        .address
        .as_ref()
        .map_or(name, |v| v.value.as_str())
        .to_owned();
    let values = TokenValues {
        original: name,
        host: &address,
        user,
        port,
    };
    let mut unreadable = None;
    for v in &found.identity_files {
        match expand(&v.value, &values, &v.origin) {
            Ok(path) if readable(Path::new(&path)) => {
                out.identity_file = Some(Val {
                    value: PathBuf::from(path),
                    origin: v.origin.clone(),
                    from: "IdentityFile",
                });
                break;
            }
            Ok(path) => {
                unreadable.get_or_insert((path, v.origin.clone()));
            }
            Err(e) => draft.warn(&v.origin, e.message),
        }
    }
    if let (None, Some((path, origin))) = (&out.identity_file, unreadable) {
        let message = format!(
            "IdentityFile {path} cannot be read here; left out (ssh-agent is tried instead)"
        );
        // A `Host *` line applies to every host: say it once.
        if !draft
            .warnings
            .iter()
            .any(|w| w.origin == origin && w.message == message)
        {
            draft.warn(&origin, message);
        }
    }
    if let Some(v) = &found.known_hosts {
        match expand(&v.value, &values, &v.origin) {
            Ok(path) => {
                out.known_hosts = Some(Val {
                    value: PathBuf::from(path),
                    origin: v.origin.clone(),
                    from: "UserKnownHostsFile",
                })
            }
            Err(e) => draft.warn(&v.origin, e.message),
        }
    }
    if let Some(Value {
        value: Some(jump),
        origin,
    }) = &found.proxy_jump
    {
        out.proxy_jump = Some(val(jump.clone(), origin, "ProxyJump"));
    }
    out
}

fn readable(path: &Path) -> bool {
    path.is_file() && std::fs::File::open(path).is_ok()
}
