//! A fixed set of worker threads, as many as the hosts worked on at once (`--parallel`), taking
//! host jobs from one queue. libssh2 calls still run on these threads only, never on the async
//! runtime; but a host no longer costs a thread: its pooled session ([`HostLink`]) is data,
//! parked here between jobs, so a 10,000-host inventory costs `parallel` threads, not 10,000.
//!
//! - **Per-host order**: a host's jobs run one at a time, in the order they were submitted (a
//!   host is never in the ready queue twice and never on two threads at once).
//! - **Bound**: at most `threads` jobs run at once; threads are started as work needs them.
//! - **Idle links**: a connected link waits for the host's next job (re-probes skip the
//!   handshake) and gets a keepalive when idle for [`KEEPALIVE_EVERY`]. Beyond `idle_links`
//!   connected links, the least recently used is closed: each holds a socket, and a large
//!   fleet must not run the jump host out of file descriptors.
//! - **Cancellation**: dropping the pool lets each running job finish; queued jobs are dropped
//!   without running, idle links are closed and the threads end.

use std::collections::{HashMap, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::worker::HostLink;

/// What the pool needs of a host's link: whether it holds a session worth parking, and how to
/// keep that session alive or drop it.
pub trait Link: Send + 'static {
    fn is_connected(&self) -> bool;
    fn keepalive(&mut self);
    fn disconnect(&mut self);
}

impl Link for HostLink {
    fn is_connected(&self) -> bool {
        HostLink::is_connected(self)
    }
    fn keepalive(&mut self) {
        HostLink::keepalive(self);
    }
    fn disconnect(&mut self) {
        HostLink::disconnect(self);
    }
}

/// How often an idle pooled session sends a keepalive.
pub const KEEPALIVE_EVERY: Duration = Duration::from_secs(20);
/// libssh2 and OpenSSL need little stack.
const WORKER_STACK: usize = 512 * 1024;
/// Connected idle links kept at most, whatever the descriptor limit allows.
const MAX_IDLE_LINKS: usize = 1024;

/// Work for one host, run on a pool thread with the host's link.
pub type Job<L = HostLink> = Box<dyn FnOnce(&mut L) + Send>;

/// Makes the link for a host the pool has no link for (first job, or its link was closed).
pub type MakeLink<L = HostLink> = Box<dyn Fn(usize) -> L + Send + Sync>;

/// What a host has queued: the operator's jobs, or the pool's own keepalive.
enum Task<L> {
    Job(Job<L>),
    Keepalive,
}

struct HostQueue<L> {
    tasks: VecDeque<Task<L>>,
    /// On a thread right now (its link is checked out).
    running: bool,
}

/// A connected link waiting for its host's next job.
struct Idle<L> {
    link: L,
    since: Instant,
    /// Parked order, for closing the least recently used first.
    order: u64,
}

struct State<L> {
    hosts: Vec<HostQueue<L>>,
    /// Hosts with tasks and no thread, in the order they became ready.
    ready: VecDeque<usize>,
    idle: HashMap<usize, Idle<L>>,
    parked: u64,
    threads: usize,
    /// Threads blocked waiting for work.
    waiting: usize,
    closed: bool,
}

struct Shared<L> {
    state: Mutex<State<L>>,
    work: Condvar,
    make_link: MakeLink<L>,
    max_threads: usize,
    idle_links: usize,
    nice: i32,
}

