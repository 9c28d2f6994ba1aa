//! The detail pane: everything known about the selected host, the error and its hint first.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::fields::{field, heading};
use super::theme::Theme;
use crate::core::engine::HostReport;
use crate::core::remote::probe::{BinaryStatus, GoRootKind, ProbeFacts, StateRead};
use crate::core::text::safe;
use crate::tui::operate::operation::human_bytes;
use crate::tui::state::model::{Focus, Model};
use crate::tui::state::overlay::Body;
use crate::tui::state::row::{HostRow, RowState};

/// Draws the pane; returns how far it can scroll (its lines before wrapping, less one, so
/// scrolling never hides the last line).
pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) -> u16 {
    let focused = model.focus == Focus::Detail;
    // In the apps view: the host of the row under its cursor, that app first.
    let (selected, app, flags) = if model.body == Body::Apps {
        let rows = crate::tui::apps::rows::lines(model);
        let line = rows.get(model.apps.cursor);
        (
            line.and_then(|l| model.rows.get(l.host)),
            line.map(|l| l.app.name.clone()),
            line.map(|l| flags(model, l)).unwrap_or_default(),
        )
    } else {
        (model.selected_row(), None, Vec::new())
    };
    let title = match (selected, &app) {
        (Some(row), Some(app)) => format!(" {} · {app} ", row.name),
        (Some(row), None) => format!(" {} ", row.name),
        (None, _) => " detail ".to_string(),
    };
    let block = Block::bordered()
        .title(title)
        .border_style(theme.border(focused));
    let lines = match selected {
        Some(row) => {
            let mut out = Vec::new();
            if let Some(app) = &app {
                super::provenance::one_app(row, app, theme, &mut out);
                out.extend(flags.into_iter().map(|f| Line::styled(f, theme.warn())));
                out.push(Line::styled("── host ──", theme.dim()));
            }
            out.extend(lines(row, model.env_policy, app.is_none(), theme));
            out
        }
        None if model.body == Body::Apps => vec![Line::styled("no app selected", theme.dim())],
        None => vec![Line::styled("no host selected", theme.dim())],
    };
    let max = lines.len().saturating_sub(1) as u16;
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((model.detail_scroll, 0));
    frame.render_widget(paragraph, area);
    max
}

/// What the apps view flags on its row, in words.
fn flags(model: &Model, line: &crate::tui::apps::rows::AppLine<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(newest) = line.drift {
        out.push(format!(
            "  drift: the newest bundle of {} is {newest}",
            line.app.name
        ));
    }
    if let (true, Some((fleet, _))) = (line.old_go, crate::tui::apps::rows::fleet_go(model)) {
        out.push(format!("  built with a Go older than the fleet's {fleet}"));
    }
    out
}

/// The detail lines of one host (its apps' provenance too, unless the apps view shows one).
fn lines<'a>(row: &HostRow, env_policy: bool, with_apps: bool, theme: &Theme) -> Vec<Line<'a>> {
    let plain = Style::default();
    let mut out = vec![field("address", row.address.clone(), plain, theme)];
    for (label, text) in &row.config_sources {
        out.push(field(label, text.clone(), theme.dim(), theme));
    }
    if !row.via.is_empty() {
        out.push(field("route", route(row), plain, theme));
    }
    let state_style = theme.row(row.state());
    out.push(field("state", row.state_label(), state_style, theme));
    if let Some(operation) = &row.operation {
        super::operation::lines(operation, row.earlier.back(), theme, &mut out);
        if row.report.is_some() {
            // What follows is the probe's, not the operation's: an error below is the probe's.
            out.push(Line::styled("── last probe ──", theme.dim()));
        }
    }
    let Some(report) = &row.report else {
        let note = if row.probing {
            "probe running…"
        } else {
            "not probed yet"
        };
        out.push(Line::styled(note, theme.dim()));
        return out;
    };
    if row.probing {
        out.push(Line::styled(
            "probe running; showing the previous report",
            theme.dim(),
        ));
    }
    if matches!(row.settled_state(), RowState::Failed(_)) {
        failure(report, theme, &mut out);
    }
    if row.read_report().is_some() {
        facts(report, theme, &mut out);
        super::go_env::lines(report, env_policy, theme, &mut out);
        if with_apps {
            super::provenance::all_apps(row, theme, &mut out);
        }
    }
    if let Some(ms) = report.latency_ms {
        out.push(field("latency", format!("{ms} ms"), plain, theme));
    }
    out
}

