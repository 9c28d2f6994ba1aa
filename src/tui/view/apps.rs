//! The apps view: one row per host and Go application, in the table's host order and filter.
//! Columns that do not fit are dropped, least useful first; widths come from every row, so the
//! columns stand still while the cursor moves. Drift and an older Go than the fleet's are said
//! in words (snapshots carry no colour) and coloured.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::apps::rows::{fleet_go, lines, AppLine, GoSource};
use crate::tui::state::model::{Focus, Model};

const SPACING: u16 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Host,
    App,
    Version,
    Go,
    Link,
    Revision,
    Health,
    Notes,
}

/// Display order.
const ORDER: [Col; 8] = [
    Col::Host,
    Col::App,
    Col::Version,
    Col::Go,
    Col::Link,
    Col::Revision,
    Col::Health,
    Col::Notes,
];

/// Which columns a narrow screen keeps first.
const PRIORITY: [Col; 8] = [
    Col::Host,
    Col::App,
    Col::Version,
    Col::Go,
    Col::Link,
    Col::Health,
    Col::Revision,
    Col::Notes,
];

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Host => "HOST",
            Col::App => "APP",
            Col::Version => "VERSION",
            Col::Go => "BUILT WITH",
            Col::Link => "LINK",
            Col::Revision => "REVISION",
            Col::Health => "HEALTH",
            Col::Notes => "NOTES",
        }
    }

    /// The widest a cell is shown (a longer text is cut with `…`).
    fn cap(self) -> usize {
        match self {
            Col::Host => 20,
            Col::App => 16,
            Col::Version => 24,
            Col::Go => 16,
            Col::Link => 24,
            Col::Revision => 12,
            Col::Health => 28,
            Col::Notes => 60,
        }
    }

    /// A column that takes what room is left when its whole width does not fit, if at least
    /// this much.
    fn squeeze(self) -> Option<u16> {
        match self {
            Col::Health => Some(6),
            Col::Notes => Some(10),
            _ => None,
        }
    }

    fn text(self, line: &AppLine<'_>) -> String {
        let app = line.app;
        let dash = || "-".to_string();
        match self {
            Col::Host => line.host_name.to_string(),
            Col::App => app.name.clone(),
            Col::Version => {
                let version = app.version.clone().unwrap_or_else(dash);
                match line.drift {
                    Some(newest) => format!("{version} → {newest}"),
                    None => version,
                }
            }
            Col::Go => match (&app.go_version, line.old_go) {
                (Some(v), true) => format!("{v} old"),
                (Some(v), false) => v.clone(),
                (None, _) => dash(),
            },
            Col::Link => match (app.is_static, app.ldd_missing.as_slice()) {
                (_, [one]) => format!("gap: {one}"),
                (_, [_, ..]) => format!("gaps: {}", app.ldd_missing.join(", ")),
                (Some(true), []) => "static".into(),
                (Some(false), []) => "dynamic".into(),
                (None, []) => dash(),
            },
            Col::Revision => app
                .vcs_revision
                .as_deref()
                .map(|r| r.chars().take(12).collect())
                .unwrap_or_else(dash),
            Col::Health => match (app.health.as_deref(), app.health_output.as_deref()) {
                (Some("ok"), _) => "ok".into(),
                (Some(word), Some(said)) if !said.is_empty() => format!("{word}: {said}"),
                (Some(word), _) => word.to_string(),
                (None, Some(why)) => format!("not run: {why}"),
                (None, None) => dash(),
            },
            Col::Notes => app.problems.join("; "),
        }
    }

    fn style(self, line: &AppLine<'_>, theme: &Theme) -> Style {
        let app = line.app;
        match self {
            Col::Version if line.drift.is_some() => theme.warn(),
            Col::Go if line.old_go => theme.warn(),
            Col::Link if !app.ldd_missing.is_empty() => theme.warn(),
            Col::Health => match app.health.as_deref() {
                Some("ok") => theme.good(),
                Some(_) => theme.failed(),
                None => theme.dim(),
            },
            Col::Notes => theme.warn(),
            _ => Style::default(),
        }
    }
}

