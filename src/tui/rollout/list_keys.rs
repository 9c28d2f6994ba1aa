//! The rollout list's keys: `L` shows it (the event loop reads the journals) or goes back,
//! up and down move in it, enter opens the highlighted rollout in the rollout view.

use std::path::PathBuf;

use crate::core::rollout::listing::Listed;
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::Body;

/// `L`: shows the list (read again each time) or goes back to where it was opened from.
pub fn toggle(model: &mut Model, commands: &mut Vec<Command>) {
    if model.body == Body::Rollouts {
        model.body = model.rollout_list.back;
        return;
    }
    model.rollout_list.back = model.body;
    model.body = Body::Rollouts;
    commands.push(Command::ListRollouts);
}

/// The event loop's answer to [`Command::ListRollouts`].
pub fn listed(model: &mut Model, dir: PathBuf, entries: Vec<Listed>) {
    let list = &mut model.rollout_list;
    // Stay on the same journal when the list is read again.
    let highlighted = list.entries.get(list.cursor).map(|e| e.path.clone());
    list.cursor = highlighted
        .and_then(|p| entries.iter().position(|e| e.path == p))
        .unwrap_or(0);
    list.entries = entries;
    list.dir = dir;
    list.loaded = true;
}

pub fn step(model: &mut Model, delta: isize) {
    let list = &mut model.rollout_list;
    let last = list.entries.len().saturating_sub(1) as isize;
    list.cursor = (list.cursor as isize + delta).clamp(0, last) as usize;
}

/// Enter: the highlighted rollout in the rollout view (the event loop reads its journal).
pub fn open(model: &mut Model, commands: &mut Vec<Command>) {
    let at = model.clock;
    let Some(entry) = model.rollout_list.entries.get(model.rollout_list.cursor) else {
        return;
    };
    match &entry.rollout {
        Err(error) => {
            let text = format!("cannot open that rollout: {error}");
            model.log.push(at, Level::Error, text);
        }
        Ok(rollout) => {
            let text = format!(
                "opening rollout {} of {} ({})",
                rollout.id,
                rollout.version,
                rollout.state()
            );
            model.log.push(at, Level::Info, text);
            commands.push(Command::OpenRollout(entry.path.clone()));
            model.body = Body::Rollout;
        }
    }
}
