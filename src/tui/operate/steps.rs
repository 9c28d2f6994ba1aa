//! What an operation will do on each host, as the confirm dialog lists it before anything
//! runs: the engine's steps, and per host what its last probe says will happen.

use crate::core::bundle::goarch_matches_uname;
use crate::core::engine::{steps, Operation};
use crate::core::remote::probe::GoRootKind;
use crate::tui::operate::bundles::BundleInfo;
use crate::tui::state::row::{HostRow, UNKNOWN_GO};

/// The steps of `op`, one line each (a push needs its bundle to say what it uploads): the
/// engine's own list, so the dialog and `rollout --dry-run` use the same words.
pub fn plan(op: Operation, bundle: Option<&BundleInfo>) -> Vec<String> {
    let facts = bundle.map(BundleInfo::push_facts);
    steps::steps(op, facts.as_ref())
}

/// What happens to one host, as far as its last probe tells: `go1.21.13 → go1.22.10`, and a
/// warning when the operation will stop early or fail there.
pub fn host_change(
    op: Operation,
    row: &HostRow,
    bundle: Option<&BundleInfo>,
) -> (String, Option<String>) {
    let current = row.go_version().map(str::to_string);
    let now = current
        .clone()
        .unwrap_or_else(|| match (row.read_report(), &row.report) {
            (Some(_), _) if row.go_label() == UNKNOWN_GO => "Go version unknown".into(),
            (Some(_), _) => "no Go".into(),
            (None, Some(_)) => format!("last probe: {}", row.state_label()),
            (None, None) => "not probed".into(),
        });
    let hand_installed = row
        .read_report()
        .and_then(|r| r.facts.as_ref())
        .is_some_and(|f| f.go_root_kind == GoRootKind::Directory);
    match op {
        Operation::Push => {
            let Some(b) = bundle else {
                return (now, None);
            };
            if b.app.is_some() {
                return app_change(row, b);
            }
            let arch = row.read_report().and_then(|r| r.arch.clone());
            // A set's bundle for this host (once its arch is known): its arch's, or none.
            let picked = b
                .set
                .as_deref()
                .zip(arch.as_deref())
                .map(|(set, a)| set.for_uname(Some(a)).map(|(f, _)| f.arch.to_string()));
            let text = match &picked {
                Some(Some(goarch)) => format!("{now} → {} (linux-{goarch})", b.version),
                _ => format!("{now} → {}", b.version),
            };
            let warning = match (arch, picked) {
                (Some(a), Some(None)) => Some(format!(
                    "host is {a}, the set holds {}: pre-flight will refuse",
                    b.arch
                )),
                (Some(a), None) if b.set.is_none() && !goarch_matches_uname(&b.arch, &a) => Some(
                    format!("host is {a}, bundle is {}: pre-flight will refuse", b.arch),
                ),
                _ if current.as_deref() == Some(b.version.as_str()) => {
                    Some("already active: nothing to do".into())
                }
                _ if hand_installed => Some("hand-installed Go: kept in releases/ first".into()),
                _ => None,
            };
            (text, warning)
        }
        Operation::Verify | Operation::Run | Operation::GoEnv => (now, None),
        Operation::Rollback => {
            let previous = row
                .read_report()
                .and_then(|r| r.offgo.as_ref())
                .and_then(|o| o.previous.clone());
            match previous {
                Some(p) => (format!("{now} → {p}"), None),
                None if row.read_report().is_some() => (
                    now,
                    Some("no previous release recorded: will fail at plan".into()),
                ),
                None => (now, None),
            }
        }
    }
}

/// An app bundle's push on one host: `svc 1.0.0 → 1.1.0` (the host's Go is not touched).
fn app_change(row: &HostRow, b: &BundleInfo) -> (String, Option<String>) {
    let Some(app) = &b.app else {
        return (String::new(), None);
    };
    let report = row.read_report();
    let running = report
        .and_then(|r| r.apps.iter().find(|a| a.name == app.name))
        .and_then(|a| a.version.clone());
    let now = match (&running, report) {
        (Some(v), _) => format!("{} {v}", app.name),
        (None, Some(_)) => format!("{} not installed", app.name),
        (None, None) => format!("{} (not probed)", app.name),
    };
    let text = format!("{now} → {}", app.version);
    let arch = report.and_then(|r| r.arch.clone());
    let warning = match arch {
        Some(a) if !goarch_matches_uname(&b.arch, &a) => Some(format!(
            "host is {a}, bundle is {}: pre-flight will refuse",
            b.arch
        )),
        // A push of the running version restarts nothing when its files match and it is healthy.
        _ if running.as_deref() == Some(app.version.as_str()) => {
            Some("already running: nothing to do if healthy".into())
        }
        _ => None,
    };
    (text, warning)
}
