//! The host table. Only the rows on screen are built, so a frame costs the same for 10 hosts
//! as for 10,000; columns that do not fit are dropped, least useful first. What each cell says
//! is [`crate::tui::table::cells`]'s, shared with the filter and the export.

use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Row, Table};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::state::model::{Focus, Model};
use crate::tui::state::row::HostRow;
use crate::tui::table::cells::Column;

/// Space between columns.
const SPACING: u16 = 1;

/// Which columns survive a narrow screen: earlier ones are kept first (the sort key's column
/// comes right after the name, so its ▲/▼ is always on screen).
const PRIORITY: [Column; 10] = [
    Column::Mark,
    Column::Name,
    Column::State,
    Column::Operation,
    Column::Go,
    Column::Gaps,
    Column::Audit,
    Column::Env,
    Column::Latency,
    Column::Address,
];

/// The column's width; 0 for the operation column while no host has had an operation (it
/// then stays, so that its coming and going does not move the others either).
fn width(column: Column, model: &Model) -> u16 {
    if column == Column::Operation && !model.rows.iter().any(|r| r.operation.is_some()) {
        return 0;
    }
    // Nothing to measure against without a policy.
    if column == Column::Env && !model.env_policy {
        return 0;
    }
    let sort_key = column.sort() == Some(model.sort.column);
    model.widths.of(column, sort_key)
}

fn cell_style(column: Column, row: &HostRow, theme: &Theme) -> Style {
    match column {
        Column::Audit => row
            .audit_status()
            .map(|s| theme.audit(s))
            .unwrap_or_default(),
        Column::Gaps if row.gap_count().unwrap_or(0) > 0 => theme.warn(),
        Column::Env if row.env_drift().unwrap_or(0) > 0 => theme.warn(),
        Column::Go if row.read_report().is_some() && row.go_version().is_none() => theme.warn(),
        Column::Operation => row
            .operation
            .as_ref()
            .map(|o| theme.operation(o))
            .unwrap_or_default(),
        _ => Style::default(),
    }
}

/// The columns kept at `room`, in display order, with their widths. Widths come from the
/// whole fleet (see [`crate::tui::table::cells::Widths`]), never from the rows on screen or
/// the progress text, so the columns stand still while hosts change.
fn fit(room: u16, model: &Model) -> Vec<(Column, u16)> {
    let sort_key = Column::ALL
        .into_iter()
        .find(|c| c.sort() == Some(model.sort.column));
    let mut priority: Vec<Column> = PRIORITY.to_vec();
    if let Some(key) = sort_key {
        priority.retain(|&c| c != key);
        priority.insert(2, key);
    }
    let mut kept = Vec::new();
    let mut used = 0u16;
    for column in priority {
        let w = width(column, model);
        if w == 0 {
            continue;
        }
        let need = if kept.is_empty() { w } else { w + SPACING };
        if used + need > room {
            continue;
        }
        used += need;
        kept.push((column, w));
    }
    Column::ALL
        .iter()
        .filter_map(|c| kept.iter().find(|(k, _)| k == c).copied())
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
    let columns = fit(inner.width, model);

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
            .map(|&(c, _)| Cell::from(c.text(row)).style(cell_style(c, row, theme)));
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
