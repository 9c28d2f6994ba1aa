//! The tables other than `[[hosts]]`: `[defaults]`, `[groups.*]`, `[console]`, `[bundles]` and
//! `[rollout]`.

use std::time::Duration;

use super::error::InventoryError;
use super::field::{child_key, entries_in_file_order, unknown_key, Field};
use super::model::{BundleSettings, ConsoleSettings};
use super::paths::local_path;
use super::settings::{Layer, SETTING_KEYS};
use crate::core::goenv::{GoEnvPolicy, PolicyError};

/// Rollout keys; their values are the rollout planner's to check.
const ROLLOUT_KEYS: &[&str] = &[
    "canary",
    "batches",
    "parallel",
    "max_failures",
    "pause",
    "auto_rollback",
    "on_halt",
];

/// A table of settings: one `[groups.NAME]`.
pub(super) fn layer(field: &Field<'_>) -> Result<Layer, InventoryError> {
    Ok(settings_table(field, false)?.0)
}

/// `[defaults]`: the settings, and `ssh_config` (which only `[defaults]` may name: one
/// OpenSSH config per inventory, as one per `ssh` invocation).
pub(super) fn defaults(field: &Field<'_>) -> Result<(Layer, Option<SshConfigKey>), InventoryError> {
    settings_table(field, true)
}

/// The `ssh_config` key: the path, and where it was written (a config that cannot be read
/// is reported there).
pub(super) struct SshConfigKey {
    pub path: std::path::PathBuf,
    pub error_at: InventoryError,
}

fn settings_table(
    field: &Field<'_>,
    is_defaults: bool,
) -> Result<(Layer, Option<SshConfigKey>), InventoryError> {
    let table = field.table()?;
    let mut layer = Layer::default();
    let mut ssh_config = None;
    for (key, value) in entries_in_file_order(table) {
        let path = child_key(field.key, key.get_ref());
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        if is_defaults && key.get_ref() == "ssh_config" {
            ssh_config = Some(SshConfigKey {
                path: local_path(&entry)?,
                error_at: entry.error(""),
            });
            continue;
        }
        if !layer.set(key.get_ref(), &entry)? {
            let mut allowed = SETTING_KEYS.to_vec();
            if is_defaults {
                allowed.push("ssh_config");
            }
            let err = unknown_key(field.doc, key, field.key, &allowed);
            return Err(if key.get_ref() == "ssh_config" {
                err.hint("ssh_config may only be set in [defaults]")
            } else {
                err
            });
        }
    }
    Ok((layer, ssh_config))
}

/// `[groups.*]`: every group's name and settings, in file order.
pub(super) fn groups(field: &Field<'_>) -> Result<Vec<(String, Layer)>, InventoryError> {
    let table = field
        .table()
        .map_err(|e| e.hint("declare each group as its own [groups.NAME] table"))?;
    let mut out = Vec::new();
    for (key, value) in entries_in_file_order(table) {
        let name = key.get_ref().as_ref();
        let path = child_key(field.key, name);
        if name.is_empty()
            || name
                .chars()
                .any(|c| c.is_whitespace() || c == ',' || c == '&')
        {
            return Err(field
                .doc
                .error(key.span(), &path, format!("bad group name \"{name}\""))
                .hint("group names are used in selectors as group:NAME; use letters, digits, '-' or '_'"));
        }
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        out.push((name.to_owned(), layer(&entry)?));
    }
    Ok(out)
}

/// `[console]`.
pub(super) fn console(field: &Field<'_>) -> Result<ConsoleSettings, InventoryError> {
    let mut console = ConsoleSettings::default();
    for_each_key(field, &["refresh_interval"], |name, entry| {
        if name == "refresh_interval" {
            console.refresh = refresh_interval(entry)?;
        }
        Ok(())
    })?;
    Ok(console)
}

