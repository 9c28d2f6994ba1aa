//! The output pane (`O`): a host's last operations, newest first, each command with its exit
//! status, time and the end of what it printed; one key from the table and from the rollout
//! view. And the reason an auto-rollback undid, kept next to the rollback's result in the
//! detail pane. Snapshots at 80×24 and 160×48.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::time::Duration;

use crossterm::event::KeyCode;
use offgo::core::engine::{Check, CommandOutput, EngineEvent, HostOutcome, Operation};
use offgo::core::inventory::HostId;
use offgo::core::rollout::settings::{BatchSize, Limit, Pause};
use offgo::core::rollout::{plan, Input, Rollout, RolloutSettings};
use offgo::core::ssh::{ErrorKind, HostError};
use offgo::tui::testing::{
    update, update_all, Body, Model, Msg, OutputPane, Overlay, RolloutSnapshot, Scope,
    OUTPUT_BUDGET,
};
use screen::{draw, key, keys};

fn ran(host: HostId, label: &str, status: Option<i32>, ms: u64, stdout: &str, stderr: &str) -> Msg {
    sample::engine(EngineEvent::CommandRan {
        host,
        label: label.into(),
        exit_status: status,
        elapsed: Duration::from_millis(ms),
        output: CommandOutput {
            stdout: stdout.into(),
            stderr: stderr.into(),
            no_exit: None,
        },
    })
}

fn step(host: HostId, op: Operation, step: &str) -> Msg {
    sample::engine(EngineEvent::StepStarted {
        host,
        op,
        step: step.into(),
    })
}

fn finished(host: HostId, op: Operation, outcome: HostOutcome) -> Msg {
    sample::engine(EngineEvent::OperationFinished {
        host,
        op,
        outcome: Box::new(outcome),
    })
}

const LDD_ERROR: &str = "verification failed: ldd (/opt/app/bin/report: missing libofgo.so.1)";

/// A rollout's host: the push of go1.23.4 went through, the verification found a binary
/// missing a library, and the auto-rollback switched the host back.
fn auto_rolled_back(host: HostId, name: &str) -> Vec<Msg> {
    let push = Operation::Push;
    let mut pushed = HostOutcome::new(name);
    pushed.ok = true;
    pushed.changed = true;
    pushed.from = Some("go1.22.10".into());
    pushed.to = Some("go1.23.4".into());
    let verify = Operation::Verify;
    let error = HostError::new(
        ErrorKind::CommandFailed,
        LDD_ERROR,
        "push again or roll back",
    );
    let mut verified = HostOutcome::new(name).fail("ldd", &error);
    verified.from = Some("go1.23.4".into());
    verified.checks = Some(vec![
        Check {
            check: "tree".into(),
            ok: true,
            detail: "1 file list, all match".into(),
        },
        Check {
            check: "ldd".into(),
            ok: false,
            detail: "/opt/app/bin/report: missing libofgo.so.1".into(),
        },
    ]);
    let rollback = Operation::Rollback;
    let mut rolled = HostOutcome::new(name);
    rolled.ok = true;
    rolled.changed = true;
    rolled.from = Some("go1.23.4".into());
    rolled.to = Some("go1.22.10".into());
    vec![
        sample::engine(EngineEvent::OperationStarted { host, op: push }),
        step(host, push, "preflight"),
        ran(
            host,
            "preflight",
            Some(0),
            310,
            "arch=x86_64\nreleases_free_kb=9437184\n",
            "",
        ),
        step(host, push, "upload"),
        ran(host, "upload tarball", Some(0), 5_800, "", ""),
        step(host, push, "install"),
        ran(
            host,
            "install",
            Some(0),
            2_400,
            "step=check_tarball\nstep=extract\nstep=switch\n",
            "",
        ),
        finished(host, push, pushed),
        sample::engine(EngineEvent::OperationStarted { host, op: verify }),
        step(host, verify, "verify"),
        ran(
            host,
            "verify",
            Some(0),
            820,
            "tree=ok\nldd=/opt/app/bin/report libofgo.so.1 => not found\n",
            "",
        ),
        sample::engine(EngineEvent::StepFailed {
            host,
            op: verify,
            step: "ldd".into(),
            error,
        }),
        finished(host, verify, verified),
        sample::engine(EngineEvent::OperationStarted { host, op: rollback }),
        step(host, rollback, "switch"),
        ran(host, "switch", Some(0), 140, "switched=go1.22.10\n", ""),
        finished(host, rollback, rolled),
    ]
}

