//! The export's steps: `E` opens the prompt, enter hands the rows to the event loop, the
//! answer goes to the log (or back to the prompt, so a name that exists can be changed).

use crossterm::event::{Event, KeyEvent};
use tui_input::backend::crossterm::EventHandler;

use crate::core::export::HostLine;
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::Overlay;
use crate::tui::table::cells::export_line;
use crate::tui::table::export::{default_path, written, ExportPrompt};

/// The rows the table shows, in its order, as the export writes them.
pub fn lines(model: &Model) -> Vec<HostLine> {
    model
        .visible
        .iter()
        .map(|&id| export_line(&model.rows[id]))
        .collect()
}

/// `E`: the prompt, holding a fresh default name.
pub fn open(model: &mut Model) {
    model.overlay = Overlay::Export(ExportPrompt::new(&default_path(model.clock)));
}

/// A key the prompt does not bind edits the path.
pub fn edit(model: &mut Model, event: KeyEvent) {
    if let Overlay::Export(prompt) = &mut model.overlay {
        if prompt.input.handle_event(&Event::Key(event)).is_some() {
            prompt.error = None;
        }
    }
}

/// Enter: the command that writes the file; an empty name keeps the prompt open, saying so.
pub fn confirm(model: &mut Model, commands: &mut Vec<Command>) {
    let Overlay::Export(prompt) = &mut model.overlay else {
        return;
    };
    let path = prompt.path();
    let typed = prompt.input.value().trim();
    if typed.is_empty() || typed.ends_with('/') {
        prompt.error = Some("type a file name (.json for JSON, else CSV)".into());
        return;
    }
    let command = Command::Export {
        path,
        lines: lines(model),
    };
    model.overlay = Overlay::None;
    commands.push(command);
}

/// Esc: nothing is written.
pub fn cancel(model: &mut Model) {
    if matches!(model.overlay, Overlay::Export(_)) {
        model.overlay = Overlay::None;
    }
}

/// The event loop's answer. A refusal reopens the prompt on the same name with the reason,
/// unless something else has the keys by now.
pub fn finished(
    model: &mut Model,
    path: std::path::PathBuf,
    rows: usize,
    result: Result<std::path::PathBuf, String>,
) {
    let at = model.clock;
    match result {
        Ok(full) => model.log.push(at, Level::Info, written(rows, &full)),
        Err(error) => {
            model
                .log
                .push(at, Level::Error, format!("export not written: {error}"));
            if model.overlay == Overlay::None {
                let mut prompt = ExportPrompt::new(&path.display().to_string());
                prompt.error = Some(error);
                model.overlay = Overlay::Export(prompt);
            }
        }
    }
}
