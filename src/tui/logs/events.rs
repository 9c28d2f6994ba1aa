//! The console's event log: what happened, newest last, bounded so a large fleet probed every
//! minute cannot grow it without end.

use std::collections::VecDeque;

use crate::tui::msg::Stamp;

/// Entries kept; older ones fall off the front.
pub const LOG_CAPACITY: usize = 2000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    /// Reachable, but something needs a look (ldd gaps, audit status).
    Warn,
    Error,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    pub at: Stamp,
    pub level: Level,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct EventLog {
    entries: VecDeque<LogEntry>,
}

impl EventLog {
    pub fn push(&mut self, at: Stamp, level: Level, text: String) {
        if self.entries.len() == LOG_CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(LogEntry { at, level, text });
    }

    /// The newest `n` entries, oldest of them first.
    pub fn last(&self, n: usize) -> impl Iterator<Item = &LogEntry> {
        self.entries
            .iter()
            .skip(self.entries.len().saturating_sub(n))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}
