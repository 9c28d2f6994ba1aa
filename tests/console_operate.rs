//! Operations in the console, through `update()` alone: the push picker and the confirm
//! dialog, the commands they end in, read-only mode, and the engine's operation events
//! folded into rows, counts and the log (with the re-probe that follows every operation).

#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::core::engine::{Check, EngineEvent, HostOutcome, Operation};
use offgo::tui::testing::Action;
use offgo::tui::testing::Dialog;
use offgo::tui::testing::Level;
use offgo::tui::testing::Model;
use offgo::tui::testing::Phase;
use offgo::tui::testing::Scope;
use offgo::tui::testing::{update, update_all};
use offgo::tui::testing::{Command, Msg};

fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

fn press(model: &mut Model, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| update(model, key(KeyCode::Char(c))))
        .collect()
}

fn without_redraw(commands: Vec<Command>) -> Vec<Command> {
    commands
        .into_iter()
        .filter(|c| *c != Command::Redraw)
        .collect()
}

fn fleet(read_only: bool) -> Model {
    let fleet = sample::healthy_fleet();
    let mut settings = sample::settings(80, 24);
    settings.read_only = read_only;
    let mut model = Model::new(&fleet.inventory, settings);
    update_all(&mut model, fleet.probed_msgs());
    model
}

fn log_texts(model: &Model) -> Vec<String> {
    model.log.last(usize::MAX).map(|e| e.text.clone()).collect()
}

fn last_log(model: &Model) -> (Level, String) {
    let entry = model.log.last(1).next().cloned().unwrap();
    (entry.level, entry.text)
}

/// The event loop's answer to `Command::ListBundles`.
fn list_bundles(model: &mut Model) {
    let msg = Msg::Bundles {
        dir: model.bundles_dir.clone(),
        choices: sample::bundle_choices(),
    };
    update(model, msg);
}

fn manifest(version: &str) -> PathBuf {
    PathBuf::from(format!(
        "/srv/offgo/bundles/{version}.linux-amd64.offgo.toml"
    ))
}

#[test]
fn p_picks_a_bundle_then_confirms_a_push_of_the_marked_hosts() {
    let mut m = fleet(false);
    press(&mut m, "  "); // marks web-01 and web-02
    let commands = without_redraw(press(&mut m, "p"));
    // No inventory `[bundles] dir`: the inventory file's directory.
    assert_eq!(m.bundles_dir, PathBuf::from("/etc/offgo"));
    assert_eq!(
        commands,
        [Command::ListBundles(PathBuf::from("/etc/offgo"))]
    );
    assert_eq!(m.scope(), Scope::Picker);
    // Enter before the listing arrives does nothing.
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.scope(), Scope::Picker);

    list_bundles(&mut m);
    let picked = |m: &Model| match m.dialog() {
        Some(Dialog::Picker(p)) => p.selected().map(|b| b.version.clone()),
        other => panic!("not the picker: {other:?}"),
    };
    assert_eq!(picked(&m).as_deref(), Some("go1.23.4"), "newest first");
    press(&mut m, "j");
    assert_eq!(picked(&m).as_deref(), Some("go1.22.10"));
    press(&mut m, "jj");
    assert_eq!(
        picked(&m).as_deref(),
        Some("go1.22.10"),
        "the refused and the broken bundle are never under the cursor"
    );
    press(&mut m, "kj");
    assert_eq!(picked(&m).as_deref(), Some("go1.22.10"));

    let commands = without_redraw(update(&mut m, key(KeyCode::Enter)));
    assert!(commands.is_empty(), "picking runs nothing: {commands:?}");
    assert_eq!(m.scope(), Scope::Confirm);
    match m.dialog() {
        Some(Dialog::Confirm(c)) => {
            assert_eq!(c.op, Operation::Push);
            assert_eq!(c.hosts, [0, 1]);
            assert_eq!(
                c.bundle.as_ref().map(|b| b.version.as_str()),
                Some("go1.22.10")
            );
        }
        other => panic!("not the confirm dialog: {other:?}"),
    }

    let commands = without_redraw(press(&mut m, "y"));
    assert_eq!(
        commands,
        [Command::Push {
            hosts: vec![0, 1],
            bundle: manifest("go1.22.10"),
        }]
    );
    assert!(m.dialog().is_none());
    for id in [0, 1] {
        let op = m.rows[id].operation.as_ref().unwrap();
        assert_eq!((op.op, &op.phase), (Operation::Push, &Phase::Requested));
        assert_eq!(op.target.as_deref(), Some("go1.22.10"));
        assert!(m.rows[id].busy());
    }
    assert!(!m.rows[2].busy());
    assert_eq!(m.summary.operating, 2);
    assert_eq!(
        last_log(&m),
        (
            Level::Info,
            "push go1.22.10 requested on web-01, web-02".to_string()
        )
    );
}

