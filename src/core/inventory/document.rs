//! Reading a whole inventory file: the top-level tables, in the order the merge needs them.

use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{InventoryError, Position};
use super::field::{entries_in_file_order, unknown_key, Doc, Field};
use super::hosts::hosts;
use super::model::Inventory;
use super::openssh;
use super::sections;
use super::settings::Settings;
use super::syntax::syntax_error;

const TOP_KEYS: &[&str] = &[
    "defaults", "groups", "hosts", "console", "bundles", "rollout", "go_env", "apps",
];

/// Reads and parses the inventory at `path`.
pub fn load(path: &Path) -> Result<Inventory, InventoryError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InventoryError::new(format!("cannot read the inventory: {e}"))
            .in_file(path)
            .hint("check the path and its permissions, or pass another file with --inventory")
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| not_utf8(path, &bytes, e))?;
    parse(text, path)
}

/// TOML is UTF-8: point at the first byte that is not.
fn not_utf8(path: &Path, bytes: &[u8], e: std::str::Utf8Error) -> InventoryError {
    let before = std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default();
    InventoryError::new("the inventory is not UTF-8 text")
        .in_file(path)
        .at(Position::of_offset(before, before.len()))
        .hint("save the file as UTF-8 (TOML files must be UTF-8)")
}

/// Parses inventory `text` read from `source` (named in errors; relative local paths in the
/// inventory are relative to its directory).
pub fn parse(text: &str, source: &Path) -> Result<Inventory, InventoryError> {
    let doc = Doc {
        file: source,
        text,
        base_dir: base_dir(source),
    };
    let root = DeTable::parse(text).map_err(|e| syntax_error(&doc, &e))?;
    let mut top: [Option<&Spanned<DeValue<'_>>>; 8] = Default::default();
    for (key, value) in entries_in_file_order(root.get_ref()) {
        match TOP_KEYS.iter().position(|k| *k == key.get_ref()) {
            Some(i) => top[i] = Some(value),
            None => return Err(unknown_key(&doc, key, "", TOP_KEYS)),
        }
    }
    let [defaults, groups, host_list, console, bundles, rollout, go_env, apps] = top;
    let field = |i: usize, value| Field {
        doc: &doc,
        key: TOP_KEYS[i],
        value,
    };

    let mut base = Settings::builtin();
    let mut ssh_config = None;
    if let Some(value) = defaults {
        let (layer, config_key) = sections::defaults(&field(0, value))?;
        base.apply(&layer);
        ssh_config = config_key.map(openssh::read).transpose()?;
    }
    let groups = groups
        .map(|v| sections::groups(&field(1, v)))
        .transpose()?
        .unwrap_or_default();
    let mut hosts = host_list
        .map(|v| hosts(&field(2, v), &base, &groups, ssh_config.as_ref()))
        .transpose()?
        .unwrap_or_default();
    let go_env = std::sync::Arc::new(
        go_env
            .map(|v| sections::go_env(&field(6, v)))
            .transpose()?
            .unwrap_or_default(),
    );
    let apps = std::sync::Arc::new(
        apps.map(|v| super::apps::apps(&field(7, v)))
            .transpose()?
            .unwrap_or_default(),
    );
    for host in &mut hosts {
        host.go_env = std::sync::Arc::clone(&go_env);
        host.apps = std::sync::Arc::clone(&apps);
    }
    let console = console
        .map(|v| sections::console(&field(3, v)))
        .transpose()?
        .unwrap_or_default();
    let bundles = bundles
        .map(|v| sections::bundles(&field(4, v)))
        .transpose()?
        .unwrap_or_default();
    if let Some(value) = rollout {
        sections::check_rollout(&field(5, value))?;
    }
    if hosts.is_empty() {
        return Err(no_hosts(&doc, host_list));
    }
    Ok(Inventory {
        source: source.to_path_buf(),
        hosts,
        groups: groups.into_iter().map(|(name, _)| name).collect(),
        console,
        bundles,
        rollout: rollout.and_then(|_| sections::raw_rollout(text)),
        go_env,
        apps,
    })
}

/// An inventory without hosts is a mistake (a wrong file, a half-written one), never a fleet
/// to scan: every command would succeed at doing nothing.
fn no_hosts(doc: &Doc<'_>, host_list: Option<&Spanned<DeValue<'_>>>) -> InventoryError {
    let err = match host_list {
        Some(value) => doc.error(value.span(), "hosts", "the host list is empty"),
        None => InventoryError::new("the inventory has no hosts")
            .in_file(doc.file)
            .key("hosts"),
    };
    err.hint(
        "add a [[hosts]] block with name and address for each host, e.g.\n    \
              [[hosts]]\n    name = \"web-01\"\n    address = \"10.0.3.11\"",
    )
}

/// The inventory's directory, absolute, so resolved paths stay right if the process later
/// changes directory.
fn base_dir(source: &Path) -> PathBuf {
    let dir = source.parent().unwrap_or(Path::new(""));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf())
}
