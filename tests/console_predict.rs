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

/// A bundle set of go1.23.4 for amd64 and arm64, as the picker lists it (no files behind it).
fn set_choice() -> offgo::tui::testing::BundleChoice {
    use offgo::core::engine::{Artifact, GoRelease, GoReleaseSet};
    let member = |arch: &str| GoRelease {
        version: "go1.23.4".into(),
        arch: arch.into(),
        tarball: format!("/srv/offgo/bundles/all/go1.23.4.linux-{arch}.tar.gz").into(),
        tarball_name: format!("go1.23.4.linux-{arch}.tar.gz"),
        size: 70_000_000,
        sha256: format!("{:0<64}", arch.len()),
        sums: format!("/srv/offgo/bundles/all/go1.23.4.linux-{arch}.sha256sums").into(),
        tree_digest: "cd".into(),
        file_count: 13_000,
        unpacked_size: None,
    };
    let set = GoReleaseSet {
        version: "go1.23.4".into(),
        dir: "/srv/offgo/bundles/all".into(),
        releases: vec![member("amd64"), member("arm64")],
        arches: "amd64, arm64".into(),
        digest: "ef".repeat(32),
        size: 70_000_000,
        file_count: 13_000,
        unpacked_size: None,
    };
    let mut info = sample::bundle_info(
        "go1.23.4",
        70_000_000,
        offgo::core::bundle::SignatureStatus::Unsigned,
    );
    info.manifest = "/srv/offgo/bundles/all".into();
    info.arch = set.arches.clone();
    info.tarball_name = "all/ (a tarball per arch)".into();
    info.set = Some(Box::new(Artifact::GoReleaseSet(set)));
    offgo::tui::testing::BundleChoice {
        name: "all/".into(),
        info: Some(info),
        refused: None,
    }
}

#[test]
fn a_bundle_set_plans_each_host_s_tarball_by_its_arch() {
    let mut fleet = sample::mixed_fleet();
    if let Some(r) = fleet.reports[1].as_mut() {
        r.arch = Some("aarch64".into());
    }
    if let Some(r) = fleet.reports[2].as_mut() {
        r.arch = Some("riscv64".into());
    }
    let mut model = fleet.model(160, 48);
    model.bundles_dir = "/srv/offgo/bundles".into();
    keys(&mut model, "R");
    update(
        &mut model,
        Msg::Bundles {
            dir: "/srv/offgo/bundles".into(),
            choices: vec![set_choice()],
        },
    );
    key(&mut model, KeyCode::Enter);
    // The aarch64 host is no arch trouble with the set; the riscv64 one is.
    assert!(!kinds_of(&model, "web-02").contains(&WarningKind::Arch));
    assert!(kinds_of(&model, "web-03").contains(&WarningKind::Arch));
    let Some(Dialog::Rollout(plan)) = model.dialog() else {
        panic!("no plan dialog");
    };
    let tarball = |name: &str| {
        let id = model.rows.iter().find(|r| r.name == name).unwrap().id;
        plan.preview
            .tarballs
            .iter()
            .find(|(h, _)| *h == id)
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        tarball("web-01"),
        "go1.23.4.linux-amd64.tar.gz (for x86_64)"
    );
    assert_eq!(
        tarball("web-02"),
        "go1.23.4.linux-arm64.tar.gz (for aarch64)"
    );
    assert_eq!(
        tarball("web-03"),
        "none: the set has no bundle for riscv64 (it holds amd64, arm64)"
    );
    let screen = format!("{:?}", draw(&model).backend());
    assert!(
        screen.contains("bundle of the set per host (by arch)")
            && screen.contains("web-02 — go1.23.4.linux-arm64.tar.gz (for aarch64)"),
        "{screen}"
    );
}
