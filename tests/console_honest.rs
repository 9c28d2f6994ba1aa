//! Counts and labels that tell the truth: `audit problems` counts only logs that need the
//! operator; a Go version not known says `unknown`, `none` only when the probe found no Go;
//! the rollout's status line and its `now:` line give one count.

#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;
#[allow(dead_code, unused_macros)]
#[path = "support/screen.rs"]
mod screen;

use offgo::core::audit::AuditStatus;
use offgo::core::remote::probe::{GoRootKind, StateRead};
use offgo::core::rollout::settings::{BatchSize, Limit, Pause};
use offgo::core::rollout::{plan, Input, Rollout, RolloutSettings};
use offgo::core::ssh::ErrorKind;
use offgo::tui::testing::{update, Body, Model, Msg, RolloutSnapshot};
use screen::draw;

fn screen_text(model: &Model) -> String {
    let terminal = draw(model);
    let buffer = terminal.backend().buffer();
    (0..buffer.area.height)
        .map(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line + "\n"
        })
        .collect()
}

/// Four hosts: never managed with no audit log (fine), managed with its log gone, tampered,
/// and one whose `go version` printed something else; plus one unreachable.
fn fleet() -> Model {
    let hosts = vec![
        sample::host("fresh", "10.0.0.1", 22),
        sample::host("gone", "10.0.0.2", 22),
        sample::host("edited", "10.0.0.3", 22),
        sample::host("odd", "10.0.0.4", 22),
        sample::host("down", "10.0.0.5", 22),
    ];
    let mut fresh = sample::with_audit(
        sample::healthy(&hosts[0], "go1.22.10", 10),
        AuditStatus::Missing,
        Some("/var/log/offgo/audit.log does not exist (offgo has not changed this host yet)"),
    );
    fresh.offgo = None;
    fresh.go_version = None;
    if let Some(f) = &mut fresh.facts {
        f.state = StateRead::Absent;
        f.go_root_kind = GoRootKind::Missing;
        f.go_version_output = None;
        f.go_version_file = None;
    }
    let gone = sample::with_audit(
        sample::healthy(&hosts[1], "go1.22.10", 10),
        AuditStatus::Missing,
        Some("/var/log/offgo/audit.log is gone, but the jump host recorded 3 entries"),
    );
    let edited = sample::with_audit(
        sample::healthy(&hosts[2], "go1.22.10", 10),
        AuditStatus::Tampered,
        Some("line 2: prev does not match"),
    );
    let mut odd = sample::healthy(&hosts[3], "go1.22.10", 10);
    odd.go_version = None;
    if let Some(f) = &mut odd.facts {
        f.go_version_output = Some("Welcome to odd! go is great".into());
        f.go_version_file = None;
    }
    let down = sample::failed(&hosts[4], ErrorKind::Refused, "refused", "start sshd");
    sample::Fleet {
        inventory: sample::inventory(hosts),
        reports: vec![Some(fresh), Some(gone), Some(edited), Some(odd), Some(down)],
    }
    .model(160, 48)
}

#[test]
fn audit_problems_leave_out_a_missing_log_on_a_host_offgo_never_changed() {
    let model = fleet();
    assert_eq!(model.summary.audit_problems, 2, "gone and edited");
    assert!(screen_text(&model).contains("audit problems 2"));
    assert!(
        !model.rows[0].audit_problem(),
        "fresh: no log yet, as it should be"
    );
    assert!(
        model.rows[1].audit_problem(),
        "gone: managed, its log deleted"
    );
}

#[test]
fn a_go_version_not_known_says_unknown_and_none_means_no_go() {
    let model = fleet();
    let labels: Vec<&str> = model.rows.iter().map(|r| r.go_label()).collect();
    assert_eq!(
        labels,
        ["none", "go1.22.10", "go1.22.10", "unknown", "unknown"]
    );
    let text = screen_text(&model);
    assert!(
        text.contains("go1.22.10 ×2  unknown ×1  none ×1"),
        "the header counts each:\n{text}"
    );
}

/// Limit 0, three at a time: web-01 fails, then web-02 (in flight when web-01 failed) too.
fn halting() -> RolloutSnapshot {
    let settings = RolloutSettings {
        batches: vec![BatchSize::Percent(100.0)],
        parallel: 3,
        max_failures: Limit::Count(0),
        pause: Pause::None,
        auto_rollback: false,
        ..RolloutSettings::default()
    };
    let local: Vec<usize> = (0..5).collect();
    let mut machine = Rollout::new(plan(&local, &[], &settings.batches, vec![]), settings);
    machine.handle(Input::Start);
    let fail = |host| Input::PushDone {
        host,
        ok: false,
        changed: false,
        step: Some("preflight".into()),
        error: Some("disk full: releases need 221 MiB, 20 MiB free".into()),
    };
    machine.handle(fail(0));
    machine.handle(fail(1));
    RolloutSnapshot {
        id: "r".into(),
        version: "go1.23.4".into(),
        journal: "/j".into(),
        names: (1..=5).map(|i| format!("web-{i:02}")).collect(),
        ids: (0..5).collect(),
        machine,
        waiting_for_operator: false,
        pause_left: None,
        updates: vec![],
        resumable: false,
        elsewhere: false,
    }
}

#[test]
fn the_status_line_and_the_now_line_give_one_count() {
    let mut model = sample::healthy_fleet().model(160, 48);
    update(&mut model, Msg::Rollout(Box::new(halting())));
    model.body = Body::Rollout;
    let text = screen_text(&model);
    assert!(
        text.contains(
            "HALTING (hosts in flight finish): 2 failed in the rollout; limit 0 → halted"
        ),
        "{text}"
    );
    assert!(
        text.contains("now: 2 failed in the rollout; limit 0 → halted"),
        "{text}"
    );
    assert!(!text.contains("1 failed"), "{text}");
    // The bucket keeps the values its hosts share.
    assert!(
        text.contains(
            "2 × preflight · disk full: releases need 221 MiB, 20 MiB free · web-01, web-02"
        ),
        "{text}"
    );
}
