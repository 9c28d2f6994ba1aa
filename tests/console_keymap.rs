//! The key table: valid, complete, and the single source of help, footer and key reference.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::tui::action::Action;
use offgo::tui::keymap::{
    key_reference_markdown, Binding, Key, Keymap, KeymapError, Scope, DEFAULT_BINDINGS,
};

#[test]
fn the_default_table_is_valid() {
    let keymap = Keymap::new(DEFAULT_BINDINGS);
    assert!(keymap.is_ok(), "{:?}", keymap.err());
    assert_eq!(
        Keymap::default().bindings(),
        DEFAULT_BINDINGS,
        "the default keymap drops nothing"
    );
}

#[test]
fn every_action_but_the_internal_ones_has_a_key() {
    let keymap = Keymap::default();
    for action in Action::ALL {
        let bound = keymap.bindings().iter().any(|b| b.action == action);
        assert_eq!(bound, !action.is_internal(), "{action:?}");
    }
}

#[test]
fn internal_actions_cannot_be_bound() {
    static KEYS: [Key; 1] = [Key::char('x')];
    let bindings = [Binding {
        scope: Scope::Table,
        keys: &KEYS,
        action: Action::Refresh,
        footer: false,
    }];
    let errors = Keymap::new(&bindings).err().unwrap_or_default();
    assert!(
        matches!(
            errors.as_slice(),
            [KeymapError::Internal {
                action: Action::Refresh,
                ..
            }]
        ),
        "{errors:?}"
    );
    assert!(
        errors[0].to_string().contains("`x` (table)"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_key_bound_twice_in_a_scope_is_refused() {
    static Q: [Key; 1] = [Key::char('q')];
    let mut bindings = DEFAULT_BINDINGS.to_vec();
    bindings.push(Binding {
        scope: Scope::Table,
        keys: &Q,
        action: Action::SortNext,
        footer: false,
    });
    let errors = Keymap::new(&bindings).err().unwrap_or_default();
    assert_eq!(
        errors,
        [KeymapError::Duplicate {
            key: "q".into(),
            scope: "table",
            first: Action::Quit,
            second: Action::SortNext
        }]
    );
    // The same key in another scope is fine: `q` types into the filter, closes the help.
    assert_eq!(
        Keymap::default().lookup(Scope::Help, Key::char('q')),
        Some(Action::ToggleHelp)
    );
    assert_eq!(
        Keymap::default().lookup(Scope::Filter, Key::char('q')),
        None
    );
}

#[test]
fn shift_is_implied_by_the_character() {
    let keymap = Keymap::default();
    let shifted = |c| Key::from_event(&KeyEvent::new(KeyCode::Char(c), KeyModifiers::SHIFT));
    assert_eq!(
        shifted('G').and_then(|k| keymap.lookup(Scope::Table, k)),
        Some(Action::Bottom)
    );
    assert_eq!(
        shifted('S').and_then(|k| keymap.lookup(Scope::Table, k)),
        Some(Action::SortReverse)
    );
    assert_eq!(
        shifted('?').and_then(|k| keymap.lookup(Scope::Table, k)),
        Some(Action::ToggleHelp)
    );
    let ctrl_r = Key::from_event(&KeyEvent::new(KeyCode::Char('r'), KeyModifiers::CONTROL));
    assert_eq!(
        ctrl_r.and_then(|k| keymap.lookup(Scope::Table, k)),
        Some(Action::Reprobe)
    );
    assert_eq!(
        keymap.lookup(Scope::Table, Key::char('r')),
        None,
        "plain r is not ctrl-r"
    );
}

#[test]
fn the_markdown_reference_lists_every_binding() {
    let markdown = key_reference_markdown();
    let keymap = Keymap::default();
    for binding in keymap.bindings() {
        let keys: Vec<String> = binding
            .keys
            .iter()
            .map(|k| format!("`{}`", k.label()))
            .collect();
        let row = format!(
            "| {} | {} | {} |",
            keys.join(", "),
            binding.scope.label(),
            binding.action.describe()
        );
        assert!(
            markdown.lines().any(|l| l == row),
            "missing {row:?} in\n{markdown}"
        );
    }
    let rows = markdown.lines().filter(|l| l.starts_with("| `")).count();
    assert_eq!(
        rows,
        keymap.bindings().len(),
        "one row per binding, nothing else"
    );
    assert!(markdown.starts_with("| Keys | Where | Action |\n| --- | --- | --- |\n"));
}

#[test]
fn help_and_footer_come_from_the_table() {
    let keymap = Keymap::default();
    let help = keymap.help_sections();
    let total: usize = help.iter().map(|(_, rows)| rows.len()).sum();
    assert_eq!(total, DEFAULT_BINDINGS.len());
    assert!(help[0]
        .1
        .contains(&("ctrl-r".to_string(), Action::Reprobe.describe())));
    let footer = keymap.footer_hints(Scope::Table);
    let expected: Vec<(String, &str)> = DEFAULT_BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Table && b.footer)
        .map(|b| (b.keys[0].label(), b.action.hint()))
        .collect();
    assert_eq!(footer, expected);
    assert_eq!(footer[0], ("?".to_string(), "help"));
    assert_eq!(
        keymap.footer_hints(Scope::Filter),
        [("enter".to_string(), "keep"), ("esc".to_string(), "clear")]
    );
}
