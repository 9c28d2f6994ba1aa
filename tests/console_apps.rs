//! The apps view (`A`, `:apps`): one row per host and Go application with its version, the Go
//! that built it, static or dynamic, revision, ldd gaps and health; drift against the newest
//! bundle of each app and an older Go than the fleet's flagged; the detail pane's provenance
//! (what `go version -m` prints). Snapshots at 80×24 and 160×48, and the keys that get there
//! and back.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::collections::BTreeMap;
use std::path::PathBuf;

use crossterm::event::KeyCode;
use offgo::core::app::{
    AppLink, AppManifest, AppReport, AppState, AppStateRead, BuildSection, HealthRead,
    InstalledApp, ManifestRead,
};
use offgo::core::engine::HostReport;
use offgo::core::remote::probe::BinaryStatus;
use offgo::core::ssh::ErrorKind;
use offgo::tui::testing::{update, AppCatalog, Body, Command, Focus, Model, Msg, Scope};
use screen::{draw, key, keys};

struct App<'a> {
    name: &'a str,
    link: &'a str,
    state: &'a str,
    go: &'a str,
    binary: BinaryStatus,
    health: Option<HealthRead>,
}

fn manifest(app: &App<'_>) -> AppManifest {
    let cgo = matches!(app.binary, BinaryStatus::Ok | BinaryStatus::Gaps(_));
    AppManifest {
        format_version: 1,
        name: app.name.into(),
        version: app.link.into(),
        os: "linux".into(),
        arch: "amd64".into(),
        tarball: format!("{}-{}.linux-amd64.tar.gz", app.name, app.link),
        size: 4_194_304,
        sha256: "ab".repeat(32),
        file_count: 1,
        tree_digest: "cd".repeat(32),
        binary: format!("bin/{}", app.name),
        files: vec![],
        is_static: !cgo,
        needed: if cgo {
            vec!["libc.so.6".into()]
        } else {
            vec![]
        },
        created: "2026-11-30T12:00:00Z".into(),
        builder: "ops@jump".into(),
        build: BuildSection {
            go_version: app.go.into(),
            path: Some(format!("example.com/{}", app.name)),
            module: Some(format!("example.com/{}", app.name)),
            module_version: Some("(devel)".into()),
            cgo_enabled: Some(if cgo { "1" } else { "0" }.into()),
            goos: Some("linux".into()),
            goarch: Some("amd64".into()),
            ldflags: Some(format!("-X main.version={}", app.link)),
            vcs_revision: Some("9f1c2e4d5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d".into()),
            vcs_time: Some("2026-11-29T17:04:11Z".into()),
            vcs_modified: Some("false".into()),
        },
        signature: None,
    }
}

