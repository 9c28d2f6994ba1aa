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

fn tmux(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .arg("-f")
        .arg("/dev/null")
        .args(args)
        .output()
        .expect("tmux")
}

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
    // The hosts share this machine's cores with the console, as real hosts would not: they run
    // at the lowest priority (their per-connection processes inherit it), so what is measured
    // is the console's own responsiveness rather than the scheduler's choice.
    let pids: Vec<String> = fleet
        .hosts()
        .iter()
        .filter_map(|h| h.pid())
        .map(|p| p.to_string())
        .collect();
    let _ = Command::new("renice")
        .args(["-n", "19", "-p"])
        .args(&pids)
        .output();
    let inv = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&inv, &InventoryOptions::new())
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let socket = format!("offgo-latency-{}", std::process::id());
    let command = format!(
        "env XDG_STATE_HOME={} OFFGO_LOG=offgo::latency=debug {} --inventory {} --parallel 64",
        state.path().display(),
        offgo.display(),
        inv.display()
    );
    let out = tmux(
        &socket,
        &[
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
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
    let _ = tmux(&socket, &["kill-server"]);
    let log = std::fs::read_to_string(state.path().join("offgo/offgo-tui.log")).unwrap_or_default();
    let mut samples: Vec<u64> = log
        .lines()
        .filter_map(|l| l.split("key_to_frame_us=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse().ok())
        .collect();
    assert!(!samples.is_empty(), "no latency lines in the log");
    samples.sort_unstable();
    let pct = |p: f64| samples[((samples.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    println!("| hosts probed | keys | key→frame median | p95 | max |");
    println!("| --- | --- | --- | --- | --- |");
    println!(
        "| {n} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        samples.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
    drop(fleet);
}
