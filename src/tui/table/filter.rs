//! The host filter: `/text` keeps hosts where any column's text as drawn (name, address, Go
//! version or `none`, gap count, audit status, state, operation, latency) or the error
//! contains `text`, in any case; `/!text` keeps the others. The text searched is
//! [`crate::tui::table::cells::texts_changed`]'s, made from the same cells the table draws.

use crate::tui::state::row::HostRow;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    needle: String,
    invert: bool,
}

impl Filter {
    pub fn parse(text: &str) -> Self {
        match text.strip_prefix('!') {
            Some(rest) => Self {
                needle: rest.to_lowercase(),
                invert: true,
            },
            None => Self {
                needle: text.to_lowercase(),
                invert: false,
            },
        }
    }

    /// An empty filter (or a lone `!`) keeps every host.
    pub fn is_empty(&self) -> bool {
        self.needle.is_empty()
    }

    pub fn matches(&self, row: &HostRow) -> bool {
        self.is_empty() || row.haystack.contains(&self.needle) != self.invert
    }
}