impl<L> Shared<L> {
    fn lock(&self) -> MutexGuard<'_, State<L>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The pool. Dropping it cancels what is queued (see the module docs).
pub struct HostPool<L: Link = HostLink> {
    shared: Arc<Shared<L>>,
}

impl<L: Link> HostPool<L> {
    /// A pool for hosts `0..hosts`, running at most `threads` jobs at once and keeping at most
    /// `idle_links` connected links between jobs. Threads run `nice` lower than the process.
    pub fn new(
        hosts: usize,
        threads: usize,
        idle_links: usize,
        nice: i32,
        make_link: MakeLink<L>,
    ) -> Self {
        let state = State {
            hosts: (0..hosts)
                .map(|_| HostQueue {
                    tasks: VecDeque::new(),
                    running: false,
                })
                .collect(),
            ready: VecDeque::new(),
            idle: HashMap::new(),
            parked: 0,
            threads: 0,
            waiting: 0,
            closed: false,
        };
        Self {
            shared: Arc::new(Shared {
                state: Mutex::new(state),
                work: Condvar::new(),
                make_link,
                max_threads: threads.max(1),
                idle_links,
                nice,
            }),
        }
    }

    /// Queues `job` behind `host`'s earlier jobs. False when there is no such host, or no
    /// thread can be started to run it.
    pub fn submit(&self, host: usize, job: Job<L>) -> bool {
        let mut state = self.shared.lock();
        let Some(queue) = state.hosts.get_mut(host) else {
            return false;
        };
        queue.tasks.push_back(Task::Job(job));
        if !queue.running && queue.tasks.len() == 1 {
            state.ready.push_back(host);
        }
        // A waiting thread takes it; when every waiting thread already has something of the
        // ready queue coming to it, another thread is started, up to the bound.
        if state.ready.len() > state.waiting && state.threads < self.shared.max_threads {
            match spawn(&self.shared) {
                Ok(()) => state.threads += 1,
                Err(e) if state.threads == 0 => {
                    tracing::error!(error = %e, "cannot start a worker thread");
                    state.hosts[host].tasks.pop_back();
                    if state.hosts[host].tasks.is_empty() {
                        state.ready.retain(|&h| h != host);
                    }
                    return false;
                }
                Err(e) => tracing::warn!(error = %e, "cannot start another worker thread"),
            }
        }
        self.shared.work.notify_one();
        true
    }

    /// Worker threads started so far (never more than the bound).
    pub fn threads(&self) -> usize {
        self.shared.lock().threads
    }

    /// Connected links waiting for their host's next job.
    pub fn idle_links(&self) -> usize {
        self.shared.lock().idle.len()
    }
}

impl<L: Link> Drop for HostPool<L> {
    fn drop(&mut self) {
        let (queued, idle) = {
            let mut state = self.shared.lock();
            state.closed = true;
            state.ready.clear();
            let queued: Vec<VecDeque<Task<L>>> = state
                .hosts
                .iter_mut()
                .map(|q| std::mem::take(&mut q.tasks))
                .collect();
            (queued, std::mem::take(&mut state.idle))
        };
        self.shared.work.notify_all();
        // Jobs hold event senders and links hold sockets: both go outside the lock (closing a
        // session says goodbye to its host).
        drop(queued);
        drop(idle);
    }
}

fn spawn<L: Link>(shared: &Arc<Shared<L>>) -> std::io::Result<()> {
    let shared = Arc::clone(shared);
    std::thread::Builder::new()
        .name("host-worker".into())
        .stack_size(WORKER_STACK)
        .spawn(move || {
            lower_priority(shared.nice);
            work(&shared);
        })
        .map(drop)
}

/// One pool thread: takes the next ready host, runs its first task with its link, parks the
/// link, until the pool is dropped.
fn work<L: Link>(shared: &Shared<L>) {
    while let Some((host, task, link)) = next_task(shared) {
        let link = run(shared, host, task, link);
        finish(shared, host, link);
    }
}

fn next_task<L: Link>(shared: &Shared<L>) -> Option<(usize, Task<L>, Option<L>)> {
    let mut state = shared.lock();
    loop {
        if state.closed {
            return None;
        }
        if let Some(host) = state.ready.pop_front() {
            let queue = &mut state.hosts[host];
            if let Some(task) = queue.tasks.pop_front() {
                queue.running = true;
                let link = state.idle.remove(&host).map(|i| i.link);
                return Some((host, task, link));
            }
            continue;
        }
        state.waiting += 1;
        let (next, timeout) = shared
            .work
            .wait_timeout(state, KEEPALIVE_EVERY / 4)
            .unwrap_or_else(|e| e.into_inner());
        state = next;
        state.waiting -= 1;
        if timeout.timed_out() {
            queue_keepalives(&mut state);
        }
    }
}

/// Gives each link idle for [`KEEPALIVE_EVERY`] a keepalive task (run like a job, so it never
/// overlaps the host's own jobs).
fn queue_keepalives<L>(state: &mut State<L>) {
    let due: Vec<usize> = state
        .idle
        .iter()
        .filter(|(_, idle)| idle.since.elapsed() >= KEEPALIVE_EVERY)
        .map(|(&host, _)| host)
        .collect();
    for host in due {
        let queue = &mut state.hosts[host];
        if queue.running || !queue.tasks.is_empty() {
            continue;
        }
        queue.tasks.push_back(Task::Keepalive);
        state.ready.push_back(host);
    }
}

fn run<L: Link>(shared: &Shared<L>, host: usize, task: Task<L>, link: Option<L>) -> Option<L> {
    match task {
        Task::Keepalive => link.map(|mut link| {
            link.keepalive();
            link
        }),
        Task::Job(job) => {
            let mut link = link.unwrap_or_else(|| (shared.make_link)(host));
            // A panicking job must not take the thread down with it; the job's own guard
            // reports the failure. Its session may be in any state: close it.
            if std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut link))).is_err() {
                link.disconnect();
            }
            Some(link)
        }
    }
}

