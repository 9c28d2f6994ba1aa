//! The console's screen: a pure function of the [`Model`]. No I/O, no locks, no sends.

mod commands;
pub mod confirm;
pub mod detail;
mod footer;
mod header;
pub mod help;
mod log;
mod operation;
mod picker;
mod popup;
mod rollout;
pub mod rollout_confirm;
mod table;
pub mod theme;

use ratatui::Frame;

use super::layout;
use super::logs::commands::CommandLogMode;
use super::operate::dialog::Dialog;
use super::state::model::Model;
use theme::Theme;

pub fn render(model: &Model, frame: &mut Frame) {
    let theme = Theme::new(model.settings.color);
    let areas = layout::areas(frame.area(), model);
    header::render(model, &theme, frame, areas.header);
    if model.rollout_open {
        let area = areas.detail.map_or(areas.table, |d| d.union(areas.table));
        rollout::render(model, &theme, frame, area);
    } else {
        table::render(model, &theme, frame, areas.table);
        if let Some(area) = areas.detail {
            detail::render(model, &theme, frame, area);
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
    if model.help_open {
        help::render(model, &theme, frame, frame.area());
    }
    match &model.dialog {
        Some(Dialog::Picker(picker)) => picker::render(picker, &theme, frame, frame.area()),
        Some(Dialog::Confirm(confirm)) => {
            confirm::render(model, confirm, &theme, frame, frame.area())
        }
        Some(Dialog::Rollout(plan)) => {
            rollout_confirm::render(model, plan, &theme, frame, frame.area())
        }
        Some(Dialog::AbortRollout) => {
            rollout_confirm::render_abort(model, &theme, frame, frame.area())
        }
        None => {}
    }
}
