//! The host table. Only the rows on screen are built, so a frame costs the same for 10 hosts
//! as for 10,000; columns that do not fit are dropped, least useful first.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::state::model::{Focus, Model};
use crate::tui::state::row::HostRow;
use crate::tui::table::sort::SortColumn;

/// Space between columns.
const SPACING: u16 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Mark,
    Name,
    Address,
    Go,
    Gaps,
    Audit,
    State,
    /// The host's last operation, live: `push upload 42% 11.2 MiB/s`. Shown only while some
    /// host on screen has one.
    Operation,
    Latency,
}

/// Display order.
const COLUMNS: [Column; 9] = [
    Column::Mark,
    Column::Name,
    Column::Address,
    Column::Go,
    Column::Gaps,
    Column::Audit,
    Column::State,
    Column::Operation,
    Column::Latency,
];

/// Which columns survive a narrow screen: earlier ones are kept first.
const PRIORITY: [Column; 9] = [
    Column::Mark,
    Column::Name,
    Column::State,
    Column::Operation,
    Column::Go,
    Column::Gaps,
    Column::Audit,
    Column::Latency,
    Column::Address,
];

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Mark => "",
            Column::Name => "name",
            Column::Address => "address",
            Column::Go => "go",
            Column::Gaps => "gaps",
            Column::Audit => "audit",
            Column::State => "state",
            Column::Operation => "operation",
            Column::Latency => "latency",
        }
    }

    fn sort(self) -> Option<SortColumn> {
        match self {
            Column::Mark => None,
            Column::Name => Some(SortColumn::Name),
            Column::Address => Some(SortColumn::Address),
            Column::Go => Some(SortColumn::GoVersion),
            Column::Gaps => Some(SortColumn::Gaps),
            Column::Audit => Some(SortColumn::Audit),
            Column::State => Some(SortColumn::State),
            Column::Operation => None,
            Column::Latency => Some(SortColumn::Latency),
        }
    }

    /// Width that fits the title (with a sort arrow) and every value on screen, within a cap.
    fn width(self, window: &[&HostRow]) -> u16 {
        if self == Column::Operation && window.iter().all(|r| r.operation.is_none()) {
            return 0;
        }
        let (floor, cap) = match self {
            Column::Mark => return 1,
            Column::Name => (6, 28),
            Column::Address => (9, 24),
            Column::Go => (6, 12),
            Column::Gaps => (4, 4),
            Column::Audit => (5, 10),
            Column::State => (7, 17),
            Column::Operation => (11, 30),
            Column::Latency => (7, 8),
        };
        let widest = window
            .iter()
            .map(|r| cell_text(self, r).chars().count())
            .max()
            .unwrap_or(0);
        (widest.max(self.title().len() + 2) as u16).clamp(floor, cap)
    }
}

fn cell_text(column: Column, row: &HostRow) -> String {
    let unknown = || "-".to_string();
    match column {
        Column::Mark => if row.marked { "●" } else { " " }.to_string(),
        Column::Name => row.name.clone(),
        Column::Address => row.address.clone(),
        Column::Go => row.go_label().to_string(),
        Column::Gaps => row
            .gap_count()
            .map(|n| n.to_string())
            .unwrap_or_else(unknown),
        Column::Audit => row
            .audit_status()
            .map(|s| s.as_str().to_string())
            .unwrap_or_else(unknown),
        Column::State => row.state_label().to_string(),
        Column::Operation => row
            .operation
            .as_ref()
            .map(|o| o.label())
            .unwrap_or_default(),
        Column::Latency => row
            .latency_ms()
            .map(|ms| format!("{ms} ms"))
            .unwrap_or_else(unknown),
    }
}

fn cell_style(column: Column, row: &HostRow, theme: &Theme) -> Style {
    match column {
        Column::Audit => row
            .audit_status()
            .map(|s| theme.audit(s))
            .unwrap_or_default(),
        Column::Gaps if row.gap_count().unwrap_or(0) > 0 => theme.warn(),
        Column::Go if row.read_report().is_some() && row.go_version().is_none() => theme.warn(),
        Column::Operation => row
            .operation
            .as_ref()
            .map(|o| theme.operation(o))
            .unwrap_or_default(),
        _ => Style::default(),
    }
}

/// The columns kept at `width`, in display order, with their widths.
fn fit(width: u16, window: &[&HostRow]) -> Vec<(Column, u16)> {
    let mut kept = Vec::new();
    let mut used = 0u16;
    for column in PRIORITY {
        let w = column.width(window);
        if w == 0 {
            continue;
        }
        let need = if kept.is_empty() { w } else { w + SPACING };
        if used + need > width {
            continue;
        }
        used += need;
        kept.push(column);
    }
    COLUMNS
        .iter()
        .filter(|c| kept.contains(c))
        .map(|&c| (c, c.width(window)))
        .collect()
}

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .title(title(model))
        .border_style(theme.border(model.focus == Focus::Table));
    let inner = block.inner(area);
    let page = inner.height.saturating_sub(1) as usize;
    let end = (model.offset + page).min(model.visible.len());
    let window: Vec<&HostRow> = model.visible[model.offset.min(end)..end]
        .iter()
        .map(|&id| &model.rows[id])
        .collect();
    let columns = fit(inner.width, &window);

    let header = Row::new(
        columns
            .iter()
            .map(|&(c, _)| Cell::from(column_title(c, model))),
    )
    .style(theme.label());
    let rows = window.iter().map(|row| {
        let mut style = theme.row(row.state());
        if row.marked {
            style = style.patch(theme.bold());
        }
        if model.selected == Some(row.id) {
            style = style.patch(theme.selected());
        }
        let cells = columns
            .iter()
            .map(|&(c, _)| Cell::from(cell_text(c, row)).style(cell_style(c, row, theme)));
        Row::new(cells).style(style)
    });
    let widths = columns.iter().map(|&(_, w)| Constraint::Length(w));
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(SPACING)
        .block(block);
    frame.render_widget(table, area);
    if model.visible.is_empty() {
        let message = if model.rows.is_empty() {
            "the inventory has no hosts"
        } else {
            "no host matches the filter"
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

fn column_title(column: Column, model: &Model) -> String {
    match column.sort() {
        Some(sort) if sort == model.sort.column => {
            format!(
                "{} {}",
                column.title(),
                if model.sort.reverse { "▼" } else { "▲" }
            )
        }
        _ => column.title().to_string(),
    }
}

fn title(model: &Model) -> Line<'static> {
    let mut text = format!(
        " offgo · {} · {}/{} hosts",
        model.inventory_label,
        model.visible.len(),
        model.rows.len()
    );
    let marked = model.marked().count();
    if marked > 0 {
        text.push_str(&format!(" · {marked} marked"));
    }
    let filter = model.filter.input.value();
    if !filter.is_empty() {
        text.push_str(&format!(" · filter /{filter}"));
    }
    text.push(' ');
    Line::from(text)
}
