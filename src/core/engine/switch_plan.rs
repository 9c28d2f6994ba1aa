//! How a push changes go_root on one host, decided from its pre-flight.

use super::preflight::Preflight;
use crate::core::remote::probe::GoRootKind;

/// How go_root changes on this host: what to adopt into releases/ first, what to switch back to,
/// and the `previous` state.json records — always a release rollback can reach, never the
/// version being installed.
pub(super) struct SwitchPlan {
    pub adopt_version: String,
    pub previous_target: String,
    pub previous: Option<String>,
}

impl SwitchPlan {
    pub fn new(pre: &Preflight, paths: &crate::core::remote::RemotePaths, version: &str) -> Self {
        let reachable = |v: &String| v != version && pre.releases.contains(v);
        let recorded = || {
            let state = pre.state.as_ref();
            let current = state.and_then(|s| s.current.clone()).filter(reachable);
            current.or_else(|| state.and_then(|s| s.previous.clone()).filter(reachable))
        };
        let running = pre.go_version.clone();
        let (adopt_version, previous_target, previous) = match (&pre.go_root, running) {
            // Another version runs from a directory: adopted, rollback returns to the copy.
            (GoRootKind::Directory, Some(v)) if v != version => {
                (v.clone(), paths.release_go_dir(&v), Some(v))
            }
            // Kept, though nothing proves it runs: no rollback target.
            (GoRootKind::Directory, None) => ("go-adopted".to_string(), String::new(), None),
            // A managed release, or a link anywhere to another version (adopted first): switch
            // back restores the link as it was.
            (GoRootKind::Symlink { target }, Some(v)) if v != version => {
                let adopt = if *target == paths.release_go_dir(&v) {
                    String::new()
                } else {
                    v.clone()
                };
                (adopt, target.clone(), Some(v))
            }
            // This version already runs but its files differ: it is replaced; switch back
            // restores what ran.
            (GoRootKind::Symlink { target }, Some(_)) => {
                (String::new(), target.clone(), recorded())
            }
            (GoRootKind::Directory, Some(_)) => (String::new(), String::new(), recorded()),
            // No working Go (missing, a file, a dangling or broken link): back means the
            // release state.json knew, if it is still there.
            _ => {
                let previous = recorded();
                let target = previous
                    .as_deref()
                    .map(|v| paths.release_go_dir(v))
                    .unwrap_or_default();
                (String::new(), target, previous)
            }
        };
        Self {
            adopt_version,
            previous_target,
            previous,
        }
    }
}
