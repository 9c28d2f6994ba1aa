//! The domain. Nothing here may import ratatui, crossterm, tui-input, `crate::tui` or
//! `crate::cli` (enforced by `tests/architecture.rs`).

pub mod app;
pub mod audit;
pub mod bundle;
pub mod engine;
pub mod export;
pub mod gather;
pub mod goenv;
pub mod import;
pub mod inventory;
pub mod modcache;
pub mod remote;
pub mod rollout;
pub mod session;
pub mod ssh;
pub mod ssh_config;
pub mod text;
pub mod units;
pub mod xdg;
