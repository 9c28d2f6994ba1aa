//! 10,000 hosts in one console (issue 15, item 4). One inventory of `OFFGO_BENCH_TOTAL` hosts
//! (default 10,000): `OFFGO_BENCH_REAL` real sshd hosts (default 200) spread through it, the
//! rest half refused ports and half silent listeners (the kernel completes the TCP handshake,
//! nobody ever sends a banner), each on an address of its own in 127.0.0.0/8. In one run:
//!
//! - `scan --json` (medians of `OFFGO_BENCH_RUNS`, default 3): wall time against the target
//!   1.2 × (hosts / parallel) × connect_timeout, and the child's peak RSS (VmHWM), threads and
//!   open file descriptors, sampled from /proc every 20 ms;
//! - with `OFFGO_BENCH_BASELINE=BINARY`, the same scan by another build (the one-thread-per-host
//!   engine before the pool), alternating with this one;
//! - the engine in-process: a cold probe of every host, then a re-probe of the unchanged fleet
//!   (pooled sessions: logins counted in the sshd logs), next to the same on the real hosts
//!   alone, so the re-probe's cost per host can be compared;
//! - the console on the whole inventory in tmux while its start-up probe runs: key→frame as the
//!   operator sees it (`tmux send-keys`, `capture-pane` polled) and as the loop logs it, and the
//!   console's peak RSS, threads and descriptors.
//!
//! Run it with `cargo bench --bench scale`; a smaller one with
//! `OFFGO_BENCH_TOTAL=2000 OFFGO_BENCH_REAL=50 cargo bench --bench scale`.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use offgo::core::engine::{Engine, EngineEvent, EngineOptions};
use offgo::core::inventory;
use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};
use support::{children_cpu, open_console, self_cpu, settle, tmux, HostCgroup};

const PARALLEL: usize = 256;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);
const KEYS: usize = 60;
const HELP_MARK: &str = "? or esc closes";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let total = env_usize("OFFGO_BENCH_TOTAL", 10_000);
    let real = env_usize("OFFGO_BENCH_REAL", 200).min(total);
    let runs = env_usize("OFFGO_BENCH_RUNS", 3).max(1);
    let offgo = release_binary();
    let baseline = std::env::var_os("OFFGO_BENCH_BASELINE").map(PathBuf::from);
    let fixture = Fixture::start(real, total);
    let target = CONNECT_TIMEOUT.as_secs_f64() * 1.2 * total as f64 / PARALLEL as f64;
    let load_before = load_average();

    let mut scans: Vec<(String, Vec<Child>)> = vec![("this build".into(), Vec::new())];
    if let Some(b) = &baseline {
        scans.push((format!("baseline {}", b.display()), Vec::new()));
    }
    for run in 0..runs {
        // Alternate which build goes first: the machine is noisy.
        let order: Vec<usize> = if run % 2 == 0 {
            (0..scans.len()).collect()
        } else {
            (0..scans.len()).rev().collect()
        };
        for i in order {
            let binary = if i == 0 {
                &offgo
            } else {
                baseline.as_ref().unwrap()
            };
            let result = fixture.scan(binary);
            eprintln!(
                "{} run {}: {:.1} s, {:?}",
                scans[i].0,
                run + 1,
                result.wall.as_secs_f64(),
                result.counts
            );
            scans[i].1.push(result);
        }
    }

    println!(
        "\n{total} hosts: {real} sshd, {} refused ports, {} silent listeners; \
         --parallel {PARALLEL}, connect_timeout {}s; load average before/after the scans {load_before} / {}\n",
        fixture.refused,
        fixture.silent,
        CONNECT_TIMEOUT.as_secs(),
        load_average()
    );
    println!(
        "| what | wall (median of {runs}) | target | client CPU | peak RSS | max threads | max fds |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for (name, results) in &scans {
        let wall = median(results.iter().map(|r| r.wall.as_secs_f64()).collect());
        let cpu = median(results.iter().map(|r| r.cpu.as_secs_f64()).collect());
        let peak = Peak::max(results.iter().map(|r| r.peak));
        println!(
            "| scan --json, {name} | {wall:.1} s | ≤ {target:.1} s{} | {cpu:.1} s | {:.0} MB | {} | {} |",
            if wall <= target { "" } else { " (OVER)" },
            peak.hwm_kb as f64 / 1024.0,
            peak.threads,
            peak.fds
        );
        let counts = &results[0].counts;
        println!(
            "|   its findings | {} reachable, {} refused, {} timeout, {} other | | | | | |",
            counts.0, counts.1, counts.2, counts.3
        );
    }
    let engine = fixture.reprobe();
    println!("\nRe-probes of the unchanged fleet, in-process (engine, --parallel {PARALLEL}):\n");
    println!("| inventory | probe | wall | client CPU | CPU per host | new sshd logins |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, hosts, cold, warm) in &engine {
        for (what, s) in [("cold", cold), ("re-probe", warm)] {
            println!(
                "| {label} | {what} | {:.1} s | {:.0} ms | {:.2} ms | {} of {real} |",
                s.wall.as_secs_f64(),
                s.cpu.as_secs_f64() * 1e3,
                s.cpu.as_secs_f64() * 1e3 / *hosts as f64,
                s.logins
            );
        }
    }
    let console = fixture.console(&offgo);
    println!(
        "\nThe console on all {total} hosts while its start-up probe runs ({KEYS} `?` keys; \
         load average after: {}):\n",
        load_average()
    );
    println!("| measured | keys | median | p95 | max |");
    println!("| --- | --- | --- | --- | --- |");
    latency_row("at the terminal", &console.outside);
    latency_row("in the loop (key→frame)", &console.inside);
    println!(
        "\nWhile the keys were measured the console had {} of {total} hosts probed (median {} probing at once); \
         its peak RSS {:.0} MB, max threads {}, max fds {}.",
        console.probed,
        console.probing,
        console.peak.hwm_kb as f64 / 1024.0,
        console.peak.threads,
        console.peak.fds
    );
}

