//! A counting semaphore for worker threads: bounds how many hosts are worked on at once.

use std::sync::{Arc, Condvar, Mutex};

#[derive(Debug)]
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// Shared by every host worker of one engine.
#[derive(Debug, Clone)]
pub struct Limiter {
    slots: Arc<Slots>,
}

/// Holds one slot until dropped.
#[derive(Debug)]
pub struct Permit {
    slots: Arc<Slots>,
}

impl Limiter {
    pub fn new(slots: usize) -> Self {
        Self {
            slots: Arc::new(Slots {
                free: Mutex::new(slots.max(1)),
                freed: Condvar::new(),
            }),
        }
    }

    /// Blocks the calling (worker) thread until a slot is free.
    pub fn acquire(&self) -> Permit {
        let mut free = self.slots.free.lock().unwrap_or_else(|e| e.into_inner());
        while *free == 0 {
            free = self
                .slots
                .freed
                .wait(free)
                .unwrap_or_else(|e| e.into_inner());
        }
        *free -= 1;
        Permit {
            slots: Arc::clone(&self.slots),
        }
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let mut free = self.slots.free.lock().unwrap_or_else(|e| e.into_inner());
        *free += 1;
        self.slots.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn never_more_than_the_limit_at_once() {
        let limiter = Limiter::new(3);
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..12)
            .map(|_| {
                let (limiter, running, peak) = (limiter.clone(), running.clone(), peak.clone());
                std::thread::spawn(move || {
                    let _permit = limiter.acquire();
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(5));
                    running.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
