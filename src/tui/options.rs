//! How the console is started (filled in by the command line).

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleOptions {
    /// Hosts probed at once.
    pub parallel: usize,
    /// Never change a host: actions that would are refused.
    pub read_only: bool,
    /// Overrides `[console] refresh`; `Some(Duration::ZERO)` turns auto-refresh off.
    pub refresh: Option<Duration>,
    /// Where the log goes; `None`: [`crate::logging::default_log_path`].
    pub log_file: Option<PathBuf>,
    /// Draw colours; false when `NO_COLOR` is set (see [`no_color_requested`]).
    pub color: bool,
    /// The jump host's audit log; `None`: the operator's (`$XDG_STATE_HOME/offgo/audit.log`).
    /// The demo points it at its throwaway fleet.
    pub local_audit_log: Option<PathBuf>,
}

impl Default for ConsoleOptions {
    fn default() -> Self {
        Self {
            parallel: crate::core::engine::EngineOptions::default().parallel,
            read_only: false,
            refresh: None,
            log_file: None,
            color: !no_color_requested(),
            local_audit_log: None,
        }
    }
}

impl ConsoleOptions {
    /// The auto-refresh period in force: this override, else the inventory's; `None`: off.
    pub fn refresh_period(&self, inventory: Option<Duration>) -> Option<Duration> {
        self.refresh.or(inventory).filter(|d| !d.is_zero())
    }
}

/// `NO_COLOR` set to anything but the empty string (https://no-color.org).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}
