//! The TOML inventory (DESIGN.md, "Inventory"): strict parsing with file:line:column errors,
//! the defaults → groups → host merge, lookup order, and host selectors.

mod model;

pub use model::{BundleSettings, ConsoleSettings, Host, HostId, HostKeyPolicy, Inventory};
