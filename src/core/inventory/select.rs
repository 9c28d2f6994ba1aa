//! Host selectors (`--hosts SEL`): comma-separated host names, globs (`web-*`), ranges as the
//! inventory writes them (`web-[01-10]`), `group:NAME` and `all`, with set arithmetic: `,` is a
//! union, `&` an intersection (it binds tighter than `,`) and a leading `!` takes the hosts
//! away (`group:web&!web-03`). A name, glob, range or group that selects nothing is an error,
//! and so is a `,`-separated part that ends up selecting nothing: acting on fewer hosts than the
//! operator meant, silently, is worse than stopping.

use std::collections::HashSet;
use std::fmt;

use glob::Pattern;

use super::model::{HostId, Inventory};
use super::range::expand as expand_range;
use super::suggest::closest;

/// Why a selector selects nothing usable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SelectorError {
    /// The whole selector is empty or blank.
    Empty,
    /// A comma-separated list has an empty entry (`web-01,,web-02`).
    EmptyTerm { selector: String },
    /// No host has this exact name.
    UnknownHost {
        name: String,
        suggestion: Option<String>,
    },
    /// The glob is valid but matches no host.
    NoMatch { pattern: String },
    /// The glob is not a valid pattern.
    BadGlob { pattern: String, reason: String },
    /// `group:NAME` names no `[groups.NAME]`.
    UnknownGroup {
        name: String,
        suggestion: Option<String>,
    },
    /// The group exists but no host is in it.
    EmptyGroup { name: String },
    /// A `&` or `!` with nothing to apply to (`web&`, `&web`, `!`, `web&&db`).
    MissingOperand { selector: String },
    /// Each name, glob and group selects hosts, but `&` and `!` leave none (`web-01&db-01`).
    SelectsNothing { part: String },
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let did_you_mean = |s: &Option<String>| {
            s.as_ref()
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default()
        };
        match self {
            Self::Empty => f.write_str(
                "empty host selector; use host names, globs like `web-*`, `group:NAME` or `all`",
            ),
            Self::EmptyTerm { selector } => {
                write!(
                    f,
                    "host selector `{selector}` has an empty entry; remove the extra comma"
                )
            }
            Self::UnknownHost { name, suggestion } => {
                write!(
                    f,
                    "no host named `{name}` in the inventory{}",
                    did_you_mean(suggestion)
                )
            }
            Self::NoMatch { pattern } => write!(f, "no host matches `{pattern}`"),
            Self::BadGlob { pattern, reason } => {
                write!(f, "bad host pattern `{pattern}`: {reason}")
            }
            Self::UnknownGroup { name, .. } if name.is_empty() => {
                f.write_str("`group:` needs a group name: write group:NAME")
            }
            Self::UnknownGroup { name, suggestion } => {
                write!(
                    f,
                    "no group named `{name}` in the inventory{}",
                    did_you_mean(suggestion)
                )
            }
            Self::EmptyGroup { name } => write!(f, "group `{name}` has no hosts"),
            Self::MissingOperand { selector } => write!(
                f,
                "host selector `{selector}` has a `&` or `!` with nothing to apply it to; \
                 write e.g. `group:web&!web-03`"
            ),
            Self::SelectsNothing { part } => write!(
                f,
                "`{part}` selects no host: its `&` and `!` parts leave none"
            ),
        }
    }
}

impl std::error::Error for SelectorError {}

/// The hosts `selector` names, in inventory order, each once.
pub fn select(inv: &Inventory, selector: &str) -> Result<Vec<HostId>, SelectorError> {
    if selector.trim().is_empty() {
        return Err(SelectorError::Empty);
    }
    let terms: Vec<&str> = selector.split(',').map(str::trim).collect();
    if terms.iter().any(|t| t.is_empty()) {
        return Err(SelectorError::EmptyTerm {
            selector: selector.to_owned(),
        });
    }
    let mut chosen = vec![false; inv.hosts.len()];
    for term in terms {
        let hosts = intersection(inv, term, selector)?;
        if !inv.hosts.is_empty() && !hosts.contains(&true) {
            return Err(SelectorError::SelectsNothing {
                part: term.to_owned(),
            });
        }
        for (chosen, picked) in chosen.iter_mut().zip(hosts) {
            *chosen |= picked;
        }
    }
    Ok(chosen
        .iter()
        .enumerate()
        .filter(|(_, &c)| c)
        .map(|(id, _)| id)
        .collect())
}