/// web-02's push failed at check_tree (the install printed why); `O` on it.
fn failed_push_output(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    update_all(&mut model, sample::push_failed_at_check_tree(1, "web-02"));
    keys(&mut model, "jO");
    model
}

/// web-03 pushed, failed verification, rolled back; `O` on it.
fn auto_rollback_output(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    update_all(&mut model, auto_rolled_back(2, "web-03"));
    keys(&mut model, "jjO");
    model
}

/// The same host's detail pane, focused.
fn auto_rollback_detail(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    update_all(&mut model, auto_rolled_back(2, "web-03"));
    keys(&mut model, "jj");
    key(&mut model, KeyCode::Enter);
    model
}

#[test]
fn snapshots_of_the_output_pane_and_the_reason_of_an_auto_rollback() {
    snapshot!("output_failed_push", failed_push_output);
    snapshot!("output_auto_rollback", auto_rollback_output);
    snapshot!("detail_auto_rollback", auto_rollback_detail);
}

fn screen_text(model: &Model) -> String {
    let terminal = draw(model);
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn o_opens_the_selected_host_s_output_and_esc_closes_it() {
    let mut model = failed_push_output(160, 48);
    assert_eq!(
        model.overlay,
        Overlay::Output(OutputPane { host: 1, scroll: 0 })
    );
    assert_eq!(model.scope(), Scope::Output);
    let text = screen_text(&model);
    for shown in [
        "output of web-02",
        "$ install · exit 1 · 2.4 s",
        "sha256sum: WARNING: 1 computed checksum did NOT match",
        "why=files differ from the bundle: go/bin/gofmt: FAILED",
        "$ preflight · exit 0",
    ] {
        assert!(text.contains(shown), "{shown:?} not on screen:\n{text}");
    }
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);
    keys(&mut model, "O");
    keys(&mut model, "O");
    assert_eq!(model.overlay, Overlay::None, "O again closes it");
}

#[test]
fn the_pane_scrolls_within_what_it_holds() {
    let mut model = auto_rollback_output(80, 24);
    let max = model.measured.output.expect("the pane measured itself");
    assert!(
        max > 0,
        "the story of three operations is longer than 22 lines"
    );
    keys(&mut model, "jjj");
    assert_eq!(model.output_pane().unwrap().scroll, 3.min(max));
    for _ in 0..=max / 10 {
        key(&mut model, KeyCode::PageDown);
    }
    assert_eq!(model.output_pane().unwrap().scroll, max);
    keys(&mut model, "jjjj");
    assert_eq!(
        model.output_pane().unwrap().scroll,
        max,
        "never past the end"
    );
    key(&mut model, KeyCode::PageUp);
    assert_eq!(model.output_pane().unwrap().scroll, max.saturating_sub(10));
    for _ in 0..=max {
        keys(&mut model, "k");
    }
    assert_eq!(model.output_pane().unwrap().scroll, 0);
    // The table's keys wait: `p` does not open a picker under the pane.
    keys(&mut model, "p");
    assert!(model.dialog().is_none());
}