/// Cuts `text` to `width` characters, the last one `…` when cut.
fn cut(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut out: String = text.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The columns kept at `room`, in display order, with their widths.
fn fit(room: u16, rows: &[AppLine<'_>]) -> Vec<(Col, u16)> {
    let width = |c: Col| -> u16 {
        let widest = rows
            .iter()
            .map(|l| c.text(l).chars().count())
            .max()
            .unwrap_or(0);
        if widest == 0 && c == Col::Notes {
            return 0; // nothing to say: no column
        }
        widest.max(c.title().len()).min(c.cap()) as u16
    };
    let mut kept: Vec<(Col, u16)> = Vec::new();
    let mut used = 0u16;
    for c in PRIORITY {
        let w = width(c);
        if w == 0 {
            continue;
        }
        let gap = if kept.is_empty() { 0 } else { SPACING };
        let left = room.saturating_sub(used + gap);
        let w = match c.squeeze() {
            _ if w <= left => w,
            Some(min) if left >= min => left,
            _ => continue,
        };
        used += w + gap;
        kept.push((c, w));
    }
    ORDER
        .iter()
        .filter_map(|c| kept.iter().find(|(k, _)| k == c).copied())
        .collect()
}

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let rows = lines(model);
    let block = Block::bordered()
        .title(title(model, &rows))
        .border_style(theme.border(model.focus == Focus::Table));
    let inner = block.inner(area);
    let columns = fit(inner.width, &rows);
    let header = Row::new(columns.iter().map(|&(c, _)| Cell::from(c.title()))).style(theme.label());
    let page = inner.height.saturating_sub(1) as usize;
    let view = &model.apps;
    let shown = rows.iter().enumerate().skip(view.offset).take(page);
    let table_rows = shown.map(|(i, line)| {
        let cells = columns
            .iter()
            .map(|&(c, w)| Cell::from(cut(&c.text(line), w as usize)).style(c.style(line, theme)));
        let style = if i == view.cursor {
            theme.selected()
        } else {
            Style::default()
        };
        Row::new(cells).style(style)
    });
    let widths = columns.iter().map(|&(_, w)| Constraint::Length(w));
    let table = Table::new(table_rows, widths)
        .header(header)
        .column_spacing(SPACING)
        .block(block);
    frame.render_widget(table, area);
    if rows.is_empty() {
        let message = if model.visible.is_empty() {
            "no host matches the filter".to_string()
        } else {
            "no Go application on the shown hosts (offgo installs them under /opt/offgo/apps)"
                .to_string()
        };
        let y = inner
            .y
            .saturating_add(1)
            .min(inner.bottom().saturating_sub(1));
        let line = Line::from(Span::styled(message, theme.dim()));
        frame.render_widget(
            line,
            Rect::new(inner.x + 1, y, inner.width.saturating_sub(1), 1),
        );
    }
}

/// ` apps · 5 on 3 hosts · fleet Go go1.23.4 (newest Go bundle) · 2 drift · 1 old Go `.
fn title(model: &Model, rows: &[AppLine<'_>]) -> Line<'static> {
    let mut hosts: Vec<_> = rows.iter().map(|l| l.host).collect();
    hosts.dedup();
    let mut text = format!(" apps · {} on {} hosts", rows.len(), hosts.len());
    match fleet_go(model) {
        Some((v, GoSource::Bundle)) => {
            text.push_str(&format!(" · fleet Go {v} (newest Go bundle)"))
        }
        Some((v, GoSource::Hosts)) => text.push_str(&format!(" · fleet Go {v} (newest on hosts)")),
        None => {}
    }
    let drift = rows.iter().filter(|l| l.drift.is_some()).count();
    if drift > 0 {
        text.push_str(&format!(" · {drift} drift"));
    }
    let old = rows.iter().filter(|l| l.old_go).count();
    if old > 0 {
        text.push_str(&format!(" · {old} old Go"));
    }
    if !model.apps.catalog.loaded {
        text.push_str(" · reading bundles…");
    }
    let filter = model.filter.input.value();
    if !filter.is_empty() {
        text.push_str(&format!(" · filter /{filter}"));
    }
    text.push(' ');
    Line::from(text)
}