#[test]
fn enter_confirms_too_and_without_marks_the_selected_host_is_the_target() {
    let mut m = fleet(false);
    press(&mut m, "jj"); // web-03
    press(&mut m, "p");
    list_bundles(&mut m);
    update(&mut m, key(KeyCode::Enter));
    let commands = without_redraw(update(&mut m, key(KeyCode::Enter)));
    assert_eq!(
        commands,
        [Command::Push {
            hosts: vec![2],
            bundle: manifest("go1.23.4"),
        }]
    );
}

#[test]
fn esc_and_n_cancel_and_nothing_runs() {
    let mut m = fleet(false);
    press(&mut m, "p");
    let commands = without_redraw(update(&mut m, key(KeyCode::Esc)));
    assert!(commands.is_empty());
    assert!(m.dialog().is_none());
    assert_eq!(m.scope(), Scope::Table);
    assert_eq!(last_log(&m).1, "push cancelled: nothing ran");
    // A listing that arrives after the picker closed is dropped.
    list_bundles(&mut m);
    assert!(m.dialog().is_none());

    press(&mut m, "p");
    list_bundles(&mut m);
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.scope(), Scope::Confirm);
    assert!(without_redraw(press(&mut m, "n")).is_empty());
    assert!(m.dialog().is_none());

    press(&mut m, "V");
    assert!(without_redraw(update(&mut m, key(KeyCode::Esc))).is_empty());
    assert_eq!(last_log(&m).1, "verify cancelled: nothing ran");
    assert!(m.rows.iter().all(|r| r.operation.is_none()));
    // Esc closed the dialog only: the filter and the focus are as they were.
    assert_eq!(m.scope(), Scope::Table);
}

#[test]
fn a_dialog_has_the_keys_until_it_closes() {
    let mut m = fleet(false);
    press(&mut m, "V");
    let before = m.selected;
    let commands = without_redraw(press(&mut m, "s/ ?gr"));
    assert!(commands.is_empty());
    assert_eq!(m.scope(), Scope::Confirm);
    assert!(!m.help_open() && !m.filter_editing());
    assert_eq!(m.selected, before);
    assert!(m.rows.iter().all(|r| !r.marked));
    // ctrl-c still quits.
    let quit = update(
        &mut m,
        Msg::Key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
    );
    assert!(quit.contains(&Command::Quit));
}

#[test]
fn a_picker_with_nothing_pushable_picks_nothing() {
    let mut m = fleet(false);
    press(&mut m, "p");
    let dir = m.bundles_dir.clone();
    let choices: Vec<_> = sample::bundle_choices()
        .into_iter()
        .filter(|c| !c.selectable())
        .collect();
    update(&mut m, Msg::Bundles { dir, choices });
    press(&mut m, "jk");
    update(&mut m, key(KeyCode::Enter));
    assert_eq!(m.scope(), Scope::Picker, "still picking");
    update(&mut m, key(KeyCode::Esc));
    assert!(m.dialog().is_none());
}

#[test]
fn verify_and_rollback_act_on_the_marked_hosts() {
    let mut m = fleet(false);
    press(&mut m, "jj    "); // marks web-03 to web-06
    press(&mut m, "V");
    match m.dialog() {
        Some(Dialog::Confirm(c)) => {
            assert_eq!(
                (c.op, c.hosts.as_slice()),
                (Operation::Verify, &[2, 3, 4, 5][..])
            );
            assert!(c.bundle.is_none());
        }
        other => panic!("V goes straight to the confirm dialog: {other:?}"),
    }
    let commands = without_redraw(press(&mut m, "y"));
    assert_eq!(commands, [Command::Verify(vec![2, 3, 4, 5])]);
    assert_eq!(
        last_log(&m).1,
        "verify requested on web-03, web-04 and 2 more (4 hosts)"
    );

    let mut m = fleet(false);
    press(&mut m, " j "); // space moves down: marks web-01 and web-03
    press(&mut m, "r");
    let commands = without_redraw(press(&mut m, "y"));
    assert_eq!(commands, [Command::Rollback(vec![0, 2])]);
}

