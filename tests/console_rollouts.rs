//! The rollout list (`L`): every journal's rollout, newest first, openable in the rollout view;
//! a rollout driven by another process shown but not acted on; an unreadable journal listed
//! with its error. On a real fleet: a headless rollout that halted is listed, opened with its
//! failed host in a bucket, and `t` takes it over from its journal and pushes that host again.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
mod common;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::KeyCode;
use offgo::core::rollout::listing::{self, Counts, Driven, Listed, ListedRollout};
use offgo::core::rollout::{Input, Status};
use offgo::tui::testing::{update, Body, Command, Level, Model, Msg};
use screen::{key, keys};

fn rollout(id: &str, status: Status, driven: Driven, counts: [usize; 4]) -> ListedRollout {
    let [ok, failed, rolled_back, pending] = counts;
    ListedRollout {
        id: id.into(),
        created: format!("2026-11-{}T{}:{}:00Z", &id[6..8], &id[9..11], &id[11..13]),
        actor: "ops@jump".into(),
        version: "go1.22.10".into(),
        bundle: "/srv/offgo/bundles/go1.22.10.linux-amd64.offgo.toml".into(),
        status,
        driven,
        counts: Counts {
            ok,
            failed,
            rolled_back,
            pending,
        },
    }
}

fn path(id: &str) -> PathBuf {
    format!("/var/lib/ops/.local/state/offgo/rollouts/{id}.jsonl").into()
}

/// One of each: running headless, halted, interrupted, unreadable, finished.
fn entries() -> Vec<Listed> {
    let ok = |id: &str, status, driven, counts| Listed {
        path: path(id),
        rollout: Ok(rollout(id, status, driven, counts)),
    };
    vec![
        ok(
            "20261124T0410Z-4411",
            Status::Running,
            Driven::Elsewhere,
            [3, 0, 0, 37],
        ),
        ok(
            "20261123T2250Z-981",
            Status::Halted {
                reason: "batch 2: 2 of 5 failed; limit 10% → halted".into(),
            },
            Driven::Nobody,
            [6, 2, 0, 32],
        ),
        ok(
            "20261123T1105Z-77",
            Status::Paused,
            Driven::Nobody,
            [10, 0, 0, 30],
        ),
        Listed {
            path: path("20261122T0900Z-12"),
            rollout: Err(format!(
                "{}:3: not a journal line: expected value at line 1 column 1",
                path("20261122T0900Z-12").display()
            )),
        },
        ok(
            "20261121T0300Z-5",
            Status::Done { aborted: false },
            Driven::Nobody,
            [39, 0, 1, 0],
        ),
    ]
}

/// `L` from the table, the list answered.
fn listed(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    let commands = keys(&mut model, "L");
    assert!(commands.contains(&Command::ListRollouts), "{commands:?}");
    update(
        &mut model,
        Msg::Rollouts {
            dir: "/var/lib/ops/.local/state/offgo/rollouts".into(),
            entries: entries(),
        },
    );
    model
}

#[test]
fn snapshots_of_the_rollout_list() {
    snapshot!("rollout_list", |w, h| {
        let mut model = listed(w, h);
        keys(&mut model, "j");
        model
    });
    snapshot!("rollout_list_unreadable", |w, h| {
        let mut model = listed(w, h);
        keys(&mut model, "jjj");
        model
    });
    snapshot!("rollout_list_empty", |w, h| {
        let mut model = sample::healthy_fleet().model(w, h);
        keys(&mut model, "L");
        update(
            &mut model,
            Msg::Rollouts {
                dir: "/var/lib/ops/.local/state/offgo/rollouts".into(),
                entries: vec![],
            },
        );
        model
    });
}

#[test]
fn enter_opens_the_highlighted_rollout_and_l_goes_back() {
    let mut model = listed(80, 24);
    assert_eq!(model.body, Body::Rollouts);
    keys(&mut model, "j");
    let commands = key(&mut model, KeyCode::Enter);
    assert!(
        commands.contains(&Command::OpenRollout(path("20261123T2250Z-981"))),
        "{commands:?}"
    );
    assert_eq!(model.body, Body::Rollout, "the rollout view shows it");
    // From the rollout view, L lists again and goes back there.
    let commands = keys(&mut model, "L");
    assert!(commands.contains(&Command::ListRollouts));
    assert_eq!(model.body, Body::Rollouts);
    keys(&mut model, "L");
    assert_eq!(model.body, Body::Rollout);
    let mut model = listed(80, 24);
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.body, Body::Table);
}

