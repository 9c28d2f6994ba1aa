//! Where each pane goes. Shared by the view and by `update` (which needs the table's height
//! for paging and scrolling), so the two always agree.

use ratatui::layout::{Constraint, Layout, Rect};

use crate::tui::state::model::{Focus, Model};

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

pub fn areas(area: Rect, model: &Model) -> Areas {
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
    if model.focus == Focus::Detail {
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

/// Host rows the table shows at the model's screen size.
pub fn table_page(model: &Model) -> usize {
    let (width, height) = model.size();
    let table = areas(Rect::new(0, 0, width, height), model).table;
    table.height.saturating_sub(TABLE_CHROME) as usize
}
