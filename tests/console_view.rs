//! View snapshots of named console scenarios at 80×24 and 160×48, plus the styles the
//! snapshots cannot show (they carry no colour): failed rows, tampered audit logs, NO_COLOR.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use screen::{draw, key, keys, SIZES};
use std::time::Duration;

use crossterm::event::KeyCode;
use offgo::tui::testing::Action;
use offgo::tui::testing::Model;
use offgo::tui::testing::{update, update_all};
use offgo::tui::testing::{Msg, Stamp};
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// The console right after start: every host queued, two answered already.
fn loading(width: u16, height: u16) -> Model {
    let fleet = sample::mixed_fleet();
    let mut model = Model::new(&fleet.inventory, sample::settings(width, height));
    let at = Stamp::at(sample::STAMP_SECS - 2);
    update(
        &mut model,
        Msg::Tick {
            elapsed: Duration::ZERO,
            at,
        },
    );
    update(&mut model, Msg::Action(Action::Refresh));
    let first_two: Vec<Msg> = fleet.probed_msgs().into_iter().take(2).collect();
    update_all(&mut model, first_two);
    model
}

fn mixed(width: u16, height: u16) -> Model {
    sample::mixed_fleet().model(width, height)
}

#[test]
fn fleet_loading() {
    snapshot!("fleet_loading", loading);
}

#[test]
fn healthy_fleet() {
    snapshot!("healthy_fleet", |w, h| sample::healthy_fleet().model(w, h));
}

#[test]
fn mixed_failures() {
    snapshot!("mixed_failures", mixed);
}

#[test]
fn detail_of_a_failed_host() {
    snapshot!("detail_failed_host", |w, h| {
        let mut model = mixed(w, h);
        // batch-01: the probe output was not understood; its raw output is shown.
        assert_eq!(
            model.selected_row().map(|r| r.name.as_str()),
            Some("batch-01")
        );
        key(&mut model, KeyCode::Enter);
        model
    });
}

#[test]
fn detail_of_a_host_with_gaps_and_tampered_audit() {
    snapshot!("detail_gaps", |w, h| {
        let mut model = mixed(w, h);
        keys(&mut model, "/web-0");
        key(&mut model, KeyCode::Enter);
        keys(&mut model, "jj");
        key(&mut model, KeyCode::Enter);
        model
    });
}

#[test]
fn filter_active() {
    snapshot!("filter_active", |w, h| {
        let mut model = mixed(w, h);
        keys(&mut model, "/!web");
        model
    });
}

#[test]
fn help_open() {
    snapshot!("help_open", |w, h| {
        let mut model = mixed(w, h);
        keys(&mut model, "?");
        model
    });
}

/// Finds `text` on screen and returns its first cell.
fn find(buffer: &Buffer, text: &str) -> (u16, u16) {
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let line: String = (0..width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = line.find(text) {
            let x = line[..byte].chars().count() as u16;
            return (x, y);
        }
    }
    panic!("{text:?} is not on screen:\n{buffer:?}");
}

/// The table cell holding `text` in the row of `host`.
fn cell_in_row(buffer: &Buffer, host: &str, text: &str) -> (u16, u16) {
    let (_, y) = find(buffer, &format!(" {host} "));
    let line: String = (0..buffer.area.width)
        .map(|x| buffer[(x, y)].symbol().to_string())
        .collect();
    let byte = line
        .find(text)
        .unwrap_or_else(|| panic!("{text:?} not in the row of {host}: {line:?}"));
    (line[..byte].chars().count() as u16, y)
}

#[test]
fn failed_rows_are_red_and_unknown_rows_dim() {
    for (width, height) in SIZES {
        let model = mixed(width, height);
        let terminal = draw(&model);
        let buffer = terminal.backend().buffer();
        let (x, y) = cell_in_row(buffer, "db-02", "db-02");
        assert_eq!(
            buffer[(x, y)].fg,
            Color::Red,
            "db-02 timed out ({width}x{height})"
        );
        let (x, y) = cell_in_row(buffer, "db-02", "timeout");
        assert_eq!(buffer[(x, y)].fg, Color::Red);
        let (x, y) = cell_in_row(buffer, "web-01", "web-01");
        assert_eq!(
            buffer[(x, y)].fg,
            Color::Reset,
            "a healthy row keeps the default colour"
        );
        let (x, y) = cell_in_row(buffer, "edge-01", "unknown");
        assert!(
            buffer[(x, y)].modifier.contains(Modifier::DIM),
            "a host never probed is dim"
        );
    }
}

#[test]
fn audit_status_colours() {
    let model = mixed(160, 48);
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let (x, y) = cell_in_row(buffer, "web-04", "tampered");
    assert_eq!(buffer[(x, y)].fg, Color::Red);
    assert!(buffer[(x, y)].modifier.contains(Modifier::BOLD));
    let (x, y) = cell_in_row(buffer, "db-01", "missing");
    assert_eq!(buffer[(x, y)].fg, Color::Yellow);
    let (x, y) = cell_in_row(buffer, "batch-02", "diverged");
    assert_eq!(buffer[(x, y)].fg, Color::Yellow);
    let (x, y) = cell_in_row(buffer, "web-01", " ok ");
    assert_eq!(buffer[(x + 1, y)].fg, Color::Reset);
}

