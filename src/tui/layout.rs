//! Where each pane goes, from the screen size and the focus alone. Shared by the view and by
//! the model (which needs the table's height for paging and to keep the cursor on screen), so
//! the two always agree; it depends on nothing else in the console.

use ratatui::layout::{Constraint, Layout, Rect};

/// Which pane the movement keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Table,
    Detail,
}

/// From this width on, the detail pane sits beside the table and is always shown.
pub const WIDE: u16 = 120;

/// Lines above the first host in the table pane: top border and column titles.
const TABLE_CHROME: u16 = 3;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    pub table: Rect,
    pub detail: Option<Rect>,
    pub log: Option<Rect>,
    pub footer: Rect,
}

pub fn areas(area: Rect, focus: Focus) -> Areas {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(0),
        Constraint::Length(1),
    ])
    .areas(area);
    if area.width >= WIDE {
        let log_height = (body.height / 5).clamp(4, 10);
        let [main, log] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(log_height)]).areas(body);
        let [table, detail] =
            Layout::horizontal([Constraint::Percentage(58), Constraint::Percentage(42)])
                .areas(main);
        return Areas {
            header,
            table,
            detail: Some(detail),
            log: Some(log),
            footer,
        };
    }
    if focus == Focus::Detail {
        let [table, detail] =
            Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(body);
        return Areas {
            header,
            table,
            detail: Some(detail),
            log: None,
            footer,
        };
    }
    if body.height < 14 {
        return Areas {
            header,
            table: body,
            detail: None,
            log: None,
            footer,
        };
    }
    let [table, log] = Layout::vertical([Constraint::Min(0), Constraint::Length(6)]).areas(body);
    Areas {
        header,
        table,
        detail: None,
        log: Some(log),
        footer,
    }
}

/// Host rows the table shows on a `(width, height)` screen.
pub fn table_page((width, height): (u16, u16), focus: Focus) -> usize {
    let table = areas(Rect::new(0, 0, width, height), focus).table;
    table.height.saturating_sub(TABLE_CHROME) as usize
}

/// The apps view's table and detail pane: on a wide screen the table spans the width (its
/// columns need it) with the detail pane under it; otherwise as the host table's.
pub fn apps_areas(area: Rect, focus: Focus) -> (Rect, Option<Rect>) {
    let areas = areas(area, focus);
    if area.width < WIDE {
        return (areas.table, areas.detail);
    }
    let main = areas.detail.map_or(areas.table, |d| d.union(areas.table));
    let [table, detail] =
        Layout::vertical([Constraint::Percentage(40), Constraint::Percentage(60)]).areas(main);
    (table, Some(detail))
}

/// Rows the apps view shows on a `(width, height)` screen.
pub fn apps_page((width, height): (u16, u16), focus: Focus) -> usize {
    let table = apps_areas(Rect::new(0, 0, width, height), focus).0;
    table.height.saturating_sub(TABLE_CHROME) as usize
}
