//! The console's rollout: `R` → bundle picker → plan dialog → the command that starts it; the
//! operator's inputs reaching the driver as commands; the rollout view and the failure buckets
//! at 80×24 and 160×48; the command log fed from `CommandRan`.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use screen::{draw, key, keys};
use std::time::Duration;

use crossterm::event::KeyCode;
use offgo::core::engine::EngineEvent;
use offgo::core::rollout::settings::{BatchSize, Limit, Pause};
use offgo::core::rollout::{plan, Input, Rollout, RolloutSettings};
use offgo::tui::testing::update;
use offgo::tui::testing::Model;
use offgo::tui::testing::RolloutSnapshot;
use offgo::tui::testing::{Body, Dialog};
use offgo::tui::testing::{Command, Msg, Stamp};

/// Every visible host, `R`, the bundles listed, the first bundle picked.
fn plan_dialog(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    model.bundles_dir = "/srv/offgo/bundles".into();
    let commands = keys(&mut model, "R");
    assert_eq!(
        commands
            .iter()
            .filter(|c| matches!(c, Command::ListBundles(_)))
            .count(),
        1
    );
    update(
        &mut model,
        Msg::Bundles {
            dir: "/srv/offgo/bundles".into(),
            choices: sample::bundle_choices(),
        },
    );
    key(&mut model, KeyCode::Enter);
    model
}

#[test]
fn r_picks_a_bundle_shows_the_plan_and_y_starts_the_rollout() {
    let mut model = plan_dialog(160, 48);
    let Some(Dialog::Rollout(plan)) = model.dialog() else {
        panic!("no plan dialog: {:?}", model.dialog());
    };
    let shown = plan.preview.clone();
    let planned = shown.hosts.len();
    let skipped = shown.skipped.len();
    assert_eq!(planned + skipped, 8, "every visible host is in the plan");
    assert!(!shown.plan.batches.is_empty());
    assert!(!shown.steps.is_empty());
    let commands = keys(&mut model, "y");
    let start = commands
        .iter()
        .find_map(|c| match c {
            Command::StartRollout { preview, bundle } => Some((preview.clone(), bundle.clone())),
            _ => None,
        })
        .expect("y starts the rollout");
    assert_eq!(*start.0, shown, "the rollout runs exactly the plan shown");
    assert!(model.dialog().is_none());
    assert!(model.rollout_open(), "the rollout view opens");
}

#[test]
fn n_on_the_plan_runs_nothing_and_read_only_cannot_start() {
    let mut model = plan_dialog(80, 24);
    let commands = keys(&mut model, "n");
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::StartRollout { .. })));
    assert!(model.dialog().is_none());

    let mut fleet = sample::healthy_fleet().model(80, 24);
    fleet.settings.read_only = true;
    fleet.keymap = offgo::tui::testing::Keymap::for_mode(true);
    let commands = keys(&mut fleet, "R");
    assert!(commands.iter().all(|c| matches!(c, Command::Redraw)));
    assert!(fleet.dialog().is_none());
}

/// Six hosts: a canary that passed, then a batch of five where two hit a full disk (with
/// different numbers) and one is still uploading: over a 10% limit, so halting.
fn halted_snapshot() -> RolloutSnapshot {
    let settings = RolloutSettings {
        batches: vec![BatchSize::Count(1), BatchSize::Percent(100.0)],
        parallel: 5,
        max_failures: Limit::Percent(10.0),
        pause: Pause::None,
        auto_rollback: false,
        ..RolloutSettings::default()
    };
    let local: Vec<usize> = (0..6).collect();
    let mut machine = Rollout::new(plan(&local, &[], &settings.batches, vec![]), settings);
    machine.handle(Input::Start);
    let ok = |host| Input::PushDone {
        host,
        ok: true,
        changed: true,
        step: None,
        error: None,
    };
    let full = |host, need, free| Input::PushDone {
        host,
        ok: false,
        changed: false,
        step: Some("preflight".into()),
        error: Some(format!(
            "disk_full: releases need {need} MiB, {free} MiB free"
        )),
    };
    machine.handle(ok(0));
    machine.handle(full(1, 438, 40));
    machine.handle(ok(2));
    machine.handle(full(3, 512, 3));
    RolloutSnapshot {
        id: "20250101T120000Z-ab12".into(),
        version: "go1.23.4".into(),
        journal: "/var/lib/offgo/rollouts/r.jsonl".into(),
        names: (1..=6).map(|i| format!("web-{i:02}")).collect(),
        ids: (0..6).collect(),
        machine,
        waiting_for_operator: false,
        pause_left: None,
        updates: vec![],
        resumable: false,
        elsewhere: false,
    }
}

