//! `proxy_jump`: the chain of jump hosts a host is reached through (DESIGN.md, "Jump hosts and
//! OpenSSH config"). Each hop is an inventory host name or `[user@]address[:port]`. The syntax is
//! checked where the key is written; names are resolved once every host is known, so a hop may
//! be declared after the hosts that use it.

use std::collections::HashMap;

use super::error::InventoryError;
use super::field::{Doc, Field};
use super::model::{Hop, Host};

/// A chain as written, with where it was written (for errors found when it is resolved).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct JumpChain {
    pub hops: Vec<String>,
    key: String,
    span: std::ops::Range<usize>,
}

const HINT: &str = "write hops separated by commas, each an inventory host name or \
[user@]address[:port], e.g. proxy_jump = \"bastion-1\" or \"deploy@10.0.0.5:2222,bastion-2\"; \
\"none\" for a direct connection";

/// Reads and checks `proxy_jump`. `"none"` (as in OpenSSH) clears a chain set at a lower level.
pub(super) fn chain(field: &Field<'_>) -> Result<JumpChain, InventoryError> {
    let hops = parse_chain(field.string()?).map_err(|problem| field.error(problem).hint(HINT))?;
    Ok(JumpChain {
        hops,
        key: field.key.to_owned(),
        span: field.value.span(),
    })
}

/// A chain from an OpenSSH config's `ProxyJump` (at `origin`, `file:line`), for the host entry
/// at `field`: errors are reported there, naming the config line.
pub(super) fn from_config(
    text: &str,
    field: &Field<'_>,
    origin: &str,
) -> Result<JumpChain, InventoryError> {
    let hops = parse_chain(text).map_err(|problem| {
        field
            .error(format!("ProxyJump from {origin}: {problem}"))
            .hint(HINT)
    })?;
    Ok(JumpChain {
        hops,
        key: format!("{} (ProxyJump, {origin})", field.key),
        span: field.value.span(),
    })
}

/// The hops of a chain as written (`"none"`: no hop), each checked; the error says which hop
/// and why. OpenSSH's `ProxyJump` takes the same text.
pub(super) fn parse_chain(text: &str) -> Result<Vec<String>, String> {
    if text.trim() == "none" {
        return Ok(Vec::new());
    }
    text.split(',')
        .map(str::trim)
        .map(|hop| match parse_hop(hop) {
            Ok(_) => Ok(hop.to_owned()),
            Err(problem) => Err(format!("bad hop \"{hop}\": {problem}")),
        })
        .collect()
}

/// An ad-hoc hop: `(user, address, port)`.
fn parse_hop(hop: &str) -> Result<(Option<&str>, &str, Option<u16>), String> {
    if hop.is_empty() {
        return Err("empty hop".into());
    }
    if hop.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains whitespace".into());
    }
    let (user, rest) = match hop.rsplit_once('@') {
        Some(("", _)) => return Err("empty user before '@'".into()),
        Some((user, rest)) => (Some(user), rest),
        None => (None, hop),
    };
    let (address, port) = split_port(rest)?;
    if address.is_empty() {
        return Err("no address".into());
    }
    if address.starts_with('-') {
        return Err("an address cannot start with '-'".into());
    }
    Ok((user, address, port))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_port(text: &str) -> Result<(&str, Option<u16>), String> {
    let (address, port) = if let Some(inner) = text.strip_prefix('[') {
        let Some((address, after)) = inner.split_once(']') else {
            return Err("'[' without ']'".into());
        };
        match after {
            "" => (address, None),
            _ => match after.strip_prefix(':') {
                Some(port) => (address, Some(port)),
                None => return Err(format!("unexpected \"{after}\" after ']'")),
            },
        }
    } else if text.matches(':').count() == 1 {
        let (address, port) = text.split_once(':').unwrap_or((text, ""));
        (address, Some(port))
    } else {
        (text, None)
    };
    match port {
        None => Ok((address, None)),
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n != 0 => Ok((address, Some(n))),
            _ => Err(format!("port \"{p}\" is not a number from 1 to 65535")),
        },
    }
}