/// Parks `host`'s link if it is connected, closes the least recently used beyond the bound,
/// and puts the host back in the ready queue if more is queued for it.
fn finish<L: Link>(shared: &Shared<L>, host: usize, link: Option<L>) {
    let closing = {
        let mut state = shared.lock();
        let mut closing = Vec::new();
        if let Some(link) = link.filter(L::is_connected) {
            if state.closed {
                closing.push(link);
            } else {
                state.parked += 1;
                let idle = Idle {
                    link,
                    since: Instant::now(),
                    order: state.parked,
                };
                state.idle.insert(host, idle);
            }
        }
        while state.idle.len() > shared.idle_links {
            let oldest = state
                .idle
                .iter()
                .min_by_key(|(_, idle)| idle.order)
                .map(|(&h, _)| h);
            if let Some(idle) = oldest.and_then(|h| state.idle.remove(&h)) {
                closing.push(idle.link);
            }
        }
        let queue = &mut state.hosts[host];
        queue.running = false;
        if !queue.tasks.is_empty() && !state.closed {
            state.ready.push_back(host);
            shared.work.notify_one();
        }
        closing
    };
    drop(closing);
}

/// How many connected links to keep between jobs: a quarter of the file descriptors the
/// process may open (each link holds a socket; uploads, logs and hop tunnels need the rest),
/// at most [`MAX_IDLE_LINKS`], and never fewer than the threads.
pub fn idle_link_bound(threads: usize) -> usize {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    let open_files = if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0 {
        usize::try_from(limit.rlim_cur).unwrap_or(usize::MAX)
    } else {
        1024
    };
    (open_files / 4).min(MAX_IDLE_LINKS).max(threads)
}

/// Lowers the calling thread's priority by `nice` (Linux keeps a nice value per thread).
/// Failing to is harmless: the thread just keeps the process's priority.
fn lower_priority(nice: i32) {
    if nice <= 0 {
        return;
    }
    // SAFETY: gettid and setpriority take no pointers and only affect this thread.
    let result = unsafe {
        let tid = libc::gettid();
        let current = libc::getpriority(libc::PRIO_PROCESS, tid as libc::id_t);
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, current + nice)
    };
    if result != 0 {
        tracing::debug!(
            "cannot lower the worker thread's priority: {}",
            std::io::Error::last_os_error()
        );
    }
}

#[cfg(test)]
#[path = "pool_tests.rs"]
mod tests;
