//! The console's `update()` without a terminal: messages in, model and commands out.

#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::core::ssh::ErrorKind;
use offgo::tui::testing::Action;
use offgo::tui::testing::Filter;
use offgo::tui::testing::Level;
use offgo::tui::testing::RowState;
use offgo::tui::testing::Scope;
use offgo::tui::testing::SortColumn;
use offgo::tui::testing::{update, update_all};
use offgo::tui::testing::{Command, Msg, Stamp};
use offgo::tui::testing::{Focus, Model};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

fn press(model: &mut Model, text: &str) -> Vec<Command> {
    text.chars().flat_map(|c| update(model, ch(c))).collect()
}

fn visible_names(model: &Model) -> Vec<&str> {
    model
        .visible
        .iter()
        .map(|&id| model.rows[id].name.as_str())
        .collect()
}

fn selected_name(model: &Model) -> &str {
    model.selected_row().map(|r| r.name.as_str()).unwrap_or("")
}

fn probes(commands: &[Command]) -> Vec<Vec<usize>> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::Probe(ids) => Some(ids.clone()),
            _ => None,
        })
        .collect()
}

fn mixed() -> Model {
    sample::mixed_fleet().model(80, 24)
}

#[test]
fn filter_narrows_as_you_type_enter_keeps_esc_clears() {
    let mut m = mixed();
    press(&mut m, "/db");
    assert_eq!(m.scope(), Scope::Filter);
    assert_eq!(visible_names(&m), ["db-01", "db-02", "db-03"]);
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.scope(), Scope::Table);
    assert_eq!(
        visible_names(&m),
        ["db-01", "db-02", "db-03"],
        "Enter keeps the filter"
    );
    // Back in the table, letters are keys again: `j` moves instead of typing.
    update(&mut m, ch('j'));
    assert_eq!(selected_name(&m), "db-02");
    assert_eq!(m.filter.input.value(), "db");
    update(&mut m, key(KeyCode::Esc));
    assert_eq!(m.visible.len(), 12, "Esc clears the filter");
    assert_eq!(
        selected_name(&m),
        "db-02",
        "the selection survives the filter going away"
    );
}

#[test]
fn filter_matches_address_version_and_error_text() {
    let mut m = mixed();
    press(&mut m, "/refused");
    assert_eq!(
        visible_names(&m),
        ["cache-02", "db-03"],
        "auth and refused errors both say refused"
    );
    update(&mut m, key(KeyCode::Esc));
    press(&mut m, "/10.0.5.");
    assert_eq!(visible_names(&m), ["cache-01", "cache-02"]);
    update(&mut m, key(KeyCode::Esc));
    press(&mut m, "/GO1.21");
    assert_eq!(visible_names(&m), ["db-01", "web-03"]);
    update(&mut m, key(KeyCode::Backspace));
    update(&mut m, key(KeyCode::Backspace));
    update(&mut m, key(KeyCode::Backspace));
    assert!(
        visible_names(&m).contains(&"web-01"),
        "backspace widens the filter again: {:?}",
        visible_names(&m)
    );
}

#[test]
fn bang_inverts_the_filter() {
    let mut m = mixed();
    press(&mut m, "/!web");
    let names = visible_names(&m);
    assert_eq!(names.len(), 8);
    assert!(names.iter().all(|n| !n.starts_with("web")), "{names:?}");
}

#[test]
fn filter_with_no_match_leaves_nothing_selected() {
    let mut m = mixed();
    press(&mut m, "/nothing-like-this");
    assert!(m.visible.is_empty());
    assert_eq!(m.selected, None);
    update(&mut m, key(KeyCode::Enter));
    update(&mut m, ch(' '));
    update(&mut m, ch('G'));
    assert_eq!(
        m.marked().count(),
        0,
        "marking with nothing selected does nothing"
    );
}

