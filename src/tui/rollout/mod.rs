//! Rollouts: the machine's state as the console sees it, the failure buckets, the operator's
//! inputs, and the driver that runs in the event loop.

pub mod buckets;
pub mod list;
pub mod list_keys;
pub mod runner;
pub mod state;
pub mod update;
