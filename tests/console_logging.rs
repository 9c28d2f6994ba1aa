//! Logging goes to the file it is given (creating its directory), never to the terminal.
//! One test in this binary: the tracing subscriber is process-wide.

use offgo::tui::init_logging;

#[test]
fn logs_land_in_the_file_and_a_second_init_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/offgo/offgo-tui.log");
    let guard = init_logging(&path).unwrap();
    tracing::info!(host = "web-01", "probe finished");
    tracing::debug!("below the default level");
    let again = init_logging(&dir.path().join("other.log"))
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        again.contains("cannot start logging to") && again.contains("other.log"),
        "{again}"
    );
    drop(guard); // flushes the background writer
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("probe finished") && text.contains("host=\"web-01\""),
        "{text}"
    );
    assert!(!text.contains("below the default level"));
    assert!(!text.contains('\u{1b}'), "no ANSI colour codes in the file");

    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, "").unwrap();
    let error = init_logging(&blocked.join("offgo-tui.log"))
        .err()
        .map(|e| format!("{e:#}"))
        .unwrap_or_default();
    assert!(
        error.contains("cannot create the log directory") && error.contains("a-file"),
        "{error}"
    );
}
