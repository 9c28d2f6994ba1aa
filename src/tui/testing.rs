//! The console as its tests and benches see it (tests/console_*.rs, benches/console.rs): a
//! small deliberate surface, so that the modules behind it stay private. Hidden from the docs;
//! not an API for anything else.

use ratatui::backend::TestBackend;
use ratatui::Terminal;

pub use super::apps::catalog::AppCatalog;
pub use super::input::action::Action;
pub use super::input::keymap::{self, Key, Keymap, Scope};
pub use super::logs::events::Level;
pub use super::msg::{Command, Msg, Resumption, Stamp};
pub use super::operate::bundles::{self, BundleChoice, BundleInfo};
pub use super::operate::dialog::{Dialog, RolloutAsk, RolloutWord};
pub use super::operate::operation::Phase;
pub use super::options::no_color_requested;
pub use super::rollout::runner::{Route, Runner};
pub use super::rollout::state::RolloutSnapshot;
pub use super::state::measured::Measured;
pub use super::state::model::{Focus, Model, ModelSettings};
pub use super::state::overlay::{Body, GatheredPane, OutputPane, Overlay};
pub use super::state::row::{HostRow, RowState, OUTPUT_BUDGET};
pub use super::state::summary::FleetSummary;
pub use super::table::cells::Column;
pub use super::table::export::ExportPrompt;
pub use super::table::filter::Filter;
pub use super::table::sort::SortColumn;
/// `update` alone, with no frame drawn after it: for the benches that time it.
pub use super::update::{update as apply, update_all as apply_all};
pub use super::view::render;

/// One turn of the event loop without a terminal: the update, then a frame drawn at the
/// model's size whose measurements go back to the model, as the event loop does after each
/// frame. Returns the update's commands.
pub fn update(model: &mut Model, msg: Msg) -> Vec<Command> {
    update_all(model, std::iter::once(msg))
}

/// [`update`] for a batch, drawn once after it, as the event loop does.
pub fn update_all(model: &mut Model, msgs: impl IntoIterator<Item = Msg>) -> Vec<Command> {
    let commands = apply_all(model, msgs);
    let measured = measure(model);
    apply(model, Msg::Measured(measured));
    commands
}

/// The model drawn on a test screen of its size.
pub fn draw(model: &Model) -> Terminal<TestBackend> {
    draw_measured(model).0
}

/// What a frame of the model measures (the scroll limits), as the view reports it.
pub fn measure(model: &Model) -> Measured {
    draw_measured(model).1
}

fn draw_measured(model: &Model) -> (Terminal<TestBackend>, Measured) {
    let (width, height) = model.size();
    let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
        Ok(terminal) => terminal,
        Err(never) => match never {},
    };
    let mut measured = Measured::default();
    if let Err(never) = terminal.draw(|frame| measured = super::view::render(model, frame)) {
        match never {}
    }
    (terminal, measured)
}
