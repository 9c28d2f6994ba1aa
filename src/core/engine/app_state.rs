//! An app's state on its host, `<state_dir>/apps/<name>.json` (the console's apps view reads it):
//! `{"name", "current", "previous", "history": [{"version", "action", "at"}], "bundle_sha256"}`.

use serde::{Deserialize, Serialize};

/// History entries kept.
const HISTORY_KEPT: usize = 50;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppState {
    pub name: String,
    pub current: String,
    pub previous: Option<String>,
    #[serde(default)]
    pub history: Vec<AppHistory>,
    pub bundle_sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppHistory {
    pub version: String,
    /// `push` or `rollback`.
    pub action: String,
    /// RFC 3339 UTC.
    pub at: String,
}

impl AppState {
    /// The state a host's file holds; `None` for one that is not an app state of `name`, or
    /// whose versions could not name a release directory (they go into paths and commands).
    pub fn parse(text: &str, name: &str) -> Option<Self> {
        use super::app_release::valid_version;
        serde_json::from_str::<Self>(text).ok().filter(|s| {
            s.name == name
                && valid_version(&s.current)
                && s.previous.as_deref().is_none_or(valid_version)
        })
    }

    /// The state after switching to `version` (`bundle_sha256`: its bundle's) from `old`.
    pub fn next(
        old: Option<&AppState>,
        name: &str,
        version: &str,
        bundle_sha256: &str,
        action: &str,
    ) -> Self {
        let mut history = old.map(|s| s.history.clone()).unwrap_or_default();
        history.push(AppHistory {
            version: version.to_string(),
            action: action.to_string(),
            at: crate::core::audit::record::now_rfc3339(),
        });
        let skip = history.len().saturating_sub(HISTORY_KEPT);
        AppState {
            name: name.to_string(),
            current: version.to_string(),
            // A push of the version already current (a repair) keeps the way back it had.
            previous: match old {
                Some(o) if o.current == version => o.previous.clone(),
                Some(o) => Some(o.current.clone()),
                None => None,
            },
            history: history.into_iter().skip(skip).collect(),
            bundle_sha256: bundle_sha256.to_string(),
        }
    }

    /// One line of JSON, `{"name":…` first (the helper checks that shape).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_has_the_documented_shape_and_order() {
        let first = AppState::next(None, "svc", "1.0.0", "aa", "push");
        let second = AppState::next(Some(&first), "svc", "2.0.0", "bb", "push");
        let json: serde_json::Value = serde_json::from_str(&second.to_json()).unwrap();
        assert!(second
            .to_json()
            .starts_with("{\"name\":\"svc\",\"current\":\"2.0.0\""));
        assert_eq!(json["previous"], "1.0.0");
        assert_eq!(json["bundle_sha256"], "bb");
        assert_eq!(json["history"][1]["action"], "push");
        assert_eq!(json["history"][1]["version"], "2.0.0");
        assert!(json["history"][0]["at"].as_str().unwrap().ends_with('Z'));
        assert_eq!(json["history"].as_array().unwrap().len(), 2);
        assert_eq!(
            AppState::parse(&second.to_json(), "svc"),
            Some(second.clone())
        );
        assert_eq!(AppState::parse(&second.to_json(), "api"), None);
        let hostile = second
            .to_json()
            .replace("\"previous\":\"1.0.0\"", "\"previous\":\"../../etc\"");
        assert_eq!(AppState::parse(&hostile, "svc"), None, "{hostile}");
        let again = AppState::next(Some(&second), "svc", "2.0.0", "bb", "push");
        assert_eq!(again.previous.as_deref(), Some("1.0.0"));
    }
}