#[test]
fn the_dialog_lists_the_hosts_in_the_table_s_order() {
    let mut m = fleet(false);
    press(&mut m, "S"); // name, descending: web-08 first
    press(&mut m, "g  ");
    press(&mut m, "V");
    match m.dialog() {
        Some(Dialog::Confirm(c)) => assert_eq!(c.hosts, [7, 6]),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        without_redraw(press(&mut m, "y")),
        [Command::Verify(vec![7, 6])]
    );
}

#[test]
fn hosts_busy_with_an_operation_are_left_out() {
    let mut m = fleet(false);
    press(&mut m, "V");
    press(&mut m, "y"); // verify web-01
    press(&mut m, "  "); // mark web-01 and web-02
    press(&mut m, "g");
    press(&mut m, "r");
    match m.dialog() {
        Some(Dialog::Confirm(c)) => assert_eq!(c.hosts, [1]),
        other => panic!("{other:?}"),
    }
    assert!(log_texts(&m)
        .iter()
        .any(|t| t == "rollback: web-01 left out, an operation is still running there"));
    press(&mut m, "n");
    // Only a busy host wanted: no dialog at all.
    let mut m = fleet(false);
    press(&mut m, "Vy");
    press(&mut m, "V");
    assert!(m.dialog().is_none());
}

#[test]
fn read_only_keys_do_nothing_and_verify_still_works() {
    let mut m = fleet(true);
    for c in ['p', 'r'] {
        let commands = without_redraw(press(&mut m, &c.to_string()));
        assert!(commands.is_empty(), "{c}: {commands:?}");
        assert!(m.dialog().is_none(), "{c}");
    }
    // Even sent as an action (not from a key), a push is refused.
    let commands = without_redraw(update(&mut m, Msg::Action(Action::Push)));
    assert!(commands.is_empty() && m.dialog().is_none());
    assert_eq!(
        last_log(&m),
        (
            Level::Warn,
            "read-only console: push is disabled".to_string()
        )
    );
    update(&mut m, Msg::Action(Action::Rollback));
    assert!(m.dialog().is_none());
    press(&mut m, "V");
    assert_eq!(m.scope(), Scope::Confirm);
    assert_eq!(
        without_redraw(press(&mut m, "y")),
        [Command::Verify(vec![0])]
    );
}

#[test]
fn a_key_a_read_only_console_refuses_says_so_in_the_footer_for_a_moment() {
    let mut m = fleet(true);
    press(&mut m, "p");
    let flash = m.flash.clone().expect("p flashes in read-only");
    assert_eq!(flash.text, "read-only console: push (p) is refused");
    let screen = offgo::tui::testing::draw(&m);
    let footer: String = {
        let buffer = screen.backend().buffer();
        let width = buffer.area.width as usize;
        let last = buffer.content.len() - width;
        buffer.content[last..].iter().map(|c| c.symbol()).collect()
    };
    assert!(
        footer.contains("read-only console: push (p) is refused"),
        "{footer}"
    );
    // A key bound in read-only mode does not flash; the flash goes after a few seconds.
    press(&mut m, "j");
    for _ in 0..7 {
        update(
            &mut m,
            Msg::Tick {
                elapsed: std::time::Duration::from_millis(500),
                at: offgo::tui::testing::Stamp::at(0),
            },
        );
    }
    assert!(m.flash.is_none(), "{:?}", m.flash);
    // Not read-only: nothing flashes, p opens the picker.
    let mut rw = fleet(false);
    press(&mut rw, "p");
    assert!(rw.flash.is_none());
    assert!(rw.dialog().is_some());
}

