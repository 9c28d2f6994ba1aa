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
use offgo::tui::testing::{Body, Dialog, RolloutAsk, RolloutWord};
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
    let shown = (*plan.preview).clone();
    let planned = shown.hosts.len();
    let skipped = shown.skipped.len();
    assert_eq!(planned + skipped, 8, "every visible host is in the plan");
    assert!(!shown.plan.batches.is_empty());
    assert!(!shown.steps.is_empty());
    let commands = keys(&mut model, "y");
    let start = commands
        .iter()
        .find_map(|c| match c {
            Command::StartRollout {
                preview, bundle, ..
            } => Some((preview.clone(), bundle.clone())),
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

fn asked(model: &Model) -> RolloutAsk {
    match model.dialog() {
        Some(Dialog::RolloutAsk(asked)) => asked.clone(),
        other => panic!("no question open: {other:?}"),
    }
}

#[test]
fn pause_acts_and_retry_roll_back_and_abort_ask_first_then_reach_the_driver() {
    let mut model = halted(80, 24);
    assert_eq!(rollout_inputs(&mut model, "P"), [Input::Pause]);
    assert!(
        model.dialog().is_none(),
        "pause starts nothing: no question"
    );

    // Retry: the question lists exactly the failed hosts and says why those; y sends it.
    assert!(rollout_inputs(&mut model, "t").is_empty(), "t asks first");
    let retry = asked(&model);
    assert_eq!(retry.word, RolloutWord::Retry);
    assert_eq!(retry.hosts, vec![1, 3]);
    assert_eq!(retry.names, vec!["web-02", "web-04"]);
    assert!(
        retry.why.contains("every host that failed"),
        "{}",
        retry.why
    );
    assert_eq!(rollout_inputs(&mut model, "y"), [Input::Retry(vec![1, 3])]);
    assert!(model.dialog().is_none());

    // Roll back: n runs nothing; asked again, y sends it.
    assert!(rollout_inputs(&mut model, "b").is_empty(), "b asks first");
    assert_eq!(asked(&model).word, RolloutWord::RollBack);
    assert!(rollout_inputs(&mut model, "n").is_empty());
    assert!(model.dialog().is_none());
    assert!(rollout_inputs(&mut model, "b").is_empty());
    assert_eq!(
        rollout_inputs(&mut model, "y"),
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
fn continue_on_a_halt_over_its_limit_says_why_and_sends_nothing() {
    let mut model = halted(80, 24);
    assert!(rollout_inputs(&mut model, "c").is_empty());
    assert!(model.dialog().is_none(), "nothing to ask: it cannot go on");
    let said = model
        .log
        .last(1)
        .map(|e| e.text.clone())
        .collect::<String>();
    // Hosts are still in flight: it is halting, and says what comes after.
    assert!(said.contains("halting (batch 2: "), "{said}");
    assert!(said.contains("hosts in flight finish first"), "{said}");
}

/// The canary passed and the rollout waits for the operator before the next batch.
fn paused_between_batches() -> Model {
    let settings = RolloutSettings {
        batches: vec![BatchSize::Count(1), BatchSize::Percent(100.0)],
        parallel: 5,
        max_failures: Limit::Count(0),
        pause: Pause::Manual,
        auto_rollback: false,
        ..RolloutSettings::default()
    };
    let local: Vec<usize> = (0..4).collect();
    let mut machine = Rollout::new(plan(&local, &[], &settings.batches, vec![]), settings);
    machine.handle(Input::Start);
    machine.handle(Input::PushDone {
        host: 0,
        ok: true,
        changed: true,
        step: None,
        error: None,
    });
    let mut snapshot = halted_snapshot();
    snapshot.names.truncate(4);
    snapshot.ids.truncate(4);
    snapshot.machine = machine;
    let mut model = sample::healthy_fleet().model(80, 24);
    update(&mut model, Msg::Rollout(Box::new(snapshot)));
    model.body = Body::Rollout;
    model
}

#[test]
fn continue_lists_the_hosts_the_next_batch_starts() {
    let mut model = paused_between_batches();
    assert!(
        matches!(
            model.rollout.as_ref().unwrap().machine.status,
            offgo::core::rollout::Status::PausedBetweenBatches { .. }
        ),
        "{:?}",
        model.rollout.as_ref().unwrap().machine.status
    );
    assert!(rollout_inputs(&mut model, "c").is_empty(), "c asks first");
    let next = asked(&model);
    assert_eq!(next.word, RolloutWord::Continue);
    assert_eq!(next.hosts, vec![1, 2, 3]);
    assert!(next.why.contains("starts next"), "{}", next.why);
    assert_eq!(rollout_inputs(&mut model, "y"), [Input::Continue]);
}

#[test]
fn marked_failed_hosts_narrow_retry_to_them() {
    let mut model = halted(80, 24);
    model.rows[3].marked = true;
    assert!(rollout_inputs(&mut model, "t").is_empty());
    let retry = asked(&model);
    assert_eq!(retry.hosts, vec![3]);
    assert!(
        retry.why.contains("1 marked host(s) among the 2"),
        "{}",
        retry.why
    );
    assert_eq!(rollout_inputs(&mut model, "y"), [Input::Retry(vec![3])]);
}

#[test]
fn an_unfinished_rollout_is_shown_and_c_asks_to_resume_it() {
    let mut model = sample::healthy_fleet().model(80, 24);
    let mut snapshot = halted_snapshot();
    snapshot.resumable = true;
    update(&mut model, Msg::Rollout(Box::new(snapshot)));
    assert!(model.rollout_open(), "shown at once");
    let commands = keys(&mut model, "c");
    assert!(!commands.contains(&Command::ResumeRollout), "c asks first");
    let resume = asked(&model);
    assert_eq!(resume.word, RolloutWord::Resume);
    // web-05 was uploading when the journal ended; web-06 never started.
    assert_eq!(resume.names, vec!["web-05", "web-06"]);
    let commands = keys(&mut model, "y");
    assert!(commands.contains(&Command::ResumeRollout));
    assert!(rollout_inputs(&mut model, "t").is_empty(), "not driven yet");
}

/// Fifty failed hosts: more than any dialog at 80×24 can list.
fn many_failed(width: u16, height: u16) -> Model {
    let settings = RolloutSettings {
        batches: vec![BatchSize::Percent(100.0)],
        parallel: 50,
        max_failures: Limit::Count(100),
        pause: Pause::None,
        auto_rollback: false,
        ..RolloutSettings::default()
    };
    let local: Vec<usize> = (0..50).collect();
    let mut machine = Rollout::new(plan(&local, &[], &settings.batches, vec![]), settings);
    machine.handle(Input::Start);
    for host in 0..50 {
        machine.handle(Input::PushDone {
            host,
            ok: false,
            changed: false,
            step: Some("preflight".into()),
            error: Some("disk_full: releases need 221 MiB, 20 MiB free".into()),
        });
    }
    let mut snapshot = halted_snapshot();
    snapshot.names = (1..=50).map(|i| format!("db-{i:02}")).collect();
    snapshot.ids = (0..50).map(|i| i % 8).collect();
    snapshot.machine = machine;
    let mut model = sample::healthy_fleet().model(width, height);
    update(&mut model, Msg::Rollout(Box::new(snapshot)));
    model.body = Body::Rollout;
    model
}

#[test]
fn snapshots_of_the_questions_behind_t_b_and_c() {
    snapshot!("rollout_ask_retry", |w, h| {
        let mut model = halted(w, h);
        keys(&mut model, "t");
        model
    });
    snapshot!("rollout_ask_roll_back_marked", |w, h| {
        let mut model = halted(w, h);
        model.rows[1].marked = true;
        keys(&mut model, "b");
        model
    });
    snapshot!("rollout_ask_continue", |w, h| {
        let mut model = paused_between_batches();
        update(
            &mut model,
            Msg::Resize {
                width: w,
                height: h,
            },
        );
        keys(&mut model, "c");
        model
    });
    snapshot!("rollout_ask_many_hosts", |w, h| {
        let mut model = many_failed(w, h);
        keys(&mut model, "t");
        model
    });
}

#[test]
fn a_long_host_list_scrolls_and_always_says_how_many() {
    let mut model = many_failed(80, 24);
    keys(&mut model, "t");
    let screen = screen::text(&draw(&model));
    assert!(screen.contains("hosts (50)"), "{screen}");
    assert!(screen.contains("db-01"), "{screen}");
    assert!(screen.contains("more of 50"), "{screen}");
    // The frame measured how far the list scrolls; j moves it.
    keys(&mut model, "jjj");
    assert_eq!(asked(&model).scroll, 3);
    let screen = screen::text(&draw(&model));
    assert!(!screen.contains("db-01 "), "{screen}");
    assert!(screen.contains("db-04"), "{screen}");
    // A tiny terminal still shows the count and the first name.
    let mut tiny = many_failed(40, 8);
    keys(&mut tiny, "t");
    let screen = screen::text(&draw(&tiny));
    assert!(screen.contains("db-01"), "{screen}");
    assert!(screen.contains("of 50"), "{screen}");
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
                output: Default::default(),
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

/// The token of the rollout `y` asked the event loop to start.
fn started_token(commands: &[Command]) -> u64 {
    commands
        .iter()
        .find_map(|c| match c {
            Command::StartRollout { token, .. } => Some(*token),
            _ => None,
        })
        .expect("y starts the rollout")
}

fn logged(model: &Model) -> Vec<String> {
    model.log.last(usize::MAX).map(|e| e.text.clone()).collect()
}

/// The bundle is opened off the event loop: a second confirmation while the first rollout's
/// bundle is still being opened supersedes it, so the first answer, however late, starts
/// nothing; a bundle that does not open is refused in the log; no answer starts twice.
#[test]
fn only_the_latest_confirmed_rollout_starts_when_its_bundle_opens() {
    let mut model = plan_dialog(160, 48);
    let first = started_token(&keys(&mut model, "y"));
    model.take_dialog();
    // The operator confirms again (the same plan dialog, as R → pick → Enter would show it).
    let mut again = plan_dialog(160, 48);
    let dialog = again.take_dialog().expect("a plan dialog");
    model.open_dialog(dialog);
    let second = started_token(&keys(&mut model, "y"));
    assert_ne!(first, second);
    assert!(
        logged(&model).iter().any(|l| l.contains("superseded")),
        "{:?}",
        logged(&model)
    );

    let late = update(
        &mut model,
        Msg::RolloutBundleOpened {
            token: first,
            opened: Err("slow media".into()),
        },
    );
    assert!(!late
        .iter()
        .any(|c| matches!(c, Command::StartOpenedRollout(_))));
    assert!(logged(&model)
        .iter()
        .any(|l| l.contains("opened late: not started")));

    update(
        &mut model,
        Msg::RolloutBundleOpened {
            token: second,
            opened: Err("no such manifest".into()),
        },
    );
    assert!(logged(&model)
        .iter()
        .any(|l| l == "rollout refused: no such manifest"));
    assert!(model.rollout_opening.is_none());
    // Its answer again (it cannot come twice, but if it did): nothing starts.
    let twice = update(
        &mut model,
        Msg::RolloutBundleOpened {
            token: second,
            opened: Err("again".into()),
        },
    );
    assert!(!twice
        .iter()
        .any(|c| matches!(c, Command::StartOpenedRollout(_))));
}
