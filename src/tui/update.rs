//! The one place the console's state changes: messages in, commands out. No I/O, no terminal:
//! tests drive it directly.

use std::time::Duration;

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use super::apps::update as apps;
use super::command::update as command_line;
use super::input::action::Action;
use super::input::keymap::{Key, Scope};
use super::logs::events::Level;
use super::logs::output;
use super::msg::{Command, Msg, Stamp};
use super::operate::dialog::Dialog;
use super::operate::update as operate;
use super::rollout::list_keys as roll_list;
use super::rollout::update::{self as roll, Operator};
use super::state::fold::{self, change_row, Followup};
use super::state::model::{Flash, Focus, Model};
use super::state::overlay::{Body, Overlay};
use super::table::update as export;
use crate::core::engine::Operation;
use crate::core::inventory::HostId;

/// Lines the detail and help panes scroll per page key.
const SCROLL_PAGE: u16 = 10;

/// Applies one message.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Command> {
    update_all(model, std::iter::once(msg))
}

/// Applies a batch of messages, then re-sorts and re-filters once: the event loop drains
/// everything pending into one batch, so a burst of 10,000 probe reports costs one sort.
pub fn update_all(model: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Command> {
    let mut fx = Effects::default();
    for msg in msgs {
        apply(model, msg, &mut fx);
    }
    let finished = std::mem::take(&mut fx.reprobe);
    if !finished.is_empty() {
        request_probe(model, finished, "re-probing after the operation", &mut fx);
    }
    model.settle();
    apps::settle(model);
    fx.finish()
}

#[derive(Default)]
struct Effects {
    commands: Vec<Command>,
    redraw: bool,
    /// Hosts whose operation ended in this batch: probed again, in one command.
    reprobe: Vec<HostId>,
}

impl Effects {
    fn finish(mut self) -> Vec<Command> {
        if self.redraw {
            self.commands.push(Command::Redraw);
        }
        self.commands
    }
}

fn apply(model: &mut Model, msg: Msg, fx: &mut Effects) {
    match msg {
        Msg::Key(event) => on_key(model, event, fx),
        Msg::Action(action) => on_action(model, action, fx),
        Msg::Engine { event, at } => {
            model.clock = at;
            // Host text enters the model here, made safe once for every widget.
            let event = crate::tui::untrusted::engine_event(event);
            if let crate::core::engine::EngineEvent::OperationFinished {
                host,
                op: Operation::Run,
                outcome,
            } = &event
            {
                command_line::answered(model, *host, outcome);
            }
            if let Followup::Reprobe(host) = fold::fold(model, event, at) {
                fx.reprobe.push(host);
            }
            fx.redraw = true;
        }
        Msg::Tick { elapsed, at } => on_tick(model, elapsed, at, fx),
        Msg::Resize { width, height } => {
            model.settings.size = (width, height);
            fx.redraw = true;
        }
        Msg::Bundles { dir, choices } => {
            operate::bundles_listed(model, dir, choices);
            fx.redraw = true;
        }
        Msg::PushBundleOpened { hosts, bundle } => {
            fx.commands.push(Command::PushOpened { hosts, bundle });
        }
        Msg::RolloutBundleOpened { token, opened } => {
            if let Some(start) = roll::bundle_opened(model, token, opened) {
                fx.commands.push(start);
            }
            fx.redraw = true;
        }
        // The runner waits for this answer either way (it holds the inputs given meanwhile).
        Msg::ResumeBundleOpened {
            journal,
            then,
            result,
        } => fx.commands.push(Command::ResumeOpened {
            journal,
            then,
            result,
        }),
        Msg::OperationRefused { op, hosts, error } => {
            operate::refused(model, op, &hosts, &error);
            fx.redraw = true;
        }
        Msg::Rollouts { dir, mut entries } => {
            crate::tui::untrusted::listing(&mut entries);
            roll_list::listed(model, dir, entries);
            fx.redraw = true;
        }
        Msg::Rollout(mut snapshot) => {
            crate::tui::untrusted::rollout(&mut snapshot);
            roll::absorb(model, *snapshot);
            fx.redraw = true;
        }
        Msg::RolloutRefused(error) => {
            roll::refused(model, &error);
            fx.redraw = true;
        }
        Msg::Measured(frame) => model.measured.update(frame),
        Msg::ShellEnded { host, outcome } => {
            let name = model.rows.get(host).map_or("?", |r| r.name.as_str());
            let text = format!("{name}: shell ended ({outcome}); re-probing it");
            model.log.push(model.clock, Level::Info, text);
            // Whatever was done by hand there shows in the table at once.
            fx.reprobe.push(host);
            fx.redraw = true;
        }
        Msg::Exported { path, rows, result } => {
            export::finished(model, path, rows, result);
            fx.redraw = true;
        }
        Msg::Terminate => fx.commands.push(Command::Quit),
        Msg::AppBundles(catalog) => {
            apps::listed(model, catalog);
            fx.redraw = true;
        }
    }
}

fn on_key(model: &mut Model, event: KeyEvent, fx: &mut Effects) {
    let Some(key) = Key::from_event(&event) else {
        return;
    };
    let scope = model.scope();
    if let Some(action) = model.keymap.lookup(scope, key) {
        on_action(model, action, fx);
    } else if scope == Scope::Filter {
        edit_filter(model, event, fx);
    } else if scope == Scope::Export {
        export::edit(model, event);
        fx.redraw = true;
    } else if scope == Scope::Command {
        command_line::edit(model, event);
        fx.redraw = true;
    } else if let Some(action) = model.keymap.refused(scope, key) {
        // k9s flashes "read-only": a key that does nothing says why.
        let text = format!(
            "read-only console: {} ({}) is refused",
            action.hint(),
            key.label()
        );
        model.flash = Some(Flash::new(text));
        fx.redraw = true;
    }
}

/// A key the filter scope does not bind edits the filter text.
fn edit_filter(model: &mut Model, event: KeyEvent, fx: &mut Effects) {
    if model
        .filter
        .input
        .handle_event(&Event::Key(event))
        .is_some()
    {
        model.needs_filter = true;
        fx.redraw = true;
    }
}

fn on_action(model: &mut Model, action: Action, fx: &mut Effects) {
    fx.redraw = true;
    if model.dialog().is_some() {
        on_dialog_action(model, action, fx);
        return;
    }
    if let Some(pane) = model.output_pane().filter(|_| action != Action::Refresh) {
        output::on_action(model, pane, action, &mut fx.commands);
        return;
    }
    if let Some(pane) = model.gathered_pane().filter(|_| action != Action::Refresh) {
        command_line::on_action(model, pane, action, &mut fx.commands);
        return;
    }
    let listing = model.body == Body::Rollouts && !model.help_open();
    let in_apps = model.body == Body::Apps && !model.help_open() && model.focus == Focus::Table;
    match action {
        Action::Up if in_apps => apps::step(model, -1),
        Action::Down if in_apps => apps::step(model, 1),
        Action::PageUp if in_apps => apps::step(model, -apps::page(model)),
        Action::PageDown if in_apps => apps::step(model, apps::page(model)),
        Action::Top if in_apps => apps::step(model, isize::MIN / 2),
        Action::Bottom if in_apps => apps::step(model, isize::MAX / 2),
        Action::Up if listing => roll_list::step(model, -1),
        Action::Down if listing => roll_list::step(model, 1),
        Action::Up if model.rollout_open() && !model.help_open() => roll::step_bucket(model, -1),
        Action::Down if model.rollout_open() && !model.help_open() => roll::step_bucket(model, 1),
        Action::Up => scroll_or_move(model, -1),
        Action::Down => scroll_or_move(model, 1),
        Action::PageUp => page(model, -1),
        Action::PageDown => page(model, 1),
        Action::Top => move_to(model, 0),
        Action::Bottom => move_to(model, model.visible.len().saturating_sub(1)),
        Action::FilterOpen => model.overlay = Overlay::Filter,
        Action::FilterKeep => close(model, Overlay::Filter),
        Action::FilterClear => clear_filter(model),
        Action::SortNext => resort(model, model.sort.column.next(), false),
        Action::SortReverse => resort(model, model.sort.column, !model.sort.reverse),
        Action::ToggleMark => toggle_mark(model),
        Action::MarkAllVisible => mark_all_visible(model),
        Action::ToggleDetail => {
            model.focus = match model.focus {
                Focus::Table => Focus::Detail,
                Focus::Detail => Focus::Table,
            };
            model.detail_scroll = 0;
        }
        Action::Reprobe => reprobe(model, fx),
        Action::ToggleHelp => {
            if model.help_open() {
                model.overlay = Overlay::None;
            } else {
                model.overlay = Overlay::Help;
            }
            model.help_scroll = 0;
        }
        Action::Quit => fx.commands.push(Command::Quit),
        Action::Refresh => {
            let all = (0..model.rows.len()).collect();
            request_probe(model, all, "probing every host", fx);
        }
        Action::Push => operate::start(model, Operation::Push, &mut fx.commands),
        Action::Verify => operate::start(model, Operation::Verify, &mut fx.commands),
        Action::Rollback => operate::start(model, Operation::Rollback, &mut fx.commands),
        Action::RolloutStart => roll::start(model, &mut fx.commands),
        Action::RolloutView => {
            model.body = match model.body {
                Body::Table | Body::Rollouts | Body::Apps => Body::Rollout,
                Body::Rollout => Body::Table,
            }
        }
        Action::RolloutList => roll_list::toggle(model, &mut fx.commands),
        Action::RolloutOpen => roll_list::open(model, &mut fx.commands),
        Action::RolloutPause => roll::input(model, Operator::Pause, &mut fx.commands),
        Action::RolloutContinue => roll::input(model, Operator::Continue, &mut fx.commands),
        Action::RolloutAbort => roll::ask_abort(model),
        Action::RolloutRetry => roll::input(model, Operator::Retry, &mut fx.commands),
        Action::RolloutRollBack => roll::input(model, Operator::RollBack, &mut fx.commands),
        Action::BucketPick => roll::pick_bucket(model),
        Action::CommandLog => model.commands.mode = model.commands.mode.next(),
        Action::Shell => shell(model, fx),
        Action::OutputPane => output::open(model),
        Action::Export => export::open(model),
        Action::ExportWrite => export::confirm(model, &mut fx.commands),
        Action::CommandLine => command_line::open(model),
        Action::CommandEnter => command_line::enter(model, &mut fx.commands),
        Action::AppsView => apps::toggle(model, &mut fx.commands),
        Action::Cancel => {
            export::cancel(model);
            command_line::cancel(model);
        }
        // Dialog keys with no dialog open (sent by other means than a key): nothing to do.
        Action::Pick | Action::Confirm => {}
    }
}

/// A dialog has the keys: only its own actions, quitting and the timers get through.
fn on_dialog_action(model: &mut Model, action: Action, fx: &mut Effects) {
    match action {
        Action::Up => operate::step(model, -1),
        Action::Down => operate::step(model, 1),
        Action::PageUp => operate::step(model, -(SCROLL_PAGE as isize)),
        Action::PageDown => operate::step(model, SCROLL_PAGE as isize),
        Action::Pick => operate::pick(model),
        Action::Confirm => match model.take_dialog() {
            Some(Dialog::Rollout(plan)) => roll::confirm(model, plan, &mut fx.commands),
            Some(Dialog::AbortRollout) => roll::input(model, Operator::Abort, &mut fx.commands),
            Some(Dialog::RolloutAsk(asked)) => roll::send(model, asked, &mut fx.commands),
            other => {
                if let Some(dialog) = other {
                    model.open_dialog(dialog);
                }
                operate::confirm(model, &mut fx.commands);
            }
        },
        Action::Cancel => operate::cancel(model),
        Action::Quit => fx.commands.push(Command::Quit),
        Action::Refresh => {
            let all = (0..model.rows.len()).collect();
            request_probe(model, all, "probing every host", fx);
        }
        Action::Top
        | Action::Bottom
        | Action::FilterOpen
        | Action::FilterKeep
        | Action::FilterClear
        | Action::SortNext
        | Action::SortReverse
        | Action::ToggleMark
        | Action::MarkAllVisible
        | Action::ToggleDetail
        | Action::Reprobe
        | Action::ToggleHelp
        | Action::Push
        | Action::Verify
        | Action::Rollback
        | Action::RolloutStart
        | Action::RolloutView
        | Action::RolloutPause
        | Action::RolloutContinue
        | Action::RolloutAbort
        | Action::RolloutRetry
        | Action::RolloutRollBack
        | Action::BucketPick
        | Action::CommandLog
        | Action::Shell
        | Action::OutputPane
        | Action::RolloutList
        | Action::RolloutOpen
        | Action::Export
        | Action::ExportWrite
        | Action::CommandLine
        | Action::CommandEnter
        | Action::AppsView => {}
    }
}

/// `!`: the selected host's shell, unless the console is read-only.
fn shell(model: &mut Model, fx: &mut Effects) {
    let at = model.clock;
    if model.settings.read_only {
        let text = "read-only console: no shell on hosts";
        model.log.push(at, Level::Warn, text.to_string());
        return;
    }
    let Some(row) = model.selected.and_then(|id| model.rows.get(id)) else {
        model
            .log
            .push(at, Level::Info, "shell: no host selected".into());
        return;
    };
    let text = format!("{}: shell (the console is back when it exits)", row.name);
    model.log.push(at, Level::Info, text);
    fx.commands.push(Command::Shell(row.id));
}

fn on_tick(model: &mut Model, elapsed: Duration, at: Stamp, fx: &mut Effects) {
    model.clock = at;
    if let Some(flash) = &mut model.flash {
        flash.left = flash.left.saturating_sub(elapsed);
        if flash.left.is_zero() {
            model.flash = None;
            fx.redraw = true;
        }
    }
    if let Some(rollout) = &mut model.rollout {
        if rollout.is_active() {
            rollout.tick(elapsed);
            fx.redraw = true;
        }
        // A headless run or another console drives it: its journal is the live view.
        if rollout.due_for_reread(elapsed) {
            fx.commands
                .push(Command::OpenRollout(rollout.journal.clone()));
        }
    }
    let Some(every) = model.settings.refresh.filter(|d| !d.is_zero()) else {
        return;
    };
    model.since_refresh += elapsed;
    if model.since_refresh >= every {
        model.since_refresh = Duration::ZERO;
        let all = (0..model.rows.len()).collect();
        request_probe(model, all, "auto-refresh: probing every host", fx);
        fx.redraw = true;
    }
}

fn scroll_or_move(model: &mut Model, delta: isize) {
    if model.help_open() {
        let max = model.measured.help.unwrap_or(0);
        model.help_scroll = step(model.help_scroll, delta).min(max);
    } else if model.focus == Focus::Detail {
        model.detail_scroll = step(model.detail_scroll, delta).min(detail_max(model));
    } else {
        move_by(model, delta);
    }
}

fn page(model: &mut Model, direction: isize) {
    if model.focus == Focus::Detail {
        model.detail_scroll =
            step(model.detail_scroll, direction * SCROLL_PAGE as isize).min(detail_max(model));
    } else {
        let rows = model.table_page().max(1) as isize;
        move_by(model, direction * rows);
    }
}

/// How far the detail pane scrolls, as the last frame measured it.
fn detail_max(model: &Model) -> u16 {
    model.measured.detail.unwrap_or(0)
}

/// Closes `overlay` if it is the one open.
fn close(model: &mut Model, overlay: Overlay) {
    if model.overlay == overlay {
        model.overlay = Overlay::None;
    }
}

fn step(value: u16, delta: isize) -> u16 {
    (value as isize + delta).clamp(0, u16::MAX as isize) as u16
}

fn move_by(model: &mut Model, delta: isize) {
    let target = (model.cursor as isize + delta).max(0) as usize;
    move_to(model, target);
}

fn move_to(model: &mut Model, index: usize) {
    model.cursor = index.min(model.visible.len().saturating_sub(1));
    model.selected = model.visible.get(model.cursor).copied();
    model.anchor = model.selected;
    model.detail_scroll = 0;
}

fn clear_filter(model: &mut Model) {
    if model.only.take().is_some() {
        // Esc first leaves the failure bucket, the narrowest view.
        model.needs_filter = true;
        return;
    }
    if model.filter.input.value().is_empty() && !model.filter_editing() {
        // Esc with nothing to clear leaves the detail pane, the other thing Esc could mean.
        model.focus = Focus::Table;
        return;
    }
    model.filter.input.reset();
    close(model, Overlay::Filter);
    model.needs_filter = true;
}

fn resort(model: &mut Model, column: super::table::sort::SortColumn, reverse: bool) {
    model.sort.column = column;
    model.sort.reverse = reverse;
    model.needs_sort = true;
}

fn toggle_mark(model: &mut Model) {
    let Some(id) = model.selected else { return };
    if let Some(row) = model.rows.get_mut(id) {
        row.marked = !row.marked;
    }
    move_by(model, 1);
}

fn mark_all_visible(model: &mut Model) {
    let all_marked = model.visible.iter().all(|&id| model.rows[id].marked);
    for &id in &model.visible {
        model.rows[id].marked = !all_marked;
    }
}

fn reprobe(model: &mut Model, fx: &mut Effects) {
    let marked: Vec<HostId> = model.marked().map(|r| r.id).collect();
    if marked.is_empty() {
        let all = (0..model.rows.len()).collect();
        request_probe(model, all, "re-probing every host", fx);
    } else {
        request_probe(model, marked, "re-probing the marked hosts", fx);
    }
}

/// Asks the engine to probe `targets`, leaving out hosts still being probed so that a host
/// stuck in a timeout is not queued twice.
fn request_probe(model: &mut Model, targets: Vec<HostId>, why: &str, fx: &mut Effects) {
    let at = model.clock;
    let (busy, idle): (Vec<HostId>, Vec<HostId>) = targets
        .into_iter()
        .filter(|&id| id < model.rows.len())
        .partition(|&id| model.rows[id].probing);
    let skipped = match busy.len() {
        0 => String::new(),
        n => format!(" ({n} still probing, left alone)"),
    };
    if idle.is_empty() {
        model
            .log
            .push(at, Level::Info, format!("nothing to probe{skipped}"));
        return;
    }
    for &id in &idle {
        change_row(model, id, at, |row| row.probing = true);
    }
    let hosts = if idle.len() == 1 {
        "1 host".to_string()
    } else {
        format!("{} hosts", idle.len())
    };
    model
        .log
        .push(at, Level::Info, format!("{why}: {hosts}{skipped}"));
    fx.commands.push(Command::Probe(idle));
}
