//! Reading a config file and every file it `Include`s into items, checking each line that
//! matters to offgo as OpenSSH would (it checks every line, matching or not).

use std::path::{Path, PathBuf};

use super::error::SshConfigError;
use super::lexer::{tokenize, Line};
use super::Origin;

/// OpenSSH's READCONF_MAX_DEPTH: deeper nesting is a loop.
const MAX_DEPTH: usize = 16;

/// The keywords offgo takes from a config; every other keyword is read past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    HostName,
    User,
    Port,
    IdentityFile,
    ProxyJump,
    UserKnownHostsFile,
}

impl Key {
    fn of(keyword: &str) -> Option<Self> {
        Some(match keyword {
            "hostname" => Self::HostName,
            "user" => Self::User,
            "port" => Self::Port,
            "identityfile" => Self::IdentityFile,
            "proxyjump" => Self::ProxyJump,
            "userknownhostsfile" => Self::UserKnownHostsFile,
            _ => return None,
        })
    }

    /// The keyword as the man page writes it.
    pub fn name(self) -> &'static str {
        match self {
            Self::HostName => "HostName",
            Self::User => "User",
            Self::Port => "Port",
            Self::IdentityFile => "IdentityFile",
            Self::ProxyJump => "ProxyJump",
            Self::UserKnownHostsFile => "UserKnownHostsFile",
        }
    }
}

/// One meaningful line, in file order, `Include`s expanded in place.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// `Host PATTERNS`: starts a block.
    Host {
        patterns: Vec<String>,
        origin: Origin,
    },
    /// `Match …`: starts a block; `all` only for `Match all`, the one criterion an inventory
    /// can decide.
    Match {
        all: bool,
        criteria: Vec<String>,
        origin: Origin,
    },
    /// A keyword offgo uses, with its arguments.
    Set {
        key: Key,
        args: Vec<String>,
        origin: Origin,
    },
    /// Any other keyword (for the import command's list of what it left out).
    Other { keyword: String, origin: Origin },
    /// `Include`: each matched file's items, in glob order.
    Include {
        files: Vec<Vec<Item>>,
        origin: Origin,
    },
}

/// A config read with all its includes.
#[derive(Debug, Clone, PartialEq)]
pub struct SshConfig {
    pub file: PathBuf,
    pub items: Vec<Item>,
}

/// Reads `file`. Relative `Include` paths are taken from `file`'s directory (for
/// `~/.ssh/config`, that is `~/.ssh`, as OpenSSH does for user configs).
pub fn read(file: &Path) -> Result<SshConfig, SshConfigError> {
    let base = file.parent().unwrap_or(Path::new(".")).to_path_buf();
    let items = read_file(file, &base, 0)?;
    Ok(SshConfig {
        file: file.to_path_buf(),
        items,
    })
}

fn read_file(file: &Path, base: &Path, depth: usize) -> Result<Vec<Item>, SshConfigError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        SshConfigError::new(file, 0, e.to_string())
            .hint("check the path and its permissions, or change ssh_config in the inventory")
    })?;
    let mut items = Vec::new();
    for (index, raw) in text.lines().enumerate() {
        let origin = Origin {
            file: file.to_path_buf(),
            line: index + 1,
        };
        let line = match tokenize(raw) {
            Ok(Some(line)) => line,
            Ok(None) => continue,
            Err(e) => {
                return Err(
                    SshConfigError::new(file, origin.line, e).hint("close the quote, or remove it")
                )
            }
        };
        items.push(item(line, origin, base, depth)?);
    }
    Ok(items)
}

fn item(line: Line, origin: Origin, base: &Path, depth: usize) -> Result<Item, SshConfigError> {
    let error = |message: String| {
        SshConfigError::new(&origin.file, origin.line, message).column(line.column)
    };
    match line.keyword.as_str() {
        "host" if line.args.is_empty() => Err(error("Host without a pattern".into())
            .hint("write the names or patterns this block is for, e.g. Host web-*")),
        "host" => Ok(Item::Host {
            patterns: line.args,
            origin,
        }),
        "match" => Ok(Item::Match {
            all: line.args.len() == 1 && line.args[0].eq_ignore_ascii_case("all"),
            criteria: line.args,
            origin,
        }),
        "include" if line.args.is_empty() => {
            Err(error("Include without a file".into()).hint("write the file or glob to include"))
        }
        "include" => {
            if depth + 1 > MAX_DEPTH {
                return Err(error(format!(
                    "Include nested more than {MAX_DEPTH} deep (does a file include itself?)"
                ))
                .hint("break the Include loop"));
            }
            let mut files = Vec::new();
            for arg in &line.args {
                for path in include_paths(arg, base).map_err(&error)? {
                    let items = read_file(&path, base, depth + 1).map_err(|e| {
                        // A file the glob found but that cannot be read: say so at the Include.
                        if e.line == 0 {
                            error(format!("cannot read {}: {}", path.display(), e.message))
                        } else {
                            e
                        }
                    })?;
                    files.push(items);
                }
            }
            Ok(Item::Include { files, origin })
        }
        keyword => match Key::of(keyword) {
            Some(key) => {
                check(key, &line.args).map_err(|(message, hint)| error(message).hint(hint))?;
                Ok(Item::Set {
                    key,
                    args: line.args,
                    origin,
                })
            }
            None => Ok(Item::Other {
                keyword: line.written,
                origin,
            }),
        },
    }
}

/// The files one `Include` argument names, sorted as glob(3) sorts them. A pattern that
/// matches nothing is skipped, as OpenSSH skips it.
fn include_paths(arg: &str, base: &Path) -> Result<Vec<PathBuf>, String> {
    let expanded = crate::core::xdg::expand_tilde(arg);
    let full = if expanded.is_relative() {
        base.join(expanded)
    } else {
        expanded
    };
    let pattern = full.to_string_lossy();
    let paths = glob::glob(&pattern).map_err(|e| format!("bad Include pattern \"{arg}\": {e}"))?;
    let mut out: Vec<PathBuf> = paths
        .filter_map(Result::ok)
        .filter(|p| !p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

/// The argument checks OpenSSH makes when it reads the line.
fn check(key: Key, args: &[String]) -> Result<(), (String, String)> {
    let name = key.name();
    let Some(first) = args.first() else {
        return Err((
            format!("{name} without a value"),
            format!("write a value after {name}, or remove the line"),
        ));
    };
    let single = !matches!(key, Key::UserKnownHostsFile | Key::IdentityFile);
    if single && args.len() > 1 {
        return Err((
            format!("{name} takes one value, found {}", args.len()),
            "quote a value that contains spaces".into(),
        ));
    }
    match key {
        Key::Port if first.parse::<u16>().map_or(true, |p| p == 0) => Err((
            format!("bad Port \"{first}\""),
            "write a port number from 1 to 65535".into(),
        )),
        Key::ProxyJump => super::resolve::proxy_jump(first).map(|_| ()).map_err(|e| {
            (
                e,
                "write hops as [user@]host[:port], separated by commas, or none".into(),
            )
        }),
        Key::User | Key::HostName if first.chars().any(char::is_control) => Err((
            format!("{name} contains a control character"),
            "remove it".into(),
        )),
        _ => Ok(()),
    }
}
