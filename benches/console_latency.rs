//! Keystroke latency of the real console, measured from outside the process as an operator
//! feels it, next to the console's own in-process figure (issue 11, item 9).
//!
//! Outside: a key is written into the console's terminal (`tmux send-keys`) and the pane is
//! captured every few milliseconds until the screen shows the key's effect (`?` opens or
//! closes the help, whose border says "? or esc closes"). Inside: the console logs, for each
//! key, the time from its arrival in the loop to the frame that shows it
//! (`OFFGO_LOG=offgo::latency=debug`). Two fleets in one run:
//!
//! - idle: 8 real sshd hosts, probed once, then left alone;
//! - busy: 1,000 hosts — `OFFGO_BENCH_HOSTS` real sshd hosts (default 100), the rest half
//!   refused ports and half silent listeners (accept nothing, say nothing) — re-probed every 2 s.
//!
//!     cargo bench --bench console_latency

use std::net::TcpListener;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;
use support::{open_console, tmux, HostCgroup};

const TOTAL: usize = 1_000;
const KEYS: usize = 60;
const HELP_MARK: &str = "? or esc closes";

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let offgo = root.join("target/release/offgo-tui");
    let real: usize = std::env::var("OFFGO_BENCH_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100)
        .min(TOTAL);

    let idle = measure(&offgo, 8, 0, false);
    let busy = measure(&offgo, real, TOTAL - real, true);

    println!("Keystroke to screen: `?` written into the console's tmux pane until the pane shows");
    println!("the help opened or closed ({KEYS} keys each; target p95 < 50 ms, max < 150 ms).\n");
    println!("| fleet | measured | keys | median | p95 | max |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, result) in [
        ("8 hosts, idle".to_string(), &idle),
        (
            format!(
                "{TOTAL} hosts ({real} sshd, {} refused, {} silent), probing",
                (TOTAL - real) / 2,
                TOTAL - real - (TOTAL - real) / 2
            ),
            &busy,
        ),
    ] {
        row(&label, "at the terminal", &result.outside);
        row(&label, "in the loop (key→frame)", &result.inside);
    }
    println!(
        "\nWhile the busy fleet was measured, {} probe reports arrived.",
        busy.probed
    );
}

struct Latencies {
    /// Key written into the terminal → the screen shows it, in µs.
    outside: Vec<u64>,
    /// Key read by the loop → the frame drawn, in µs (the console's log).
    inside: Vec<u64>,
    probed: u64,
}

fn row(fleet: &str, how: &str, samples: &[u64]) {
    if samples.is_empty() {
        println!("| {fleet} | {how} | 0 | – | – | – |");
        return;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0;
    println!(
        "| {fleet} | {how} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        sorted.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}

/// Starts `real` sshd hosts plus `dead` hosts that never answer, opens the console on them and
/// times [`KEYS`] help toggles; with `reprobe`, every host is probed again every 2 s meanwhile.
fn measure(offgo: &Path, real: usize, dead: usize, reprobe: bool) -> Latencies {
    eprintln!("starting {real} sshd hosts and {dead} that never answer…");
    let mut spec = FleetSpec::new();
    for i in 0..real {
        spec = spec.host(HostSpec::new(format!("c{i:04}")).go_manual("1.21.13"));
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    // The hosts share this machine's cores with the console, as real hosts would not: they get
    // the least CPU weight, so what is measured is the console's responsiveness.
    let cgroup = HostCgroup::for_hosts(&fleet);
    let mut options = InventoryOptions::new().connect_timeout("3s");
    // Silent: the kernel completes the handshake into the backlog; nobody ever speaks.
    let silent: Vec<TcpListener> = (0..dead - dead / 2)
        .map(|_| TcpListener::bind("127.0.0.1:0").expect("listener"))
        .collect();
    for (i, l) in silent.iter().enumerate() {
        options = options.extra_host(format!("silent{i:04}"), l.local_addr().unwrap().port());
    }
    // Refused: a port that was free a moment ago.
    for i in 0..dead / 2 {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        options = options.extra_host(format!("refused{i:04}"), port);
    }
    let inv = fleet.dir().join("offgo.toml");
    fleet.write_inventory(&inv, &options).unwrap();
    let state = tempfile::tempdir().unwrap();
    let socket = format!("offgo-latency-{}-{real}", std::process::id());
    let server = open_console(&socket, offgo, &inv, state.path(), "--parallel 64");
    // Let the start-up probe of an idle fleet finish; a busy one is measured while it runs.
    wait_for(
        &socket,
        |screen| screen.contains("c0000"),
        Duration::from_secs(30),
    );
    if !reprobe {
        std::thread::sleep(Duration::from_secs(5));
    }
    let mut outside = Vec::new();
    let mut last_reprobe = Instant::now();
    let mut open = false;
    for i in 0..KEYS {
        if reprobe && last_reprobe.elapsed() > Duration::from_secs(2) {
            tmux(&socket, &["send-keys", "-t", "bench", "C-r"]);
            last_reprobe = Instant::now();
        }
        let sent = Instant::now();
        tmux(&socket, &["send-keys", "-t", "bench", "?"]);
        open = !open;
        let shown = wait_for(
            &socket,
            |screen| screen.contains(HELP_MARK) == open,
            Duration::from_secs(5),
        );
        match shown {
            Some(at) => outside.push((at - sent).as_micros() as u64),
            None => panic!("key {i}: the screen did not show the help {open}"),
        }
        // Keys do not arrive in step with the frames: a varying gap between them.
        std::thread::sleep(Duration::from_millis(40 + (i as u64 * 17) % 60));
    }
    if open {
        tmux(&socket, &["send-keys", "-t", "bench", "?"]);
    }
    tmux(&socket, &["send-keys", "-t", "bench", "q"]);
    std::thread::sleep(Duration::from_millis(500));
    drop(server);
    let log = std::fs::read_to_string(state.path().join("offgo/offgo-tui.log")).unwrap_or_default();
    if let Ok(keep) = std::env::var("OFFGO_BENCH_KEEP_LOG") {
        let _ = std::fs::write(format!("{keep}.{real}"), &log);
    }
    let inside: Vec<u64> = log
        .lines()
        .filter_map(|l| field(l, "key_to_frame_us"))
        .collect();
    let probed = log
        .lines()
        .filter_map(|l| field(l, "probed"))
        .max()
        .unwrap_or(0);
    drop(silent);
    drop(fleet);
    drop(cgroup);
    Latencies {
        outside,
        inside,
        probed,
    }
}

/// Captures the pane every 2 ms until `shows` holds; the moment it did.
fn wait_for(socket: &str, shows: impl Fn(&str) -> bool, limit: Duration) -> Option<Instant> {
    let started = Instant::now();
    while started.elapsed() < limit {
        let out = tmux(socket, &["capture-pane", "-p", "-t", "bench"]);
        let at = Instant::now();
        if shows(&String::from_utf8_lossy(&out.stdout)) {
            return Some(at);
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    None
}

fn field(line: &str, key: &str) -> Option<u64> {
    line.split(&format!("{key}="))
        .nth(1)?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