#[test]
fn s_cycles_the_sort_column_and_shift_s_reverses() {
    let mut m = mixed();
    assert_eq!(m.sort.column, SortColumn::Name);
    assert_eq!(visible_names(&m)[0], "batch-01");
    update(&mut m, ch('s'));
    assert_eq!(m.sort.column, SortColumn::Address);
    assert_eq!(visible_names(&m)[..2], ["web-01", "web-02"]);
    update(&mut m, ch('s'));
    assert_eq!(m.sort.column, SortColumn::GoVersion);
    let names: Vec<String> = visible_names(&m).iter().map(|n| n.to_string()).collect();
    assert_eq!(names[..2], ["db-01", "web-03"], "oldest Go first");
    update(&mut m, ch('S'));
    assert!(m.sort.reverse);
    let reversed: Vec<&str> = names.iter().rev().map(String::as_str).collect();
    assert_eq!(visible_names(&m), reversed);
    for _ in 0..3 {
        update(&mut m, ch('s'));
    }
    assert_eq!(m.sort.column, SortColumn::State);
    assert!(!m.sort.reverse, "a new column starts in its natural order");
    let first = &m.rows[m.visible[0]];
    assert!(
        matches!(first.state(), RowState::Failed(_)),
        "failed hosts first, got {}",
        first.name
    );
}

#[test]
fn selection_follows_the_host_across_a_resort() {
    let mut m = mixed();
    update(&mut m, ch('G'));
    assert_eq!(selected_name(&m), "web-04");
    update(&mut m, ch('s'));
    assert_eq!(selected_name(&m), "web-04");
    assert_eq!(Some(m.visible[m.cursor]), m.selected);
}

#[test]
fn movement_keys() {
    let mut m = sample::large_fleet(100).model(80, 24);
    let page = m.table_page();
    assert!(page > 5);
    update(&mut m, ch('j'));
    update(&mut m, key(KeyCode::Down));
    assert_eq!(m.cursor, 2);
    update(&mut m, ch('k'));
    assert_eq!(m.cursor, 1);
    update(&mut m, key(KeyCode::PageDown));
    assert_eq!(m.cursor, 1 + page);
    assert!(
        m.offset <= m.cursor && m.cursor < m.offset + page,
        "the cursor stays on screen"
    );
    update(&mut m, key(KeyCode::PageUp));
    assert_eq!(m.cursor, 1);
    update(&mut m, ch('G'));
    assert_eq!(m.cursor, 99);
    assert_eq!(m.offset, 100 - page);
    update(&mut m, key(KeyCode::Down));
    assert_eq!(m.cursor, 99, "no wrap past the end");
    update(&mut m, ch('g'));
    assert_eq!((m.cursor, m.offset), (0, 0));
    update(&mut m, key(KeyCode::Up));
    assert_eq!(m.cursor, 0);
}

#[test]
fn space_marks_and_moves_down_a_marks_all_visible() {
    let mut m = mixed();
    update(&mut m, ch(' '));
    assert!(m.rows[m.visible[0]].marked);
    assert_eq!(m.cursor, 1);
    update(&mut m, ch('k'));
    update(&mut m, ch(' '));
    assert!(!m.rows[m.visible[0]].marked, "space again unmarks");
    press(&mut m, "/web");
    update(&mut m, key(KeyCode::Enter));
    update(&mut m, ch('a'));
    let marked: Vec<&str> = m.marked().map(|r| r.name.as_str()).collect();
    assert_eq!(marked, ["web-01", "web-02", "web-03", "web-04"]);
    update(&mut m, ch('a'));
    assert_eq!(m.marked().count(), 0, "a again unmarks the visible hosts");
}

