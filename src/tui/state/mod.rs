//! The console's state: the model, its host rows and fleet counts, and the fold of engine
//! events into them.

pub mod fold;
pub mod measured;
pub mod model;
pub mod overlay;
pub mod row;
pub mod summary;
pub mod version;
