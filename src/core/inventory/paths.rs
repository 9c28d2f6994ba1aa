//! The two kinds of path in an inventory: local ones on the jump host (`~` expands, relative
//! means relative to the inventory file) and remote ones on the hosts (absolute, taken
//! literally: no shell on our side may expand them).

use std::path::PathBuf;

use super::error::InventoryError;
use super::field::Field;
use crate::core::xdg::expand_tilde;

/// A path on the jump host.
pub(super) fn local_path(field: &Field<'_>) -> Result<PathBuf, InventoryError> {
    let raw = field.string()?;
    if raw.is_empty() {
        return Err(field
            .error("empty path")
            .hint("write a path, or remove the key"));
    }
    if raw.starts_with('~') && raw != "~" && !raw.starts_with("~/") {
        return Err(field
            .error(format!("\"{raw}\": only `~/` is expanded, not `~user/`"))
            .hint("write the full path, e.g. \"/home/user/.ssh/id_ed25519\""));
    }
    let path = expand_tilde(raw);
    Ok(if path.is_relative() {
        field.doc.base_dir.join(path)
    } else {
        path
    })
}

/// A path on the hosts, normalised: no trailing or doubled slashes, no `.` components.
pub(super) fn remote_path(field: &Field<'_>) -> Result<String, InventoryError> {
    let raw = field.string()?;
    check_remote(field, raw)?;
    let parts: Vec<&str> = raw
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    if parts.contains(&"..") {
        return Err(field
            .error(format!("remote path \"{raw}\" contains `..`"))
            .hint("write the path without `..`, as the host should see it"));
    }
    if parts.is_empty() {
        return Err(field
            .error("remote path is the root directory `/`")
            .hint("point it at a directory or file of its own, e.g. \"/opt/offgo/releases\""));
    }
    Ok(format!("/{}", parts.join("/")))
}

/// A glob on the hosts (`check_binaries`): absolute, otherwise taken as written.
pub(super) fn remote_glob(field: &Field<'_>, raw: &str) -> Result<String, InventoryError> {
    check_remote(field, raw)?;
    Ok(raw.to_owned())
}

fn check_remote(field: &Field<'_>, raw: &str) -> Result<(), InventoryError> {
    if raw.is_empty() {
        return Err(field
            .error("empty remote path")
            .hint("write an absolute path, or remove the key"));
    }
    if raw.starts_with('~') {
        return Err(field
            .error(format!(
                "remote path \"{raw}\" starts with `~`, which is not expanded on hosts"
            ))
            .hint("write the absolute path on the host, e.g. \"/home/deploy/...\""));
    }
    if !raw.starts_with('/') {
        return Err(field
            .error(format!("remote path \"{raw}\" is relative"))
            .hint(format!("remote paths must be absolute: \"/{raw}\"?")));
    }
    if raw.chars().any(char::is_control) {
        return Err(field
            .error(format!("remote path {raw:?} contains a control character"))
            .hint("remove the newline, tab or other control character"));
    }
    Ok(())
}