/// `report` with `apps` installed, as a probe would report them.
fn with_apps(mut report: HostReport, apps: &[App<'_>]) -> HostReport {
    for app in apps {
        let mut read = InstalledApp::new(app.name.into());
        read.link = AppLink::Release(app.link.into());
        read.state = AppStateRead::Parsed(AppState {
            current: Some(app.state.into()),
            previous: Some("1.0.0".into()),
            ..AppState::default()
        });
        read.manifest = ManifestRead::Parsed(Box::new(manifest(app)));
        read.binary = Some(app.binary.clone());
        read.health = app.health.clone();
        report.apps.push(AppReport::of(&read));
        report.facts.as_mut().unwrap().apps.push(read);
    }
    report
}

/// Four hosts with apps (drift, an old Go, a gap, a failed health check, a link that disagrees
/// with the state), one without, one unreachable.
fn fleet() -> sample::Fleet {
    let hosts: Vec<_> = ["web-01", "web-02", "web-03", "web-04", "db-01", "db-02"]
        .iter()
        .enumerate()
        .map(|(i, n)| sample::host(n, &format!("10.0.3.{}", 11 + i), 22))
        .collect();
    let svc = |link, state, health| App {
        name: "svc",
        link,
        state,
        go: "go1.22.10",
        binary: BinaryStatus::NotDynamic,
        health,
    };
    let ok = || Some(HealthRead::Ok);
    let worker = App {
        name: "worker",
        link: "0.3.0",
        state: "0.3.0",
        go: "go1.21.13",
        binary: BinaryStatus::Gaps(vec!["libledger.so.1".into()]),
        health: None,
    };
    let reports = vec![
        Some(with_apps(
            sample::healthy(&hosts[0], "go1.22.10", 12),
            &[svc("1.2.0", "1.2.0", ok()), worker],
        )),
        Some(with_apps(
            sample::healthy(&hosts[1], "go1.22.10", 14),
            &[svc(
                "1.1.0",
                "1.1.0",
                Some(HealthRead::Failed("HTTP 503 Service Unavailable".into())),
            )],
        )),
        Some(with_apps(
            sample::healthy(&hosts[2], "go1.22.10", 15),
            &[svc("1.2.0", "1.1.0", ok())],
        )),
        Some(with_apps(
            sample::healthy(&hosts[3], "go1.21.13", 16),
            &[App {
                name: "report-gen",
                link: "2024.11.3",
                state: "2024.11.3",
                go: "go1.20.14",
                binary: BinaryStatus::NotDynamic,
                health: None,
            }],
        )),
        Some(sample::healthy(&hosts[4], "go1.22.10", 18)),
        Some(sample::failed(
            &hosts[5],
            ErrorKind::Refused,
            "10.0.3.16:22 refused the connection",
            "sshd is not running on the host",
        )),
    ];
    sample::Fleet {
        inventory: sample::inventory(hosts),
        reports,
    }
}

/// What the bundle directory holds: svc up to 1.2.0, worker 0.3.0, Go up to go1.22.10.
fn catalog() -> AppCatalog {
    AppCatalog {
        loaded: true,
        dir: PathBuf::from("/srv/bundles"),
        newest: BTreeMap::from([
            ("svc".to_string(), "1.2.0".to_string()),
            ("worker".to_string(), "0.3.0".to_string()),
        ]),
        go_release: Some("go1.22.10".into()),
        unreadable: 0,
    }
}

/// The console in the apps view, the bundle directory read.
fn in_apps_view(width: u16, height: u16) -> Model {
    let mut model = fleet().model(width, height);
    let commands = key(&mut model, KeyCode::Char('A'));
    assert!(
        commands.contains(&Command::ListAppBundles(PathBuf::from("/etc/offgo"))),
        "{commands:?}"
    );
    update(&mut model, Msg::AppBundles(catalog()));
    model
}

#[test]
fn apps_view() {
    snapshot!("apps_view", in_apps_view);
}

/// The detail pane of the row under the cursor: the app's provenance first, then its host.
#[test]
fn apps_view_provenance() {
    snapshot!("apps_view_provenance", |w, h| {
        let mut model = in_apps_view(w, h);
        key(&mut model, KeyCode::Down); // web-01 worker: dynamic, a gap, an old Go
        if w < 120 {
            key(&mut model, KeyCode::Enter);
        }
        model
    });
}

/// The host table's detail pane lists every app of the host with its provenance.
#[test]
fn host_detail_provenance() {
    snapshot!("host_detail_provenance", |w, h| {
        let mut model = fleet().model(w, h);
        keys(&mut model, "jj"); // db-01, db-02, web-01
        if w < 120 {
            key(&mut model, KeyCode::Enter);
            // The apps come after the host's own facts (13 lines of them here).
            for _ in 0..13 {
                key(&mut model, KeyCode::Down);
            }
        }
        model
    });
}

#[test]
fn the_rows_say_drift_old_go_gaps_health_and_problems() {
    let model = in_apps_view(160, 48);
    let screen = screen::text(&draw(&model));
    let row = |host: &str, app: &str| -> String {
        screen
            .lines()
            .find(|l| l.starts_with(&format!("│{host} ")) && l.contains(&format!(" {app} ")))
            .unwrap_or_else(|| panic!("no {host} {app} row:\n{screen}"))
            .to_string()
    };
    let svc_01 = row("web-01", "svc");
    assert!(
        svc_01.contains("static") && svc_01.contains(" ok"),
        "{svc_01}"
    );
    assert!(!svc_01.contains('→'), "on the newest bundle: {svc_01}");
    assert!(svc_01.contains("go1.22.10 "), "{svc_01}");
    assert!(
        !svc_01.contains(" old"),
        "built with the fleet's Go: {svc_01}"
    );
    let worker = row("web-01", "worker");
    assert!(worker.contains("gap: libledger.so.1"), "{worker}");
    assert!(worker.contains("go1.21.13 old"), "{worker}");
    let svc_02 = row("web-02", "svc");
    assert!(svc_02.contains("1.1.0 → 1.2.0"), "drift: {svc_02}");
    assert!(svc_02.contains("failed: HTTP 503"), "{svc_02}");
    let svc_03 = row("web-03", "svc");
    assert!(svc_03.contains("the state file says 1.1.0"), "{svc_03}");
    assert!(row("web-04", "report-gen").contains("go1.20.14 old"));
    assert!(
        !screen.lines().any(|l| l.starts_with("│db-01 ")),
        "no apps, no row"
    );
    assert!(
        screen.contains(
            "apps · 5 on 4 hosts · fleet Go go1.22.10 (newest Go bundle) · 1 drift · 2 old Go"
        ),
        "{screen}"
    );
}

/// The fleet's Go is the newest Go bundle's (a newer one flags every app built before it);
/// with no Go bundle in the directory, the newest a host runs.
#[test]
fn the_fleets_go_is_the_newest_go_bundle_else_the_newest_on_the_hosts() {
    let mut model = in_apps_view(160, 48);
    let mut newer = catalog();
    newer.go_release = Some("go1.23.4".into());
    update(&mut model, Msg::AppBundles(newer));
    let screen = screen::text(&draw(&model));
    assert!(
        screen.contains("fleet Go go1.23.4 (newest Go bundle)"),
        "{screen}"
    );
    assert!(screen.contains("go1.22.10 old"), "{screen}");
    assert!(screen.contains("· 5 old Go"), "{screen}");
    let mut none = catalog();
    none.go_release = None;
    update(&mut model, Msg::AppBundles(none));
    let screen = screen::text(&draw(&model));
    assert!(
        screen.contains("fleet Go go1.22.10 (newest on hosts)"),
        "{screen}"
    );
    assert!(!screen.contains("go1.22.10 old"), "{screen}");
    assert!(screen.contains("go1.21.13 old"), "{screen}");
}

#[test]
fn a_key_or_the_command_line_switch_views_and_esc_comes_back() {
    let mut model = fleet().model(80, 24);
    assert_eq!(model.scope(), Scope::Table);
    key(&mut model, KeyCode::Char('A'));
    assert_eq!((model.body, model.scope()), (Body::Apps, Scope::Apps));
    key(&mut model, KeyCode::Char('A'));
    assert_eq!(model.body, Body::Table, "A again: the hosts");

    key(&mut model, KeyCode::Char(':'));
    keys(&mut model, "apps");
    let commands = key(&mut model, KeyCode::Enter);
    assert_eq!(model.body, Body::Apps);
    assert!(commands
        .iter()
        .any(|c| matches!(c, Command::ListAppBundles(_))));
    // Down moves the apps cursor, and the detail pane follows it.
    key(&mut model, KeyCode::Char('j'));
    key(&mut model, KeyCode::Char('j'));
    assert_eq!(model.apps.cursor, 2);
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.focus, Focus::Detail);
    let screen = screen::text(&draw(&model));
    assert!(screen.contains(" web-02 · svc "), "{screen}");
    // Esc: out of the detail first, then back to the hosts.
    key(&mut model, KeyCode::Esc);
    assert_eq!((model.body, model.focus), (Body::Apps, Focus::Table));
    key(&mut model, KeyCode::Char('G'));
    assert_eq!(model.apps.cursor, 4, "the last of five rows");
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.body, Body::Table);

    key(&mut model, KeyCode::Char(':'));
    keys(&mut model, "apps");
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Char(':'));
    keys(&mut model, "hosts");
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.body, Body::Table, ":hosts");

    // A filter narrows the apps view to the hosts it shows.
    key(&mut model, KeyCode::Char('A'));
    key(&mut model, KeyCode::Char('/'));
    keys(&mut model, "web-02");
    key(&mut model, KeyCode::Enter);
    let screen = screen::text(&draw(&model));
    assert!(screen.contains("apps · 1 on 1 hosts"), "{screen}");
    assert_eq!(model.apps.cursor, 0, "kept on the rows");

    // An app's name finds the hosts that run it.
    key(&mut model, KeyCode::Char('/'));
    for _ in 0.."web-02".len() {
        key(&mut model, KeyCode::Backspace);
    }
    keys(&mut model, "worker");
    key(&mut model, KeyCode::Enter);
    let screen = screen::text(&draw(&model));
    assert!(screen.contains("apps · 2 on 1 hosts"), "{screen}");
}

