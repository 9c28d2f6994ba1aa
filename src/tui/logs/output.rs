//! The output pane's part of [`crate::tui::update`]: whose output it shows, and its keys.

use crate::core::inventory::HostId;
use crate::tui::input::action::Action;
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::{OutputPane, Overlay};

/// Lines a page key scrolls.
const PAGE: u16 = 10;

/// `O`: the selected host's output; in the rollout view the failed host the operator is
/// looking at (see [`host_for`]).
pub fn open(model: &mut Model) {
    match host_for(model) {
        Some(host) => model.overlay = Overlay::Output(OutputPane { host, scroll: 0 }),
        None => model.log.push(
            model.clock,
            Level::Info,
            "no host selected: no output to show".into(),
        ),
    }
}

/// In the rollout view, the highlighted failure bucket's host: the selected one when it is in
/// the bucket, else the bucket's first. Elsewhere (or with no bucket) the selected host.
pub fn host_for(model: &Model) -> Option<HostId> {
    if model.rollout_open() {
        let bucket = model.rollout.as_ref().and_then(|r| {
            let mut buckets = r.buckets();
            (r.bucket_cursor < buckets.len()).then(|| buckets.swap_remove(r.bucket_cursor))
        });
        if let Some(bucket) = bucket {
            let selected = model.selected.filter(|h| bucket.hosts.contains(h));
            return selected.or(bucket.hosts.first().copied());
        }
    }
    model.selected
}

/// The pane has the keys: scrolling, closing, quitting.
pub fn on_action(model: &mut Model, pane: OutputPane, action: Action, commands: &mut Vec<Command>) {
    let max = model.measured.output.unwrap_or(0);
    let scroll = |to: i32| OutputPane {
        scroll: to.clamp(0, i32::from(max)) as u16,
        ..pane
    };
    let at = i32::from(pane.scroll.min(max));
    let next = match action {
        Action::Up => scroll(at - 1),
        Action::Down => scroll(at + 1),
        Action::PageUp => scroll(at - i32::from(PAGE)),
        Action::PageDown => scroll(at + i32::from(PAGE)),
        Action::Top => scroll(0),
        Action::Bottom => scroll(i32::from(max)),
        Action::Quit => {
            commands.push(Command::Quit);
            pane
        }
        Action::OutputPane | Action::Cancel | Action::FilterClear => {
            model.overlay = Overlay::None;
            return;
        }
        // Timers and everything else wait until the pane is closed.
        _ => pane,
    };
    model.overlay = Overlay::Output(next);
}