#[test]
fn the_selected_row_is_reversed() {
    let model = mixed(80, 24);
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let (x, y) = cell_in_row(buffer, "batch-01", "batch-01");
    assert!(buffer[(x, y)].modifier.contains(Modifier::REVERSED));
    let (x, y) = cell_in_row(buffer, "batch-02", "batch-02");
    assert!(!buffer[(x, y)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn no_color_draws_no_colour_at_all() {
    for (width, height) in SIZES {
        let mut model = mixed(width, height);
        model.settings.color = false;
        keys(&mut model, "?");
        for open_help in [true, false] {
            if !open_help {
                keys(&mut model, "?");
                key(&mut model, KeyCode::Enter);
            }
            let terminal = draw(&model);
            let buffer = terminal.backend().buffer();
            for cell in &buffer.content {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "{width}x{height}: {cell:?}"
                );
            }
            // Without colour the selection must still show.
            assert!(buffer
                .content
                .iter()
                .any(|c| c.modifier.contains(Modifier::REVERSED)));
        }
    }
}

#[test]
fn wide_screens_show_the_detail_beside_the_table_and_every_column() {
    let model = mixed(160, 48);
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let (table_x, table_y) = find(buffer, "address");
    let (detail_x, detail_y) = find(buffer, "raw output");
    assert!(
        detail_x > table_x + 40 && detail_y < table_y + 15,
        "detail to the side"
    );
    find(buffer, "latency");
}

#[test]
fn narrow_screens_drop_columns_by_priority() {
    let screen = |width| {
        let terminal = draw(&mixed(width, 24));
        let buffer = terminal.backend().buffer();
        buffer
            .content
            .iter()
            .map(|c| c.symbol())
            .collect::<String>()
    };
    let all = screen(80);
    for column in [
        "address",
        "go",
        "gaps",
        "audit",
        "state",
        "latency",
        "10.0.3.11",
    ] {
        assert!(all.contains(column), "{column} fits at 80 columns");
    }
    let narrow = screen(64);
    assert!(
        !narrow.contains("address") && !narrow.contains("10.0.3.11"),
        "the address goes first"
    );
    assert!(narrow.contains("latency") && narrow.contains("timeout"));
    let narrower = screen(50);
    assert!(!narrower.contains("latency") && !narrower.contains("audit"));
    assert!(
        narrower.contains("state")
            && narrower.contains("go1.22.10")
            && narrower.contains("host_key_mismatch")
    );
}

#[test]
fn ten_thousand_hosts_render_one_screen() {
    let mut model = sample::large_fleet(10_000).model(160, 48);
    keys(&mut model, "G");
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    find(buffer, "node-09999");
    find(buffer, "10000 hosts");
}

/// A host whose login uses become: the detail pane says how, and flags a helper that is not
/// the one the rule pins.
#[test]
fn the_detail_pane_shows_become_and_a_changed_helper() {
    use offgo::core::engine::{HelperStatus, PrivilegeReport};
    use offgo::core::remote::privilege::BecomeMethod;
    let mut fleet = sample::healthy_fleet();
    fleet.reports[0].as_mut().unwrap().privilege = Some(PrivilegeReport {
        method: BecomeMethod::Sudo,
        login: "deploy".into(),
        become_user: "root".into(),
        helper: HelperStatus::Changed,
        helper_sha256: Some("ab".repeat(32)),
    });
    let mut model = fleet.model(160, 48);
    key(&mut model, KeyCode::Enter);
    let screen = screen::text(&draw(&model));
    assert!(
        screen.contains("become    sudo deploy → root · helper changed: sudo refuses it"),
        "{screen}"
    );
}

#[test]
fn the_detail_pane_shows_which_bundle_an_athens_host_serves() {
    use offgo::core::engine::AthensReport;
    let mut fleet = sample::healthy_fleet();
    fleet.reports[0].as_mut().unwrap().athens = Some(AthensReport {
        storage: "/var/lib/athens".into(),
        bundle: Some("modcache-0123456789ab".into()),
    });
    fleet.reports[1].as_mut().unwrap().athens = Some(AthensReport {
        storage: "/var/lib/athens".into(),
        bundle: None,
    });
    let mut model = fleet.model(160, 48);
    key(&mut model, KeyCode::Enter);
    let screen = screen::text(&draw(&model));
    assert!(
        screen.contains("athens    serves modcache-0123456789ab from /var/lib/athens"),
        "{screen}"
    );
    key(&mut model, KeyCode::Esc);
    key(&mut model, KeyCode::Down);
    key(&mut model, KeyCode::Enter);
    let screen = screen::text(&draw(&model));
    assert!(
        screen.contains("athens    /var/lib/athens: no module-cache bundle preloaded"),
        "{screen}"
    );
}
