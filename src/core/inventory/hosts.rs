//! `[[hosts]]`: each host's name, address and groups, and its settings merged over the
//! defaults and its groups.

use std::collections::HashMap;

use super::error::{InventoryError, Position};
use super::field::{child_key, entries_in_file_order, unknown_key, Field};
use super::jump::{self, JumpChain};
use super::model::Host;
use super::openssh::{self, SshConfig};
use super::range::expand;
use super::settings::{Layer, Settings, SETTING_KEYS};
use super::suggest::closest;

/// What the host table may hold besides the settings.
const HOST_KEYS: &[&str] = &["name", "address", "groups"];

/// Reads every host. `defaults` already has `[defaults]` applied; `groups` are in file order.
/// An entry whose name holds a range (`web-[01-40]`) stands for one host per value.
pub(super) fn hosts(
    field: &Field<'_>,
    defaults: &Settings,
    groups: &[(String, Layer)],
    ssh_config: Option<&SshConfig>,
) -> Result<Vec<Host>, InventoryError> {
    let items = field
        .array()
        .map_err(|e| e.hint("write each host as a [[hosts]] block"))?;
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    let mut chains = Vec::with_capacity(items.len());
    for (key, value) in &items {
        let entry = Field {
            key,
            value,
            ..*field
        };
        let (pattern, expanded) = entry_hosts(&entry, defaults, groups, ssh_config)?;
        let name_line = name_line(&entry);
        for (host, chain) in expanded {
            if let Some(first) = first_line.get(&host.name) {
                return Err(duplicate(&entry, &host.name, &pattern, *first));
            }
            first_line.insert(host.name.clone(), name_line);
            out.push(host);
            chains.push(chain);
        }
    }
    // Hops are resolved once every host is known: a hop may be declared after its users.
    jump::resolve(field.doc, &mut out, &chains)?;
    Ok(out)
}

fn duplicate(entry: &Field<'_>, name: &str, pattern: &str, first: usize) -> InventoryError {
    let from_range = if pattern == name {
        String::new()
    } else {
        format!(" from the range \"{pattern}\"")
    };
    entry
        .doc
        .error(
            name_span(entry),
            &child_key(entry.key, "name"),
            format!("duplicate host name \"{name}\"{from_range} (first defined on line {first})"),
        )
        .hint("host names must be unique: rename or remove one of the two")
}

/// An entry's name as written, and each host it stands for with its jump chain as written.
type EntryHosts = (String, Vec<(Host, Option<JumpChain>)>);

/// One `[[hosts]]` entry: its name as written, and the hosts it stands for.
fn entry_hosts(
    field: &Field<'_>,
    defaults: &Settings,
    groups: &[(String, Layer)],
    ssh_config: Option<&SshConfig>,
) -> Result<EntryHosts, InventoryError> {
    let table = field
        .table()
        .map_err(|e| e.hint("write each host as a [[hosts]] block with name and address"))?;
    let (mut name, mut address, mut host_groups) = (None, None, Vec::new());
    let mut own = Layer::default();
    for (key, value) in entries_in_file_order(table) {
        let path = child_key(field.key, key.get_ref());
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        match key.get_ref().as_ref() {
            "name" => name = Some(host_names(&entry)?),
            "address" => {
                let written = entry.string()?.to_owned();
                address = Some((written, host_addresses(&entry)?, value.span()));
            }
            "groups" => host_groups = group_list(&entry, groups)?,
            other => {
                if !own.set(other, &entry)? {
                    let allowed: Vec<&str> =
                        HOST_KEYS.iter().chain(SETTING_KEYS).copied().collect();
                    return Err(unknown_key(field.doc, key, field.key, &allowed));
                }
            }
        }
    }
    let (pattern, names) =
        name.ok_or_else(|| missing(field, "name", "give every host a unique name = \"web-01\""))?;
    let addresses: Vec<Option<String>> = match address {
        Some((written, addresses, span)) => {
            if addresses.len() != names.len() {
                return Err(count_mismatch(
                    field,
                    (&pattern, names.len()),
                    (&written, addresses.len()),
                    span,
                ));
            }
            addresses.into_iter().map(Some).collect()
        }
        // The OpenSSH config's HostName, else the name itself, as `ssh NAME` does.
        None if ssh_config.is_some() => vec![None; names.len()],
        None => {
            return Err(missing(
                field,
                "address",
                "write the host's IP address or DNS name: address = \"10.0.3.11\"",
            ))
        }
    };
    let mut settings = defaults.clone();
    for group in &host_groups {
        if let Some((_, layer)) = groups.iter().find(|(g, _)| g == group) {
            settings.apply(layer);
        }
    }
    settings.apply(&own);
    let hosts = names
        .into_iter()
        .zip(addresses)
        .map(|(name, address)| host(field, name, address, &settings, &host_groups, ssh_config))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((pattern, hosts))
}

/// A range of names pairs with a range of addresses value by value, so the counts must agree.
fn count_mismatch(
    field: &Field<'_>,
    (pattern, names): (&str, usize),
    (address, addresses): (&str, usize),
    address_span: std::ops::Range<usize>,
) -> InventoryError {
    let hosts = |n: usize| {
        if n == 1 {
            "1 host".to_owned()
        } else {
            format!("{n} hosts")
        }
    };
    field
        .doc
        .error(
            address_span,
            &child_key(field.key, "address"),
            format!(
                "name \"{pattern}\" stands for {} but address \"{address}\" for {}",
                hosts(names),
                hosts(addresses)
            ),
        )
        .hint(
            "a range of names needs an address range with as many values, paired in order, \
             e.g. name = \"web-[01-40]\" with address = \"10.0.3.[11-50]\" or \"web-[01-40].example\"",
        )
}

