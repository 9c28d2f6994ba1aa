//! What an operation will do on each host, in the engine's order, as the confirm dialog lists
//! it before anything runs. Kept beside the engine's step names so the two read alike.

use crate::core::bundle::goarch_matches_uname;
use crate::core::engine::Operation;
use crate::core::remote::probe::GoRootKind;
use crate::tui::operate::bundles::BundleInfo;
use crate::tui::operate::operation::human_bytes;
use crate::tui::state::row::HostRow;

/// The steps of `op`, one line each (a push needs its bundle to say what it uploads).
pub fn plan(op: Operation, bundle: Option<&BundleInfo>) -> Vec<String> {
    match (op, bundle) {
        (Operation::Push, Some(b)) => push(b),
        (Operation::Push, None) => vec!["no bundle chosen: nothing will run".into()],
        (Operation::Verify, _) => verify(),
        (Operation::Rollback, _) => rollback(),
    }
}

fn push(b: &BundleInfo) -> Vec<String> {
    let v = &b.version;
    vec![
        format!(
            "pre-flight: arch {}, tools, free space, nobody holds the lock",
            b.arch
        ),
        "lock: hold the host lock for the whole change".into(),
        format!(
            "upload {} to incoming/ (a partial upload resumes)",
            human_bytes(b.size)
        ),
        format!("check sha256 of the upload: {}…", b.sha256_prefix()),
        format!("extract into releases/{v}"),
        format!("sha256sum -c: {} files against the bundle", b.file_count),
        format!("go version must print {v}"),
        format!("switch go_root to releases/{v}/go; go version again, else back"),
        format!("profile, state.json (current {v}), prune beyond keep_releases"),
        "audit: one line on the host and one on this jump host".into(),
    ]
}

fn verify() -> Vec<String> {
    vec![
        "probe the host (changes nothing)".into(),
        "tree: sha256sum -c of the active release against its bundle".into(),
        "go_version: go version matches state.json's current".into(),
        "profile: the env profile script is what offgo writes".into(),
        "state: state.json is valid".into(),
        "ldd: check_binaries have every shared library".into(),
        "audit: the host's audit log chain is intact".into(),
        "audit: one verify line on the host and one on this jump host".into(),
    ]
}

fn rollback() -> Vec<String> {
    vec![
        "pre-flight: nobody holds the host lock".into(),
        "lock: hold the host lock for the whole change".into(),
        "plan: state.json's previous release, which must still be on the host".into(),
        "switch go_root back to it".into(),
        "go version must print it; if not, switch back".into(),
        "profile: write the env profile script".into(),
        "state.json: current and previous swap".into(),
        "audit: one line on the host and one on this jump host".into(),
    ]
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
            let text = format!("{now} → {}", b.version);
            let arch = row.read_report().and_then(|r| r.arch.clone());
            let warning = match arch {
                Some(a) if !goarch_matches_uname(&b.arch, &a) => Some(format!(
                    "host is {a}, bundle is {}: pre-flight will refuse",
                    b.arch
                )),
                _ if current.as_deref() == Some(b.version.as_str()) => {
                    Some("already active: nothing to do".into())
                }
                _ if hand_installed => Some("hand-installed Go: kept in releases/ first".into()),
                _ => None,
            };
            (text, warning)
        }
        Operation::Verify => (now, None),
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
