//! The command line's part of [`crate::tui::update`]: `:` opens it, enter does what it says,
//! and the gathered-output pane of `:run` scrolls and closes. Called only from `update`.

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use super::line::{parse, CommandLine, Typed};
use crate::core::engine::{HostOutcome, Operation};
use crate::core::inventory::HostId;
use crate::tui::input::action::Action;
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::operate::dialog::{Confirm, Dialog};
use crate::tui::operate::update::targets;
use crate::tui::state::model::{Flash, Model};
use crate::tui::state::overlay::{Body, GatheredPane, Overlay};

/// Lines a page key scrolls.
const PAGE: u16 = 10;

/// `:`: an empty command line.
pub fn open(model: &mut Model) {
    model.overlay = Overlay::Command(CommandLine::default());
}

/// A key the command line does not bind edits it.
pub fn edit(model: &mut Model, event: KeyEvent) {
    if let Overlay::Command(line) = &mut model.overlay {
        line.input.handle_event(&Event::Key(event));
    }
}

/// Enter: do what the line says, or say in the footer why not.
pub fn enter(model: &mut Model, commands: &mut Vec<Command>) {
    let Overlay::Command(line) = std::mem::take(&mut model.overlay) else {
        return;
    };
    match parse(line.input.value()) {
        Err(error) => refuse(model, error),
        Ok(Typed::Results) => match model.ad_hoc {
            Some(_) => model.overlay = Overlay::Gathered(GatheredPane::default()),
            None => refuse(
                model,
                "no command has run in this console yet: :run CMD".into(),
            ),
        },
        Ok(Typed::Apps) => crate::tui::apps::update::open(model, commands),
        Ok(Typed::Hosts) => {
            crate::tui::apps::update::close(model);
            // From the rollout views too: `:hosts` always lands on the table.
            model.body = Body::Table;
        }
        Ok(Typed::Run(_)) if model.settings.read_only => {
            refuse(model, "read-only console: :run is refused".into());
        }
        Ok(Typed::Run(command)) => {
            if let Some(hosts) = targets(model, Operation::Run) {
                model.open_dialog(Dialog::Confirm(Confirm::run(hosts, command)));
            }
        }
    }
}

/// Esc: nothing runs.
pub fn cancel(model: &mut Model) {
    if matches!(model.overlay, Overlay::Command(_)) {
        model.overlay = Overlay::None;
    }
}

fn refuse(model: &mut Model, text: String) {
    model.log.push(model.clock, Level::Warn, text.clone());
    model.flash = Some(Flash::new(text));
}

/// A host's outcome of an ad-hoc command.
pub fn answered(model: &mut Model, host: HostId, outcome: &HostOutcome) {
    if let Some(run) = &mut model.ad_hoc {
        run.record(host, outcome);
    }
}

/// The gathered-output pane has the keys: scrolling, closing, quitting.
pub fn on_action(
    model: &mut Model,
    pane: GatheredPane,
    action: Action,
    commands: &mut Vec<Command>,
) {
    let max = model.measured.output.unwrap_or(0);
    let at = i32::from(pane.scroll.min(max));
    let to = match action {
        Action::Up => at - 1,
        Action::Down => at + 1,
        Action::PageUp => at - i32::from(PAGE),
        Action::PageDown => at + i32::from(PAGE),
        Action::Top => 0,
        Action::Bottom => i32::from(max),
        Action::Quit => {
            commands.push(Command::Quit);
            at
        }
        Action::OutputPane | Action::Cancel | Action::FilterClear => {
            model.overlay = Overlay::None;
            return;
        }
        // Timers and everything else wait until the pane is closed.
        _ => at,
    };
    model.overlay = Overlay::Gathered(GatheredPane {
        scroll: to.clamp(0, i32::from(max)) as u16,
    });
}
