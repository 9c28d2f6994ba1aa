//! The keys: what the operator can ask for and the table that maps keys to it.

pub mod action;
pub mod bindings;
pub mod key;
pub mod keymap;
