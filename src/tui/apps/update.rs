//! The apps view's part of [`crate::tui::update`]: `A` or `:apps` switches to it (and asks the
//! event loop to read the bundle directory again), `A`, esc or `:hosts` back to the host table;
//! up and down move its cursor. Called only from `update` and the command line.

use super::catalog::AppCatalog;
use super::rows;
use crate::tui::msg::Command;
use crate::tui::state::model::{Focus, Model};
use crate::tui::state::overlay::Body;

/// `:apps`: the apps view, its bundle facts read again.
pub fn open(model: &mut Model, commands: &mut Vec<Command>) {
    if model.body != Body::Apps {
        model.body = Body::Apps;
        // The keys move in the apps table first, whatever had them in the host view.
        model.focus = Focus::Table;
        model.detail_scroll = 0;
    }
    commands.push(Command::ListAppBundles(model.bundles_dir.clone()));
}

/// `:hosts`: the host table.
pub fn close(model: &mut Model) {
    if model.body == Body::Apps {
        model.body = Body::Table;
        model.detail_scroll = 0;
    }
}

/// `A`: the apps view; in it (`A` or esc), out of the detail pane first, then back to the host
/// table.
pub fn toggle(model: &mut Model, commands: &mut Vec<Command>) {
    if model.body == Body::Apps {
        back(model);
    } else {
        open(model, commands);
    }
}

fn back(model: &mut Model) {
    if model.focus == Focus::Detail {
        model.focus = Focus::Table;
    } else {
        close(model);
    }
}

/// The event loop's answer to [`Command::ListAppBundles`].
pub fn listed(model: &mut Model, catalog: AppCatalog) {
    model.apps.catalog = catalog;
}

/// Moves the cursor by `delta` rows, kept on the rows and on screen.
pub fn step(model: &mut Model, delta: isize) {
    let last = rows::count(model).saturating_sub(1) as isize;
    let at = (model.apps.cursor as isize + delta).clamp(0, last.max(0)) as usize;
    if at != model.apps.cursor {
        model.detail_scroll = 0;
    }
    model.apps.cursor = at;
    settle(model);
}

/// Rows a page key moves.
pub fn page(model: &Model) -> isize {
    crate::tui::layout::apps_page(model.settings.size, model.focus).max(1) as isize
}

/// Keeps the cursor on a row and on screen after the rows changed (a probe, a filter).
pub fn settle(model: &mut Model) {
    let count = rows::count(model);
    let view = &mut model.apps;
    view.cursor = view.cursor.min(count.saturating_sub(1));
    let page = crate::tui::layout::apps_page(model.settings.size, model.focus).max(1);
    if view.cursor < view.offset {
        view.offset = view.cursor;
    } else if view.cursor >= view.offset + page {
        view.offset = view.cursor + 1 - page;
    }
    view.offset = view.offset.min(count.saturating_sub(page));
}
