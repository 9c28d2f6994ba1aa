//! The pool's promises, with a stand-in link (the real one needs an sshd: tests/engine.rs).

use super::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// A link that counts how often a connected one was closed.
struct Fake {
    id: usize,
    connected: bool,
    closed: Arc<AtomicUsize>,
}

impl Link for Fake {
    fn is_connected(&self) -> bool {
        self.connected
    }
    fn keepalive(&mut self) {}
    fn disconnect(&mut self) {
        self.connected = false;
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if self.connected {
            self.closed.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// A pool of `threads` over `hosts` whose links come up connected, numbered in creation order.
fn pool(hosts: usize, threads: usize, idle: usize) -> (HostPool<Fake>, Arc<AtomicUsize>) {
    let closed = Arc::new(AtomicUsize::new(0));
    let made = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&closed);
    let make = move |_host| Fake {
        id: made.fetch_add(1, Ordering::SeqCst),
        connected: true,
        closed: Arc::clone(&counter),
    };
    (
        HostPool::new(hosts, threads, idle, 0, Box::new(make)),
        closed,
    )
}

/// Runs a job on `host` and waits for it: with one thread, everything queued before is done.
fn run_on(pool: &HostPool<Fake>, host: usize) -> usize {
    let (tx, rx) = mpsc::channel();
    assert!(pool.submit(host, Box::new(move |l: &mut Fake| tx.send(l.id).unwrap())));
    rx.recv().unwrap()
}

#[test]
fn a_hosts_jobs_run_one_at_a_time_in_the_order_given() {
    let (pool, _) = pool(4, 4, 16);
    let busy: Arc<Vec<AtomicBool>> = Arc::new((0..4).map(|_| AtomicBool::new(false)).collect());
    let (tx, rx) = mpsc::channel();
    for seq in 0..50 {
        for host in 0..4 {
            let (busy, tx) = (Arc::clone(&busy), tx.clone());
            pool.submit(
                host,
                Box::new(move |_: &mut Fake| {
                    assert!(
                        !busy[host].swap(true, Ordering::SeqCst),
                        "host {host} twice"
                    );
                    std::thread::yield_now();
                    busy[host].store(false, Ordering::SeqCst);
                    tx.send((host, seq)).unwrap();
                }),
            );
        }
    }
    drop(tx);
    let mut next = [0; 4];
    let mut seen = 0;
    for (host, seq) in rx.iter().take(200) {
        assert_eq!(seq, next[host], "host {host} ran job {seq} out of order");
        next[host] += 1;
        seen += 1;
    }
    assert_eq!(seen, 200, "a job panicked or never ran");
}

#[test]
fn never_more_threads_or_jobs_at_once_than_the_bound() {
    let (pool, _) = pool(1_000, 3, 16);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // The first three jobs meet at the barrier: all three run at once, so the bound is used.
    let barrier = Arc::new(std::sync::Barrier::new(3));
    let (tx, rx) = mpsc::channel();
    for host in 0..1_000 {
        let (running, peak, barrier, tx) = (
            Arc::clone(&running),
            Arc::clone(&peak),
            Arc::clone(&barrier),
            tx.clone(),
        );
        pool.submit(
            host,
            Box::new(move |_: &mut Fake| {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                if host < 3 {
                    barrier.wait();
                }
                running.fetch_sub(1, Ordering::SeqCst);
                tx.send(()).unwrap();
            }),
        );
    }
    drop(tx);
    assert_eq!(rx.iter().count(), 1_000);
    assert_eq!(peak.load(Ordering::SeqCst), 3);
    assert!(pool.threads() <= 3, "{} threads", pool.threads());
}

#[test]
fn threads_start_only_as_work_needs_them() {
    let (pool, _) = pool(1_000, 64, 16);
    run_on(&pool, 7);
    assert_eq!(pool.threads(), 1);
}

#[test]
fn dropping_the_pool_lets_the_running_job_finish_and_runs_nothing_queued() {
    let (pool, _) = pool(6, 1, 16);
    let (started_tx, started) = mpsc::channel();
    let (gate_tx, gate) = mpsc::channel::<()>();
    let (done_tx, done) = mpsc::channel();
    pool.submit(
        0,
        Box::new(move |_: &mut Fake| {
            started_tx.send(()).unwrap();
            gate.recv().unwrap();
            done_tx.send("first").unwrap();
        }),
    );
    started.recv().unwrap();
    /// Counts the queued jobs dropped unrun.
    struct Dropped(Arc<AtomicUsize>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicUsize::new(0));
    let ran = Arc::new(AtomicUsize::new(0));
    for host in [0, 1, 2, 3, 4, 5] {
        let (token, ran) = (Dropped(Arc::clone(&dropped)), Arc::clone(&ran));
        pool.submit(
            host,
            Box::new(move |_: &mut Fake| {
                let _token = token;
                ran.fetch_add(1, Ordering::SeqCst);
            }),
        );
    }
    drop(pool);
    assert_eq!(dropped.load(Ordering::SeqCst), 6, "queued jobs dropped");
    assert_eq!(ran.load(Ordering::SeqCst), 0);
    gate_tx.send(()).unwrap();
    assert_eq!(done.recv().unwrap(), "first");
}

#[test]
fn idle_links_are_reused_and_the_least_recently_used_closed_beyond_the_bound() {
    let (pool, closed) = pool(7, 1, 2);
    let first: Vec<usize> = (0..5).map(|host| run_on(&pool, host)).collect();
    assert_eq!(first, [0, 1, 2, 3, 4], "one new link per host");
    let fifth = run_on(&pool, 5);
    settle(&pool);
    assert_eq!(pool.idle_links(), 2, "hosts 4 and 5 kept");
    assert_eq!(
        closed.load(Ordering::SeqCst),
        4,
        "links of hosts 0 to 3 closed"
    );
    assert_eq!(run_on(&pool, 5), fifth, "host 5's link reused");
    assert_ne!(run_on(&pool, 0), first[0], "host 0 gets a new link");
}

/// With one thread: waits until every link before is parked, through a job on the spare host
/// 6 that leaves nothing to park.
fn settle(pool: &HostPool<Fake>) {
    let (tx, rx) = mpsc::channel();
    pool.submit(
        6,
        Box::new(move |l: &mut Fake| {
            l.disconnect();
            tx.send(()).unwrap();
        }),
    );
    rx.recv().unwrap();
    // The spare host's own finish is all that may still run; it parks nothing.
}

#[test]
fn a_panicking_job_drops_its_session_and_the_host_goes_on() {
    let (pool, _) = pool(1, 1, 4);
    pool.submit(0, Box::new(|_: &mut Fake| panic!("job bug")));
    let (tx, rx) = mpsc::channel();
    pool.submit(
        0,
        Box::new(move |l: &mut Fake| tx.send((l.id, l.connected)).unwrap()),
    );
    assert_eq!(rx.recv().unwrap(), (1, true), "a new link after the panic");
}
