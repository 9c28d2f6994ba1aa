//! The TOML inventory (DESIGN.md, "Inventory"): strict parsing with file:line:column errors,
//! the defaults → groups → host merge, host ranges (`web-[01-40]`), lookup order, and host
//! selectors.
//!
//! The document is parsed into toml's spanned tree (`DeTable`) rather than deserialized with
//! serde, so that every semantic check (an unknown key, a bad port, a duplicate host) can point
//! at the exact line and column of the value it rejects.

mod apps;
mod document;
mod error;
mod field;
mod hosts;
mod jump;
mod locate;
mod model;
mod openssh;
mod paths;
mod range;
mod sections;
mod select;
mod settings;
mod suggest;
mod syntax;

#[cfg(test)]
mod openssh_tests;
#[cfg(test)]
mod parse_tests;
#[cfg(test)]
mod select_tests;

pub use apps::{valid_app_name, AppSettings, AppTable, APP_KEYS, DEFAULT_HEALTH_TIMEOUT};
pub use document::{load, parse};
pub use error::{InventoryError, Position};
pub use locate::locate;
pub use model::SettingSource;
pub use model::{BundleSettings, ConsoleSettings, Hop, Host, HostId, HostKeyPolicy, Inventory};
pub use range::{count_values as range_count, expand as expand_range, RangeError};
pub use select::{select, SelectorError};