/// The hosts in every `&`-separated part of `term`, as one flag per host.
fn intersection(inv: &Inventory, term: &str, selector: &str) -> Result<Vec<bool>, SelectorError> {
    let mut set = vec![true; inv.hosts.len()];
    for part in term.split('&') {
        let (negated, atom) = negations(part);
        if atom.is_empty() {
            return Err(SelectorError::MissingOperand {
                selector: selector.to_owned(),
            });
        }
        let mut named = vec![false; inv.hosts.len()];
        for id in term_hosts(inv, atom)? {
            named[id] = true;
        }
        for (kept, named) in set.iter_mut().zip(named) {
            *kept &= named != negated;
        }
    }
    Ok(set)
}

/// Leading `!`s (an odd count negates) and what they apply to. A `!` further in is the atom's
/// own: `web-[!0]*` is a glob.
fn negations(part: &str) -> (bool, &str) {
    let mut negated = false;
    let mut rest = part.trim();
    while let Some(after) = rest.strip_prefix('!') {
        negated = !negated;
        rest = after.trim_start();
    }
    (negated, rest)
}

/// The hosts one term selects; never empty (`all` on an empty inventory aside).
fn term_hosts(inv: &Inventory, term: &str) -> Result<Vec<HostId>, SelectorError> {
    let all = 0..inv.hosts.len();
    if term == "all" {
        return Ok(all.collect());
    }
    if let Some(group) = term.strip_prefix("group:") {
        let group = group.trim();
        if !inv.groups.iter().any(|g| g == group) {
            let suggestion =
                closest(group, inv.groups.iter().map(String::as_str)).map(str::to_owned);
            return Err(SelectorError::UnknownGroup {
                name: group.to_owned(),
                suggestion,
            });
        }
        let members: Vec<HostId> = all
            .filter(|&id| inv.hosts[id].groups.iter().any(|g| g == group))
            .collect();
        if members.is_empty() {
            return Err(SelectorError::EmptyGroup {
                name: group.to_owned(),
            });
        }
        return Ok(members);
    }
    // An exact name wins over reading the term as a glob: `web*` may be a host's real name.
    if let Some(id) = inv.find(term) {
        return Ok(vec![id]);
    }
    // The inventory's range syntax means the same here: `web-[01-10]` is web-01 … web-10, where
    // a glob would read `[01-10]` as one character out of 0, 1 and 0. One-digit ranges
    // (`web-0[1-5]`) select the same hosts either way; anything else in brackets is a glob's.
    if term.contains('[') {
        if let Ok(values) = expand_range(term) {
            return range_hosts(inv, term, &values);
        }
    }
    if term.contains(['*', '?', '[']) {
        let pattern = Pattern::new(term).map_err(|e| SelectorError::BadGlob {
            pattern: term.to_owned(),
            reason: e.msg.to_owned(),
        })?;
        let matched: Vec<HostId> = all
            .filter(|&id| pattern.matches(&inv.hosts[id].name))
            .collect();
        if matched.is_empty() {
            return Err(SelectorError::NoMatch {
                pattern: term.to_owned(),
            });
        }
        return Ok(matched);
    }
    let suggestion = closest(term, inv.hosts.iter().map(|h| h.name.as_str())).map(str::to_owned);
    Err(SelectorError::UnknownHost {
        name: term.to_owned(),
        suggestion,
    })
}

/// The hosts named by the values of a range, each value an exact name or a glob (`web-[1-3]*`).
/// Like a glob, the range must select some host; values that name none are not errors, so
/// `web-[01-40]` works on a fleet that has lost web-17.
fn range_hosts(
    inv: &Inventory,
    term: &str,
    values: &[String],
) -> Result<Vec<HostId>, SelectorError> {
    let mut names = HashSet::new();
    let mut globs = Vec::new();
    for value in values {
        if value.contains(['*', '?']) {
            globs.push(Pattern::new(value).map_err(|e| SelectorError::BadGlob {
                pattern: term.to_owned(),
                reason: e.msg.to_owned(),
            })?);
        } else {
            names.insert(value.as_str());
        }
    }
    let matched: Vec<HostId> = (0..inv.hosts.len())
        .filter(|&id| {
            let name = inv.hosts[id].name.as_str();
            names.contains(name) || globs.iter().any(|g| g.matches(name))
        })
        .collect();
    if matched.is_empty() {
        return Err(SelectorError::NoMatch {
            pattern: term.to_owned(),
        });
    }
    Ok(matched)
}