#[test]
fn a_push_the_event_loop_cannot_start_frees_the_hosts() {
    let mut m = fleet(false);
    press(&mut m, "p");
    list_bundles(&mut m);
    update(&mut m, key(KeyCode::Enter));
    press(&mut m, "y");
    assert!(m.rows[0].busy());
    update(
        &mut m,
        Msg::OperationRefused {
            op: Operation::Push,
            hosts: vec![0],
            error: "go1.23.4.linux-amd64.offgo.toml is unsigned".into(),
        },
    );
    assert!(!m.rows[0].busy() && m.rows[0].operation.is_none());
    assert_eq!(m.summary.operating, 0);
    assert_eq!(
        last_log(&m),
        (
            Level::Error,
            "push not started: go1.23.4.linux-amd64.offgo.toml is unsigned".to_string()
        )
    );
}

#[test]
fn the_confirm_dialog_scrolls_a_long_host_list_and_stops_at_its_end() {
    let fleet = sample::large_fleet(100);
    let mut m = fleet.model(80, 24);
    press(&mut m, "a"); // every host
    press(&mut m, "V");
    let scroll = |m: &Model| match m.dialog() {
        Some(Dialog::Confirm(c)) => c.scroll,
        other => panic!("{other:?}"),
    };
    let max = offgo::tui::testing::measure(&m).confirm.unwrap_or(0);
    assert!(max > 80 && max < 100, "{max}");
    for _ in 0..200 {
        press(&mut m, "j");
    }
    assert_eq!(scroll(&m), max);
    press(&mut m, "kk");
    assert_eq!(scroll(&m), max - 2);
    for _ in 0..200 {
        press(&mut m, "k");
    }
    assert_eq!(scroll(&m), 0);
}

// --- the fold of operation events ---

#[test]
fn upload_progress_shows_in_the_row_and_stays_out_of_the_log() {
    let mut m = fleet(false);
    let log_before = m.log.len();
    update_all(&mut m, sample::push_uploading(0, 30 << 20, 64 << 20));
    let op = m.rows[0].operation.as_ref().unwrap();
    assert_eq!(op.phase, Phase::Running);
    assert_eq!(op.step.as_deref(), Some("upload"));
    let upload = op.upload.unwrap();
    assert_eq!(
        (upload.bytes, upload.total, upload.percent()),
        (30 << 20, 64 << 20, 46)
    );
    assert_eq!(op.label(), "push upload 46% 11.3 MiB/s");
    assert_eq!(op.commands.len(), 2, "preflight and lock ran");
    assert_eq!(m.summary.operating, 1);
    assert_eq!(m.log.len(), log_before, "steps and progress are not logged");
}

#[test]
fn a_failed_step_keeps_the_error_the_command_and_the_output_and_reprobes() {
    let mut m = fleet(false);
    let commands = without_redraw(update_all(
        &mut m,
        sample::push_failed_at_check_tree(0, "web-01"),
    ));
    assert_eq!(
        commands,
        [Command::Probe(vec![0])],
        "re-probed once it ended"
    );
    assert!(m.rows[0].probing);
    let op = m.rows[0].operation.as_ref().unwrap();
    assert!(op.failed() && !op.in_flight());
    assert_eq!(op.target.as_deref(), Some("go1.22.10"));
    let failure = op.failure.as_ref().unwrap();
    assert_eq!(failure.step, "check_tree");
    assert!(failure.error.message.contains("go/bin/gofmt: FAILED"));
    assert!(failure.error.hint.contains("bundle verify"));
    assert_eq!(
        failure.error.output.as_deref(),
        Some(sample::CHECK_TREE_OUTPUT)
    );
    let command = failure.command.as_ref().unwrap();
    assert_eq!(
        (command.label.as_str(), command.exit_status),
        ("install", Some(1))
    );
    assert_eq!(op.label(), "push failed at check_tree");
    assert_eq!(m.summary.operating, 0);
    let texts = log_texts(&m);
    let n = texts.len();
    assert_eq!(
        texts[n - 2],
        "web-01: push FAILED at check_tree: files differ from the bundle: go/bin/gofmt: FAILED"
    );
    assert_eq!(texts[n - 1], "re-probing after the operation: 1 host");
    assert_eq!(m.log.last(2).next().map(|e| e.level), Some(Level::Error));
}

