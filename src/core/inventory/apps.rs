//! `[apps.NAME]`: how a Go application pushed as an app bundle is restarted and checked on its
//! hosts (DESIGN.md, "Go application bundles").
//!
//! ```toml
//! [apps.svc]
//! restart = "systemctl restart svc"          # run on the host after the switch
//! health = "curl -fsS http://127.0.0.1:8080/health"   # exits 0 when the service is healthy
//! health_timeout = "30s"                     # health is retried until then (default 30s)
//! ```
//!
//! Both commands run as the login user, exactly as written (never through offgo's become
//! helper): a service that needs root to restart says so itself (`sudo -n systemctl restart
//! svc`), with a rule the security team grants for that one command. A table may leave a key
//! out; a push of that app refuses at pre-flight, naming the missing key.

use std::collections::BTreeMap;
use std::time::Duration;

use super::error::InventoryError;
use super::field::{child_key, entries_in_file_order, unknown_key, Field};

/// Keys of one `[apps.NAME]` table.
pub const APP_KEYS: &[&str] = &["restart", "health", "health_timeout"];

/// `health_timeout` when the table does not set it.
pub const DEFAULT_HEALTH_TIMEOUT: Duration = Duration::from_secs(30);

/// One `[apps.NAME]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppSettings {
    pub name: String,
    /// The command that restarts the service after a switch; `None` when the table leaves it out.
    pub restart: Option<String>,
    /// The command that exits 0 when the service is healthy.
    pub health: Option<String>,
    /// How long `health` is retried after a restart before the push counts as failed.
    pub health_timeout: Duration,
    /// Where the table starts, `file:line` (named when a push refuses for a missing key).
    pub defined_at: String,
}

/// Every `[apps.NAME]` of the inventory, by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppTable {
    apps: BTreeMap<String, AppSettings>,
}

impl AppTable {
    pub fn get(&self, name: &str) -> Option<&AppSettings> {
        self.apps.get(name)
    }

    pub fn iter(&self) -> impl Iterator<Item = &AppSettings> {
        self.apps.values()
    }

    pub fn is_empty(&self) -> bool {
        self.apps.is_empty()
    }
}

/// An app name as `app build` accepts it (it names directories on every host).
pub fn valid_app_name(name: &str) -> bool {
    let mut bytes = name.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && name.len() <= 64
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_'))
}

/// `[apps]`: one table per app.
pub(super) fn apps(field: &Field<'_>) -> Result<AppTable, InventoryError> {
    let table = field.table().map_err(|e| {
        e.hint("declare each app as its own table: [apps.svc] with restart and health")
    })?;
    let mut out = AppTable::default();
    for (key, value) in entries_in_file_order(table) {
        let name = key.get_ref().as_ref();
        let path = child_key(field.key, name);
        if !valid_app_name(name) {
            return Err(field
                .doc
                .error(key.span(), &path, format!("bad app name \"{name}\""))
                .hint("use the --name the bundle was built with: lower-case letters, digits, '-' or '_'"));
        }
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        let line = super::error::Position::of_offset(field.doc.text, key.span().start).line;
        let defined_at = format!("{}:{line}", field.doc.file.display());
        out.apps
            .insert(name.to_string(), app(&entry, name, defined_at)?);
    }
    Ok(out)
}

fn app(field: &Field<'_>, name: &str, defined_at: String) -> Result<AppSettings, InventoryError> {
    let table = field
        .table()
        .map_err(|e| e.hint(format!("write [apps.{name}] with restart and health keys")))?;
    let mut settings = AppSettings {
        name: name.to_string(),
        restart: None,
        health: None,
        health_timeout: DEFAULT_HEALTH_TIMEOUT,
        defined_at,
    };
    for (key, value) in entries_in_file_order(table) {
        let key_name = key.get_ref().as_ref();
        let path = child_key(field.key, key_name);
        let entry = Field {
            key: &path,
            value,
            ..*field
        };
        match key_name {
            "restart" => settings.restart = Some(command(&entry)?),
            "health" => settings.health = Some(command(&entry)?),
            "health_timeout" => settings.health_timeout = timeout(&entry)?,
            _ => return Err(unknown_key(field.doc, key, field.key, APP_KEYS)),
        }
    }
    Ok(settings)
}

/// A command for the host's `sh -c`: any text but empty or holding a NUL.
fn command(field: &Field<'_>) -> Result<String, InventoryError> {
    let text = field
        .string()
        .map_err(|e| e.hint("write the command as it would be typed on the host, in quotes"))?;
    if text.trim().is_empty() {
        return Err(field
            .error("the command is empty")
            .hint("write the command as it would be typed on the host, or leave the key out"));
    }
    if text.contains('\0') {
        return Err(field
            .error("the command holds a NUL character")
            .hint("a shell command cannot hold NUL"));
    }
    Ok(text.to_string())
}

fn timeout(field: &Field<'_>) -> Result<Duration, InventoryError> {
    let timeout = field.duration()?;
    if timeout.is_zero() {
        return Err(field
            .error("health_timeout must be longer than zero")
            .hint("give the service time to start, e.g. \"30s\""));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn parse(extra: &str) -> Result<super::super::Inventory, String> {
        let text = format!(
            "[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n{extra}",
            extra = extra
        );
        super::super::parse(&text, Path::new("inv.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn an_app_table_reads_its_commands_and_defaults_the_timeout() {
        let inv = parse(
            "[apps.svc]\nrestart = \"systemctl restart svc\"\nhealth = \"curl -fsS http://127.0.0.1:8080/health\"\n\
             [apps.api]\nhealth = \"true\"\nhealth_timeout = \"5s\"\n",
        )
        .unwrap();
        let svc = inv.apps.get("svc").unwrap();
        assert_eq!(svc.restart.as_deref(), Some("systemctl restart svc"));
        assert_eq!(svc.health_timeout, super::DEFAULT_HEALTH_TIMEOUT);
        assert_eq!(svc.defined_at, "inv.toml:4");
        let api = inv.host(0).apps.get("api").unwrap();
        assert_eq!(api.restart, None, "a missing key is pre-flight's to refuse");
        assert_eq!(api.health_timeout, std::time::Duration::from_secs(5));
    }

    #[test]
    fn bad_app_tables_name_file_line_and_key() {
        for (extra, want) in [
            (
                "[apps.svc]\nrestrat = \"x\"\n",
                "inv.toml:5:1: apps.svc.restrat: unknown key `restrat`\n  hint: did you mean `restart`?",
            ),
            (
                "[apps.svc]\nhealth = 3\n",
                "inv.toml:5:10: apps.svc.health: expected a string, found an integer",
            ),
            (
                "[apps.svc]\nrestart = \"  \"\n",
                "inv.toml:5:11: apps.svc.restart: the command is empty",
            ),
            (
                "[apps.svc]\nhealth_timeout = \"0s\"\n",
                "inv.toml:5:18: apps.svc.health_timeout: health_timeout must be longer than zero",
            ),
            (
                "[apps.svc]\nhealth_timeout = \"soon\"\n",
                "inv.toml:5:18: apps.svc.health_timeout: bad duration \"soon\"",
            ),
            (
                "[apps.Svc]\nhealth = \"true\"\n",
                "inv.toml:4:7: apps.Svc: bad app name \"Svc\"",
            ),
        ] {
            let err = parse(extra).unwrap_err();
            assert!(err.starts_with(want), "{extra:?}\n got: {err}\nwant: {want}");
        }
    }
}
