//! The console's key table: which key does what in each scope, and which hints the footer
//! shows. Everything else about keys (help, footer, README) is generated from it.

use crossterm::event::KeyCode;

use super::action::Action;
use super::key::{Key, Scope};

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

use KeyCode as K;
use Scope::{
    Apps, Command, Confirm, Export, Filter, Help, Output, Picker, Rollout, Rollouts, Table,
};

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
    bind(Table, &[Key::char('O')], Action::OutputPane, true),
    bind(Table, &[Key::char('@')], Action::CommandLog, false),
    bind(Table, &[Key::char('!')], Action::Shell, false),
    bind(Table, &[Key::char('L')], Action::RolloutList, false),
    bind(
        Table,
        &[Key::plain(K::Enter), Key::plain(K::Tab)],
        Action::ToggleDetail,
        true,
    ),
    bind(Table, &[Key::char('s')], Action::SortNext, true),
    bind(Table, &[Key::char('S')], Action::SortReverse, false),
    bind(Table, &[Key::char('a')], Action::MarkAllVisible, false),
    bind(Table, &[Key::char('E')], Action::Export, false),
    bind(Table, &[Key::char(':')], Action::CommandLine, false),
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
    bind(Export, &[Key::plain(K::Enter)], Action::ExportWrite, true),
    bind(Export, &[Key::plain(K::Esc)], Action::Cancel, true),
    bind(Export, &[Key::ctrl('c')], Action::Quit, false),
    bind(Command, &[Key::plain(K::Enter)], Action::CommandEnter, true),
    bind(Command, &[Key::plain(K::Esc)], Action::Cancel, true),
    bind(Command, &[Key::ctrl('c')], Action::Quit, false),
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
    bind(Rollout, &[Key::char('O')], Action::OutputPane, true),
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
    bind(Rollout, &[Key::char('L')], Action::RolloutList, false),
    bind(Rollout, &[Key::char('@')], Action::CommandLog, false),
    bind(Rollout, &[Key::char('?')], Action::ToggleHelp, false),
    bind(
        Rollout,
        &[Key::char('q'), Key::ctrl('c')],
        Action::Quit,
        false,
    ),
    bind(
        Output,
        &[Key::char('O'), Key::plain(K::Esc), Key::char('q')],
        Action::OutputPane,
        true,
    ),
    bind(
        Output,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        true,
    ),
    bind(
        Output,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        true,
    ),
    bind(Output, &[Key::plain(K::PageUp)], Action::PageUp, true),
    bind(Output, &[Key::plain(K::PageDown)], Action::PageDown, true),
    bind(Output, &[Key::ctrl('c')], Action::Quit, false),
    bind(Rollouts, &[Key::plain(K::Enter)], Action::RolloutOpen, true),
    bind(
        Rollouts,
        &[Key::char('L'), Key::plain(K::Esc)],
        Action::RolloutList,
        true,
    ),
    bind(
        Rollouts,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        true,
    ),
    bind(
        Rollouts,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        true,
    ),
    bind(Rollouts, &[Key::char('?')], Action::ToggleHelp, false),
    bind(
        Rollouts,
        &[Key::char('q'), Key::ctrl('c')],
        Action::Quit,
        false,
    ),
    bind(Table, &[Key::char('A')], Action::AppsView, false),
    bind(
        Apps,
        &[Key::char('A'), Key::plain(K::Esc)],
        Action::AppsView,
        true,
    ),
    bind(
        Apps,
        &[Key::plain(K::Enter), Key::plain(K::Tab)],
        Action::ToggleDetail,
        true,
    ),
    bind(Apps, &[Key::char('/')], Action::FilterOpen, true),
    bind(Apps, &[Key::ctrl('r')], Action::Reprobe, true),
    bind(Apps, &[Key::char(':')], Action::CommandLine, true),
    bind(Apps, &[Key::char('?')], Action::ToggleHelp, true),
    bind(Apps, &[Key::char('q'), Key::ctrl('c')], Action::Quit, true),
    bind(
        Apps,
        &[Key::char('k'), Key::plain(K::Up)],
        Action::Up,
        false,
    ),
    bind(
        Apps,
        &[Key::char('j'), Key::plain(K::Down)],
        Action::Down,
        false,
    ),
    bind(Apps, &[Key::plain(K::PageUp)], Action::PageUp, false),
    bind(Apps, &[Key::plain(K::PageDown)], Action::PageDown, false),
    bind(
        Apps,
        &[Key::char('g'), Key::plain(K::Home)],
        Action::Top,
        false,
    ),
    bind(
        Apps,
        &[Key::char('G'), Key::plain(K::End)],
        Action::Bottom,
        false,
    ),
];
