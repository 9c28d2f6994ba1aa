//! A key as the keymap knows it, and the scopes keys are looked up in.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key with its modifiers, normalised so that `G` is `G` whether or not the terminal also
/// reports shift.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl Key {
    pub const fn plain(code: KeyCode) -> Self {
        Self {
            code,
            mods: KeyModifiers::NONE,
        }
    }

    pub const fn char(c: char) -> Self {
        Self::plain(KeyCode::Char(c))
    }

    pub const fn ctrl(c: char) -> Self {
        Self {
            code: KeyCode::Char(c),
            mods: KeyModifiers::CONTROL,
        }
    }

    /// The key of a press or repeat; `None` for releases, which some terminals also report.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        let mut mods = event.modifiers;
        if matches!(event.code, KeyCode::Char(_)) {
            // The character already says whether shift was held (`S`, `?`, `G`).
            mods.remove(KeyModifiers::SHIFT);
        }
        Some(Self {
            code: event.code,
            mods,
        })
    }

    /// How the key is written in the help, the footer and the README.
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Up => "up".into(),
            KeyCode::Down => "down".into(),
            KeyCode::Left => "left".into(),
            KeyCode::Right => "right".into(),
            KeyCode::PageUp => "pgup".into(),
            KeyCode::PageDown => "pgdn".into(),
            KeyCode::Home => "home".into(),
            KeyCode::End => "end".into(),
            KeyCode::Enter => "enter".into(),
            KeyCode::Tab => "tab".into(),
            KeyCode::Esc => "esc".into(),
            KeyCode::Backspace => "backspace".into(),
            other => format!("{other:?}").to_lowercase(),
        };
        if self.mods.contains(KeyModifiers::CONTROL) {
            format!("ctrl-{base}")
        } else if self.mods.contains(KeyModifiers::ALT) {
            format!("alt-{base}")
        } else {
            base
        }
    }
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The host table and the detail pane.
    Table,
    /// Typing a filter; keys bound nowhere here edit the filter text.
    Filter,
    /// The help overlay.
    Help,
    /// The bundle picker of a push.
    Picker,
    /// The confirm dialog before an operation runs.
    Confirm,
    /// The rollout view.
    Rollout,
    /// The output pane: one host's commands and what they printed.
    Output,
    /// The list of the journal's rollouts.
    Rollouts,
    /// Typing the path of an export; keys bound nowhere here edit the path.
    Export,
    /// Typing a command after `:`; keys bound nowhere here edit it.
    Command,
    /// The apps view: one row per host and Go application.
    Apps,
}

impl Scope {
    pub const ALL: [Scope; 11] = [
        Scope::Table,
        Scope::Filter,
        Scope::Help,
        Scope::Picker,
        Scope::Confirm,
        Scope::Rollout,
        Scope::Output,
        Scope::Rollouts,
        Scope::Export,
        Scope::Command,
        Scope::Apps,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Scope::Table => "table",
            Scope::Filter => "filter",
            Scope::Help => "help",
            Scope::Picker => "bundle picker",
            Scope::Confirm => "confirm dialog",
            Scope::Rollout => "rollout view",
            Scope::Output => "output pane",
            Scope::Rollouts => "rollout list",
            Scope::Export => "export prompt",
            Scope::Command => "command line",
            Scope::Apps => "apps view",
        }
    }

    /// Only a dangerous action leads here: `--read-only` drops the scope with it.
    pub(super) fn serves_only_dangerous(self) -> bool {
        matches!(self, Scope::Picker)
    }
}