fn release_binary() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root)
        .status()
        .expect("cargo");
    assert!(status.success());
    root.join("target/release/offgo-tui")
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn latency_row(how: &str, samples: &[u64]) {
    if samples.is_empty() {
        println!("| {how} | 0 | – | – | – |");
        return;
    }
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let pct = |p: f64| sorted[((sorted.len() - 1) as f64 * p).round() as usize] as f64 / 1000.0;
    println!(
        "| {how} | {} | {:.1} ms | {:.1} ms | {:.1} ms |",
        sorted.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}

/// The largest of each figure seen in a process.
#[derive(Default, Clone, Copy)]
struct Peak {
    hwm_kb: u64,
    threads: u64,
    fds: u64,
}

impl Peak {
    fn max(all: impl Iterator<Item = Peak>) -> Peak {
        all.fold(Peak::default(), |a, b| Peak {
            hwm_kb: a.hwm_kb.max(b.hwm_kb),
            threads: a.threads.max(b.threads),
            fds: a.fds.max(b.fds),
        })
    }
}

/// Samples a process's /proc every 20 ms until stopped (or the process is gone).
struct Sampler {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Peak>,
}

impl Sampler {
    fn start(pid: u32) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let mut peak = Peak::default();
            while !flag.load(Ordering::SeqCst) {
                let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
                    break;
                };
                let field = |key: &str| {
                    status
                        .lines()
                        .find_map(|l| l.strip_prefix(key))
                        .and_then(|v| v.split_whitespace().next())
                        .and_then(|v| v.parse::<u64>().ok())
                        .unwrap_or(0)
                };
                // Until the child has run far enough to start a thread it may still be the
                // forked copy of this process (its descriptors and memory): not yet offgo.
                if field("Threads:") < 2 {
                    std::thread::sleep(Duration::from_millis(1));
                    continue;
                }
                let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
                    .map(|d| d.count() as u64)
                    .unwrap_or(0);
                if fds > peak.fds && std::env::var_os("OFFGO_BENCH_FD_KINDS").is_some() {
                    eprintln!("{pid}: {fds} fds: {}", fd_kinds(pid));
                }
                peak = Peak::max(
                    [
                        peak,
                        Peak {
                            hwm_kb: field("VmHWM:"),
                            threads: field("Threads:"),
                            fds,
                        },
                    ]
                    .into_iter(),
                );
                std::thread::sleep(Duration::from_millis(20));
            }
            peak
        });
        Self { stop, thread }
    }

    fn finish(self) -> Peak {
        self.stop.store(true, Ordering::SeqCst);
        self.thread.join().unwrap_or_default()
    }
}

