//! Runs operations on hosts and reports everything as a stream of [`EngineEvent`]s, which both
//! the console and the headless CLI consume.

mod event;
mod report;

pub use event::EngineEvent;
pub use report::{HostReport, LddGap, OffgoSummary};
