//! Console options: NO_COLOR and the auto-refresh period. One test per binary touches the
//! environment, so nothing reads it while it changes.

use std::time::Duration;

use offgo::tui::testing::no_color_requested;
use offgo::tui::ConsoleOptions;

#[test]
fn no_color_is_honoured_when_set_and_not_empty() {
    std::env::remove_var("NO_COLOR");
    assert!(!no_color_requested());
    assert!(ConsoleOptions::default().color);
    std::env::set_var("NO_COLOR", "");
    assert!(
        !no_color_requested(),
        "an empty NO_COLOR does not count (no-color.org)"
    );
    std::env::set_var("NO_COLOR", "1");
    assert!(no_color_requested());
    assert!(!ConsoleOptions::default().color);
    std::env::remove_var("NO_COLOR");

    let minute = Some(Duration::from_secs(60));
    let mut options = ConsoleOptions {
        refresh: None,
        ..ConsoleOptions::default()
    };
    assert_eq!(
        options.refresh_period(minute),
        minute,
        "the inventory's period by default"
    );
    assert_eq!(options.refresh_period(None), None);
    options.refresh = Some(Duration::from_secs(5));
    assert_eq!(
        options.refresh_period(minute),
        Some(Duration::from_secs(5)),
        "the option wins"
    );
    options.refresh = Some(Duration::ZERO);
    assert_eq!(
        options.refresh_period(minute),
        None,
        "zero turns auto-refresh off"
    );
}