/// What a process's descriptors point at, counted by kind (`socket`, `pipe`, a file…).
fn fd_kinds(pid: u32) -> String {
    let mut kinds = std::collections::BTreeMap::<String, usize>::new();
    for entry in std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten()
        .flatten()
    {
        if let Ok(target) = std::fs::read_link(entry.path()) {
            let target = target.display().to_string();
            let kind = target.split(':').next().unwrap_or_default().to_string();
            *kinds.entry(kind).or_default() += 1;
        }
    }
    format!("{kinds:?}")
}

/// One `scan --json` run.
struct Child {
    wall: Duration,
    cpu: Duration,
    peak: Peak,
    /// Reachable, refused, timeout, any other error.
    counts: (usize, usize, usize, usize),
}

/// One in-process probe of every host.
#[derive(Clone, Copy)]
struct Probe {
    wall: Duration,
    cpu: Duration,
    logins: usize,
}

struct Fixture {
    fleet: Fleet,
    /// Held open: each is a silent host.
    _silent: Vec<TcpListener>,
    inv: PathBuf,
    real_only: PathBuf,
    real: usize,
    refused: usize,
    silent: usize,
    state: tempfile::TempDir,
}

impl Fixture {
    fn start(real: usize, total: usize) -> Self {
        eprintln!("starting {real} sshd hosts…");
        let mut spec = FleetSpec::new();
        for i in 0..real {
            // No Go tree: hard-linking 13,000 files into each of hundreds of hosts takes
            // minutes on a loaded machine, and a probe's handshake and script are the same.
            spec = spec.host(HostSpec::new(format!("r{i:04}")));
        }
        // On a loaded machine an sshd may miss the fleet's start-up deadline: try again.
        let fleet = (0..3)
            .find_map(|attempt| match Fleet::start(&spec) {
                Ok(fleet) => Some(fleet),
                Err(e) => {
                    eprintln!("fleet start {}: {e}", attempt + 1);
                    None
                }
            })
            .expect("a fleet in 3 tries");
        let options =
            InventoryOptions::new().connect_timeout(format!("{}s", CONNECT_TIMEOUT.as_secs()));
        let real_only = fleet.dir().join("real.toml");
        fleet
            .write_inventory(&real_only, &options)
            .expect("inventory");
        let text = std::fs::read_to_string(&real_only).expect("inventory");
        let mut blocks = text.split("\n[[hosts]]");
        let head = blocks.next().unwrap_or_default().to_string();
        // The real hosts share a machine other builds may load: their handshakes get a timeout
        // of their own, so that a starved sshd is not counted as a dead host. Only the dead
        // hosts wait out connect_timeout.
        let real_blocks: Vec<String> = blocks
            .map(|b| format!("\n[[hosts]]{}\nconnect_timeout = \"60s\"\n", b.trim_end()))
            .collect();

        let dead = total - real;
        let (refused, silent) = (dead / 2, dead - dead / 2);
        // Refused: a loopback port nothing listens on, at addresses nobody uses.
        let closed_port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("port")
            .port();
        eprintln!("opening {silent} silent listeners…");
        let listeners: Vec<TcpListener> = (0..silent)
            .map(|i| {
                let ip = Ipv4Addr::new(127, 3, (i / 250) as u8, (i % 250 + 1) as u8);
                TcpListener::bind(SocketAddrV4::new(ip, 0)).expect("silent listener")
            })
            .collect();
        let dead_block = |i: usize| -> String {
            if i % 2 == 0 {
                let k = i / 2;
                format!(
                    "\n[[hosts]]\nname = \"refused{k:05}\"\naddress = \"127.2.{}.{}\"\nport = {closed_port}\n",
                    k / 250,
                    k % 250 + 1
                )
            } else {
                let addr = listeners[i / 2].local_addr().expect("addr");
                format!(
                    "\n[[hosts]]\nname = \"silent{:05}\"\naddress = \"{}\"\nport = {}\n",
                    i / 2,
                    addr.ip(),
                    addr.port()
                )
            }
        };
        // The real hosts spread evenly through the inventory, as they would be in a fleet.
        let head_copy = head.clone();
        let mut out = head;
        let mut next_real = real_blocks.iter();
        let every = (total / real.max(1)).max(1);
        let mut d = 0;
        for slot in 0..total {
            let block = if slot % every == 0 {
                next_real.next().cloned()
            } else {
                None
            };
            match block {
                Some(b) => out.push_str(&b),
                None if d < dead => {
                    out.push_str(&dead_block(d));
                    d += 1;
                }
                None => {}
            }
        }
        for b in next_real {
            out.push_str(b);
        }
        while d < dead {
            out.push_str(&dead_block(d));
            d += 1;
        }
        let inv = fleet.dir().join("offgo.toml");
        std::fs::write(&inv, out).expect("inventory");
        let real_text: String = std::iter::once(head_copy)
            .chain(real_blocks.iter().cloned())
            .collect();
        std::fs::write(&real_only, real_text).expect("inventory");
        let loaded = inventory::load(&inv).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(loaded.hosts.len(), total);
        Self {
            fleet,
            _silent: listeners,
            inv,
            real_only,
            real,
            refused,
            silent,
            state: tempfile::tempdir().expect("state"),
        }
    }

