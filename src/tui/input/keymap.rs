//! Keys as data: one table maps key → action in each scope, and the help overlay, the footer
//! hints and the Markdown key reference are all generated from it, so they cannot drift from
//! what the keys do.

use std::collections::HashMap;
use std::fmt::Write as _;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::tui::input::action::Action;

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
}

impl Scope {
    pub const ALL: [Scope; 6] = [
        Scope::Table,
        Scope::Filter,
        Scope::Help,
        Scope::Picker,
        Scope::Confirm,
        Scope::Rollout,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Scope::Table => "table",
            Scope::Filter => "filter",
            Scope::Help => "help",
            Scope::Picker => "bundle picker",
            Scope::Confirm => "confirm dialog",
            Scope::Rollout => "rollout view",
        }
    }

    /// Only a dangerous action leads here: `--read-only` drops the scope with it.
    fn serves_only_dangerous(self) -> bool {
        matches!(self, Scope::Picker)
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Binding {
    pub scope: Scope,
    pub keys: &'static [Key],
    pub action: Action,
    /// Shown in the footer (the help shows every binding).
    pub footer: bool,
}

const fn bind(scope: Scope, keys: &'static [Key], action: Action, footer: bool) -> Binding {
    Binding {
        scope,
        keys,
        action,
        footer,
    }
}

/// One key hint of the footer or row of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    /// The footer's few words, or the help's description.
    pub text: &'static str,
    /// The action changes hosts: drawn in the danger colour.
    pub dangerous: bool,
}

use KeyCode as K;
use Scope::{Confirm, Filter, Help, Picker, Rollout, Table};

/// The console's keys. Footer hints appear in table order, most useful first, because the
/// footer is cut at the screen's edge.
pub const DEFAULT_BINDINGS: &[Binding] = &[
    bind(Table, &[Key::char('?')], Action::ToggleHelp, true),
    bind(Table, &[Key::char('q'), Key::ctrl('c')], Action::Quit, true),
    bind(Table, &[Key::char('/')], Action::FilterOpen, true),
    bind(Table, &[Key::char(' ')], Action::ToggleMark, true),
    bind(Table, &[Key::char('p')], Action::Push, true),
    bind(Table, &[Key::char('V')], Action::Verify, true),
    bind(Table, &[Key::char('r')], Action::Rollback, true),
    bind(Table, &[Key::char('R')], Action::RolloutStart, true),
    bind(Table, &[Key::char('o')], Action::RolloutView, true),
    bind(Table, &[Key::char('@')], Action::CommandLog, false),
    bind(
        Table,
        &[Key::plain(K::Enter), Key::plain(K::Tab)],
        Action::ToggleDetail,
        true,
    ),
    bind(Table, &[Key::char('s')], Action::SortNext, true),
    bind(Table, &[Key::char('S')], Action::SortReverse, false),
    bind(Table, &[Key::char('a')], Action::MarkAllVisible, false),
    bind(Table, &[Key::ctrl('r')], Action::Reprobe, true),
    bind(
        Table,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        false,
    ),
    bind(
        Table,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        false,
    ),
    bind(Table, &[Key::plain(K::PageUp)], Action::PageUp, false),
    bind(Table, &[Key::plain(K::PageDown)], Action::PageDown, false),
    bind(
        Table,
        &[Key::char('g'), Key::plain(K::Home)],
        Action::Top,
        false,
    ),
    bind(
        Table,
        &[Key::char('G'), Key::plain(K::End)],
        Action::Bottom,
        false,
    ),
    bind(Table, &[Key::plain(K::Esc)], Action::FilterClear, false),
    bind(Filter, &[Key::plain(K::Enter)], Action::FilterKeep, true),
    bind(Filter, &[Key::plain(K::Esc)], Action::FilterClear, true),
    bind(Filter, &[Key::ctrl('c')], Action::Quit, false),
    bind(
        Help,
        &[Key::char('?'), Key::plain(K::Esc), Key::char('q')],
        Action::ToggleHelp,
        true,
    ),
    bind(Help, &[Key::char('k'), Key::plain(K::Up)], Action::Up, true),
    bind(
        Help,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        true,
    ),
    bind(Help, &[Key::ctrl('c')], Action::Quit, true),
    bind(Picker, &[Key::plain(K::Enter)], Action::Pick, true),
    bind(Picker, &[Key::plain(K::Esc)], Action::Cancel, true),
    bind(
        Picker,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        true,
    ),
    bind(
        Picker,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        true,
    ),
    bind(Picker, &[Key::ctrl('c')], Action::Quit, false),
    bind(
        Confirm,
        &[Key::char('y'), Key::plain(K::Enter)],
        Action::Confirm,
        true,
    ),
    bind(
        Confirm,
        &[Key::char('n'), Key::plain(K::Esc)],
        Action::Cancel,
        true,
    ),
    bind(
        Confirm,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        true,
    ),
    bind(
        Confirm,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        true,
    ),
    bind(Confirm, &[Key::ctrl('c')], Action::Quit, false),
    bind(
        Rollout,
        &[Key::char('o'), Key::plain(K::Esc)],
        Action::RolloutView,
        true,
    ),
    bind(Rollout, &[Key::char('P')], Action::RolloutPause, true),
    bind(Rollout, &[Key::char('c')], Action::RolloutContinue, true),
    bind(Rollout, &[Key::char('A')], Action::RolloutAbort, true),
    bind(Rollout, &[Key::char('t')], Action::RolloutRetry, true),
    bind(Rollout, &[Key::char('b')], Action::RolloutRollBack, true),
    bind(Rollout, &[Key::plain(K::Enter)], Action::BucketPick, true),
    bind(
        Rollout,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        false,
    ),
    bind(
        Rollout,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        false,
    ),
    bind(Rollout, &[Key::char('@')], Action::CommandLog, false),
    bind(Rollout, &[Key::char('?')], Action::ToggleHelp, false),
    bind(
        Rollout,
        &[Key::char('q'), Key::ctrl('c')],
        Action::Quit,
        false,
    ),
];