#[test]
fn the_key_is_in_the_help_and_the_apps_footer_and_read_only_keeps_it() {
    let mut model = fleet().model(160, 48);
    key(&mut model, KeyCode::Char('?'));
    let help = screen::text(&draw(&model));
    assert!(help.contains("apps view: each host's Go apps"), "{help}");
    key(&mut model, KeyCode::Esc);
    key(&mut model, KeyCode::Char('A'));
    let screen = screen::text(&draw(&model));
    let footer = screen.lines().last().unwrap();
    assert!(footer.contains("A apps/hosts"), "{footer}");

    let fleet = fleet();
    let mut settings = sample::settings(80, 24);
    settings.read_only = true;
    let mut read_only = Model::new(&fleet.inventory, settings);
    key(&mut read_only, KeyCode::Char('A'));
    assert_eq!(read_only.body, Body::Apps, "looking is not changing");
}

/// The failed health cell is drawn in the failure colour, a healthy one in the good colour.
#[test]
fn health_cells_are_coloured_by_verdict() {
    let model = in_apps_view(160, 48);
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let find = |needle: &str| -> ratatui::style::Style {
        let text = screen::text(&terminal);
        for (y, line) in text.lines().enumerate() {
            if let Some(x) = line.find(needle) {
                let x = line[..x].chars().count();
                return buffer[(x as u16, y as u16)].style();
            }
        }
        panic!("{needle} not on screen");
    };
    let failed = find("failed: HTTP");
    let ok_style = find("go1.20.14");
    assert_ne!(failed.fg, ok_style.fg);
    assert_eq!(failed.fg, Some(ratatui::style::Color::Red), "{failed:?}");
}
