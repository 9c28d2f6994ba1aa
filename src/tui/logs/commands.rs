//! The command log: every remote command offgo ran, per host, newest last. Capped, so a long
//! session keeps its memory flat; the oldest entries go first.

use std::collections::VecDeque;
use std::time::Duration;

use crate::core::inventory::HostId;
use crate::tui::msg::Stamp;

/// Entries kept across all hosts.
pub const CAPACITY: usize = 2_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandEntry {
    pub at: Stamp,
    pub host: HostId,
    pub label: String,
    /// `None`: no exit status (killed, timed out, connection lost).
    pub exit_status: Option<i32>,
    pub elapsed: Duration,
}

/// What the pane shows, `@` cycles through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommandLogMode {
    #[default]
    Hidden,
    /// The selected host's commands.
    Selected,
    /// Every host's.
    All,
}

impl CommandLogMode {
    pub fn next(self) -> Self {
        match self {
            Self::Hidden => Self::Selected,
            Self::Selected => Self::All,
            Self::All => Self::Hidden,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct CommandLog {
    entries: VecDeque<CommandEntry>,
    pub mode: CommandLogMode,
}

impl CommandLog {
    pub fn push(&mut self, entry: CommandEntry) {
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    /// Oldest first; only `host`'s when one is given.
    pub fn entries(&self, host: Option<HostId>) -> impl Iterator<Item = &CommandEntry> {
        self.entries
            .iter()
            .filter(move |e| host.is_none_or(|h| e.host == h))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(host: HostId, label: &str) -> CommandEntry {
        CommandEntry {
            at: Stamp::at(0),
            host,
            label: label.into(),
            exit_status: Some(0),
            elapsed: Duration::from_millis(5),
        }
    }

    #[test]
    fn keeps_the_newest_up_to_the_cap_and_filters_by_host() {
        let mut log = CommandLog::default();
        for i in 0..CAPACITY + 3 {
            log.push(entry(i % 2, &format!("cmd {i}")));
        }
        assert_eq!(log.len(), CAPACITY);
        assert_eq!(
            log.entries(None).next().map(|e| e.label.as_str()),
            Some("cmd 3")
        );
        assert!(log.entries(Some(1)).all(|e| e.host == 1));
        assert_eq!(log.entries(Some(1)).count(), CAPACITY / 2);
        assert_eq!(CommandLogMode::All.next(), CommandLogMode::Hidden);
    }
}
