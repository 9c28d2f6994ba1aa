//! Keystroke-to-frame latency of the real console while 200 real sshd hosts are being probed
//! (issue "The live console", Speed). The console logs, for each key, the time from its
//! arrival to the frame that shows it (`OFFGO_LOG=offgo::latency=debug`); this drives the
//! release binary in tmux, pressing keys every 30 ms and re-probing every 2 s, then reads the log.
//!
//!     cargo bench --bench console_latency          # OFFGO_BENCH_HOSTS=200 by default

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;
use support::{open_console, tmux, HostCgroup};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root)
        .status()
        .unwrap();
    assert!(status.success());
    let offgo = root.join("target/release/offgo-tui");
    let n: usize = std::env::var("OFFGO_BENCH_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    eprintln!("starting {n} sshd hosts…");
    let mut spec = FleetSpec::new();
    for i in 0..n {
        spec = spec.host(HostSpec::new(format!("c{i:03}")).go_manual("1.21.13"));
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    // The hosts share this machine's cores with the console, as real hosts would not. Each
    // sshd connection starts a session of its own, so with autogrouping a renice of the
    // listeners means nothing; the hosts go into a CPU cgroup with the least weight instead
    // (their connection processes inherit it), so what is measured is the console's own
    // responsiveness rather than the scheduler's share for 200 other sessions.
    let cgroup = HostCgroup::for_hosts(&fleet);
    eprintln!(
        "hosts' CPU weight: {}",
        cgroup
            .as_ref()
            .map_or("unchanged (no writable cpu cgroup)", |c| c.how)
    );
    let inv = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&inv, &InventoryOptions::new())
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let socket = format!("offgo-latency-{}", std::process::id());
    let server = open_console(&socket, &offgo, &inv, state.path(), "--parallel 64");
    let started = Instant::now();
    let mut last_reprobe = Instant::now();
    let mut i = 0u64;
    while started.elapsed() < Duration::from_secs(15) {
        tmux(
            &socket,
            &[
                "send-keys",
                "-t",
                "bench",
                if i % 2 == 0 { "j" } else { "k" },
            ],
        );
        if last_reprobe.elapsed() > Duration::from_secs(2) {
            tmux(&socket, &["send-keys", "-t", "bench", "C-r"]);
            last_reprobe = Instant::now();
        }
        i += 1;
        std::thread::sleep(Duration::from_millis(30));
    }
    tmux(&socket, &["send-keys", "-t", "bench", "q"]);
    std::thread::sleep(Duration::from_secs(1));
    drop(server);
    let log = std::fs::read_to_string(state.path().join("offgo/offgo-tui.log")).unwrap_or_default();
    if let Ok(keep) = std::env::var("OFFGO_BENCH_KEEP_LOG") {
        let _ = std::fs::write(keep, &log);
    }
    // Each line: key_to_frame_us=N probing=M (hosts with a probe in flight at that frame).
    let field = |line: &str, key: &str| -> Option<u64> {
        line.split(&format!("{key}="))
            .nth(1)?
            .split_whitespace()
            .next()?
            .parse()
            .ok()
    };
    let lines: Vec<(u64, u64)> = log
        .lines()
        .filter_map(|l| Some((field(l, "key_to_frame_us")?, field(l, "probing")?)))
        .collect();
    assert!(!lines.is_empty(), "no latency lines in the log");
    let probed = log
        .lines()
        .filter_map(|l| field(l, "probed"))
        .max()
        .unwrap_or(0);
    println!(
        "{probed} probe reports arrived while keys were pressed (re-probe of all {n} every 2 s).\n"
    );
    println!("| frames with a key | hosts being probed | keys | key→frame median | p95 | max |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, keep) in [("all", 0u64), ("while probing", 1)] {
        let mut samples: Vec<u64> = lines
            .iter()
            .filter(|(_, p)| *p >= keep)
            .map(|(us, _)| *us)
            .collect();
        let mut probing: Vec<u64> = lines
            .iter()
            .filter(|(_, p)| *p >= keep)
            .map(|(_, p)| *p)
            .collect();
        if samples.is_empty() {
            println!("| {label} | – | 0 | – | – | – |");
            continue;
        }
        samples.sort_unstable();
        probing.sort_unstable();
        let pct = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
        println!(
            "| {label} | median {} of {n} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
            probing[probing.len() / 2],
            samples.len(),
            pct(0.5),
            pct(0.95),
            pct(1.0)
        );
    }
    drop(fleet);
    drop(cgroup);
}
