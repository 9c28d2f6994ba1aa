//! Logs go to a file under the XDG state dir, never over the console; headless `--verbose`
//! adds detail on stderr.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// The log file: `$XDG_STATE_HOME/offgo/offgo-tui.log`.
pub fn log_file() -> std::path::PathBuf {
    crate::core::xdg::state_dir().join("offgo-tui.log")
}

/// Keep the returned guard alive for the life of the program: dropping it flushes the log.
pub fn init_file() -> Option<WorkerGuard> {
    let path = log_file();
    let dir = path.parent()?;
    std::fs::create_dir_all(dir).ok()?;
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(file);
    let filter = EnvFilter::try_from_env("OFFGO_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Headless: the log file, or stderr at debug level with `--verbose`.
pub fn init_headless(verbose: bool) -> Option<WorkerGuard> {
    if !verbose {
        return init_file();
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