#[test]
fn a_finished_push_logs_its_change_and_notes_and_the_reprobe_shows_the_new_go() {
    let fleet = sample::healthy_fleet();
    let mut m = fleet.model(80, 24);
    assert_eq!(m.rows[7].go_version(), Some("go1.21.13"));
    let op = Operation::Push;
    let mut outcome = HostOutcome::new("web-08");
    outcome.ok = true;
    outcome.from = Some("go1.21.13".into());
    outcome.to = Some("go1.22.10".into());
    outcome.notes = vec![
        "resumed the upload at 12 of 65 MiB".into(),
        "pruned go1.20.14".into(),
    ];
    let commands = update_all(
        &mut m,
        [
            sample::engine(EngineEvent::OperationStarted { host: 7, op }),
            sample::engine(EngineEvent::OperationFinished {
                host: 7,
                op,
                outcome: Box::new(outcome),
            }),
        ],
    );
    assert!(commands.contains(&Command::Probe(vec![7])));
    assert!(log_texts(&m).contains(
        &"web-08: push ok, go1.21.13 → go1.22.10; resumed the upload at 12 of 65 MiB; pruned go1.20.14"
            .to_string()
    ));
    assert_eq!(
        m.rows[7].operation.as_ref().unwrap().label(),
        "push ok go1.22.10"
    );
    let report = sample::healthy(&fleet.inventory.hosts[7], "go1.22.10", 12);
    update(&mut m, sample::probed(7, report));
    assert_eq!(m.rows[7].go_version(), Some("go1.22.10"));
    assert_eq!(m.summary.versions.get("go1.22.10"), Some(&7));
    assert_eq!(m.summary, offgo::tui::testing::FleetSummary::of(&m.rows));
}

#[test]
fn hosts_ending_in_one_batch_are_reprobed_by_one_command() {
    let mut m = fleet(false);
    let mut msgs = Vec::new();
    for host in [1, 4, 6] {
        let name = m.rows[host].name.clone();
        msgs.extend(sample::verified(
            host,
            &name,
            vec![Check {
                check: "tree".into(),
                ok: true,
                detail: "every file matches".into(),
            }],
        ));
    }
    let commands = without_redraw(update_all(&mut m, msgs));
    assert_eq!(commands, [Command::Probe(vec![1, 4, 6])]);
}

#[test]
fn verify_results_log_the_failed_checks() {
    let mut m = fleet(false);
    let checks = vec![
        Check {
            check: "tree".into(),
            ok: false,
            detail: "go/bin/go: FAILED\nsha256sum: WARNING: 1 computed checksum did NOT match"
                .into(),
        },
        Check {
            check: "go_version".into(),
            ok: true,
            detail: "go version go1.22.10 linux/amd64".into(),
        },
    ];
    update_all(&mut m, sample::verified(2, "web-03", checks));
    let op = m.rows[2].operation.as_ref().unwrap();
    assert_eq!(op.label(), "verify: 1 check failed");
    assert!(log_texts(&m)
        .contains(&"web-03: verify FAILED, go1.22.10; failed checks: tree".to_string()));
}

#[test]
fn late_and_stray_operation_events_are_harmless() {
    let mut m = fleet(false);
    // Progress for a host running nothing (its operation already ended): ignored.
    update(
        &mut m,
        sample::engine(EngineEvent::Progress {
            host: 3,
            bytes: 1,
            total: 2,
            bytes_per_sec: 1,
        }),
    );
    assert!(m.rows[3].operation.is_none());
    // A step of an operation the console did not see start: followed from there.
    update(
        &mut m,
        sample::engine(EngineEvent::StepStarted {
            host: 3,
            op: Operation::Rollback,
            step: "switch".into(),
        }),
    );
    let op = m.rows[3].operation.as_ref().unwrap();
    assert_eq!(
        (op.op, op.step.as_deref()),
        (Operation::Rollback, Some("switch"))
    );
    // An unknown host is logged, not fatal.
    update(
        &mut m,
        sample::engine(EngineEvent::CommandRan {
            host: 99,
            label: "install".into(),
            exit_status: None,
            elapsed: Duration::ZERO,
            output: Default::default(),
        }),
    );
    assert!(last_log(&m).1.contains("#99"));
}