/// Fills every host's `proxy_jump` from its chain. A named hop is that inventory host, reached
/// with its own settings; each hop is reached through the hops written before it, and the first
/// hop through its own chain, if it has one; an ad-hoc hop takes
/// the host's settings (user, key, known_hosts, timeouts) with its own address, port (default
/// 22) and user.
pub(super) fn resolve(
    doc: &Doc<'_>,
    hosts: &mut [Host],
    chains: &[Option<JumpChain>],
) -> Result<(), InventoryError> {
    let by_name: HashMap<String, usize> = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| (h.name.clone(), i))
        .collect();
    let mut resolved = Vec::with_capacity(hosts.len());
    for (i, host) in hosts.iter().enumerate() {
        let mut visiting = vec![host.name.clone()];
        resolved.push(hops_of(i, hosts, chains, &by_name, &mut visiting, doc)?);
    }
    for (host, hops) in hosts.iter_mut().zip(resolved) {
        host.proxy_jump = hops;
    }
    Ok(())
}

fn hops_of(
    id: usize,
    hosts: &[Host],
    chains: &[Option<JumpChain>],
    by_name: &HashMap<String, usize>,
    visiting: &mut Vec<String>,
    doc: &Doc<'_>,
) -> Result<Vec<Hop>, InventoryError> {
    let Some(chain) = &chains[id] else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (i, hop) in chain.hops.iter().enumerate() {
        if let Some(&hop_id) = by_name.get(hop) {
            if visiting.contains(hop) {
                let path = visiting.join(" → ");
                return Err(doc
                    .error(
                        chain.span.clone(),
                        &chain.key,
                        format!("proxy_jump loops: {path} → {hop}"),
                    )
                    .hint(
                        "a host cannot be reached through itself: remove the hop that leads back",
                    ));
            }
            if i == 0 {
                visiting.push(hop.clone());
                out.extend(hops_of(hop_id, hosts, chains, by_name, visiting, doc)?);
                visiting.pop();
            }
            out.push(Hop {
                name: hop.clone(),
                host: bare(hosts[hop_id].clone()),
            });
        } else {
            out.push(adhoc(hop, &hosts[id]));
        }
    }
    Ok(out)
}

fn adhoc(hop: &str, target: &Host) -> Hop {
    // Checked by `chain`; an unparsable hop cannot get here.
    let (user, address, port) = parse_hop(hop).unwrap_or((None, hop, None));
    let mut host = bare(target.clone());
    host.name = hop.to_owned();
    host.address = address.to_owned();
    host.port = port.unwrap_or(22);
    if let Some(user) = user {
        host.user = user.to_owned();
    }
    Hop {
        name: hop.to_owned(),
        host,
    }
}

/// A hop's own settings, without a chain of its own (the chain is flattened into the target's).
fn bare(mut host: Host) -> Host {
    host.proxy_jump = Vec::new();
    host
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hops_parse_with_user_and_port() {
        assert_eq!(parse_hop("bastion").unwrap(), (None, "bastion", None));
        assert_eq!(
            parse_hop("deploy@10.0.0.5:2222").unwrap(),
            (Some("deploy"), "10.0.0.5", Some(2222))
        );
        assert_eq!(
            parse_hop("[fe80::1]:22").unwrap(),
            (None, "fe80::1", Some(22))
        );
        assert_eq!(parse_hop("fe80::1").unwrap(), (None, "fe80::1", None));
        assert!(parse_hop("a:0").is_err());
        assert!(parse_hop("a:x").is_err());
        assert!(parse_hop("@a").is_err());
        assert!(parse_hop("-oProxyCommand=x").is_err());
        assert!(parse_hop("").is_err());
    }
}