#[test]
fn an_unreadable_journal_is_not_opened_and_says_why() {
    let mut model = listed(80, 24);
    keys(&mut model, "jjj");
    let commands = key(&mut model, KeyCode::Enter);
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::OpenRollout(_))),
        "{commands:?}"
    );
    let last = model.log.last(1).next().unwrap();
    assert_eq!(last.level, Level::Error);
    assert!(
        last.text
            .contains("20261122T0900Z-12.jsonl:3: not a journal line"),
        "{}",
        last.text
    );
    assert_eq!(model.body, Body::Rollouts);
}

#[test]
fn the_list_stays_on_the_same_journal_when_read_again() {
    let mut model = listed(80, 24);
    keys(&mut model, "jj");
    let mut newer = entries();
    newer.insert(0, newer[4].clone());
    newer[0].path = path("20261125T0000Z-1");
    update(
        &mut model,
        Msg::Rollouts {
            dir: "/d".into(),
            entries: newer,
        },
    );
    assert_eq!(model.rollout_list.cursor, 3);
}

/// A rollout another process drives is shown; `t`, `b`, `c`, `P` say why they do nothing.
#[test]
fn keys_on_a_rollout_driven_elsewhere_say_why_instead_of_acting() {
    let mut model = sample::healthy_fleet().model(80, 24);
    let mut snapshot = sample_snapshot();
    snapshot.elsewhere = true;
    update(&mut model, Msg::Rollout(Box::new(snapshot)));
    assert!(model.rollout_open());
    for key in ["t", "b", "c", "P", "A"] {
        let commands = keys(&mut model, key);
        assert!(
            commands
                .iter()
                .all(|c| !matches!(c, Command::RolloutInput(_) | Command::ResumeRollout)),
            "{key}: {commands:?}"
        );
        assert!(model.dialog().is_none(), "{key}");
    }
    let last = &model.log.last(1).next().unwrap().text;
    assert!(last.contains("driven by another process"), "{last}");
    let status = model.rollout.as_ref().unwrap().status_text();
    assert!(status.starts_with("driven by another process"), "{status}");
}

/// A rollout driven elsewhere is followed live: its journal is read again every 2 s while it
/// is unfinished, without logging it again or pulling the operator back to the rollout view.
#[test]
fn a_rollout_driven_elsewhere_is_read_again_while_it_runs() {
    use offgo::tui::testing::Stamp;
    use std::time::Duration;
    let tick = |model: &mut Model| {
        update(
            model,
            Msg::Tick {
                elapsed: Duration::from_millis(500),
                at: Stamp::at(1),
            },
        )
    };
    let mut model = sample::healthy_fleet().model(80, 24);
    let snapshot = sample_snapshot();
    update(&mut model, Msg::Rollout(Box::new(snapshot.clone())));
    let logged = model.log.len();
    let mut rereads = 0;
    for _ in 0..8 {
        rereads += tick(&mut model)
            .iter()
            .filter(|c| **c == Command::OpenRollout(path("r-elsewhere")))
            .count();
    }
    assert_eq!(rereads, 2, "once every 2 s of the 4 s");
    // The operator went back to the table; the journal's answer keeps them there.
    keys(&mut model, "o");
    assert!(!model.rollout_open());
    update(&mut model, Msg::Rollout(Box::new(snapshot.clone())));
    assert!(!model.rollout_open(), "a re-read does not take the screen");
    assert_eq!(model.log.len(), logged, "nor does it log again");
    // Finished, it is no longer read.
    let mut done = snapshot;
    done.elsewhere = false;
    done.machine.handle(Input::Abort);
    update(&mut model, Msg::Rollout(Box::new(done)));
    for _ in 0..8 {
        assert!(tick(&mut model)
            .iter()
            .all(|c| !matches!(c, Command::OpenRollout(_))));
    }
}

