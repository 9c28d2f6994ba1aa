//! The rollout plan dialog says, per host, what the last probe already predicts (issue 11,
//! item 4): unreachable, probe failed, full disk, wrong architecture, audit trouble, an ldd gap
//! already there, and hosts never probed; drawn at 80×24 and 160×48.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use screen::{draw, key, keys};

use crossterm::event::KeyCode;
use offgo::core::rollout::WarningKind;
use offgo::tui::testing::{update, Dialog, Model, Msg};

/// The mixed fleet (one host of every kind of trouble, one never probed), with web-01 short of
/// disk and web-02 an arm64 host; every visible host, `R`, the first bundle (go1.23.4 amd64).
fn plan_with_warnings(width: u16, height: u16) -> Model {
    let mut fleet = sample::mixed_fleet();
    if let Some(r) = fleet.reports[0].as_mut() {
        r.facts.as_mut().unwrap().free_bytes = Some(40 * 1024 * 1024);
    }
    if let Some(r) = fleet.reports[1].as_mut() {
        r.arch = Some("aarch64".into());
    }
    let mut model = fleet.model(width, height);
    model.bundles_dir = "/srv/offgo/bundles".into();
    keys(&mut model, "R");
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

fn kinds_of(model: &Model, name: &str) -> Vec<WarningKind> {
    let Some(Dialog::Rollout(plan)) = model.dialog() else {
        panic!("no plan dialog: {:?}", model.dialog());
    };
    let id = model.rows.iter().find(|r| r.name == name).unwrap().id;
    plan.preview
        .warnings
        .iter()
        .filter(|(h, _)| *h == id)
        .flat_map(|(_, ws)| ws.iter().map(|w| w.kind))
        .collect()
}

#[test]
fn the_plan_names_what_each_host_will_run_into() {
    let model = plan_with_warnings(160, 48);
    assert_eq!(kinds_of(&model, "web-01"), vec![WarningKind::DiskSpace]);
    assert_eq!(kinds_of(&model, "web-02"), vec![WarningKind::Arch]);
    assert_eq!(kinds_of(&model, "web-03"), vec![WarningKind::LddGap]);
    assert_eq!(kinds_of(&model, "web-04"), vec![WarningKind::Audit]);
    assert_eq!(
        kinds_of(&model, "db-01"),
        vec![],
        "a missing log is no warning"
    );
    assert_eq!(kinds_of(&model, "db-02"), vec![WarningKind::Unreachable]);
    assert_eq!(kinds_of(&model, "batch-01"), vec![WarningKind::ProbeFailed]);
    assert_eq!(kinds_of(&model, "batch-02"), vec![WarningKind::Audit]);
    assert_eq!(kinds_of(&model, "edge-01"), vec![WarningKind::NotProbed]);
    let screen = format!("{:?}", draw(&model).backend());
    assert!(
        screen.contains("predicted from the last probe: 9 of 12 host(s) will likely fail"),
        "{screen}"
    );
    assert!(
        screen.contains("web-01 — disk full: releases need 336 MiB, 40 MiB free"),
        "{screen}"
    );
    assert!(screen.contains("edge-01 — not probed yet"), "{screen}");
}

#[test]
fn snapshots_of_the_plan_with_warnings() {
    snapshot!("rollout_plan_warnings", plan_with_warnings);
}