fn refresh_interval(field: &Field<'_>) -> Result<Option<Duration>, InventoryError> {
    if field.value.get_ref().as_str() == Some("off") {
        return Ok(None);
    }
    let interval = field.duration().map_err(|e| {
        let hint = "write a duration such as \"60s\", or \"off\" to turn auto-refresh off";
        e.hint(hint)
    })?;
    Ok(Some(interval).filter(|d| !d.is_zero()))
}

/// `[bundles]`.
pub(super) fn bundles(field: &Field<'_>) -> Result<BundleSettings, InventoryError> {
    let mut bundles = BundleSettings::default();
    for_each_key(
        field,
        &["dir", "require_signed", "trusted_keys"],
        |name, entry| {
            match name {
                "dir" => bundles.dir = Some(local_path(entry)?),
                "require_signed" => bundles.require_signed = entry.bool()?,
                _ => {
                    let items = entry
                        .array()
                        .map_err(|e| e.hint("write a list of key files: [\"keys/ops.pub\"]"))?;
                    bundles.trusted_keys = items
                        .iter()
                        .map(|(key, value)| {
                            local_path(&Field {
                                key,
                                value,
                                ..*entry
                            })
                        })
                        .collect::<Result<_, _>>()?;
                }
            }
            Ok(())
        },
    )?;
    Ok(bundles)
}

/// `[go_env]`: Go environment variable → the exact value every host must have.
pub(super) fn go_env(field: &Field<'_>) -> Result<GoEnvPolicy, InventoryError> {
    let table = field
        .table()
        .map_err(|e| e.hint("write [go_env] with one line per variable: GOPROXY = \"off\""))?;
    let mut policy = GoEnvPolicy::default();
    for (key, value) in entries_in_file_order(table) {
        let name = key.get_ref().as_ref();
        let path = child_key(field.key, name);
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        let text = entry
            .string()
            .map_err(|e| e.hint("Go reads its environment as text: quote the value"))?;
        policy.insert(name, text).map_err(|e| match e {
            PolicyError::BadName(_) => field
                .doc
                .error(key.span(), &path, e.to_string())
                .hint("name a variable `go env` knows, in upper case: GOTOOLCHAIN, GOPROXY, GOSUMDB, GOFLAGS, GOPRIVATE, GONOSUMDB, …"),
            PolicyError::BadValue(_) => entry
                .error(e.to_string())
                .hint("a value goes on one line of go.env and, quoted, of a profile: printable ASCII without ' \" \\ ` $"),
        })?;
    }
    Ok(policy)
}

/// `[rollout]`: only the key names are checked here; the raw table goes to the planner.
pub(super) fn check_rollout(field: &Field<'_>) -> Result<(), InventoryError> {
    for_each_key(field, ROLLOUT_KEYS, |_, _| Ok(()))
}

/// Calls `read` for each key of the table at `field`, in file order, refusing keys not in
/// `allowed`.
fn for_each_key(
    field: &Field<'_>,
    allowed: &[&str],
    mut read: impl FnMut(&str, &Field<'_>) -> Result<(), InventoryError>,
) -> Result<(), InventoryError> {
    let table = field.table()?;
    for (key, value) in entries_in_file_order(table) {
        let name = key.get_ref().as_ref();
        if !allowed.contains(&name) {
            return Err(unknown_key(field.doc, key, field.key, allowed));
        }
        let path = child_key(field.key, name);
        read(
            name,
            &Field {
                key: &path,
                value,
                ..*field
            },
        )?;
    }
    Ok(())
}

/// The raw `[rollout]` table, for the planner.
pub(super) fn raw_rollout(text: &str) -> Option<toml::Table> {
    // The spanned tree borrows the text and keeps TOML's lexical forms; the planner wants plain
    // values, which the ordinary parser gives (it accepted this text already, as DeTable did).
    match toml::from_str::<toml::Table>(text)
        .ok()?
        .remove("rollout")?
    {
        toml::Value::Table(t) => Some(t),
        _ => None,
    }
}
