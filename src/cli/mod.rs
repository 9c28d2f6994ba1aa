//! The headless face: `offgo-tui scan|push|verify|…` for scripts and CI.

pub mod bundle;
