//! Where offgo keeps its files on the jump host (XDG base directories).

use std::path::PathBuf;

fn from_env(var: &str, fallback: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => dirs::home_dir()
            .unwrap_or_else(|| PathBuf::from("/tmp"))
            .join(fallback),
    }
}

/// `$XDG_STATE_HOME/offgo` (default `~/.local/state/offgo`): audit log, journals, logs.
pub fn state_dir() -> PathBuf {
    from_env("XDG_STATE_HOME", ".local/state").join("offgo")
}

/// `$XDG_CONFIG_HOME/offgo` (default `~/.config/offgo`): the last inventory lookup place.
pub fn config_dir() -> PathBuf {
    from_env("XDG_CONFIG_HOME", ".config").join("offgo")
}

/// `$XDG_CACHE_HOME/offgo` (default `~/.cache/offgo`): repacked Go releases for the demo.
pub fn cache_dir() -> PathBuf {
    from_env("XDG_CACHE_HOME", ".cache").join("offgo")
}

/// The jump host's audit log, one file for all hosts (DESIGN.md, "Audit log").
pub fn local_audit_log() -> PathBuf {
    state_dir().join("audit.log")
}

/// Expands a leading `~` or `~/` to the operator's home directory.
pub fn expand_tilde(path: &str) -> PathBuf {
    if path == "~" {
        return dirs::home_dir().unwrap_or_else(|| PathBuf::from("~"));
    }
    match (path.strip_prefix("~/"), dirs::home_dir()) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}
