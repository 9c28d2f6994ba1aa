//! The apps view (`A`, `:apps`): one row per host and Go application — its version, the Go that
//! built it, static or dynamic, `vcs.revision`, ldd gaps and health — with drift against the
//! newest bundle of each app and apps built with an older Go than the fleet's flagged.

pub mod catalog;
pub mod rows;
pub mod state;
pub mod update;
