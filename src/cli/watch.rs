//! What a headless run that changes hosts waits on: the engine's events, and SIGINT/SIGTERM.
//!
//! One mechanism for `rollout`, `push`, `verify` and `rollback`: the first signal means "abort"
//! (hosts in flight finish, no new host starts), a second one "stop waiting". Installing the
//! handlers replaces the default action, so from then on a signal never kills the run mid-step.

use std::time::Duration;

use tokio::signal::unix::{signal, Signal, SignalKind};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::cli::out::errln;
use crate::cli::EXIT_USAGE;

/// The runtime the headless run waits on, and its watch for SIGINT and SIGTERM.
pub struct Watch {
    pub runtime: tokio::runtime::Runtime,
    pub interrupt: Signal,
    pub terminate: Signal,
}

/// What the run woke up for.
pub enum Woke<T> {
    Event(T),
    /// The engine is gone: no event will come any more.
    Closed,
    /// The wait ran out.
    TimedOut,
    Signal(&'static str),
}

impl Watch {
    /// Err: the exit code, the reason already printed.
    pub fn new() -> Result<Self, u8> {
        let fail = |e: std::io::Error| {
            errln!("offgo-tui: cannot watch for ctrl-c: {e}");
            EXIT_USAGE
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(fail)?;
        let (interrupt, terminate) = runtime
            .block_on(async {
                Ok::<_, std::io::Error>((
                    signal(SignalKind::interrupt())?,
                    signal(SignalKind::terminate())?,
                ))
            })
            .map_err(fail)?;
        Ok(Self {
            runtime,
            interrupt,
            terminate,
        })
    }

    /// Waits up to `wait` for the next event or signal.
    pub fn next<T>(&mut self, events: &mut UnboundedReceiver<T>, wait: Duration) -> Woke<T> {
        let Self {
            runtime,
            interrupt,
            terminate,
        } = self;
        runtime.block_on(async {
            tokio::select! {
                event = tokio::time::timeout(wait, events.recv()) => match event {
                    Ok(Some(event)) => Woke::Event(event),
                    Ok(None) => Woke::Closed,
                    Err(_) => Woke::TimedOut,
                },
                _ = interrupt.recv() => Woke::Signal("SIGINT"),
                _ = terminate.recv() => Woke::Signal("SIGTERM"),
            }
        })
    }
}