/// `via bastion-1 → bastion-2 → web-03`: how offgo reaches the host (`proxy_jump`).
fn route(row: &HostRow) -> String {
    let hops: Vec<String> = row.via.iter().map(|h| safe(h)).collect();
    format!("via {} → {}", hops.join(" → "), safe(&row.name))
}

fn failure<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    // The state line above already names the error kind; here comes what happened.
    let error = report
        .error
        .as_deref()
        .unwrap_or("the engine gave no message");
    let mut lines = error.lines();
    let first = lines.next().unwrap_or_default().to_string();
    out.push(field("error", first, theme.failed(), theme));
    out.extend(lines.map(|l| Line::styled(format!("  {l}"), theme.failed())));
    if let Some(hint) = &report.hint {
        out.push(field("hint", hint.clone(), plain_style(), theme));
    }
    if let Some(raw) = &report.raw_output {
        out.push(heading("raw output", theme));
        if raw.is_empty() {
            out.push(Line::styled("  (empty)", theme.dim()));
        }
        out.extend(raw.lines().map(|l| Line::raw(format!("  {l}"))));
    }
}

fn plain_style() -> Style {
    Style::default()
}

fn facts<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let plain = plain_style();
    let unrecognised = report
        .facts
        .as_ref()
        .is_some_and(|f| f.unrecognised_version().is_some());
    let version = match &report.go_version {
        Some(v) => v.clone(),
        None if unrecognised => "unknown: `go version` printed something else".into(),
        None => "none installed".into(),
    };
    let version_style = if report.go_version.is_some() {
        plain
    } else {
        theme.warn()
    };
    out.push(field("go", version, version_style, theme));
    let facts = report.facts.as_ref();
    if let Some(output) = facts.and_then(|f| f.go_version_output.as_deref()) {
        out.push(field("go says", output.to_string(), plain, theme));
    }
    out.push(field(
        "GOROOT",
        go_root(&report.go_root, facts),
        plain,
        theme,
    ));
    if let Some(facts) = facts {
        if let Some(file) = &facts.go_version_file {
            out.push(field("VERSION", file.clone(), plain, theme));
        }
        let (text, style) = offgo_state(&facts.state, theme);
        out.push(field("offgo", text, style, theme));
    }
    let arch = facts
        .map(|f| f.arch.clone())
        .or_else(|| report.arch.clone())
        .unwrap_or_else(|| "-".into());
    out.push(field("arch", arch, plain, theme));
    if let Some(facts) = facts {
        let free = facts
            .free_bytes
            .map(human_bytes)
            .unwrap_or_else(|| "unknown".into());
        out.push(field("free", free, plain, theme));
        let auditd = if facts.auditd_running {
            "running"
        } else {
            "not running"
        };
        out.push(field("auditd", auditd, plain, theme));
    }
    privilege(report, theme, out);
    athens(report, theme, out);
    audit(report, theme, out);
    binaries(report, theme, out);
}

/// A host running the site's Athens (`athens_storage`): which module-cache bundle it serves.
fn athens<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let Some(a) = &report.athens else {
        return;
    };
    let (text, style) = match &a.bundle {
        Some(bundle) => (
            format!("serves {} from {}", safe(bundle), safe(&a.storage)),
            plain_style(),
        ),
        None => (
            format!("{}: no module-cache bundle preloaded", safe(&a.storage)),
            theme.warn(),
        ),
    };
    out.push(field("athens", text, style, theme));
}

