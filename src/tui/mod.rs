//! The console face: the live fleet view. Elm-shaped: [`update::update`] is the one place
//! state changes (messages in, commands out), [`view::render`] draws a [`model::Model`] and
//! nothing else, [`app`] runs the event loop, [`terminal`] guarantees the terminal is given
//! back. Keys are data ([`keymap`]), so help, footer and README are generated from one table.

mod app;
pub mod input;
mod launch;
pub mod layout;
pub mod logs;
pub mod msg;
pub mod operate;
pub mod options;
pub mod rollout;
#[doc(hidden)]
pub mod sample;
pub mod state;
pub mod table;
pub mod terminal;
pub mod update;
pub mod view;

pub use crate::logging::{default_log_path, init_logging};
pub use app::run;
pub use input::keymap::key_reference_markdown;
pub use launch::launch;
pub use options::ConsoleOptions;
pub use terminal::on_abrupt_exit;
