//! The TOML inventory (DESIGN.md, "Inventory"): strict parsing with file:line:column errors,
//! the defaults → groups → host merge, lookup order, and host selectors.
//!
//! The document is parsed into toml's spanned tree (`DeTable`) rather than deserialized with
//! serde, so that every semantic check (an unknown key, a bad port, a duplicate host) can point
//! at the exact line and column of the value it rejects.

mod document;
mod error;
mod field;
mod hosts;
mod jump;
mod locate;
mod model;
mod paths;
mod sections;
mod select;
mod settings;
mod suggest;
mod syntax;

#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod select_tests;

pub use document::{load, parse};
pub use error::{InventoryError, Position};
pub use locate::locate;
pub use model::{BundleSettings, ConsoleSettings, Hop, Host, HostId, HostKeyPolicy, Inventory};
pub use select::{select, SelectorError};