    fn logins(&self) -> usize {
        self.fleet
            .hosts()
            .iter()
            .map(|h| {
                std::fs::read_to_string(h.log_path())
                    .unwrap_or_default()
                    .matches("Accepted publickey")
                    .count()
            })
            .sum()
    }

    fn scan(&self, offgo: &Path) -> Child {
        settle();
        let out = self.state.path().join("scan.json");
        let cpu0 = children_cpu();
        let started = Instant::now();
        let mut child = Command::new(offgo)
            .args([
                "scan",
                "--json",
                "--parallel",
                &PARALLEL.to_string(),
                "--inventory",
            ])
            .arg(&self.inv)
            .env("XDG_STATE_HOME", self.state.path())
            .stdout(std::fs::File::create(&out).expect("out"))
            .stderr(Stdio::null())
            .spawn()
            .expect("scan");
        let sampler = Sampler::start(child.id());
        let status = child.wait().expect("wait");
        let wall = started.elapsed();
        let peak = sampler.finish();
        assert!(matches!(status.code(), Some(0 | 1)), "scan: {status}");
        let reports: Vec<serde_json::Value> =
            serde_json::from_slice(&std::fs::read(&out).expect("json")).expect("json array");
        let kind = |k: &str| reports.iter().filter(|r| r["error_kind"] == k).count();
        let reachable = reports.iter().filter(|r| r["reachable"] == true).count();
        let (refused, timeout) = (kind("refused"), kind("timeout"));
        let counts = (
            reachable,
            refused,
            timeout,
            reports.len() - reachable - refused - timeout,
        );
        Child {
            wall,
            cpu: children_cpu() - cpu0,
            peak,
            counts,
        }
    }

    /// Cold probe then re-probe, in-process, of the whole inventory and of the real hosts alone.
    fn reprobe(&self) -> Vec<(String, usize, Probe, Probe)> {
        let mut out = Vec::new();
        for (label, path) in [
            (format!("{} real hosts alone", self.real), &self.real_only),
            ("all hosts".to_string(), &self.inv),
        ] {
            let loaded = Arc::new(inventory::load(path).unwrap_or_else(|e| panic!("{e}")));
            let n = loaded.hosts.len();
            let options = EngineOptions {
                parallel: PARALLEL,
                local_audit_log: self.state.path().join("audit.log"),
                worker_nice: 0,
                fault: None,
            };
            let (engine, mut events) = Engine::new(loaded, options);
            let cold = self.probe_all(&engine, &mut events, n);
            let warm = self.probe_all(&engine, &mut events, n);
            eprintln!(
                "{label}: cold {:.1} s, re-probe {:.1} s",
                cold.wall.as_secs_f64(),
                warm.wall.as_secs_f64()
            );
            out.push((label, n, cold, warm));
        }
        out
    }

