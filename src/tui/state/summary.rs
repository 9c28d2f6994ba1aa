//! The fleet counts in the header, kept up to date one row at a time: folding a report
//! subtracts the row's old contribution and adds its new one, so a 10,000-host fleet never
//! needs a recount.

use std::collections::BTreeMap;

use crate::tui::state::row::{HostRow, RowState};

pub use crate::tui::state::row::{NO_GO, UNKNOWN_GO};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FleetSummary {
    pub hosts: usize,
    /// The last probe connected (it may still have failed, e.g. `command_failed`).
    pub reachable: usize,
    pub unreachable: usize,
    /// Never probed and not being probed.
    pub unknown: usize,
    pub probing: usize,
    /// Hosts with an operation requested or running.
    pub operating: usize,
    pub with_gaps: usize,
    /// Audit logs that need the operator ([`HostRow::audit_problem`]).
    pub audit_problems: usize,
    /// Reachable hosts per Go version (`none` when no Go is installed, `unknown` when `go
    /// version` printed something else).
    pub versions: BTreeMap<String, usize>,
}

impl FleetSummary {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a HostRow>) -> Self {
        let mut summary = Self::default();
        for row in rows {
            summary.add(row);
        }
        summary
    }

    pub fn add(&mut self, row: &HostRow) {
        self.count(row, true);
    }

    pub fn remove(&mut self, row: &HostRow) {
        self.count(row, false);
    }

    fn count(&mut self, row: &HostRow, add: bool) {
        let step = |n: &mut usize| {
            *n = if add { *n + 1 } else { n.saturating_sub(1) };
        };
        step(&mut self.hosts);
        if row.probing {
            step(&mut self.probing);
        }
        if row.busy() {
            step(&mut self.operating);
        }
        match row.report.as_ref().map(|r| r.reachable) {
            // A host being probed for the first time is counted as probing, not as not probed.
            None if !row.probing => step(&mut self.unknown),
            None => {}
            Some(true) => step(&mut self.reachable),
            Some(false) => step(&mut self.unreachable),
        }
        if row.gap_count().unwrap_or(0) > 0 {
            step(&mut self.with_gaps);
        }
        if row.audit_problem() {
            step(&mut self.audit_problems);
        }
        if row.settled_state() == RowState::Up {
            let version = row.go_label();
            if add {
                match self.versions.get_mut(version) {
                    Some(n) => *n += 1,
                    None => {
                        self.versions.insert(version.to_string(), 1);
                    }
                }
            } else if let Some(n) = self.versions.get_mut(version) {
                *n -= 1;
                if *n == 0 {
                    self.versions.remove(version);
                }
            }
        }
    }
}
