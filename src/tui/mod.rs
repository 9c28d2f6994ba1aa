//! The console face: the live fleet view. Elm-shaped: [`update::update`] is the one place
//! state changes (messages in, commands out), [`view::render`] draws a [`model::Model`] and
//! nothing else, [`app`] runs the event loop, [`terminal`] guarantees the terminal is given
//! back. Keys are data ([`keymap`]), so help, footer and README are generated from one table.

pub mod action;
mod app;
pub mod buckets;
pub mod bundles;
pub mod commandlog;
pub mod dialog;
pub mod eventlog;
pub mod filter;
pub mod fold;
pub mod keymap;
mod launch;
pub mod model;
pub mod msg;
mod operate;
pub mod operation;
pub mod options;
pub mod roll;
pub mod rollout;
mod rollout_runner;
pub mod row;
#[doc(hidden)]
pub mod sample;
pub mod sort;
pub mod steps;
pub mod summary;
pub mod terminal;
pub mod untrusted;
pub mod update;
pub mod view;

pub use crate::logging::{default_log_path, init_logging};
pub use app::run;
pub use keymap::key_reference_markdown;
pub use launch::launch;
pub use options::ConsoleOptions;
pub use terminal::on_abrupt_exit;
