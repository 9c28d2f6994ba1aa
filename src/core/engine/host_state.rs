//! What a change leaves in the host's state.json, and which releases it prunes.

use super::preflight::Preflight;

/// How many history entries state.json keeps.
const HISTORY_KEPT: usize = 50;

/// state.json after switching to `current` (DESIGN.md: current, previous, history).
pub fn new_state(
    pre: &Preflight,
    current: &str,
    previous: Option<&str>,
    action: &str,
    actor: &str,
) -> String {
    let mut history = pre
        .state
        .as_ref()
        .map(|s| s.history.clone())
        .unwrap_or_default();
    history.push(serde_json::json!({
        "ts": crate::core::audit::record::now_rfc3339(),
        "action": action,
        "from": previous,
        "to": current,
        "actor": actor,
    }));
    let skip = history.len().saturating_sub(HISTORY_KEPT);
    let history: Vec<_> = history.into_iter().skip(skip).collect();
    serde_json::json!({ "current": current, "previous": previous, "history": history }).to_string()
}

/// Releases to remove after a successful switch: keep the new one, the previous one, and the
/// newest others up to `keep` in all.
pub fn prune_list(
    present: &[String],
    new: &str,
    previous: Option<&str>,
    keep: usize,
) -> Vec<String> {
    let mut kept = vec![new.to_string()];
    if let Some(p) = previous {
        if p != new {
            kept.push(p.to_string());
        }
    }
    let mut prune = Vec::new();
    for name in present {
        if kept.contains(name) {
            continue;
        }
        if kept.len() < keep.max(1) {
            kept.push(name.clone());
        } else {
            prune.push(name.clone());
        }
    }
    prune
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prune_keeps_new_previous_and_newest() {
        let present = names(&["go1.23.1", "go1.22.10", "go1.21.13", "go1.20.1"]);
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.20.1"), 3),
            names(&["go1.21.13"])
        );
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.22.10"), 2),
            names(&["go1.21.13", "go1.20.1"])
        );
        assert!(prune_list(&present, "go1.23.1", None, 10).is_empty());
        // keep = 1 still keeps the previous release: rollback may need it.
        assert_eq!(
            prune_list(&present, "go1.23.1", Some("go1.22.10"), 1),
            names(&["go1.21.13", "go1.20.1"])
        );
    }
}
