//! The host table like k9s: `/` finds any column's text as drawn, `/!` inverts, the selection
//! follows its host across filters and sorts (or goes to the nearest row), the sort key's column
//! shows ▲/▼, columns stand still while progress text changes; and `E` exports the table as
//! shown.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use crossterm::event::KeyCode;
use offgo::core::audit::AuditStatus;
use offgo::core::engine::{EngineEvent, Operation};
use offgo::core::export::{self, Format, HostLine};
use offgo::core::ssh::ErrorKind;
use offgo::tui::testing::{update, update_all, Command, Model, Msg, Overlay, SortColumn};
use ratatui::buffer::Buffer;
use screen::{draw, key, keys, SIZES};

fn mixed(width: u16, height: u16) -> Model {
    sample::mixed_fleet().model(width, height)
}

fn shown(model: &Model) -> Vec<&str> {
    model
        .visible
        .iter()
        .map(|&id| model.rows[id].name.as_str())
        .collect()
}

fn selected(model: &Model) -> &str {
    model.selected_row().map_or("", |r| r.name.as_str())
}

/// Types `/text` and keeps it (enter); esc first clears any filter there was.
fn filter(model: &mut Model, text: &str) {
    key(model, KeyCode::Esc);
    keys(model, &format!("/{text}"));
    key(model, KeyCode::Enter);
}

fn filtered(text: &str) -> Vec<String> {
    let mut model = mixed(160, 48);
    filter(&mut model, text);
    shown(&model).into_iter().map(String::from).collect()
}

fn screen_lines(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}

/// The table's header line on screen.
fn header(model: &Model) -> String {
    let lines = screen_lines(draw(model).backend().buffer());
    lines
        .into_iter()
        .find(|l| l.contains(" name"))
        .unwrap_or_default()
}

#[test]
fn the_filter_finds_every_column_as_drawn() {
    // name, address (with its port), Go version, `none`, audit status, state, latency, error
    assert_eq!(filtered("batch"), ["batch-01", "batch-02"]);
    assert_eq!(filtered("10.0.4."), ["db-01", "db-02", "db-03"]);
    assert_eq!(filtered(":2222"), ["web-04"]);
    assert_eq!(filtered("go1.21"), ["db-01", "web-03"]);
    assert_eq!(filtered("none"), ["batch-02"]);
    assert_eq!(filtered("TAMPERED"), ["web-04"], "any case");
    assert_eq!(filtered("diverged"), ["batch-02"]);
    assert_eq!(filtered("missing"), ["db-01"]);
    assert_eq!(filtered("host_key"), ["cache-01"]);
    assert_eq!(filtered("timeout"), ["db-02"]);
    assert_eq!(
        filtered("unknown"),
        ["batch-01", "cache-01", "cache-02", "db-02", "db-03", "edge-01"],
        "the Go version of hosts not read, and the state of a host never probed"
    );
    assert_eq!(filtered("41 ms"), ["batch-02"]);
    assert_eq!(
        filtered("login script"),
        ["batch-01"],
        "the error the detail shows"
    );
}

#[test]
fn the_filter_finds_gap_counts_and_operations() {
    // A fleet where only the gap count can tell two hosts apart.
    let fleet = sample::healthy_fleet();
    let mut model = fleet.model(160, 48);
    let gaps = sample::with_gaps(
        sample::healthy(&fleet.inventory.hosts[2], "go1.22.10", 12),
        "/opt/app/bin/a",
        &["liba.so"],
    );
    let gaps = sample::with_gaps(gaps, "/opt/app/bin/b", &["libb.so"]);
    update(&mut model, sample::probed(2, gaps));
    // Two gaps is the only "2" followed by a line end in web-03's cells; the table says 2.
    assert!(
        model.rows[2].haystack.contains("\n2\n"),
        "{:?}",
        model.rows[2].haystack
    );
    filter(&mut model, "ms");
    assert_eq!(shown(&model).len(), 8);

    update_all(&mut model, sample::push_uploading(5, 30 << 20, 65 << 20));
    filter(&mut model, "upload");
    assert_eq!(shown(&model), ["web-06"]);
    // The filter follows the progress text: once the push moves on, the host leaves.
    update(
        &mut model,
        sample::engine(EngineEvent::StepStarted {
            host: 5,
            op: Operation::Push,
            step: "extract".into(),
        }),
    );
    assert!(shown(&model).is_empty(), "{:?}", shown(&model));
    filter(&mut model, "push extract");
    assert_eq!(shown(&model), ["web-06"]);
}

