//! `:` — the console's command line, and the ad-hoc command it runs on hosts (`:run CMD`)
//! with its gathered output.

pub mod gathered;
pub mod line;
pub mod start;
pub mod update;