#[test]
fn the_three_operations_and_the_reason_of_the_rollback_are_told() {
    let model = auto_rollback_output(160, 48);
    let text = screen_text(&model);
    let rollback = text.find("▸ rollback ok go1.22.10").expect(&text);
    let verify = text.find("▸ verify failed at ldd").expect(&text);
    let push = text.find("▸ push ok go1.23.4").expect(&text);
    assert!(rollback < verify && verify < push, "newest first:\n{text}");
    assert!(text.contains(&format!(
        "why: verify failed at ldd: {LDD_ERROR} → rolled back"
    )));
    assert!(text.contains("libofgo.so.1 => not found"));
    let detail = screen_text(&auto_rollback_detail(160, 48));
    // The detail pane wraps the line; its words are all there, in order.
    let flat: String = detail
        .lines()
        .map(|l| l.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        flat.contains("why       verify failed at ldd: verification failed: ldd")
            && flat.contains("missing libofgo.so.1) → rolled back"),
        "{detail}"
    );
}

#[test]
fn a_host_that_prints_a_lot_keeps_its_output_within_the_budget() {
    let mut model = sample::healthy_fleet().model(80, 24);
    let big = "x".repeat(8 * 1024);
    let op = Operation::Push;
    let mut msgs = vec![sample::engine(EngineEvent::OperationStarted {
        host: 0,
        op,
    })];
    for i in 0..12 {
        msgs.push(step(0, op, "install"));
        msgs.push(ran(0, &format!("step {i}"), Some(0), 1, &big, &big));
    }
    msgs.push(ran(0, "failing", Some(1), 1, "", "the reason"));
    update_all(&mut model, msgs);
    let row = &model.rows[0];
    let held: usize = row
        .operations()
        .flat_map(|o| &o.commands)
        .map(|c| c.output.size())
        .sum();
    assert!(held <= OUTPUT_BUDGET, "{held} > {OUTPUT_BUDGET}");
    let commands = &row.operation.as_ref().unwrap().commands;
    assert_eq!(commands.last().unwrap().output.stderr, "the reason");
    assert!(commands[0].output_dropped && commands[0].output.is_empty());
    assert!(
        !commands.last().unwrap().output_dropped,
        "the newest and failed output stays"
    );
}

/// Four hosts, limit 0: web-02 and web-04 hit a full disk.
fn rollout_with_failures() -> RolloutSnapshot {
    let settings = RolloutSettings {
        batches: vec![BatchSize::Percent(100.0)],
        parallel: 4,
        max_failures: Limit::Count(0),
        pause: Pause::None,
        auto_rollback: false,
        ..RolloutSettings::default()
    };
    let local: Vec<usize> = (0..4).collect();
    let mut machine = Rollout::new(plan(&local, &[], &settings.batches, vec![]), settings);
    machine.handle(Input::Start);
    for host in 0..4 {
        let ok = host % 2 == 0;
        machine.handle(Input::PushDone {
            host,
            ok,
            changed: ok,
            step: (!ok).then(|| "preflight".into()),
            error: (!ok).then(|| "disk full: releases need 221 MiB, 20 MiB free".into()),
        });
    }
    RolloutSnapshot {
        id: "r".into(),
        version: "go1.23.4".into(),
        journal: "/j".into(),
        names: (1..=4).map(|i| format!("web-{i:02}")).collect(),
        ids: (0..4).collect(),
        machine,
        waiting_for_operator: false,
        pause_left: None,
        updates: vec![],
        resumable: false,
        elsewhere: false,
    }
}

#[test]
fn in_the_rollout_view_o_shows_the_highlighted_bucket_s_host() {
    let mut model = sample::healthy_fleet().model(80, 24);
    update(&mut model, Msg::Rollout(Box::new(rollout_with_failures())));
    model.body = Body::Rollout;
    let text = screen_text(&model);
    assert!(
        text.contains("disk full: releases need 221 MiB, 20 MiB free"),
        "the bucket keeps its values:\n{text}"
    );
    // web-01 is selected, but it did not fail: the bucket's first host is shown.
    keys(&mut model, "O");
    assert_eq!(model.output_pane().map(|p| p.host), Some(1));
    key(&mut model, KeyCode::Esc);
    assert!(
        model.rollout_open(),
        "closing the pane returns to the rollout view"
    );
    // The selected host, when it is in the bucket.
    model.body = Body::Table;
    keys(&mut model, "jjjoO");
    assert_eq!(model.output_pane().map(|p| p.host), Some(3));
}
