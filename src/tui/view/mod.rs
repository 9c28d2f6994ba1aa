//! The console's screen: a pure function of the [`Model`]. No I/O, no locks, no sends.

mod apps;
mod commands;
mod confirm;
mod detail;
mod export;
mod fields;
mod footer;
mod gathered;
mod go_env;
mod header;
mod help;
mod log;
mod operation;
mod output;
mod picker;
mod popup;
mod provenance;
mod rollout;
mod rollout_ask;
mod rollout_confirm;
mod rollouts;
mod table;
pub mod theme;

use ratatui::Frame;

use super::layout;
use super::logs::commands::CommandLogMode;
use super::operate::dialog::Dialog;
use super::state::measured::Measured;
use super::state::model::Model;
use theme::Theme;

/// Draws the screen; returns what it measured (the scroll limits), which the event loop feeds
/// back to the model so that `update` never has to lay the text out itself.
pub fn render(model: &Model, frame: &mut Frame) -> Measured {
    let mut measured = Measured::default();
    let theme = Theme::new(model.settings.color);
    let areas = layout::areas(frame.area(), model.focus);
    header::render(model, &theme, frame, areas.header);
    if model.rollout_open() {
        let area = areas.detail.map_or(areas.table, |d| d.union(areas.table));
        rollout::render(model, &theme, frame, area);
    } else if model.body == super::state::overlay::Body::Rollouts {
        let area = areas.detail.map_or(areas.table, |d| d.union(areas.table));
        rollouts::render(model, &theme, frame, area);
    } else if model.body == super::state::overlay::Body::Apps {
        let (table, detail) = layout::apps_areas(frame.area(), model.focus);
        apps::render(model, &theme, frame, table);
        if let Some(area) = detail {
            measured.detail = Some(detail::render(model, &theme, frame, area));
        }
    } else {
        table::render(model, &theme, frame, areas.table);
        if let Some(area) = areas.detail {
            measured.detail = Some(detail::render(model, &theme, frame, area));
        }
    }
    if let Some(area) = areas.log {
        if model.commands.mode == CommandLogMode::Hidden {
            log::render(model, &theme, frame, area);
        } else {
            commands::render(model, &theme, frame, area);
        }
    }
    footer::render(model, &theme, frame, areas.footer);
    let screen = frame.area();
    if model.help_open() {
        measured.help = Some(help::render(model, &theme, frame, screen));
    }
    if let Some(pane) = model.output_pane() {
        measured.output = Some(output::render(model, pane, &theme, frame, screen));
    }
    if let Some(pane) = model.gathered_pane() {
        measured.output = Some(gathered::render(model, pane, &theme, frame, screen));
    }
    if let super::state::overlay::Overlay::Export(prompt) = &model.overlay {
        export::render(model, prompt, &theme, frame, screen);
    }
    match model.dialog() {
        Some(Dialog::Picker(picker)) => picker::render(picker, &theme, frame, screen),
        Some(Dialog::Confirm(confirm)) => {
            measured.confirm = Some(confirm::render(model, confirm, &theme, frame, screen));
        }
        Some(Dialog::Rollout(plan)) => {
            measured.plan = Some(rollout_confirm::render(model, plan, &theme, frame, screen));
        }
        Some(Dialog::AbortRollout) => rollout_confirm::render_abort(model, &theme, frame, screen),
        Some(Dialog::RolloutAsk(asked)) => {
            measured.confirm = Some(rollout_ask::render(model, asked, &theme, frame, screen));
        }
        None => {}
    }
    measured
}
