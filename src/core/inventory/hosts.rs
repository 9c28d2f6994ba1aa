//! `[[hosts]]`: each host's name, address and groups, and its settings merged over the
//! defaults and its groups.

use std::collections::HashMap;

use super::error::{InventoryError, Position};
use super::field::{child_key, entries_in_file_order, unknown_key, Field};
use super::model::Host;
use super::settings::{Layer, Settings, SETTING_KEYS};
use super::suggest::closest;

/// What the host table may hold besides the settings.
const HOST_KEYS: &[&str] = &["name", "address", "groups"];

/// Reads every host. `defaults` already has `[defaults]` applied; `groups` are in file order.
pub(super) fn hosts(
    field: &Field<'_>,
    defaults: &Settings,
    groups: &[(String, Layer)],
) -> Result<Vec<Host>, InventoryError> {
    let items = field
        .array()
        .map_err(|e| e.hint("write each host as a [[hosts]] block"))?;
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(items.len());
    for (key, value) in &items {
        let entry = Field {
            key,
            value,
            ..*field
        };
        let host = host(&entry, defaults, groups)?;
        let name_line = name_line(&entry);
        if let Some(first) = first_line.get(&host.name) {
            return Err(entry
                .doc
                .error(
                    name_span(&entry),
                    &child_key(key, "name"),
                    format!(
                        "duplicate host name \"{}\" (first defined on line {first})",
                        host.name
                    ),
                )
                .hint("host names must be unique: rename or remove one of the two"));
        }
        first_line.insert(host.name.clone(), name_line);
        out.push(host);
    }
    Ok(out)
}

fn host(
    field: &Field<'_>,
    defaults: &Settings,
    groups: &[(String, Layer)],
) -> Result<Host, InventoryError> {
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
            "name" => name = Some(host_name(&entry)?),
            "address" => address = Some(host_address(&entry)?),
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
    let name =
        name.ok_or_else(|| missing(field, "name", "give every host a unique name = \"web-01\""))?;
    let address = address.ok_or_else(|| {
        missing(
            field,
            "address",
            "write the host's IP address or DNS name: address = \"10.0.3.11\"",
        )
    })?;
    let mut settings = defaults.clone();
    for group in &host_groups {
        if let Some((_, layer)) = groups.iter().find(|(g, _)| g == group) {
            settings.apply(layer);
        }
    }
    settings.apply(&own);
    let privilege = settings.privilege();
    Ok(Host {
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
        groups: host_groups,
    })
}

/// A required key that is absent: reported at the host's table (its `[[hosts]]` header).
fn missing(field: &Field<'_>, key: &str, hint: &str) -> InventoryError {
    field
        .error(format!("missing `{key}`"))
        .key(child_key(field.key, key))
        .hint(hint)
}

fn host_name(field: &Field<'_>) -> Result<String, InventoryError> {
    const HINT: &str = "use letters, digits, '-', '_' or '.', e.g. \"web-01\"";
    let name = field.string()?;
    if name.is_empty() {
        return Err(field.error("empty host name").hint(HINT));
    }
    if let Some(bad) = name
        .chars()
        .find(|&c| c.is_whitespace() || c.is_control() || c == ',' || c == '/')
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
    // Selectors would read these as keywords, not as this host.
    if name == "all" || name.starts_with("group:") {
        return Err(field
            .error(format!(
                "host name \"{name}\" is reserved for host selectors"
            ))
            .hint(HINT));
    }
    Ok(name.to_owned())
}

fn host_address(field: &Field<'_>) -> Result<String, InventoryError> {
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
    Ok(address.to_owned())
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
