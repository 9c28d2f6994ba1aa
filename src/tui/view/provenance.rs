//! An app's binary provenance in the detail pane, the way `go version -m` prints it (its lines
//! come from [`crate::core::app::go_version_m`]; Go's tabs laid out as columns here), with the
//! app's version, health and what does not add up.

use ratatui::text::{Line, Span};

use super::fields::{field, heading};
use super::theme::Theme;
use crate::core::app::{go_version_m, AppReport, InstalledApp};
use crate::tui::state::row::HostRow;

/// Every app of the host, after a heading; nothing when it has none.
pub fn all_apps<'a>(row: &HostRow, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let Some(report) = row.read_report() else {
        return;
    };
    if report.apps.is_empty() {
        return;
    }
    out.push(heading("apps", theme));
    for app in &report.apps {
        block(row, app, theme, out);
    }
}

/// The app named `name` on the host (the apps view's row).
pub fn one_app<'a>(row: &HostRow, name: &str, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let Some(app) = row
        .report
        .as_deref()
        .and_then(|r| r.apps.iter().find(|a| a.name == name))
    else {
        return;
    };
    block(row, app, theme, out);
}

fn block<'a>(row: &HostRow, app: &AppReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let version = app.version.as_deref().unwrap_or("no version");
    let (health, style) = match (app.health.as_deref(), app.health_output.as_deref()) {
        (Some("ok"), _) => ("health ok".to_string(), theme.good()),
        (Some(word), Some(said)) if !said.is_empty() => {
            (format!("health {word}: {said}"), theme.failed())
        }
        (Some(word), _) => (format!("health {word}"), theme.failed()),
        (None, Some(why)) => (format!("health not run: {why}"), theme.warn()),
        (None, None) => ("no health command".to_string(), theme.dim()),
    };
    out.push(Line::from(vec![
        Span::styled(format!("{} {version}  ", app.name), theme.bold()),
        Span::styled(health, style),
    ]));
    let state = match (&app.state_version, &app.previous) {
        (Some(c), Some(p)) => format!("current {c}, previous {p}"),
        (Some(c), None) => format!("current {c}, no previous"),
        (None, _) => "-".to_string(),
    };
    out.push(field("  state", state, Default::default(), theme));
    let link = match app.is_static {
        Some(true) => "static",
        Some(false) => "dynamic",
        None => "unknown",
    };
    if app.ldd_missing.is_empty() {
        out.push(field("  link", link, Default::default(), theme));
    } else {
        let text = format!("{link} · missing {}", app.ldd_missing.join(", "));
        out.push(field("  link", text, theme.warn(), theme));
    }
    for problem in &app.problems {
        out.push(Line::styled(format!("  ! {problem}"), theme.warn()));
    }
    let manifest = row
        .report
        .as_deref()
        .and_then(|r| r.facts.as_ref())
        .and_then(|f| f.apps.iter().find(|a| a.name == app.name))
        .and_then(InstalledApp::manifest);
    let Some(manifest) = manifest else {
        out.push(Line::styled("  no build info", theme.dim()));
        return;
    };
    let binary = format!("{}/{}/current/bin/{}", row.apps_dir, app.name, app.name);
    for line in go_version_m(&binary, manifest) {
        out.push(go_line(&line, theme));
    }
}

/// One of `go version -m`'s lines: the header as it is, `\tKEY\tVALUE…` as columns.
fn go_line<'a>(line: &str, theme: &Theme) -> Line<'a> {
    let mut fields = line.split('\t');
    let first = fields.next().unwrap_or_default();
    if !first.is_empty() {
        return Line::raw(format!("  {first}"));
    }
    let key = fields.next().unwrap_or_default();
    let rest: Vec<&str> = fields.filter(|f| !f.is_empty()).collect();
    Line::from(vec![
        Span::styled(format!("    {key:<5} "), theme.label()),
        Span::raw(rest.join("  ")),
    ])
}
