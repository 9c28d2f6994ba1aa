//! Engine tests against a real sshd fleet: pooled sessions, probe output that is not probe
//! output, and the event stream both faces rely on.

mod common;

use std::sync::Arc;

use common::*;
use offgo::core::engine::{Engine, EngineEvent, EngineOptions, HostReport};
use offgo::core::inventory;
use tokio::sync::mpsc::UnboundedReceiver;

fn engine(fleet: &Fleet, state: &std::path::Path) -> (Engine, UnboundedReceiver<EngineEvent>) {
    let path = inventory(fleet, &InventoryOptions::new());
    let inv = inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let options = EngineOptions {
        parallel: 8,
        local_audit_log: state.join("audit.log"),
        worker_nice: 0,
        fault: None,
    };
    Engine::new(Arc::new(inv), options)
}

fn probe_all(engine: &Engine, events: &mut UnboundedReceiver<EngineEvent>) -> Vec<HostReport> {
    let ids: Vec<usize> = (0..engine.inventory().hosts.len()).collect();
    engine.probe(&ids);
    let mut started = 0;
    let mut reports = vec![None; ids.len()];
    while reports.iter().any(Option::is_none) {
        match events.blocking_recv().expect("engine alive") {
            EngineEvent::ProbeStarted { .. } => started += 1,
            EngineEvent::HostProbed { host, report } => {
                assert!(
                    reports[host].replace(*report).is_none(),
                    "one report per host per probe"
                );
            }
            other => panic!("unexpected event {other:?}"),
        }
    }
    assert_eq!(
        started,
        ids.len(),
        "ProbeStarted for every host, before its report"
    );
    reports.into_iter().map(Option::unwrap).collect()
}

fn logins(host: &HostHandle) -> usize {
    std::fs::read_to_string(host.log_path())
        .unwrap_or_default()
        .matches("Accepted publickey")
        .count()
}

#[test]
fn re_probes_reuse_the_pooled_session() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").go_manual("1.21.13"))
            .host(HostSpec::new("b")),
    );
    let state = tempfile::tempdir().unwrap();
    let (engine, mut events) = engine(&fleet, state.path());
    let mut first: Option<Vec<HostReport>> = None;
    for _ in 0..3 {
        let reports = probe_all(&engine, &mut events);
        assert!(
            reports.iter().all(|r| r.error_kind.is_none()),
            "{reports:#?}"
        );
        assert_eq!(reports[0].go_version.as_deref(), Some("go1.21.13"));
        // Re-probes of unchanged hosts answer after one `stat`; the facts stay whole.
        let facts = |r: &[HostReport]| -> Vec<_> {
            r.iter()
                .map(|r| {
                    let f = r.facts.as_ref().expect("facts");
                    (f.free_bytes.is_some(), f.arch.clone(), f.binaries.len())
                })
                .collect()
        };
        for f in facts(&reports) {
            assert!(f.0, "free space known: {reports:#?}");
        }
        match &first {
            None => first = Some(reports),
            Some(before) => assert_eq!(facts(before), facts(&reports)),
        }
    }
    for host in fleet.hosts() {
        assert_eq!(logins(host), 1, "{}: three probes, one login", host.name());
    }

    // A host whose sshd restarted: the dead pooled session is replaced transparently.
    let a = fleet.host("a").unwrap();
    a.stop();
    a.start().unwrap();
    let reports = probe_all(&engine, &mut events);
    assert!(reports[0].error_kind.is_none(), "{:?}", reports[0].error);
    assert_eq!(logins(a), 2);
}

#[test]
fn a_login_script_that_prints_text_is_command_failed_with_the_raw_output_kept() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("chatty").go_manual("1.21.13")));
    let chatty = fleet.host("chatty").unwrap();
    // bash sources ~/.bashrc for commands run by sshd; a banner there pollutes stdout.
    chatty
        .write_file("/root/.bashrc", b"echo 'Welcome to prod, be careful'\n")
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let (engine, mut events) = engine(&fleet, state.path());
    let report = probe_all(&engine, &mut events).remove(0);
    assert_eq!(
        report.error_kind,
        Some(offgo::core::ssh::ErrorKind::CommandFailed)
    );
    assert!(report.reachable);
    assert!(
        report
            .error
            .as_deref()
            .unwrap()
            .contains("does not start with"),
        "{:?}",
        report.error
    );
    assert!(
        report
            .raw_output
            .as_deref()
            .unwrap()
            .starts_with("Welcome to prod"),
        "{:?}",
        report.raw_output
    );
    assert!(report.hint.is_some());
}
