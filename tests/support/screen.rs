//! The console's model driven by keys and drawn without a terminal, for the view tests.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::tui::testing::{update, Command, Model, Msg};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

/// Snapshots the model `$build(width, height)` gives at every size in [`SIZES`], named
/// `NAME_WIDTHxHEIGHT`. A macro, so that insta files the snapshots under the calling test.
macro_rules! snapshot {
    ($name:expr, $build:expr) => {
        for (width, height) in $crate::screen::SIZES {
            let model = ($build)(width, height);
            insta::assert_snapshot!(
                format!("{}_{width}x{height}", $name),
                $crate::screen::draw(&model).backend()
            );
        }
    };
}

/// The smallest supported screen and a wide one.
pub const SIZES: [(u16, u16); 2] = [(80, 24), (160, 48)];

pub fn draw(model: &Model) -> Terminal<TestBackend> {
    offgo::tui::testing::draw(model)
}

pub fn key(model: &mut Model, code: KeyCode) -> Vec<Command> {
    update(model, Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Each character of `text` as a key.
pub fn keys(model: &mut Model, text: &str) -> Vec<Command> {
    text.chars()
        .flat_map(|c| key(model, KeyCode::Char(c)))
        .collect()
}

/// The screen's text, row by row.
pub fn text(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width.max(1))
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}