    fn probe_all(
        &self,
        engine: &Engine,
        events: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
        n: usize,
    ) -> Probe {
        let ids: Vec<usize> = (0..n).collect();
        settle();
        let logins = self.logins();
        let cpu0 = self_cpu();
        let started = Instant::now();
        engine.probe(&ids);
        let mut done = 0;
        let mut reachable = 0;
        let mut errors = Vec::new();
        while done < n {
            if let Some(EngineEvent::HostProbed { report, .. }) = events.blocking_recv() {
                done += 1;
                reachable += usize::from(report.reachable);
                if !report.reachable && report.name.starts_with("r0") && errors.len() < 5 {
                    errors.push(format!("{}: {:?}", report.name, report.error));
                }
            }
        }
        if reachable != self.real {
            eprintln!(
                "only {reachable} of {} real hosts answered: {errors:?}",
                self.real
            );
        }
        Probe {
            wall: started.elapsed(),
            cpu: self_cpu() - cpu0,
            logins: self.logins() - logins,
        }
    }

    fn console(&self, offgo: &Path) -> Console {
        let state = tempfile::tempdir().expect("state");
        // The hosts share this machine's cores with the console, as real hosts would not: here
        // they get the least CPU weight, so what is measured is the console's responsiveness.
        // (Not for the scans: there a starved sshd would only make the scan wait for it.)
        let cgroup = HostCgroup::for_hosts(&self.fleet);
        let socket = format!("offgo-scale-{}", std::process::id());
        let server = open_console(
            &socket,
            offgo,
            &self.inv,
            state.path(),
            &format!("--parallel {PARALLEL}"),
        );
        let pane = tmux(&socket, &["display", "-p", "-t", "bench", "#{pane_pid}"]);
        let pane: u32 = String::from_utf8_lossy(&pane.stdout)
            .trim()
            .parse()
            .expect("pane pid");
        let pid = console_pid(pane).expect("the console's process");
        let sampler = Sampler::start(pid);
        wait_for(&socket, |s| s.contains("r0000"), Duration::from_secs(60))
            .expect("the console shows the fleet");
        let mut outside = Vec::new();
        let mut open = false;
        for i in 0..KEYS {
            let sent = Instant::now();
            tmux(&socket, &["send-keys", "-t", "bench", "?"]);
            open = !open;
            let shown = wait_for(
                &socket,
                |screen| screen.contains(HELP_MARK) == open,
                Duration::from_secs(5),
            )
            .unwrap_or_else(|| panic!("key {i}: the screen did not show the help {open}"));
            outside.push((shown - sent).as_micros() as u64);
            // Keys do not arrive in step with the frames: a varying gap between them.
            std::thread::sleep(Duration::from_millis(40 + (i as u64 * 17) % 60));
        }
        if open {
            tmux(&socket, &["send-keys", "-t", "bench", "?"]);
        }
        tmux(&socket, &["send-keys", "-t", "bench", "q"]);
        std::thread::sleep(Duration::from_millis(500));
        let peak = sampler.finish();
        drop(server);
        drop(cgroup);
        let log =
            std::fs::read_to_string(state.path().join("offgo/offgo-tui.log")).unwrap_or_default();
        let frames: Vec<&str> = log
            .lines()
            .filter(|l| l.contains("key_to_frame_us="))
            .collect();
        let inside = frames
            .iter()
            .filter_map(|l| field(l, "key_to_frame_us"))
            .collect();
        let probed = frames
            .iter()
            .filter_map(|l| field(l, "probed"))
            .max()
            .unwrap_or(0);
        let probing: Vec<f64> = frames
            .iter()
            .filter_map(|l| field(l, "probing"))
            .map(|v| v as f64)
            .collect();
        let probing = if probing.is_empty() {
            0
        } else {
            median(probing) as u64
        };
        Console {
            outside,
            inside,
            probed,
            probing,
            peak,
        }
    }
}

struct Console {
    outside: Vec<u64>,
    inside: Vec<u64>,
    probed: u64,
    probing: u64,
    peak: Peak,
}

/// The offgo-tui process in the pane: the pane's process itself, or its child when tmux ran the
/// command through a shell.
fn console_pid(pane: u32) -> Option<u32> {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        let comm =
            |pid: u32| std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        if comm(pane).trim() == "offgo-tui" {
            return Some(pane);
        }
        let children = std::fs::read_to_string(format!("/proc/{pane}/task/{pane}/children"))
            .unwrap_or_default();
        if let Some(pid) = children
            .split_whitespace()
            .filter_map(|p| p.parse::<u32>().ok())
            .find(|&p| comm(p).trim() == "offgo-tui")
        {
            return Some(pid);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
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