/// Every token on a drawn row is in that row's search text: what is drawn is what `/` finds.
#[test]
fn the_search_text_is_the_drawn_text() {
    let mut model = mixed(160, 48);
    update_all(&mut model, sample::push_uploading(0, 30 << 20, 65 << 20));
    let lines = screen_lines(draw(&model).backend().buffer());
    let mut checked = 0;
    for row in &model.rows {
        let Some(line) = lines
            .iter()
            .find(|l| l.contains(&format!(" {} ", row.name)))
        else {
            continue;
        };
        // The table's part of the line (the detail pane sits to its right).
        let table = line.split('│').nth(1).unwrap_or("");
        for token in table.split_whitespace().filter(|t| *t != "●" && *t != "-") {
            assert!(
                row.haystack.contains(&token.to_lowercase()),
                "{}: `{token}` drawn but not searched: {:?}",
                row.name,
                row.haystack
            );
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} tokens checked");
}

#[test]
fn an_inverted_filter_keeps_exactly_the_others_for_every_column() {
    let all = filtered("");
    for needle in [
        "web", "10.0.4", "go1.22", "none", "tampered", "ok", "refused", "unknown", "ms", "0",
    ] {
        let kept = filtered(needle);
        let inverted = filtered(&format!("!{needle}"));
        let others: Vec<String> = all.iter().filter(|n| !kept.contains(n)).cloned().collect();
        assert_eq!(inverted, others, "/!{needle}");
        assert!(!kept.is_empty(), "/{needle} matches something");
    }
    assert_eq!(filtered("!"), all, "a lone ! keeps every host");
}

#[test]
fn the_selection_stays_on_its_host_across_sorts_and_filters() {
    let mut model = mixed(80, 24);
    // Name order: batch-01 batch-02 cache-01 cache-02 db-01 db-02 db-03 edge-01 web-01…
    keys(&mut model, "jjjj");
    assert_eq!(selected(&model), "db-01");
    for _ in 0..SortColumn::ALL.len() {
        keys(&mut model, "s");
        assert_eq!(
            selected(&model),
            "db-01",
            "sorted by {:?}",
            model.sort.column
        );
        keys(&mut model, "S");
        assert_eq!(
            selected(&model),
            "db-01",
            "reversed {:?}",
            model.sort.column
        );
        keys(&mut model, "S");
    }
    assert_eq!(model.sort.column, SortColumn::Name);
    filter(&mut model, "db");
    assert_eq!(selected(&model), "db-01");
    key(&mut model, KeyCode::Esc);
    // Typing narrows and widens around the selected host.
    keys(&mut model, "/db-0");
    assert_eq!(selected(&model), "db-01");
    key(&mut model, KeyCode::Backspace);
    assert_eq!(selected(&model), "db-01");
    key(&mut model, KeyCode::Enter);
    // A probe result that re-sorts the table keeps the selection too.
    keys(&mut model, "sssss"); // by state
    assert_eq!(model.sort.column, SortColumn::State);
    let fleet = sample::mixed_fleet();
    let report = sample::failed(
        &fleet.inventory.hosts[4],
        ErrorKind::Timeout,
        "no answer",
        "check",
    );
    update(&mut model, sample::probed(4, report));
    assert_eq!(selected(&model), "db-01");
}

#[test]
fn a_hidden_selection_goes_to_the_nearest_row_and_comes_back() {
    let mut model = mixed(80, 24);
    keys(&mut model, "jjjjjjj");
    assert_eq!(selected(&model), "edge-01");
    filter(&mut model, "cache");
    assert_eq!(selected(&model), "cache-02", "the nearest before it");
    filter(&mut model, "web");
    assert_eq!(selected(&model), "web-01", "the nearest after it");
    filter(&mut model, "db");
    assert_eq!(selected(&model), "db-03");
    filter(&mut model, "nothing matches this");
    assert_eq!(model.selected, None);
    key(&mut model, KeyCode::Esc);
    assert_eq!(
        selected(&model),
        "edge-01",
        "back on the host the operator chose"
    );

    keys(&mut model, "k");
    assert_eq!(selected(&model), "db-03");
    keys(&mut model, "k");
    assert_eq!(selected(&model), "db-02");
    filter(&mut model, "!db-02");
    assert_eq!(selected(&model), "db-03", "a tie goes to the row after");
}

#[test]
fn the_sort_key_column_shows_its_arrow_at_every_size() {
    for (width, height) in SIZES {
        let mut model = mixed(width, height);
        // An operation on screen takes room: the sort key's column must still be there.
        update_all(&mut model, sample::push_uploading(0, 30 << 20, 65 << 20));
        for column in SortColumn::ALL {
            assert_eq!(model.sort.column, column);
            let title = match column {
                SortColumn::GoVersion => "go",
                other => other.label(),
            };
            let line = header(&model);
            assert!(
                line.contains(&format!(" {title} ▲")),
                "{width}x{height} {column:?}: {line}"
            );
            assert_eq!(line.matches(['▲', '▼']).count(), 1, "{line}");
            keys(&mut model, "S");
            let line = header(&model);
            assert!(
                line.contains(&format!(" {title} ▼")),
                "{width}x{height}: {line}"
            );
            keys(&mut model, "Ss");
        }
    }
}

#[test]
fn columns_stand_still_while_progress_text_changes() {
    let fleet = sample::healthy_fleet();
    let mut model = fleet.model(80, 24);
    update_all(&mut model, sample::push_uploading(0, 1 << 20, 65 << 20));
    let first = header(&model);
    for (bytes, step) in [
        (30u64 << 20, None),
        (65 << 20, Some("extract")),
        (0, Some("check_tree")),
    ] {
        match step {
            None => update_all(&mut model, sample::push_uploading(0, bytes, 65 << 20)),
            Some(step) => update(
                &mut model,
                sample::engine(EngineEvent::StepStarted {
                    host: 0,
                    op: Operation::Push,
                    step: step.into(),
                }),
            ),
        };
        assert_eq!(header(&model), first, "after {bytes} bytes, {step:?}");
    }
    // Scrolling does not move them either (widths come from the fleet, not the screen).
    let mut big = sample::large_fleet(300).model(80, 24);
    let top = header(&big);
    key(&mut big, KeyCode::PageDown);
    key(&mut big, KeyCode::PageDown);
    assert_eq!(header(&big), top);
}

#[test]
fn sorted_header_snapshots() {
    snapshot!("sorted_by_audit_reversed", |w, h| {
        let mut model = mixed(w, h);
        keys(&mut model, "ssssS");
        assert_eq!(model.sort.column, SortColumn::Audit);
        model
    });
    snapshot!("sorted_by_address_while_pushing", |w, h| {
        let mut model = mixed(w, h);
        update_all(&mut model, sample::push_uploading(0, 30 << 20, 65 << 20));
        keys(&mut model, "s");
        model
    });
}

fn export_prompt(width: u16, height: u16) -> Model {
    let mut model = mixed(width, height);
    filter(&mut model, "web");
    keys(&mut model, "sS");
    keys(&mut model, "E");
    model
}

#[test]
fn export_prompt_snapshots() {
    snapshot!("export_prompt", export_prompt);
    snapshot!("export_prompt_refused", |w, h| {
        let mut model = export_prompt(w, h);
        let commands = key(&mut model, KeyCode::Enter);
        let Some(Command::Export { path, lines }) = commands.into_iter().next() else {
            panic!("enter asks for the export");
        };
        update(
            &mut model,
            Msg::Exported {
                path: path.clone(),
                rows: lines.len(),
                result: Err(format!(
                    "{}: already exists; not overwritten (choose another name)",
                    path.display()
                )),
            },
        );
        model
    });
}

/// A fleet whose hosts say hostile things: commas, quotes, line breaks, escapes, formulas.
fn hostile_model() -> Model {
    let hosts = vec![
        sample::host("=cmd|' /C calc'!A0", "10.0.9.1", 22),
        sample::host("web,\"01\"", "10.0.9.2", 2222),
        sample::host("plain", "10.0.9.3", 22),
    ];
    let mut fleet = sample::Fleet {
        inventory: sample::inventory(hosts),
        reports: Vec::new(),
    };
    let h = &fleet.inventory.hosts;
    let evil = sample::failed(
        &h[0],
        ErrorKind::CommandFailed,
        "-2+3 said \"no\",\nthen \u{1b}]0;owned\u{7} and \u{202e}reversed",
        "hint",
    );
    let mut quoted = sample::healthy(&h[1], "go1.22.10", 20);
    quoted.go_version = Some("go1.22.10\",=1+1\r\nx".into());
    let tampered = sample::with_audit(
        sample::healthy(&h[2], "go1.21.13", 30),
        AuditStatus::Tampered,
        Some("edited"),
    );
    fleet.reports = vec![Some(evil), Some(quoted), Some(tampered)];
    let mut model = fleet.model(160, 48);
    // Sorted by latency, slowest first; the refused host (no latency) last.
    keys(&mut model, "ssssss");
    assert_eq!(model.sort.column, SortColumn::Latency);
    model
}

/// Runs an export command the way the event loop does, and hands the answer back.
fn run_export(model: &mut Model, command: Command) -> (std::path::PathBuf, Vec<HostLine>) {
    let Command::Export { path, lines } = command else {
        panic!("not an export: {command:?}");
    };
    let result = export::encode(Format::for_path(&path), &lines)
        .and_then(|bytes| export::write_new(&path, &bytes).map_err(|e| e.to_string()))
        .map(|()| path.clone());
    update(
        model,
        Msg::Exported {
            path: path.clone(),
            rows: lines.len(),
            result,
        },
    );
    (path, lines)
}

fn type_path(model: &mut Model, path: &std::path::Path) -> Vec<Command> {
    assert!(matches!(model.overlay, Overlay::Export(_)));
    // Clear the default name, then type ours.
    for _ in 0..80 {
        key(model, KeyCode::Backspace);
    }
    keys(model, &path.display().to_string());
    key(model, KeyCode::Enter)
}

#[test]
fn export_writes_the_rows_shown_in_order_made_safe() {
    let dir = tempfile::tempdir().unwrap();
    let mut model = hostile_model();
    assert_eq!(shown(&model), ["plain", "web,\"01\"", "=cmd|' /C calc'!A0"]);
    keys(&mut model, "E");
    let Overlay::Export(prompt) = &model.overlay else {
        panic!("E opens the prompt");
    };
    assert_eq!(prompt.input.value(), "offgo-hosts-19700101-093000.csv");

    let csv_path = dir.path().join("hosts.csv");
    let commands = type_path(&mut model, &csv_path);
    assert_eq!(model.overlay, Overlay::None);
    let (_, lines) = run_export(&mut model, commands.into_iter().next().unwrap());
    assert_eq!(lines.len(), 3);
    let text = std::fs::read_to_string(&csv_path).unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        headers,
        [
            "name",
            "address",
            "go",
            "ldd_gaps",
            "audit",
            "state",
            "operation",
            "latency_ms",
            "error"
        ]
    );
    let records: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(records.len(), 3, "{text}");
    assert_eq!(records[0][0], "plain");
    assert_eq!(records[0][4], "tampered");
    assert_eq!(records[0][7], "30");
    assert_eq!(records[1][0], "web,\"01\"");
    assert_eq!(records[1][1], "10.0.9.2:2222");
    assert_eq!(records[1][2], r#"go1.22.10",=1+1\r\nx"#);
    assert_eq!(records[2][0], "'=cmd|' /C calc'!A0", "a formula is defused");
    assert_eq!(records[2][2], "", "not read: unknown, empty");
    assert_eq!(records[2][5], "command_failed");
    let error = &records[2][8];
    assert!(
        error.starts_with("'-2+3 said \"no\",\\nthen \\x1b]0;owned\\x07"),
        "{error}"
    );
    assert!(error.contains("\\u{202e}reversed"), "{error}");
    assert!(
        !text.chars().any(|c| c.is_control() && c != '\n'),
        "{text:?}"
    );
    assert_eq!(text.lines().count(), 4, "one line per host: {text}");
    let last = model.log.last(1).next().unwrap();
    assert!(
        last.text.contains("exported 3 hosts (CSV) to") && last.text.contains("hosts.csv"),
        "{}",
        last.text
    );

    // JSON by the name; a narrower filter exports only what is shown.
    filter(&mut model, "!plain");
    keys(&mut model, "E");
    let json_path = dir.path().join("hosts.json");
    let commands = type_path(&mut model, &json_path);
    run_export(&mut model, commands.into_iter().next().unwrap());
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    let names: Vec<&str> = value
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["web,\"01\"", "=cmd|' /C calc'!A0"]);
    assert_eq!(value[0]["latency_ms"], 20);
    assert_eq!(value[1]["go"], serde_json::Value::Null);

    // The same name again: refused, the prompt back with the reason, the file untouched.
    let before = std::fs::read(&json_path).unwrap();
    keys(&mut model, "E");
    let commands = type_path(&mut model, &json_path);
    run_export(&mut model, commands.into_iter().next().unwrap());
    assert_eq!(std::fs::read(&json_path).unwrap(), before);
    let Overlay::Export(prompt) = &model.overlay else {
        panic!("the prompt comes back on a refusal");
    };
    assert!(
        prompt
            .error
            .as_deref()
            .unwrap_or("")
            .contains("already exists"),
        "{:?}",
        prompt.error
    );
    assert_eq!(prompt.input.value(), json_path.display().to_string());
    let last = model.log.last(1).next().unwrap();
    assert!(
        last.text.contains("hosts.json: already exists"),
        "{}",
        last.text
    );
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);
}

#[test]
fn an_empty_name_writes_nothing() {
    let mut model = mixed(80, 24);
    keys(&mut model, "E");
    for _ in 0..80 {
        key(&mut model, KeyCode::Backspace);
    }
    let commands = key(&mut model, KeyCode::Enter);
    assert!(!commands.iter().any(|c| matches!(c, Command::Export { .. })));
    let Overlay::Export(prompt) = &model.overlay else {
        panic!("the prompt stays");
    };
    assert!(prompt.error.is_some());
}