fn halted(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    update(&mut model, Msg::Rollout(Box::new(halted_snapshot())));
    model.body = Body::Rollout;
    update(
        &mut model,
        Msg::Tick {
            elapsed: Duration::from_secs(95),
            at: Stamp::at(43_200),
        },
    );
    model
}

#[test]
fn snapshots_of_the_plan_and_the_halted_rollout() {
    snapshot!("rollout_plan", plan_dialog);
    snapshot!("rollout_halted", halted);
    snapshot!("rollout_bucket_picked", |w, h| {
        let mut model = halted(w, h);
        key(&mut model, KeyCode::Enter);
        model
    });
}

#[test]
fn the_halt_arithmetic_and_both_full_disks_in_one_bucket() {
    let model = halted(160, 48);
    let rollout = model.rollout.as_ref().unwrap();
    let (over, text) = rollout.machine.limit_check();
    assert!(over, "{text}");
    assert!(text.contains("2 of 5 failed; limit 10% → halted"), "{text}");
    let buckets = rollout.buckets();
    assert_eq!(buckets.len(), 1);
    assert_eq!(buckets[0].hosts, vec![1, 3]);
}

#[test]
fn a_bucket_narrows_the_table_and_marks_it_and_esc_widens_it_again() {
    let mut model = halted(160, 48);
    key(&mut model, KeyCode::Enter);
    assert!(!model.rollout_open());
    assert_eq!(model.visible, vec![1, 3]);
    let marked: Vec<usize> = model.marked().map(|r| r.id).collect();
    assert_eq!(marked, vec![1, 3]);
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.visible.len(), 8);
}

fn rollout_inputs(model: &mut Model, text: &str) -> Vec<Input> {
    keys(model, text)
        .into_iter()
        .filter_map(|c| match c {
            Command::RolloutInput(input) => Some(input),
            _ => None,
        })
        .collect()
}

#[test]
fn pause_continue_retry_roll_back_and_abort_reach_the_driver() {
    let mut model = halted(80, 24);
    assert_eq!(rollout_inputs(&mut model, "P"), [Input::Pause]);
    assert_eq!(rollout_inputs(&mut model, "c"), [Input::Continue]);
    assert_eq!(rollout_inputs(&mut model, "t"), [Input::Retry(vec![1, 3])]);
    assert_eq!(
        rollout_inputs(&mut model, "b"),
        [Input::RollBack(vec![1, 3])]
    );
    // Abort asks first; n leaves it running.
    assert!(rollout_inputs(&mut model, "A").is_empty());
    assert_eq!(model.dialog(), Some(&Dialog::AbortRollout));
    assert!(rollout_inputs(&mut model, "n").is_empty());
    assert!(rollout_inputs(&mut model, "A").is_empty());
    assert_eq!(rollout_inputs(&mut model, "y"), [Input::Abort]);
}

#[test]
fn marked_failed_hosts_narrow_retry_to_them() {
    let mut model = halted(80, 24);
    model.rows[3].marked = true;
    assert_eq!(rollout_inputs(&mut model, "t"), [Input::Retry(vec![3])]);
}

#[test]
fn an_unfinished_rollout_is_shown_and_c_asks_to_resume_it() {
    let mut model = sample::healthy_fleet().model(80, 24);
    let mut snapshot = halted_snapshot();
    snapshot.resumable = true;
    update(&mut model, Msg::Rollout(Box::new(snapshot)));
    assert!(model.rollout_open(), "shown at once");
    let commands = keys(&mut model, "c");
    assert!(commands.contains(&Command::ResumeRollout));
    assert!(rollout_inputs(&mut model, "t").is_empty(), "not driven yet");
}

#[test]
fn commands_that_ran_fold_into_the_command_log() {
    let mut model = sample::healthy_fleet().model(80, 24);
    for (host, label, status) in [
        (0, "probe", Some(0)),
        (2, "sha256sum -c", Some(1)),
        (0, "ln -sfn", None),
    ] {
        update(
            &mut model,
            sample::engine(EngineEvent::CommandRan {
                host,
                label: label.into(),
                exit_status: status,
                elapsed: Duration::from_millis(120),
            }),
        );
    }
    let host0: Vec<&str> = model
        .commands
        .entries(Some(0))
        .map(|e| e.label.as_str())
        .collect();
    assert_eq!(host0, ["probe", "ln -sfn"]);
    assert_eq!(model.commands.entries(None).count(), 3);
    keys(&mut model, "@");
    insta::assert_snapshot!("command_log_80x24", draw(&model).backend());
}

#[test]
fn sigterm_leaves_like_q() {
    let mut model = sample::healthy_fleet().model(80, 24);
    assert!(update(&mut model, Msg::Terminate).contains(&Command::Quit));
}