#[test]
fn ctrl_r_probes_the_marked_hosts_only() {
    let mut m = mixed();
    let id_of = |m: &Model, name: &str| {
        m.rows
            .iter()
            .position(|r| r.name == name)
            .unwrap_or(usize::MAX)
    };
    let (db02, web03) = (id_of(&m, "db-02"), id_of(&m, "web-03"));
    for id in [db02, web03] {
        let index = m
            .visible
            .iter()
            .position(|&v| v == id)
            .unwrap_or(usize::MAX);
        update(&mut m, ch('g'));
        for _ in 0..index {
            update(&mut m, ch('j'));
        }
        update(&mut m, ch(' '));
    }
    let commands = update(&mut m, ctrl('r'));
    let mut targets = probes(&commands);
    targets.iter_mut().for_each(|t| t.sort());
    let mut expected = vec![web03, db02];
    expected.sort();
    assert_eq!(targets, [expected]);
    assert_eq!(m.rows[db02].state(), RowState::Probing);
    assert_eq!(m.summary.probing, 2);
    assert!(commands.contains(&Command::Redraw));
    // While they are still probing, a second ctrl-r does not queue them twice.
    let again = update(&mut m, ctrl('r'));
    assert!(probes(&again).is_empty(), "{again:?}");
    let last = m
        .log
        .last(1)
        .next()
        .map(|e| e.text.clone())
        .unwrap_or_default();
    assert!(last.contains("2 still probing"), "{last}");
}

#[test]
fn ctrl_r_without_marks_probes_every_host() {
    let mut m = mixed();
    let commands = update(&mut m, ctrl('r'));
    assert_eq!(probes(&commands), [(0..12).collect::<Vec<_>>()]);
    assert_eq!(m.summary.probing, 12);
}

#[test]
fn engine_events_fold_into_rows_counts_and_log() {
    let fleet = sample::mixed_fleet();
    let mut m = Model::new(&fleet.inventory, sample::settings(80, 24));
    assert_eq!(m.summary.unknown, 12);
    assert_eq!(m.rows[5].state(), RowState::Unknown);
    update(&mut m, sample::started(5));
    assert_eq!(m.rows[5].state(), RowState::Probing);
    assert_eq!(m.summary.probing, 1);
    let timeout = fleet.reports[5].clone().unwrap_or_else(|| unreachable!());
    let commands = update(&mut m, sample::probed(5, timeout));
    assert_eq!(commands, [Command::Redraw]);
    assert_eq!(
        m.rows[5].state(),
        RowState::Failed(Some(ErrorKind::Timeout))
    );
    assert_eq!(
        (m.summary.probing, m.summary.unreachable, m.summary.unknown),
        (0, 1, 11)
    );
    let entry = m
        .log
        .last(1)
        .next()
        .cloned()
        .unwrap_or_else(|| unreachable!());
    assert_eq!(entry.level, Level::Error);
    assert_eq!(entry.at.to_string(), "09:30:00");
    assert!(
        entry.text.starts_with("db-02: timeout: no answer"),
        "{}",
        entry.text
    );

    update_all(&mut m, fleet.probed_msgs());
    let s = &m.summary;
    assert_eq!(
        (s.reachable, s.unreachable, s.unknown, s.probing),
        (7, 4, 1, 0)
    );
    assert_eq!((s.with_gaps, s.audit_problems), (1, 3));
    assert_eq!(s.versions.get("go1.22.10"), Some(&3));
    assert_eq!(s.versions.get("go1.21.13"), Some(&2));
    assert_eq!(s.versions.get("none"), Some(&1));
    // A re-probe that now succeeds moves the host from failed to reachable.
    let healthy = sample::healthy(&fleet.inventory.hosts[5], "go1.22.10", 9);
    update(&mut m, sample::probed(5, healthy));
    assert_eq!(m.rows[5].state(), RowState::Up);
    assert_eq!((m.summary.reachable, m.summary.unreachable), (8, 3));
    assert_eq!(m.summary.versions.get("go1.22.10"), Some(&4));
    assert_eq!(
        m.summary,
        offgo::tui::testing::FleetSummary::of(&m.rows),
        "counted incrementally = recounted"
    );
}

