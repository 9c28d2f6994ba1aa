//! offgo-tui: keep Go toolchains current on air-gapped fleets.
//!
//! One engine, two faces. [`core`] is the domain (inventory, remote-host contract, SSH, audit,
//! engine) and never touches the terminal; [`cli`] (headless) and [`tui`] (the console) both
//! drive the same [`core::engine::Engine`] and read the same [`core::engine::EngineEvent`] stream.
//! [`fleet`] starts throwaway local `sshd` hosts for the demo and the test suite.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod cli;
pub mod core;
pub mod demo;
pub mod exit;
pub mod fleet;
pub mod logging;
pub mod tui;