fn sample_snapshot() -> offgo::tui::testing::RolloutSnapshot {
    use offgo::core::rollout::settings::BatchSize;
    use offgo::core::rollout::{plan, Rollout, RolloutSettings};
    let settings = RolloutSettings::default();
    let mut machine = Rollout::new(plan(&[0, 1], &[], &[BatchSize::Count(2)], vec![]), settings);
    machine.handle(Input::Start);
    offgo::tui::testing::RolloutSnapshot {
        id: "r-elsewhere".into(),
        version: "go1.22.10".into(),
        journal: path("r-elsewhere"),
        names: vec!["web-01".into(), "web-02".into()],
        ids: vec![0, 1],
        machine,
        waiting_for_operator: false,
        pause_left: None,
        updates: vec![],
        resumable: false,
        elsewhere: true,
    }
}

/// The journal's listing, opened and retried through the console's model and the event loop's
/// runner, against a real fleet and a real headless run.
#[test]
fn a_headless_rollout_that_halted_is_listed_opened_and_its_failed_host_retried() {
    use common::*;
    use offgo::core::engine::{Engine, EngineOptions};
    use offgo::core::inventory;
    use offgo::core::rollout::journal::{self, Journal};
    use offgo::core::rollout::RolloutReport;
    use offgo::core::rollout::RolloutSession;
    use offgo::tui::testing::{ModelSettings, Resumption, Route, Runner};

    // h2's Go lives in /usr/local; /opt, where releases go, is a 40 MiB tmpfs: its push fails.
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("h0").go_managed("1.21.13"))
            .host(HostSpec::new("h1").go_managed("1.21.13"))
            .host(HostSpec::new("h2").go_manual("1.21.13").tmpfs("/opt", 40)),
    );
    let state = tempfile::tempdir().unwrap();
    let inv_path = inventory(&fleet, &InventoryOptions::new());
    let out = offgo_cmd(
        state.path(),
        &[
            "rollout",
            "--inventory",
            inv_path.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--batches",
            "100%",
            "--max-failures",
            "0",
            "--parallel",
            "3",
            "--json",
        ],
    )
    .output()
    .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let inv = Arc::new(inventory::load(&inv_path).unwrap_or_else(|e| panic!("{e}")));
    let h2 = inv.find("h2").unwrap();
    let options = EngineOptions {
        parallel: 4,
        local_audit_log: state.path().join("audit.log"),
        worker_nice: 0,
        fault: None,
    };
    let (engine, mut events) = Engine::new(Arc::clone(&inv), options);
    let dir = state.path().join("offgo/rollouts");
    let mut runner = Runner::new(dir.clone());
    let settings = ModelSettings {
        size: (160, 48),
        ..ModelSettings::default()
    };
    let mut model = Model::new(&inv, settings);

    // L: the headless run is listed, halted, nobody driving it.
    let commands = keys(&mut model, "L");
    assert!(commands.contains(&Command::ListRollouts));
    update(&mut model, runner.list());
    let entries = &model.rollout_list.entries;
    assert_eq!(entries.len(), 1, "{entries:?}");
    let listed = entries[0].rollout.as_ref().unwrap();
    assert_eq!(listed.state(), "halted");
    assert_eq!(listed.driven, Driven::Nobody);
    assert_eq!((listed.counts.ok, listed.counts.failed), (2, 1));
    let journal_path = entries[0].path.clone();

    // Another process holding the journal: opened read-only, t says why and does nothing.
    let other = Journal::reopen(&journal_path).unwrap();
    let commands = key(&mut model, KeyCode::Enter);
    assert!(commands.contains(&Command::OpenRollout(journal_path.clone())));
    update(&mut model, runner.open(&engine, &journal_path));
    assert!(model.rollout.as_ref().unwrap().elsewhere);
    let commands = keys(&mut model, "t");
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::RolloutInput(_))));
    drop(other);

    // Nobody holds it now: enter opens it with h2 in a failure bucket.
    keys(&mut model, "L");
    update(&mut model, runner.list());
    key(&mut model, KeyCode::Enter);
    update(&mut model, runner.open(&engine, &journal_path));
    let rollout = model.rollout.as_ref().unwrap();
    assert!(!rollout.elsewhere && !rollout.resumable);
    assert!(
        rollout.status_text().starts_with("HALTED"),
        "{}",
        rollout.status_text()
    );
    let buckets = rollout.buckets();
    assert_eq!(buckets.len(), 1, "{buckets:?}");
    assert_eq!(buckets[0].hosts, vec![h2]);
    let local = rollout.local_of(h2).unwrap();

    // t, then y on its question: the same retry input as for a rollout this console drives;
    // the event loop first opens the journal's bundle (off the loop, as FileWork does), then
    // the runner takes the rollout over from its journal and pushes h2 again.
    let inputs: Vec<Input> = keys(&mut model, "ty")
        .into_iter()
        .filter_map(|c| match c {
            Command::RolloutInput(input) => Some(input),
            _ => None,
        })
        .collect();
    assert_eq!(inputs, [Input::Retry(vec![local])]);
    let Route::OpenFirst(journal) = runner.route(inputs[0].clone()) else {
        panic!("a journal nobody drives is taken over first")
    };
    assert_eq!(journal, journal_path);
    // Keys pressed while its bundle is being opened wait for the take-over (a second retry of
    // the same host: once it is pushing again, the machine ignores it); resuming or opening
    // another journal meanwhile is refused.
    assert_eq!(runner.route(inputs[0].clone()), Route::Queued);
    assert!(runner.begin_resume().is_err());
    assert!(matches!(
        runner.open(&engine, &journal_path),
        Msg::RolloutRefused(_)
    ));
    let bundle = RolloutSession::open_bundle(&journal, &inv.bundles).map_err(|e| e.to_string());
    let msg = runner.resume_opened(&engine, journal, Resumption::TakeOver, bundle.map(Box::new));
    update(&mut model, msg);
    assert!(
        matches!(runner.route(Input::Pause), Route::Drive(Input::Pause)),
        "driven here now"
    );
    assert!(
        model.rollout.as_ref().unwrap().machine.phases[&local].in_flight(),
        "h2 is pushed again"
    );
    // While this console drives it, nobody else can, and the list says who drives it.
    assert_eq!(
        listing::list(&dir, None)[0]
            .rollout
            .as_ref()
            .unwrap()
            .driven,
        Driven::Elsewhere
    );
    let Msg::Rollouts { entries, .. } = runner.list() else {
        panic!("not a listing")
    };
    assert_eq!(entries[0].rollout.as_ref().unwrap().driven, Driven::Here);
    let busy = Journal::reopen(&journal_path).err().unwrap();
    assert_eq!(busy.kind(), std::io::ErrorKind::WouldBlock);

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while model.rollout.as_ref().unwrap().machine.phases[&local].in_flight() {
        assert!(
            std::time::Instant::now() < deadline,
            "the retry never ended"
        );
        let Some(event) = events.blocking_recv() else {
            panic!("engine gone")
        };
        if let Some(msg) = runner.on_event(&engine, &event) {
            update(&mut model, msg);
        }
    }

    // The report tells the story: h2 failed, was retried by the operator, failed again.
    let loaded = journal::load(&journal_path).unwrap();
    let report = RolloutReport::of(&loaded);
    let h2_evidence = report.hosts.iter().find(|h| h.name == "h2").unwrap();
    assert_eq!(h2_evidence.retries, 1);
    let whats: Vec<(&str, Option<bool>)> = h2_evidence
        .history
        .iter()
        .map(|m| (m.what.as_str(), m.ok))
        .collect();
    assert_eq!(
        whats,
        [
            ("push", Some(false)),
            ("retry requested", None),
            ("push", Some(false))
        ]
    );
    assert!(report
        .timeline
        .iter()
        .any(|m| m.what.starts_with("taken over from the journal")));
    assert!(report
        .timeline
        .iter()
        .any(|m| m.what == "operator: retry h2" && m.by.is_some()));
}
