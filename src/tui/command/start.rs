//! The moment a confirmed `:run` starts (called by the confirm dialog's `y`): from here on its
//! answers are gathered, in a pane already open.

use super::gathered::AdHocRun;
use crate::core::inventory::HostId;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::{GatheredPane, Overlay};

/// The confirmed run starts: its answers are gathered from here on, in a pane already open.
pub fn started(model: &mut Model, hosts: &[HostId], command: &str) {
    let named = hosts
        .iter()
        .map(|&id| (id, model.rows[id].name.clone()))
        .collect();
    model.ad_hoc = Some(AdHocRun::new(command.to_string(), model.clock, named));
    model.overlay = Overlay::Gathered(GatheredPane::default());
}