/// Why a binding was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeymapError {
    #[error("`{key}` ({scope}) is bound to {action:?}, which the console fires itself and cannot be bound")]
    Internal {
        key: String,
        scope: &'static str,
        action: Action,
    },
    #[error("`{key}` ({scope}) is bound twice: to {first:?} and to {second:?}")]
    Duplicate {
        key: String,
        scope: &'static str,
        first: Action,
        second: Action,
    },
}

/// The lookup table built from a list of bindings.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: Vec<Binding>,
    index: HashMap<(Scope, Key), Action>,
}

impl Default for Keymap {
    fn default() -> Self {
        // The default table is checked by a test; a bad row would be dropped, not panic.
        Self::build(DEFAULT_BINDINGS).0
    }
}

/// The default bindings a console in `--read-only` mode keeps: nothing that changes a host,
/// and nothing that only leads there (k9s's `ClearDanger`).
pub fn read_only_bindings() -> Vec<Binding> {
    DEFAULT_BINDINGS
        .iter()
        .filter(|b| !b.action.is_dangerous() && !b.scope.serves_only_dangerous())
        .copied()
        .collect()
}

impl Keymap {
    /// A keymap from `bindings`, refusing internal actions and keys bound twice in a scope.
    pub fn new(bindings: &[Binding]) -> Result<Self, Vec<KeymapError>> {
        let (keymap, errors) = Self::build(bindings);
        if errors.is_empty() {
            Ok(keymap)
        } else {
            Err(errors)
        }
    }

    /// The default keymap, or its read-only cut.
    pub fn for_mode(read_only: bool) -> Self {
        if read_only {
            Self::build(&read_only_bindings()).0
        } else {
            Self::default()
        }
    }

    fn build(bindings: &[Binding]) -> (Self, Vec<KeymapError>) {
        let mut index = HashMap::new();
        let mut kept = Vec::new();
        let mut errors = Vec::new();
        for binding in bindings {
            let scope = binding.scope.label();
            if binding.action.is_internal() {
                let key = binding.keys.first().map(Key::label).unwrap_or_default();
                errors.push(KeymapError::Internal {
                    key,
                    scope,
                    action: binding.action,
                });
                continue;
            }
            for key in binding.keys {
                if let Some(&first) = index.get(&(binding.scope, *key)) {
                    let second = binding.action;
                    errors.push(KeymapError::Duplicate {
                        key: key.label(),
                        scope,
                        first,
                        second,
                    });
                } else {
                    index.insert((binding.scope, *key), binding.action);
                }
            }
            kept.push(*binding);
        }
        (
            Self {
                bindings: kept,
                index,
            },
            errors,
        )
    }

    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Action> {
        self.index.get(&(scope, key)).copied()
    }

    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The footer's hints for `scope`, in table order.
    pub fn footer_hints(&self, scope: Scope) -> Vec<Hint> {
        self.bindings
            .iter()
            .filter(|b| b.scope == scope && b.footer)
            .map(|b| Hint {
                keys: b.keys.first().map(Key::label).unwrap_or_default(),
                text: b.action.hint(),
                dangerous: b.action.is_dangerous(),
            })
            .collect()
    }

    /// Rows for the help overlay, grouped by scope; scopes without bindings are left out.
    pub fn help_sections(&self) -> Vec<(Scope, Vec<Hint>)> {
        Scope::ALL
            .iter()
            .map(|&scope| {
                let rows: Vec<Hint> = self
                    .bindings
                    .iter()
                    .filter(|b| b.scope == scope)
                    .map(|b| Hint {
                        keys: keys_label(b.keys, ", "),
                        text: b.action.describe(),
                        dangerous: b.action.is_dangerous(),
                    })
                    .collect();
                (scope, rows)
            })
            .filter(|(_, rows)| !rows.is_empty())
            .collect()
    }

    /// The key reference as a Markdown table, for the README (a test keeps the two equal).
    pub fn markdown(&self) -> String {
        let mut out = String::from("| Keys | Where | Action |\n| --- | --- | --- |\n");
        for binding in &self.bindings {
            let keys: Vec<String> = binding
                .keys
                .iter()
                .map(|k| format!("`{}`", k.label()))
                .collect();
            let _ = writeln!(
                out,
                "| {} | {} | {}{} |",
                keys.join(", "),
                binding.scope.label(),
                binding.action.describe(),
                if binding.action.is_dangerous() {
                    DANGER_NOTE
                } else {
                    ""
                }
            );
        }
        out
    }
}

/// How the key reference flags a dangerous action.
pub const DANGER_NOTE: &str = " **(changes hosts; not bound with --read-only)**";

fn keys_label(keys: &[Key], separator: &str) -> String {
    keys.iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join(separator)
}

/// The key reference of the default keymap as Markdown (see [`Keymap::markdown`]).
pub fn key_reference_markdown() -> String {
    Keymap::default().markdown()
}
