//! Policy against what a host says: one [`Drift`] per variable and view that differs.

use serde::Serialize;

use super::policy::GoEnvPolicy;
use super::read::{GoEnvRead, ViewRead};

/// Where a value was seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// A login shell.
    Login,
    /// A process started without a login environment (a service, a cron job).
    Service,
}

/// One variable that is not what the policy wants, in one view (DESIGN.md: `go_env_drift`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub var: String,
    pub want: String,
    /// What the host's `go` reports; `None` when `go env` could not be read in that view.
    pub got: Option<String>,
    #[serde(rename = "where")]
    pub view: View,
}

/// The drift of a host's reading from `policy`, login view first, then service, each by
/// variable name. A view that was not read has no drift to tell; a view whose `go env` failed
/// drifts on every variable (`got` null).
pub fn drift(policy: &GoEnvPolicy, read: &GoEnvRead) -> Vec<Drift> {
    let mut out = Vec::new();
    for (view, reading) in [(View::Login, &read.login), (View::Service, &read.service)] {
        let Some(reading) = reading else { continue };
        for (var, want) in &policy.vars {
            let got = match reading {
                ViewRead::Read(map) => Some(map.get(var).cloned().unwrap_or_default()),
                ViewRead::Failed(_) => None,
            };
            if got.as_deref() != Some(want.as_str()) {
                out.push(Drift {
                    var: var.clone(),
                    want: want.clone(),
                    got,
                    view,
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::goenv::parse_view;

    fn policy() -> GoEnvPolicy {
        let mut p = GoEnvPolicy::default();
        p.insert("GOTOOLCHAIN", "local").unwrap();
        p.insert("GOPROXY", "off").unwrap();
        p
    }

    #[test]
    fn a_value_set_only_in_the_login_profile_drifts_for_services() {
        let read = GoEnvRead {
            login: Some(parse_view(r#"{"GOPROXY":"off","GOTOOLCHAIN":"local"}"#)),
            service: Some(parse_view(
                r#"{"GOPROXY":"https://proxy.golang.org,direct","GOTOOLCHAIN":"auto"}"#,
            )),
        };
        let drift = drift(&policy(), &read);
        assert_eq!(drift.len(), 2, "{drift:#?}");
        assert!(drift.iter().all(|d| d.view == View::Service));
        assert_eq!(drift[0].var, "GOPROXY");
        assert_eq!(
            drift[0].got.as_deref(),
            Some("https://proxy.golang.org,direct")
        );
        let json = serde_json::to_value(&drift[1]).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"var": "GOTOOLCHAIN", "want": "local", "got": "auto", "where": "service"})
        );
    }

    #[test]
    fn no_reading_no_drift_and_a_failed_reading_drifts_everywhere() {
        assert!(drift(&policy(), &GoEnvRead::default()).is_empty());
        let read = GoEnvRead {
            login: Some(ViewRead::Failed("go: cannot find GOROOT".into())),
            service: None,
        };
        let drift = drift(&policy(), &read);
        assert_eq!(drift.len(), 2);
        assert!(drift.iter().all(|d| d.got.is_none()));
    }
}
