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
    /// The Go environment against `[go_env]`: `ok` or `N drift` (shown only with a policy).
    Env,
    State,
    /// The host's last operation, live: `push upload 42% 11.2 MiB/s`.
    Operation,
    Latency,
}

impl Column {
    /// Display order.
    pub const ALL: [Column; 10] = [
        Column::Mark,
        Column::Name,
        Column::Address,
        Column::Go,
        Column::Gaps,
        Column::Audit,
        Column::Env,
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
            Column::Env => "env",
            Column::State => "state",
            Column::Operation => "operation",
            Column::Latency => "latency",
        }
    }

    /// The sort key the column stands for, if it can be sorted on.
    pub fn sort(self) -> Option<SortColumn> {
        match self {
            Column::Mark | Column::Operation | Column::Env => None,
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
        let mut text = String::new();
        self.write_value(row, &mut text).then_some(text)
    }

    /// The cell's text as drawn.
    pub fn text(self, row: &HostRow) -> String {
        let mut text = String::new();
        self.write_text(row, &mut text);
        text
    }

    fn write_text(self, row: &HostRow, out: &mut String) {
        if !self.write_value(row, out) {
            match self {
                Column::Operation => {}
                // The Go column says so in words: `none` means the probe found no Go.
                Column::Go => out.push_str(crate::tui::state::row::UNKNOWN_GO),
                _ => out.push('-'),
            }
        }
    }

    /// Appends what the cell says; false, appending nothing, when the console does not know
    /// it. The one place a cell's text is made (written in place: this runs for every engine
    /// event, and a fleet of 10,000 sends 10,000 at once).
    fn write_value(self, row: &HostRow, out: &mut String) -> bool {
        use std::fmt::Write as _;
        match self {
            Column::Mark => out.push_str(if row.marked { "●" } else { " " }),
            Column::Name => out.push_str(&row.name),
            Column::Address => out.push_str(&row.address),
            // `none` only when the probe found no Go; unknown when it could not tell.
            Column::Go => match row.go_label() {
                crate::tui::state::row::UNKNOWN_GO => return false,
                label => out.push_str(label),
            },
            Column::Gaps => match row.gap_count() {
                Some(n) => {
                    let _ = write!(out, "{n}");
                }
                None => return false,
            },
            Column::Audit => match row.audit_status() {
                Some(status) => out.push_str(status.as_str()),
                None => return false,
            },
            Column::Env => match row.env_drift() {
                Some(0) => out.push_str("ok"),
                Some(n) => {
                    let _ = write!(out, "{n} drift");
                }
                None => return false,
            },
            Column::State => out.push_str(row.state_label()),
            Column::Operation => match &row.operation {
                Some(operation) => out.push_str(&operation.label()),
                None => return false,
            },
            Column::Latency => match row.latency_ms() {
                Some(ms) => {
                    let _ = write!(out, "{ms} ms");
                }
                None => return false,
            },
        }
        true
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
            Column::Env => (3, 9),
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
        let start = text.len();
        column.write_text(row, &mut text);
        seen(column, &text[start..]);
        text.push('\n');
    }
    if let Some(error) = row.report.as_ref().and_then(|r| r.error.as_deref()) {
        text.push_str(error);
    }
    // The host's Go applications: `/svc` finds the hosts that run svc (and narrows the apps
    // view to them).
    for app in row.report.iter().flat_map(|r| &r.apps) {
        text.push('\n');
        text.push_str(&app.name);
    }
    if text.is_ascii() {
        text.make_ascii_lowercase();
        text
    } else {
        text.to_lowercase()
    }
}

/// The widest text each column has had this session, so widths follow the fleet, not the
/// rows on screen, and never shrink back: scrolling and re-probes do not move the columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Widths {
    widest: [u16; Column::ALL.len()],
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