/// One host of an entry, with its jump chain as written (resolved later), the inventory's or,
/// where the inventory sets none, its OpenSSH config's `ProxyJump`.
fn host(
    field: &Field<'_>,
    name: String,
    address: Option<String>,
    settings: &Settings,
    groups: &[String],
    ssh_config: Option<&SshConfig>,
) -> Result<(Host, Option<JumpChain>), InventoryError> {
    let mut settings = settings.clone();
    let (address, config_jump, mut sources) = match ssh_config {
        Some(config) => openssh::apply(config, &name, address, &mut settings)?,
        None => (address.unwrap_or_default(), None, Vec::new()),
    };
    let chain = match (settings.proxy_jump.take(), config_jump) {
        (Some(chain), _) => {
            // The inventory's own chain wins; the config's is not what is used.
            sources.retain(|s| s.key != "proxy_jump");
            Some(chain)
        }
        (None, Some(text)) => {
            let origin = sources
                .iter()
                .find(|s| s.key == "proxy_jump")
                .map(|s| s.origin.short())
                .unwrap_or_default();
            Some(jump::from_config(&text, field, &origin)?)
        }
        (None, None) => None,
    };
    // After the OpenSSH config: the default method follows the login user it may set.
    let privilege = settings.privilege();
    let host = Host {
        name,
        address,
        port: settings.port,
        user: settings.user,
        identity_file: settings.identity_file,
        known_hosts: settings.known_hosts,
        host_key_policy: settings.host_key_policy,
        connect_timeout: settings.connect_timeout,
        command_timeout: settings.command_timeout,
        check_binaries: settings.check_binaries,
        paths: settings.paths,
        keep_releases: settings.keep_releases,
        privilege,
        groups: groups.to_vec(),
        // Set once the whole file is read (`[go_env]` may come after the hosts).
        go_env: Default::default(),
        // Filled from the chain by `jump::resolve` once every host is read.
        proxy_jump: Vec::new(),
        // Set once the whole file is read, as go_env.
        apps: Default::default(),
        sources,
    };
    Ok((host, chain))
}

/// A required key that is absent: reported at the host's table (its `[[hosts]]` header).
fn missing(field: &Field<'_>, key: &str, hint: &str) -> InventoryError {
    field
        .error(format!("missing `{key}`"))
        .key(child_key(field.key, key))
        .hint(hint)
}

/// The name as written and the names it stands for (one, or one per value of its ranges).
fn host_names(field: &Field<'_>) -> Result<(String, Vec<String>), InventoryError> {
    const HINT: &str = "use letters, digits, '-', '_' or '.', e.g. \"web-01\"";
    let name = field.string()?;
    if name.is_empty() {
        return Err(field.error("empty host name").hint(HINT));
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || matches!(c, ',' | '/' | '&' | '!'))
    {
        let bad = match bad {
            ' ' => "a space".to_owned(),
            c if c.is_whitespace() || c.is_control() => format!("the character {c:?}"),
            c => format!("'{c}'"),
        };
        return Err(field
            .error(format!("host name \"{name}\" contains {bad}"))
            .hint(HINT));
    }
    let names = expand(name).map_err(|e| field.error(e.message).hint(e.hint))?;
    // Selectors would read these as keywords, not as this host.
    if let Some(reserved) = names
        .iter()
        .find(|n| n.as_str() == "all" || n.starts_with("group:"))
    {
        return Err(field
            .error(format!(
                "host name \"{reserved}\" is reserved for host selectors"
            ))
            .hint(HINT));
    }
    Ok((name.to_owned(), names))
}

/// The addresses the value stands for (one, or one per value of its ranges).
fn host_addresses(field: &Field<'_>) -> Result<Vec<String>, InventoryError> {
    const HINT: &str = "write the host's IP address or DNS name, e.g. address = \"10.0.3.11\"";
    let address = field.string()?;
    if address.trim().is_empty() {
        return Err(field.error("empty address").hint(HINT));
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(field
            .error(format!("address \"{address}\" contains whitespace"))
            .hint(HINT));
    }
    expand(address).map_err(|e| field.error(e.message).hint(e.hint))
}

/// The host's `groups`, each of which must be declared as `[groups.NAME]`.
fn group_list(
    field: &Field<'_>,
    declared: &[(String, Layer)],
) -> Result<Vec<String>, InventoryError> {
    let items = field
        .array()
        .map_err(|e| e.hint("write a list of group names: groups = [\"web\"]"))?;
    let mut out = Vec::with_capacity(items.len());
    for (key, value) in &items {
        let entry = Field {
            key,
            value,
            ..*field
        };
        let name = entry.string()?;
        if !declared.iter().any(|(g, _)| g == name) {
            let hint = match closest(name, declared.iter().map(|(g, _)| g.as_str())) {
                Some(close) => format!("did you mean `{close}`?"),
                None => {
                    format!("declare it as a [groups.{name}] table, or remove it from this list")
                }
            };
            return Err(entry.error(format!("unknown group \"{name}\"")).hint(hint));
        }
        out.push(name.to_owned());
    }
    Ok(out)
}

/// Where the host's `name` value is (the table itself if it has none, which `host` refuses).
fn name_span(field: &Field<'_>) -> std::ops::Range<usize> {
    let name = field.value.get_ref().as_table().and_then(|t| t.get("name"));
    name.map_or_else(|| field.value.span(), |v| v.span())
}

fn name_line(field: &Field<'_>) -> usize {
    Position::of_offset(field.doc.text, name_span(field).start).line
}