/// How privileged steps run on a host whose login uses become, and whether the helper is the
/// one the rule pins (anything else means changes will be refused there).
fn privilege<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    use crate::core::engine::HelperStatus;
    use crate::core::remote::privilege::BecomeMethod;
    let Some(p) = &report.privilege else {
        return;
    };
    let (helper, style) = match p.helper {
        HelperStatus::Intact => ("helper intact", plain_style()),
        HelperStatus::Missing => ("helper missing: run privileges install", theme.warn()),
        // sudo pins the digest, so it refuses a changed helper; doas can't tell.
        HelperStatus::Changed if p.method == BecomeMethod::Sudo => (
            "helper changed: sudo refuses it; reinstall it",
            theme.warn(),
        ),
        HelperStatus::Changed => ("helper changed: reinstall it", theme.warn()),
    };
    let text = format!(
        "{} {} → {} · {helper}",
        p.method.as_str(),
        p.login,
        p.become_user
    );
    out.push(field("become", text, style, theme));
}

fn go_root(path: &str, facts: Option<&ProbeFacts>) -> String {
    match facts.map(|f| &f.go_root_kind) {
        Some(GoRootKind::Symlink { target }) => format!("{path} → {target}"),
        Some(GoRootKind::Directory) => format!("{path} (a directory installed by hand)"),
        Some(GoRootKind::Other) => format!("{path} (neither a link nor a directory)"),
        Some(GoRootKind::Missing) => format!("{path} (missing)"),
        None => path.to_string(),
    }
}

fn offgo_state(state: &StateRead, theme: &Theme) -> (String, Style) {
    match state {
        StateRead::Absent => ("not managed yet (no state.json)".into(), theme.dim()),
        StateRead::Unreadable => ("state.json unreadable".into(), theme.warn()),
        StateRead::Invalid { error, .. } => (format!("state.json invalid: {error}"), theme.warn()),
        StateRead::Parsed(s) => {
            let current = s.current.as_deref().unwrap_or("-");
            let previous = s.previous.as_deref().unwrap_or("-");
            (
                format!(
                    "current {current}, previous {previous}, {} history entries",
                    s.history.len()
                ),
                Style::default(),
            )
        }
    }
}

fn audit<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let a = &report.audit;
    let mut text = format!("{} · {} entries", a.status.as_str(), a.entries);
    if let Some(last) = &a.last_action {
        text.push_str(&format!(" · last {last}"));
    }
    out.push(field("audit", text, theme.audit(a.status), theme));
    if let Some(detail) = &a.detail {
        out.push(Line::styled(format!("  {detail}"), theme.audit(a.status)));
    }
}

fn binaries<'a>(report: &HostReport, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let checks = report
        .facts
        .as_ref()
        .map(|f| f.binaries.as_slice())
        .unwrap_or_default();
    if checks.is_empty() && report.ldd_gaps.is_empty() {
        out.push(field("binaries", "none checked", theme.dim(), theme));
        return;
    }
    out.push(heading("binaries", theme));
    if checks.is_empty() {
        // No facts (an engine that only filled the contract fields): the gap list is all we have.
        for gap in &report.ldd_gaps {
            out.push(binary_line(
                &gap.binary,
                &BinaryStatus::Gaps(gap.missing.clone()),
                theme,
            ));
        }
    }
    for check in checks {
        out.push(binary_line(&check.path, &check.status, theme));
    }
}

fn binary_line<'a>(path: &str, status: &BinaryStatus, theme: &Theme) -> Line<'a> {
    let (text, style) = match status {
        BinaryStatus::Ok => ("ok".to_string(), theme.good()),
        BinaryStatus::Gaps(libs) => (format!("missing {}", libs.join(", ")), theme.warn()),
        BinaryStatus::NotDynamic => ("not dynamic (nothing to check)".to_string(), theme.dim()),
        BinaryStatus::NoMatch => ("no file matches".to_string(), theme.dim()),
        BinaryStatus::Unchecked => (
            "not checked: its name holds a line break".to_string(),
            theme.warn(),
        ),
    };
    Line::from(vec![
        Span::raw(format!("  {path}  ")),
        Span::styled(text, style),
    ])
}