#[cfg(test)]
mod inventory_tests {
    use std::path::Path;

    use crate::core::inventory::parse;

    const FLEET: &str = r#"
[defaults]
user = "root"
[groups.dmz]
proxy_jump = "bastion-2"
[[hosts]]
name = "bastion-1"
address = "10.0.0.1"
user = "jump"
[[hosts]]
name = "bastion-2"
address = "10.1.0.1"
port = 2222
proxy_jump = "bastion-1"
[[hosts]]
name = "web-01"
address = "10.2.0.1"
groups = ["dmz"]
[[hosts]]
name = "web-02"
address = "10.2.0.2"
groups = ["dmz"]
proxy_jump = "ops@10.9.9.9:2200,bastion-1"
[[hosts]]
name = "web-03"
address = "10.2.0.3"
groups = ["dmz"]
proxy_jump = "none"
"#;

    fn via(name: &str) -> Vec<(String, String, u16, String)> {
        let inv = parse(FLEET, Path::new("inv.toml")).unwrap_or_else(|e| panic!("{e}"));
        let host = &inv.hosts[inv.find(name).unwrap()];
        host.proxy_jump
            .iter()
            .map(|h| {
                (
                    h.name.clone(),
                    h.host.address.clone(),
                    h.host.port,
                    h.host.user.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn named_hops_bring_their_own_settings_and_chain() {
        let chain = via("web-01");
        assert_eq!(
            chain,
            vec![
                ("bastion-1".into(), "10.0.0.1".into(), 22, "jump".into()),
                ("bastion-2".into(), "10.1.0.1".into(), 2222, "root".into()),
            ]
        );
        assert_eq!(via("bastion-1"), vec![]);
    }

    #[test]
    fn adhoc_hops_take_their_address_port_and_user_and_the_host_wins_over_its_group() {
        assert_eq!(
            via("web-02"),
            vec![
                (
                    "ops@10.9.9.9:2200".into(),
                    "10.9.9.9".into(),
                    2200,
                    "ops".into()
                ),
                ("bastion-1".into(), "10.0.0.1".into(), 22, "jump".into()),
            ]
        );
        assert_eq!(via("web-03"), vec![]);
    }

    fn err(text: &str) -> String {
        parse(text, Path::new("inv.toml")).unwrap_err().to_string()
    }

    #[test]
    fn later_hops_are_reached_through_the_hops_written_before_them() {
        let text = FLEET.replace(
            "proxy_jump = \"none\"",
            "proxy_jump = \"bastion-1,bastion-2\"",
        );
        let inv = parse(&text, Path::new("inv.toml")).unwrap_or_else(|e| panic!("{e}"));
        let web = &inv.hosts[inv.find("web-03").unwrap()];
        assert_eq!(web.via(), vec!["bastion-1", "bastion-2"]);
    }

    #[test]
    fn bad_hops_and_loops_are_named_with_their_line() {
        let bad = "[[hosts]]\nname = \"a\"\naddress = \"x\"\nproxy_jump = \"b:99999\"\n";
        assert!(
            err(bad).starts_with(
                "inv.toml:4:14: hosts[0].proxy_jump: bad hop \"b:99999\": port \"99999\" is not a number"
            ),
            "{}",
            err(bad)
        );
        let empty = "[[hosts]]\nname = \"a\"\naddress = \"x\"\nproxy_jump = \"b,,c\"\n";
        assert!(
            err(empty).contains("bad hop \"\": empty hop"),
            "{}",
            err(empty)
        );
        let looped = "[[hosts]]\nname = \"a\"\naddress = \"x\"\nproxy_jump = \"b\"\n\
                      [[hosts]]\nname = \"b\"\naddress = \"y\"\nproxy_jump = \"a\"\n";
        assert!(
            err(looped).contains("proxy_jump loops: a → b → a"),
            "{}",
            err(looped)
        );
    }
}
