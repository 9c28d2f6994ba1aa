//! `ssh_config` in `[defaults]`: what an OpenSSH config supplies to each host, under the keys
//! the inventory set itself (DESIGN.md, "Jump hosts and OpenSSH config").

use std::path::PathBuf;

use super::error::{InventoryError, Position};
use super::model::SettingSource;
use super::sections::SshConfigKey;
use super::settings::Settings;
pub(super) use crate::core::ssh_config::SshConfig;
use crate::core::ssh_config::{self as openssh, expand, Origin, SshConfigError, TokenValues};

/// Reads the config the inventory names; a file that cannot be read is reported at the key,
/// a bad line at its own file and line.
pub(super) fn read(key: SshConfigKey) -> Result<SshConfig, InventoryError> {
    openssh::read(&key.path).map_err(|e| {
        if e.file == key.path && e.line == 0 {
            let mut err = key.error_at;
            err.message = format!(
                "cannot read the ssh config {}: {}",
                key.path.display(),
                e.message
            );
            err.hint = e.hint;
            err
        } else {
            from_config_error(e)
        }
    })
}

fn from_config_error(e: SshConfigError) -> InventoryError {
    let mut err = InventoryError::new(e.message).in_file(&e.file);
    if e.line > 0 {
        err = err.at(Position {
            line: e.line,
            column: e.column,
        });
    }
    match e.hint {
        Some(hint) => err.hint(hint),
        None => err,
    }
}

/// Fills what the inventory left unset from the config's blocks for `name`. Returns the
/// address (the inventory's, else `HostName`, else the name itself, as `ssh NAME` would), the
/// jump chain, and where each supplied value came from.
pub(super) fn apply(
    config: &SshConfig,
    name: &str,
    address: Option<String>,
    settings: &mut Settings,
) -> Result<(String, Option<String>, Vec<SettingSource>), InventoryError> {
    let found = config.lookup(name);
    let mut sources = Vec::new();
    let mut note = |key, value: String, origin: &Origin| {
        sources.push(SettingSource {
            key,
            value,
            origin: origin.clone(),
        })
    };
    let early = TokenValues {
        original: name,
        host: name,
        user: &settings.user,
        port: settings.port,
    };
    let address = match (address, &found.host_name) {
        (Some(address), _) => address,
        (None, Some(v)) => {
            let address = expand(&v.value, &early, &v.origin).map_err(from_config_error)?;
            check_address(&address, &v.origin)?;
            note("address", address.clone(), &v.origin);
            address
        }
        (None, None) => name.to_owned(),
    };
    if let (false, Some(v)) = (settings.explicit.user, &found.user) {
        settings.user.clone_from(&v.value);
        note("user", v.value.clone(), &v.origin);
    }
    if let (false, Some(v)) = (settings.explicit.port, &found.port) {
        settings.port = v.value;
        note("port", v.value.to_string(), &v.origin);
    }
    let values = TokenValues {
        original: name,
        host: &address,
        user: &settings.user,
        port: settings.port,
    };
    if !settings.explicit.identity_file && !found.identity_files.is_empty() {
        let (path, origin) = identity(&found.identity_files, &values)?;
        note("identity_file", display(&path), &origin);
        settings.identity_file = path;
    }
    if let (false, Some(v)) = (settings.explicit.known_hosts, &found.known_hosts) {
        let path = PathBuf::from(expand(&v.value, &values, &v.origin).map_err(from_config_error)?);
        note("known_hosts", path.display().to_string(), &v.origin);
        settings.known_hosts = path;
    }
    let proxy_jump = found.proxy_jump.and_then(|v| {
        note(
            "proxy_jump",
            v.value.clone().unwrap_or_else(|| "none".into()),
            &v.origin,
        );
        v.value
    });
    Ok((address, proxy_jump, sources))
}

/// The first `IdentityFile` that can be read, as OpenSSH skips the missing ones. When none
/// can, ssh-agent is tried, and the source says so rather than hiding it.
fn identity(
    files: &[openssh::Value<String>],
    values: &TokenValues<'_>,
) -> Result<(Option<PathBuf>, Origin), InventoryError> {
    for v in files {
        let path = PathBuf::from(expand(&v.value, values, &v.origin).map_err(from_config_error)?);
        if path.is_file() && std::fs::File::open(&path).is_ok() {
            return Ok((Some(path), v.origin.clone()));
        }
    }
    Ok((None, files[0].origin.clone()))
}

fn display(path: &Option<PathBuf>) -> String {
    match path {
        Some(path) => path.display().to_string(),
        None => "none readable; ssh-agent is tried".into(),
    }
}

fn check_address(address: &str, origin: &Origin) -> Result<(), InventoryError> {
    if address.is_empty() || address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(from_config_error(
            SshConfigError::new(
                &origin.file,
                origin.line,
                format!("bad HostName \"{address}\""),
            )
            .hint("write an IP address or DNS name"),
        ));
    }
    Ok(())
}