#[test]
fn a_probe_result_refilters_the_table() {
    let fleet = sample::mixed_fleet();
    let mut m = fleet.model(80, 24);
    press(&mut m, "/timeout");
    assert_eq!(visible_names(&m), ["db-02"]);
    let healthy = sample::healthy(&fleet.inventory.hosts[5], "go1.22.10", 9);
    update(&mut m, sample::probed(5, healthy));
    assert!(
        m.visible.is_empty(),
        "db-02 no longer times out, so the filter drops it"
    );
}

#[test]
fn an_event_for_an_unknown_host_is_logged_not_fatal() {
    let fleet = sample::mixed_fleet();
    let mut m = fleet.model(80, 24);
    let report = sample::healthy(&fleet.inventory.hosts[0], "go1.22.10", 9);
    update(&mut m, sample::probed(99, report));
    update(&mut m, sample::started(77));
    let texts: Vec<String> = m.log.last(2).map(|e| e.text.clone()).collect();
    assert!(
        texts.iter().all(|t| t.contains("not in the inventory")),
        "{texts:?}"
    );
    assert_eq!(m.summary.hosts, 12);
}

#[test]
fn quit_from_the_table_and_from_the_filter() {
    let mut m = mixed();
    assert!(update(&mut m, ch('q')).contains(&Command::Quit));
    let mut m = mixed();
    assert!(update(&mut m, ctrl('c')).contains(&Command::Quit));
    let mut m = mixed();
    update(&mut m, ch('/'));
    assert!(
        !update(&mut m, ch('q')).contains(&Command::Quit),
        "q types into the filter"
    );
    assert_eq!(m.filter.input.value(), "q");
    assert!(update(&mut m, ctrl('c')).contains(&Command::Quit));
}

#[test]
fn help_captures_keys_until_closed() {
    let mut m = mixed();
    update(&mut m, ch('?'));
    assert_eq!(m.scope(), Scope::Help);
    assert!(
        !update(&mut m, ch('q')).contains(&Command::Quit),
        "q closes the help"
    );
    assert!(!m.help_open());
    update(&mut m, ch('?'));
    update(&mut m, ch('j'));
    assert_eq!(m.cursor, 0, "j scrolls the help, not the table");
    assert_eq!(
        m.help_scroll, 1,
        "at 80x24 the help is taller than the screen"
    );
    update(&mut m, key(KeyCode::Esc));
    assert!(!m.help_open());
}

#[test]
fn enter_and_tab_toggle_detail_focus_where_j_scrolls() {
    let mut m = mixed();
    assert_eq!(selected_name(&m), "batch-01");
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.focus, Focus::Detail);
    update(&mut m, ch('j'));
    update(&mut m, ch('j'));
    assert_eq!((m.cursor, m.detail_scroll), (0, 2));
    for _ in 0..200 {
        update(&mut m, ch('j'));
    }
    assert!(
        m.detail_scroll < 40,
        "scrolling stops near the end: {}",
        m.detail_scroll
    );
    update(&mut m, key(KeyCode::Tab));
    assert_eq!(m.focus, Focus::Table);
    update(&mut m, ch('j'));
    assert_eq!(m.cursor, 1);
}

#[test]
fn auto_refresh_fires_after_the_period() {
    let fleet = sample::mixed_fleet();
    let mut settings = sample::settings(80, 24);
    settings.refresh = Some(Duration::from_secs(60));
    let mut m = Model::new(&fleet.inventory, settings);
    update_all(&mut m, fleet.probed_msgs());
    let tick = |s| Msg::Tick {
        elapsed: Duration::from_secs(s),
        at: Stamp::at(40_000),
    };
    assert!(
        update(&mut m, tick(30)).is_empty(),
        "nothing to do or draw yet"
    );
    let commands = update(&mut m, tick(31));
    assert_eq!(probes(&commands), [(0..12).collect::<Vec<_>>()]);
    let entry = m
        .log
        .last(1)
        .next()
        .cloned()
        .unwrap_or_else(|| unreachable!());
    assert!(entry.text.starts_with("auto-refresh"), "{}", entry.text);
    assert_eq!(entry.at.to_string(), "11:06:40");
    assert!(
        probes(&update(&mut m, tick(59))).is_empty(),
        "the period starts again"
    );
}

