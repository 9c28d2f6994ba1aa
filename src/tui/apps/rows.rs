//! The apps view's rows, derived from the model on demand (the view draws them, `update` counts
//! them to move the cursor): one per host and app, hosts in the table's order and filter, each
//! with its two flags.
//!
//! - drift: the app's newest bundle in the bundle directory is not the version the host runs;
//! - old Go: the app was built with a Go older than the fleet's Go — the newest Go release
//!   bundle in the bundle directory (the release the fleet is being moved to), or, with none
//!   there, the newest Go any host runs.

use std::cmp::Ordering;

use crate::core::app::AppReport;
use crate::core::inventory::HostId;
use crate::tui::state::model::Model;
use crate::tui::state::version::compare_versions;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLine<'a> {
    pub host: HostId,
    pub host_name: &'a str,
    pub app: &'a AppReport,
    /// The newest bundle's version, when the host runs another.
    pub drift: Option<&'a str>,
    /// The fleet's Go, when the app was built with an older one.
    pub old_go: bool,
}

/// Where the fleet's Go came from, for the title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoSource {
    Bundle,
    Hosts,
}

/// The Go the fleet's apps are measured against, and where it came from.
pub fn fleet_go(model: &Model) -> Option<(&str, GoSource)> {
    if let Some(v) = model.apps.catalog.go_release.as_deref() {
        return Some((v, GoSource::Bundle));
    }
    model
        .rows
        .iter()
        .filter_map(|r| r.report.as_ref()?.go_version.as_deref())
        .filter(|v| *v != "devel")
        .max_by(|a, b| compare_versions(a, b))
        .map(|v| (v, GoSource::Hosts))
}

/// Every app of every shown host, in the table's order.
pub fn lines(model: &Model) -> Vec<AppLine<'_>> {
    let fleet = fleet_go(model).map(|(v, _)| v);
    let mut out = Vec::new();
    for &id in &model.visible {
        let row = &model.rows[id];
        let Some(report) = &row.report else { continue };
        for app in &report.apps {
            let drift = model
                .apps
                .catalog
                .newest(&app.name)
                .filter(|newest| app.version.as_deref() != Some(*newest));
            let old_go = match (app.go_version.as_deref(), fleet) {
                (Some(built), Some(fleet)) => {
                    compare_versions(built, fleet) == Ordering::Less && built != "devel"
                }
                _ => false,
            };
            out.push(AppLine {
                host: id,
                host_name: &row.name,
                app,
                drift,
                old_go,
            });
        }
    }
    out
}

/// How many rows the view has (for the cursor), without building them.
pub fn count(model: &Model) -> usize {
    model
        .visible
        .iter()
        .filter_map(|&id| model.rows[id].report.as_ref())
        .map(|r| r.apps.len())
        .sum()
}
