//! Keys as data: one table maps key → action in each scope, and the help overlay, the footer
//! hints and the Markdown key reference are all generated from it, so they cannot drift from
//! what the keys do.

use std::collections::HashMap;
use std::fmt::Write as _;

pub use super::bindings::{Binding, DEFAULT_BINDINGS};
pub use super::key::{Key, Scope};
use crate::tui::input::action::Action;

/// One key hint of the footer or row of the help overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    /// The footer's few words, or the help's description.
    pub text: &'static str,
    /// The action changes hosts: drawn in the danger colour.
    pub dangerous: bool,
}

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
    /// Keys a read-only console leaves unbound, so it can say why they do nothing.
    refused: HashMap<(Scope, Key), Action>,
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
            let mut keymap = Self::build(&read_only_bindings()).0;
            for binding in DEFAULT_BINDINGS {
                for key in binding.keys {
                    if !keymap.index.contains_key(&(binding.scope, *key)) {
                        keymap.refused.insert((binding.scope, *key), binding.action);
                    }
                }
            }
            keymap
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
                refused: HashMap::new(),
            },
            errors,
        )
    }

    pub fn lookup(&self, scope: Scope, key: Key) -> Option<Action> {
        self.index.get(&(scope, key)).copied()
    }

    /// What `key` would do in `scope` were the console not read-only.
    pub fn refused(&self, scope: Scope, key: Key) -> Option<Action> {
        self.refused.get(&(scope, key)).copied()
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
