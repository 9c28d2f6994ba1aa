//! The Go environment in the console: with a `[go_env]` policy the table gets an `env` column
//! (`ok` or `N drift`) and the detail pane lists each drifting variable (want, got, where) and
//! what `go env` says in a login shell. Without a policy there is no column. Snapshots at 80×24
//! and 160×48.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::collections::BTreeMap;
use std::sync::Arc;

use crossterm::event::KeyCode;
use offgo::core::goenv::{Drift, GoEnvPolicy, View};
use offgo::core::inventory::Inventory;
use offgo::tui::testing::{update_all, Model};
use screen::{draw, key, keys, text};

fn policy() -> Arc<GoEnvPolicy> {
    let mut p = GoEnvPolicy::default();
    p.insert("GOTOOLCHAIN", "local").unwrap();
    p.insert("GOPROXY", "file:///opt/offgo/modcache/current")
        .unwrap();
    Arc::new(p)
}

fn env(proxy: &str, toolchain: &str) -> BTreeMap<String, String> {
    [
        ("GOFLAGS", ""),
        ("GOPROXY", proxy),
        ("GOSUMDB", "off"),
        ("GOTOOLCHAIN", toolchain),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// The healthy fleet under a policy: web-02's services still see go.env's defaults, web-05
/// has no Go reading (probe found none), the rest comply.
fn model(width: u16, height: u16, with_policy: bool) -> Model {
    let fleet = sample::healthy_fleet();
    let policy = if with_policy {
        policy()
    } else {
        Arc::default()
    };
    let mut inventory: Inventory = (*fleet.inventory).clone();
    inventory.go_env = Arc::clone(&policy);
    for host in &mut inventory.hosts {
        host.go_env = Arc::clone(&policy);
    }
    let inventory = Arc::new(inventory);
    let mut model = Model::new(&inventory, sample::settings(width, height));
    let want = "file:///opt/offgo/modcache/current";
    let msgs = fleet.reports.iter().enumerate().map(|(id, report)| {
        let mut report = report.clone().unwrap();
        match id {
            1 => {
                report.go_env = Some(env(want, "local"));
                report.go_env_drift = vec![
                    Drift {
                        var: "GOPROXY".into(),
                        want: want.into(),
                        got: Some("https://proxy.golang.org,direct".into()),
                        view: View::Service,
                    },
                    Drift {
                        var: "GOTOOLCHAIN".into(),
                        want: "local".into(),
                        got: Some("auto".into()),
                        view: View::Service,
                    },
                ];
            }
            4 => report.go_env = None,
            _ => report.go_env = Some(env(want, "local")),
        }
        sample::probed(id, report)
    });
    update_all(&mut model, msgs.collect::<Vec<_>>());
    model
}

fn drifting_host_detail(width: u16, height: u16) -> Model {
    let mut m = model(width, height, true);
    keys(&mut m, "j");
    key(&mut m, KeyCode::Enter);
    m
}

#[test]
fn snapshots_of_the_env_column_and_the_drift_in_the_detail_pane() {
    snapshot!("go_env_table", |w, h| model(w, h, true));
    snapshot!("go_env_detail", drifting_host_detail);
}

#[test]
fn the_column_says_ok_or_how_many_drift_and_is_absent_without_a_policy() {
    let screen = text(&draw(&model(160, 48, true)));
    let row = |name: &str| {
        screen
            .lines()
            .find(|l| l.starts_with('│') && l.contains(&format!(" {name} ")))
            .unwrap_or_else(|| panic!("no {name} row:\n{screen}"))
            .to_string()
    };
    assert!(screen.contains(" env "), "{screen}");
    assert!(row("web-02").contains("2 drift"), "{}", row("web-02"));
    assert!(row("web-01").contains(" ok "), "{}", row("web-01"));
    let screen = text(&draw(&model(160, 48, false)));
    let header = screen.lines().find(|l| l.contains("name ▲")).unwrap();
    assert!(!header.contains(" env "), "no policy, no column:\n{screen}");
    assert!(
        screen.contains("no [go_env] policy to check against"),
        "{screen}"
    );

    let detail = text(&draw(&drifting_host_detail(160, 48)));
    assert!(detail.contains("2 drift from [go_env]"), "{detail}");
    assert!(
        detail.contains("GOTOOLCHAIN  service auto  want local"),
        "{detail}"
    );
}
