//! Logs go to a file under the XDG state dir, never over the console; headless `--verbose`
//! sends detail to stderr instead.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use color_eyre::eyre::{eyre, WrapErr};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// `$XDG_STATE_HOME/offgo/offgo-tui.log` (default `~/.local/state/offgo/offgo-tui.log`).
pub fn default_log_path() -> PathBuf {
    crate::core::xdg::state_dir().join("offgo-tui.log")
}

/// Sends `tracing` output to `path` (appending) through a background writer, so logging never
/// blocks the console. Keep the returned guard alive: dropping it flushes the log. The level
/// comes from `OFFGO_LOG` (e.g. `debug`, `offgo=trace`), default `info`.
pub fn init_logging(path: &Path) -> color_eyre::Result<WorkerGuard> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .wrap_err_with(|| format!("cannot create the log directory {}", dir.display()))?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .wrap_err_with(|| {
            format!(
                "cannot open the log file {} (set another with --log-file)",
                path.display()
            )
        })?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("OFFGO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .map_err(|e| eyre!("cannot start logging to {}: {e}", path.display()))?;
    Ok(guard)
}

/// Headless: the log file, or stderr at debug level with `--verbose`. Logging trouble never
/// stops a command: it is reported on stderr and the command goes on.
pub fn init_headless(verbose: bool) -> Option<WorkerGuard> {
    if !verbose {
        return init_logging(&default_log_path())
            .map_err(|e| eprintln!("offgo-tui: {e} (continuing without a log file)"))
            .ok();
    }
    let (writer, guard) = tracing_appender::non_blocking(std::io::stderr());
    let filter =
        EnvFilter::try_from_env("OFFGO_LOG").unwrap_or_else(|_| EnvFilter::new("offgo=debug"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
