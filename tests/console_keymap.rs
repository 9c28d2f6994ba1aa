//! The key table: valid, complete, and the single source of help, footer and key reference.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::tui::testing::keymap::{
    key_reference_markdown, read_only_bindings, Binding, Hint, Key, Keymap, KeymapError, Scope,
    DANGER_NOTE, DEFAULT_BINDINGS,
};
use offgo::tui::testing::Action;

fn pairs(hints: &[Hint]) -> Vec<(String, &'static str)> {
    hints.iter().map(|h| (h.keys.clone(), h.text)).collect()
}

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
        Some(Action::Rollback),
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
        let danger = if binding.action.is_dangerous() {
            DANGER_NOTE
        } else {
            ""
        };
        let row = format!(
            "| {} | {} | {}{danger} |",
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
    assert!(pairs(&help[0].1).contains(&("ctrl-r".to_string(), Action::Reprobe.describe())));
    let footer = pairs(&keymap.footer_hints(Scope::Table));
    let expected: Vec<(String, &str)> = DEFAULT_BINDINGS
        .iter()
        .filter(|b| b.scope == Scope::Table && b.footer)
        .map(|b| (b.keys[0].label(), b.action.hint()))
        .collect();
    assert_eq!(footer, expected);
    assert_eq!(footer[0], ("?".to_string(), "help"));
    assert_eq!(
        pairs(&keymap.footer_hints(Scope::Filter)),
        [("enter".to_string(), "keep"), ("esc".to_string(), "clear")]
    );
}

#[test]
fn push_and_rollback_are_flagged_dangerous_everywhere_they_show() {
    let dangerous: Vec<Action> = Action::ALL
        .into_iter()
        .filter(|a| a.is_dangerous())
        .collect();
    assert_eq!(
        dangerous,
        [
            Action::Push,
            Action::Rollback,
            Action::RolloutStart,
            Action::RolloutContinue,
            Action::RolloutRetry,
            Action::RolloutRollBack,
            Action::Shell
        ]
    );
    assert!(!Action::Verify.is_dangerous());
    let keymap = Keymap::default();
    let footer = keymap.footer_hints(Scope::Table);
    for hint in &footer {
        assert_eq!(
            hint.dangerous,
            matches!(hint.text, "push" | "rollback" | "rollout"),
            "{hint:?}"
        );
    }
    assert!(footer.iter().any(|h| h.keys == "p" && h.dangerous));
    assert!(footer.iter().any(|h| h.keys == "r" && h.dangerous));
    assert!(footer.iter().any(|h| h.keys == "V" && !h.dangerous));
    let help: Vec<Hint> = keymap
        .help_sections()
        .into_iter()
        .flat_map(|(_, rows)| rows)
        .collect();
    assert!(help.iter().any(|h| h.keys == "p" && h.dangerous));
    let markdown = key_reference_markdown();
    let push_row = markdown
        .lines()
        .find(|l| l.starts_with("| `p` |"))
        .unwrap_or_default();
    assert!(
        push_row.ends_with(&format!("{DANGER_NOTE} |")),
        "{push_row}"
    );
    let verify_row = markdown
        .lines()
        .find(|l| l.starts_with("| `V` |"))
        .unwrap_or_default();
    assert!(!verify_row.contains(DANGER_NOTE), "{verify_row}");
}

#[test]
fn read_only_drops_what_changes_hosts_and_keeps_verify() {
    let keymap = Keymap::for_mode(true);
    let bound = |scope, c| keymap.lookup(scope, Key::char(c));
    assert_eq!(bound(Scope::Table, 'p'), None);
    assert_eq!(bound(Scope::Table, 'r'), None);
    assert_eq!(bound(Scope::Table, 'V'), Some(Action::Verify));
    assert!(keymap.bindings().iter().all(|b| !b.action.is_dangerous()));
    // The picker only serves a push: it goes too. The confirm dialog stays, for verify.
    assert!(keymap.bindings().iter().all(|b| b.scope != Scope::Picker));
    assert_eq!(
        bound(Scope::Confirm, 'y'),
        Some(Action::Confirm),
        "verify still confirms"
    );
    let help = keymap.help_sections();
    assert!(help.iter().all(|(scope, _)| *scope != Scope::Picker));
    assert!(help
        .iter()
        .flat_map(|(_, rows)| rows)
        .all(|h| !h.dangerous && h.keys != "p" && h.keys != "r"));
    let footer = pairs(&keymap.footer_hints(Scope::Table));
    assert!(footer.contains(&("V".to_string(), "verify")));
    assert!(!footer.iter().any(|(_, t)| *t == "push" || *t == "rollback"));
    assert!(Keymap::new(&read_only_bindings()).is_ok());
    // Everything else survives.
    assert_eq!(
        read_only_bindings().len(),
        DEFAULT_BINDINGS
            .iter()
            .filter(|b| !b.action.is_dangerous() && b.scope != Scope::Picker)
            .count()
    );
}
