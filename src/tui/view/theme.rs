//! Styles, in one place so that `NO_COLOR` can take every colour away at once. Modifiers
//! (bold, dim, reverse) stay: they are not colours and keep the selection visible.

use ratatui::style::{Color, Modifier, Style};

use crate::core::audit::AuditStatus;
use crate::tui::logs::events::Level;
use crate::tui::operate::operation::{HostOperation, Phase};
use crate::tui::state::row::RowState;

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    pub fn failed(&self) -> Style {
        self.fg(Color::Red)
    }

    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }

    pub fn good(&self) -> Style {
        self.fg(Color::Green)
    }

    /// Actions and dialogs that change hosts. Bold too, so the flag survives `NO_COLOR`.
    pub fn danger(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn dim(&self) -> Style {
        Style::new().add_modifier(Modifier::DIM)
    }

    pub fn bold(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub fn label(&self) -> Style {
        self.accent().add_modifier(Modifier::BOLD)
    }

    pub fn border(&self, focused: bool) -> Style {
        if focused {
            self.accent().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        }
    }

    /// Whole-row style: failed hosts red, hosts without a settled state dim.
    pub fn row(&self, state: RowState) -> Style {
        match state {
            RowState::Failed(_) => self.failed(),
            RowState::Unknown | RowState::Probing => self.dim(),
            RowState::Up => Style::new(),
        }
    }

    pub fn audit(&self, status: AuditStatus) -> Style {
        match status {
            AuditStatus::Ok => Style::new(),
            AuditStatus::Tampered => self.failed().add_modifier(Modifier::BOLD),
            AuditStatus::Missing | AuditStatus::Diverged | AuditStatus::Unreadable => self.warn(),
        }
    }

    /// An operation cell: running in the accent colour, done green or red.
    pub fn operation(&self, operation: &HostOperation) -> Style {
        match &operation.phase {
            Phase::Requested | Phase::Queued | Phase::Running => self.accent(),
            Phase::Done(outcome) if outcome.ok => self.good(),
            Phase::Done(_) => self.failed().add_modifier(Modifier::BOLD),
        }
    }

    pub fn level(&self, level: Level) -> Style {
        match level {
            Level::Info => Style::new(),
            Level::Warn => self.warn(),
            Level::Error => self.failed(),
        }
    }
}
