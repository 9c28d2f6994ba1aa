//! The terminal's input on a thread of its own, handed to the event loop over a channel.
//!
//! Why not crossterm's `EventStream`: it remembers the waker of the poll that found no input
//! and wakes only that one when input arrives. Any poll with a no-op waker (draining what is
//! ready with `now_or_never`) left the loop deaf to the next key until something else woke it
//! — a tick, an engine event — which is why every key after the first took ~200 ms to show.
//! A channel has no such trap: `try_recv` drains, `recv` waits, and a key wakes the loop at once.
//!
//! The reader can be parked (a shell on a host, suspended console): while parked it reads
//! nothing, so the child process gets every byte the operator types.

use std::io;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use crossterm::event::{self, Event};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

/// How long a poll waits before looking at the park and stop requests again.
const POLL: Duration = Duration::from_millis(50);

#[derive(Debug, Default)]
struct Requests {
    park: bool,
    parked: bool,
    stop: bool,
}

#[derive(Debug, Default)]
struct Control {
    requests: Mutex<Requests>,
    changed: Condvar,
}

impl Control {
    fn lock(&self) -> MutexGuard<'_, Requests> {
        match self.requests.lock() {
            Ok(g) => g,
            Err(e) => e.into_inner(),
        }
    }
}

/// The terminal's events, read on their own thread. Dropping it stops the thread.
pub struct TerminalInput {
    events: UnboundedReceiver<io::Result<Event>>,
    control: Arc<Control>,
}

impl TerminalInput {
    pub fn start() -> io::Result<Self> {
        let (sender, events) = unbounded_channel();
        let control = Arc::new(Control::default());
        let thread_control = Arc::clone(&control);
        std::thread::Builder::new()
            .name("offgo-keys".into())
            .spawn(move || read_terminal(&sender, &thread_control))?;
        Ok(Self { events, control })
    }

    /// The next event; `None` once the terminal is gone (the reader ended).
    pub async fn next(&mut self) -> Option<io::Result<Event>> {
        self.events.recv().await
    }

    /// An event already read, without waiting.
    pub fn ready(&mut self) -> Option<io::Result<Event>> {
        self.events.try_recv().ok()
    }

    /// Stops reading and returns once the reader is parked, so a child process that takes
    /// the terminal next gets all of its input.
    pub fn park(&self) {
        let mut requests = self.control.lock();
        requests.park = true;
        self.control.changed.notify_all();
        while !requests.parked && !requests.stop {
            requests = match self.control.changed.wait(requests) {
                Ok(g) => g,
                Err(e) => e.into_inner(),
            };
        }
    }

    /// Reads again after [`Self::park`].
    pub fn unpark(&self) {
        let mut requests = self.control.lock();
        requests.park = false;
        self.control.changed.notify_all();
    }
}

impl Drop for TerminalInput {
    fn drop(&mut self) {
        let mut requests = self.control.lock();
        requests.stop = true;
        self.control.changed.notify_all();
    }
}

fn read_terminal(sender: &UnboundedSender<io::Result<Event>>, control: &Control) {
    loop {
        {
            let mut requests = control.lock();
            if requests.park && !requests.stop {
                requests.parked = true;
                control.changed.notify_all();
                while requests.park && !requests.stop {
                    requests = match control.changed.wait(requests) {
                        Ok(g) => g,
                        Err(e) => e.into_inner(),
                    };
                }
                requests.parked = false;
            }
            if requests.stop {
                return;
            }
        }
        let read = match event::poll(POLL) {
            Ok(true) => event::read(),
            Ok(false) => continue,
            Err(e) => Err(e),
        };
        let failed = read.is_err();
        if sender.send(read).is_err() || failed {
            // The loop is gone, or the terminal is: nothing more to read.
            return;
        }
    }
}
