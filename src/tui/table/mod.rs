//! The host table: its sort order and the filter.

pub mod filter;
pub mod sort;
