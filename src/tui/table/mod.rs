//! The host table: its columns and cells, sort order, filter and export.

pub mod cells;
pub mod export;
pub mod filter;
pub mod sort;
pub mod update;
