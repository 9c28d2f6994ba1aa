//! The host table's columns and what each cell says. The view draws these texts, the filter
//! searches them and the export writes them, so what the operator reads is what `/` finds and
//! what the file holds.

use crate::core::export::HostLine;
use crate::tui::state::row::HostRow;
use crate::tui::table::sort::SortColumn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Mark,
    Name,
    Address,
    Go,
    Gaps,
    Audit,
    State,
    /// The host's last operation, live: `push upload 42% 11.2 MiB/s`.
    Operation,
    Latency,
}

impl Column {
    /// Display order.
    pub const ALL: [Column; 9] = [
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

    pub fn title(self) -> &'static str {
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

    /// The sort key the column stands for, if it can be sorted on.
    pub fn sort(self) -> Option<SortColumn> {
        match self {
            Column::Mark | Column::Operation => None,
            Column::Name => Some(SortColumn::Name),
            Column::Address => Some(SortColumn::Address),
            Column::Go => Some(SortColumn::GoVersion),
            Column::Gaps => Some(SortColumn::Gaps),
            Column::Audit => Some(SortColumn::Audit),
            Column::State => Some(SortColumn::State),
            Column::Latency => Some(SortColumn::Latency),
        }
    }

    /// What the cell says when the console knows it; `None` is drawn as `-` (an operation
    /// column with none stays blank).
    pub fn value(self, row: &HostRow) -> Option<String> {
        match self {
            Column::Mark => Some(if row.marked { "●" } else { " " }.to_string()),
            Column::Name => Some(row.name.clone()),
            Column::Address => Some(row.address.clone()),
            Column::Go => match (row.go_version(), row.read_report()) {
                (Some(v), _) => Some(v.to_string()),
                (None, Some(_)) => Some("none".into()),
                (None, None) => None,
            },
            Column::Gaps => row.gap_count().map(|n| n.to_string()),
            Column::Audit => row.audit_status().map(|s| s.as_str().to_string()),
            Column::State => Some(row.state_label().to_string()),
            Column::Operation => row.operation.as_ref().map(|o| o.label()),
            Column::Latency => row.latency_ms().map(|ms| format!("{ms} ms")),
        }
    }

    /// The cell's text as drawn.
    pub fn text(self, row: &HostRow) -> String {
        match (self, self.value(row)) {
            (_, Some(text)) => text,
            (Column::Operation, None) => String::new(),
            (_, None) => "-".to_string(),
        }
    }

    /// The narrowest and widest the column is drawn (the title and its sort arrow fit).
    pub fn bounds(self) -> (u16, u16) {
        match self {
            Column::Mark => (1, 1),
            Column::Name => (6, 28),
            Column::Address => (9, 24),
            Column::Go => (6, 12),
            Column::Gaps => (4, 4),
            Column::Audit => (5, 10),
            Column::State => (7, 17),
            // Fixed: progress text changes every moment and must not move the columns.
            Column::Operation => (30, 30),
            Column::Latency => (8, 8),
        }
    }
}

/// What `/` searches in a row: every column's text as drawn, and the error the detail pane
/// shows, lower-cased, one per line (so a filter cannot match across two columns). Each
/// column's text goes to `seen` on the way: one pass for the search text and the widths, as
/// this runs for every engine event.
fn search_text(row: &HostRow, mut seen: impl FnMut(Column, &str)) -> String {
    let mut text = String::with_capacity(row.haystack.len().max(64));
    for column in Column::ALL.into_iter().filter(|&c| c != Column::Mark) {
        let cell = column.text(row);
        seen(column, &cell);
        text.push_str(&cell);
        text.push('\n');
    }
    if let Some(error) = row.report.as_ref().and_then(|r| r.error.as_deref()) {
        text.push_str(error);
    }
    text.to_lowercase()
}

/// The widest text each column has had this session, so widths follow the fleet, not the
/// rows on screen, and never shrink back: scrolling and re-probes do not move the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Widths {
    widest: [u16; 9],
}

impl Widths {
    /// Takes in one cell's text (the operation's is left out: its column has a fixed width).
    fn grow(&mut self, column: Column, text: &str) {
        if matches!(column, Column::Mark | Column::Operation) {
            return;
        }
        let i = Column::ALL.iter().position(|&c| c == column).unwrap_or(0);
        let n = text.chars().count().min(u16::MAX as usize) as u16;
        self.widest[i] = self.widest[i].max(n);
    }

    /// The column's width: its widest text, room for its title and a sort arrow, within its
    /// bounds; the sort key's column is never narrower than its title with the arrow, so the
    /// ▲/▼ always shows.
    pub fn of(&self, column: Column, sort_key: bool) -> u16 {
        let i = Column::ALL.iter().position(|&c| c == column).unwrap_or(0);
        let (floor, cap) = column.bounds();
        let arrow = if column.sort().is_some() { 2 } else { 0 };
        let title = column.title().chars().count() as u16 + arrow;
        let width = self.widest[i].max(title).clamp(floor, cap);
        if sort_key {
            width.max(title)
        } else {
            width
        }
    }
}

/// Re-derives what depends on the row's texts after it changed: its search text and the
/// column widths. True when the search text changed (the filter must run again).
pub fn texts_changed(row: &mut HostRow, widths: &mut Widths) -> bool {
    let text = search_text(row, |column, cell| widths.grow(column, cell));
    if text == row.haystack {
        return false;
    }
    row.haystack = text;
    true
}

/// A row as the export writes it: the texts of its cells, unknowns empty.
pub fn export_line(row: &HostRow) -> HostLine {
    HostLine {
        name: row.name.clone(),
        address: row.address.clone(),
        go: Column::Go.value(row),
        ldd_gaps: row.gap_count(),
        audit: Column::Audit.value(row),
        state: row.state_label().to_string(),
        operation: Column::Operation.value(row),
        latency_ms: row.latency_ms(),
        error: row.report.as_ref().and_then(|r| r.error.clone()),
    }
}
