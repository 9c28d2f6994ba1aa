//! Sorting the host table. Each column's natural order puts what needs attention on top:
//! oldest Go, most ldd gaps, worst audit status, failed hosts, slowest hosts; `S` reverses.
//! Hosts the column says nothing about (not probed, unreachable) go last.

use std::cmp::Ordering;

use crate::core::audit::AuditStatus;
use crate::tui::state::row::{HostRow, RowState};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortColumn {
    #[default]
    Name,
    Address,
    GoVersion,
    Gaps,
    Audit,
    State,
    Latency,
}

impl SortColumn {
    pub const ALL: [SortColumn; 7] = [
        SortColumn::Name,
        SortColumn::Address,
        SortColumn::GoVersion,
        SortColumn::Gaps,
        SortColumn::Audit,
        SortColumn::State,
        SortColumn::Latency,
    ];

    pub fn next(self) -> Self {
        let i = Self::ALL.iter().position(|&c| c == self).unwrap_or(0);
        Self::ALL[(i + 1) % Self::ALL.len()]
    }

    pub fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "name",
            SortColumn::Address => "address",
            SortColumn::GoVersion => "go",
            SortColumn::Gaps => "gaps",
            SortColumn::Audit => "audit",
            SortColumn::State => "state",
            SortColumn::Latency => "latency",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sort {
    pub column: SortColumn,
    pub reverse: bool,
}

impl Sort {
    /// Total order: the column, then the name, then the inventory position.
    pub fn compare(&self, a: &HostRow, b: &HostRow) -> Ordering {
        let by_column = match self.column {
            SortColumn::Name => Ordering::Equal,
            SortColumn::Address => a.address.cmp(&b.address),
            // Cached per row: parsing versions inside a 10,000-host sort would dominate it.
            SortColumn::GoVersion => known_first(a.version_key, b.version_key, |x, y| x.cmp(&y)),
            SortColumn::Gaps => known_first(a.gap_count(), b.gap_count(), |x, y| y.cmp(&x)),
            SortColumn::Audit => known_first(a.audit_status(), b.audit_status(), |x, y| {
                audit_rank(x).cmp(&audit_rank(y))
            }),
            SortColumn::State => state_rank(a.state()).cmp(&state_rank(b.state())),
            SortColumn::Latency => known_first(a.latency_ms(), b.latency_ms(), |x, y| y.cmp(&x)),
        };
        let order = by_column
            .then_with(|| a.name.cmp(&b.name))
            .then(a.id.cmp(&b.id));
        if self.reverse {
            order.reverse()
        } else {
            order
        }
    }
}

fn known_first<T>(a: Option<T>, b: Option<T>, cmp: impl Fn(T, T) -> Ordering) -> Ordering {
    match (a, b) {
        (Some(a), Some(b)) => cmp(a, b),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn audit_rank(status: AuditStatus) -> u8 {
    match status {
        AuditStatus::Tampered => 0,
        AuditStatus::Diverged => 1,
        AuditStatus::Unreadable => 2,
        AuditStatus::Missing => 3,
        AuditStatus::Ok => 4,
    }
}

fn state_rank(state: RowState) -> u8 {
    match state {
        RowState::Failed(_) => 0,
        RowState::Probing => 1,
        RowState::Up => 2,
        RowState::Unknown => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_cycle_back_to_name() {
        let mut c = SortColumn::Name;
        for _ in 0..SortColumn::ALL.len() {
            c = c.next();
        }
        assert_eq!(c, SortColumn::Name);
    }
}