#[test]
fn no_auto_refresh_when_off() {
    let mut m = mixed();
    assert_eq!(m.settings.refresh, None);
    let commands = update(
        &mut m,
        Msg::Tick {
            elapsed: Duration::from_secs(3600),
            at: Stamp::default(),
        },
    );
    assert!(commands.is_empty());
}

#[test]
fn the_startup_refresh_probes_everything() {
    let fleet = sample::mixed_fleet();
    let mut m = Model::new(&fleet.inventory, sample::settings(80, 24));
    let commands = update(&mut m, Msg::Action(Action::Refresh));
    assert_eq!(probes(&commands), [(0..12).collect::<Vec<_>>()]);
}

#[test]
fn resize_changes_the_page_size() {
    let mut m = sample::large_fleet(200).model(80, 24);
    let small = m.table_page();
    let commands = update(
        &mut m,
        Msg::Resize {
            width: 160,
            height: 48,
        },
    );
    assert_eq!(commands, [Command::Redraw]);
    let large = m.table_page();
    assert!(large > small + 15, "{small} -> {large}");
}

#[test]
fn key_releases_are_ignored() {
    let mut m = mixed();
    let mut release = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    release.kind = crossterm::event::KeyEventKind::Release;
    assert!(update(&mut m, Msg::Key(release)).is_empty());
}

#[test]
fn the_filter_matches_any_field_in_any_case_and_inverts() {
    let rows = sample::mixed_rows();
    let names = |f: &Filter| -> Vec<String> {
        rows.iter()
            .filter(|r| f.matches(r))
            .map(|r| r.name.clone())
            .collect()
    };
    let timeout = Filter::parse("TIMEOUT");
    assert_eq!(names(&timeout), ["db-02"]);
    let not_web = Filter::parse("!web-");
    assert!(names(&not_web).iter().all(|n| !n.starts_with("web-")));
    assert!(!names(&not_web).is_empty());
    assert_eq!(names(&Filter::parse("!")).len(), rows.len());
    assert_eq!(names(&Filter::parse("10.0.3.12")), ["web-02"]);
    assert!(names(&Filter::parse("go1.21"))
        .iter()
        .all(|n| n != "web-01"));
}

#[test]
fn a_hostile_report_enters_the_model_inert() {
    let fleet = sample::mixed_fleet();
    let mut m = Model::new(&fleet.inventory, sample::settings(80, 24));
    let mut report = sample::healthy(&fleet.inventory.hosts[0], "go1.22.10", 5);
    report.error = Some("x\u{1b}]0;pwn\u{7}".into());
    report.raw_output = Some("line1\n\u{1b}[2Jline2".into());
    if let Some(f) = &mut report.facts {
        f.go_version_output = Some(format!("go version {}", "\u{202e}".repeat(1 << 16)));
    }
    update(&mut m, sample::probed(0, report));
    let report = m.rows[0]
        .report
        .as_deref()
        .expect("the report is in the model");
    assert_eq!(report.error.as_deref(), Some("x\\x1b]0;pwn\\x07"));
    assert_eq!(report.raw_output.as_deref(), Some("line1\n\\x1b[2Jline2"));
    let output = report
        .facts
        .as_ref()
        .unwrap()
        .go_version_output
        .clone()
        .unwrap();
    assert!(
        output.len() < 2048 && output.ends_with(" bytes)"),
        "{output}"
    );
    assert!(!output.contains('\u{202e}'));
}
