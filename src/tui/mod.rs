//! The console face: the live fleet view, by feature. Elm-shaped: [`update`] is the one place
//! state changes (messages in, commands out) and hands each feature its part (`table/`,
//! `operate/`, `rollout/`); [`view::render`] draws the [`state`] and reports what it measured
//! back; [`app`] runs the event loop; [`terminal`] guarantees the terminal is given back. Keys
//! are data (`input/`), so help, footer and README are generated from one table.
//!
//! Dependencies point one way: `view` and `update` read `state`, `state` reads neither, and
//! tests/architecture.rs fails on an import cycle. Tests reach the console through [`testing`].

mod app;
mod apps;
mod command;
mod file_work;
mod input;
mod keys;
mod launch;
mod layout;
mod logs;
mod msg;
mod operate;
mod options;
mod rollout;
mod state;
mod table;
mod terminal;
#[doc(hidden)]
pub mod testing;
mod untrusted;
mod update;
mod view;

pub use crate::logging::{default_log_path, init_logging};
pub use app::run;
pub use input::keymap::key_reference_markdown;
pub use launch::launch;
pub use options::ConsoleOptions;
pub use terminal::on_abrupt_exit;
