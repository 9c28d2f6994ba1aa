//! Scan speed (issue: "Engine and offgo-tui scan", Speed): N real sshd hosts on loopback, and
//! in one run: offgo's cold `scan --json`, `parallel-ssh` and `xargs -P 50 ssh` running the same
//! probe, and a re-probe over pooled sessions. Prints wall and CPU medians and the ratios.
//!
//!     cargo bench --bench scan                 # 50 and 200 hosts
//!     OFFGO_BENCH_HOSTS=20 cargo bench --bench scan
//!
//! Client CPU is the benchmarked process and its children. Host CPU is what the hosts spent:
//! each host's listening sshd is its PID namespace's init, so every per-connection sshd, login
//! shell and probe process it ran ends up in its reaped-children times (`/proc/PID/stat`
//! cutime + cstime), summed over the fleet. The sshd hosts run on the same cores, as they would
//! not in production, which is why wall time is the figure the targets are stated in. Two
//! "handshake only" rows run `true` instead of the probe, so that the profile of one connection
//! (client CPU, sshd CPU) can be told from the probe's own host CPU.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{children_cpu, self_cpu, settle, ssh_opts};

use offgo::core::engine::{Engine, EngineEvent, EngineOptions};
use offgo::core::inventory;
use offgo::core::remote::probe::probe_script;
use offgo::core::ssh::HostLink;
use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};

const RUNS: usize = 5;
const PARALLEL: usize = 50;

/// One way of reaching every host once, measured.
type Tool<'a> = Box<dyn Fn() -> Sample + 'a>;

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    /// `None` where the hosts' processes outlive the measure (pooled sessions).
    host: Option<Duration>,
}

/// What the hosts' listening sshds and everything they reaped have used so far.
fn hosts_cpu(listeners: &[u32]) -> Duration {
    // SAFETY: sysconf has no preconditions.
    let tick = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    let mut ticks = 0u64;
    for pid in listeners {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // Fields after the command name (which may hold spaces): state is field 3, utime 14.
        let rest = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
        let fields: Vec<&str> = rest.split_whitespace().collect();
        for i in 11..15 {
            ticks += fields
                .get(i)
                .and_then(|f| f.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Duration::from_micros(ticks * 1_000_000 / tick)
}

/// The host CPU used since `before`, once the last sessions have ended and been reaped.
fn host_since(listeners: &[u32], before: Duration) -> Duration {
    std::thread::sleep(Duration::from_millis(500));
    hosts_cpu(listeners).saturating_sub(before)
}

fn run_command(cmd: &mut Command, listeners: &[u32]) -> Sample {
    settle();
    let host0 = hosts_cpu(listeners);
    let cpu0 = children_cpu();
    let started = Instant::now();
    let status = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run");
    let wall = started.elapsed();
    assert!(
        status.success() || status.code() == Some(1),
        "{cmd:?} failed: {status}"
    );
    let cpu = children_cpu() - cpu0;
    Sample {
        wall,
        cpu,
        host: Some(host_since(listeners, host0)),
    }
}

fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    let wall = samples[samples.len() / 2].wall;
    samples.sort_by_key(|s| s.cpu);
    let cpu = samples[samples.len() / 2].cpu;
    samples.sort_by_key(|s| s.host);
    Sample {
        wall,
        cpu,
        host: samples[samples.len() / 2].host,
    }
}

fn release_binary() -> std::path::PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root)
        .status()
        .expect("cargo");
    assert!(status.success());
    root.join("target/release/offgo-tui")
}

fn probe_all(
    engine: &Engine,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    n: usize,
    listeners: &[u32],
) -> Sample {
    let ids: Vec<usize> = (0..n).collect();
    settle();
    let host0 = hosts_cpu(listeners);
    let cpu0 = self_cpu();
    let started = Instant::now();
    engine.probe(&ids);
    let mut done = 0;
    while done < n {
        if let Some(EngineEvent::HostProbed { report, .. }) = events.blocking_recv() {
            assert!(
                report.error_kind.is_none(),
                "{}: {:?}",
                report.name,
                report.error
            );
            done += 1;
        }
    }
    let (wall, cpu) = (started.elapsed(), self_cpu() - cpu0);
    Sample {
        wall,
        cpu,
        host: Some(host_since(listeners, host0)),
    }
}

/// One connection per host and nothing else on it (`true` over one exec channel), `PARALLEL`
/// at once, through the same libssh2 session set-up as a scan: the handshake's share of a scan.
fn handshakes_only(hosts: &[offgo::core::inventory::Host], listeners: &[u32]) -> Sample {
    use std::sync::atomic::{AtomicUsize, Ordering};
    settle();
    let host0 = hosts_cpu(listeners);
    let cpu0 = self_cpu();
    let started = Instant::now();
    let next = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..PARALLEL {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(host) = hosts.get(i) else { break };
                let mut link = HostLink::new(host.clone());
                let out = link.run("handshake", "true", b"").expect("true");
                assert!(out.success(), "{}: true failed", host.name);
            });
        }
    });
    let (wall, cpu) = (started.elapsed(), self_cpu() - cpu0);
    Sample {
        wall,
        cpu,
        host: Some(host_since(listeners, host0)),
    }
}

fn bench(n: usize, offgo: &Path) -> Vec<(String, Sample)> {
    eprintln!("starting {n} sshd hosts…");
    let mut spec = FleetSpec::new();
    for i in 0..n {
        spec = spec.host(HostSpec::new(format!("h{i:03}")).go_manual("1.21.13"));
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    let inv = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&inv, &InventoryOptions::new())
        .expect("inventory");
    let loaded = inventory::load(&inv).expect("load");
    let host0 = &loaded.hosts[0];
    let script = fleet.dir().join("probe.sh");
    std::fs::write(
        &script,
        probe_script(
            &host0.paths,
            &host0.check_binaries,
            &host0.go_env.reported(),
            None,
        ),
    )
    .expect("script");
    let ssh_opts = ssh_opts(&fleet).join(" ");
    let hosts_file = fleet.dir().join("pssh-hosts");
    let ports: Vec<String> = fleet.hosts().iter().map(|h| h.port().to_string()).collect();
    std::fs::write(
        &hosts_file,
        ports
            .iter()
            .map(|p| format!("root@127.0.0.1:{p}\n"))
            .collect::<String>(),
    )
    .unwrap();
    let ports_file = fleet.dir().join("ports");
    std::fs::write(&ports_file, ports.join("\n") + "\n").unwrap();
    let state = tempfile::tempdir().unwrap();
    let listeners: Vec<u32> = fleet
        .hosts()
        .iter()
        .filter_map(|h| h.listener_pid())
        .collect();
    assert_eq!(listeners.len(), n, "every host's listening sshd");
    let listeners = &listeners[..];

    // The tools take turns, round after round, each round starting with the next one: this
    // machine's load changes while the bench runs, and no tool should always meet the same.
    let offgo_scan = || {
        let mut c = Command::new(offgo);
        c.args([
            "scan",
            "--json",
            "--parallel",
            &PARALLEL.to_string(),
            "--inventory",
        ])
        .arg(&inv);
        c.env("XDG_STATE_HOME", state.path());
        c
    };
    let xargs_ssh = |remote: &str| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "xargs -P {PARALLEL} -I{{}} sh -c 'ssh -o KexAlgorithms=curve25519-sha256 {ssh_opts} -p {{}} root@127.0.0.1 {remote}' < {ports}",
            ports = ports_file.display()
        ));
        c
    };
    let probe_remote = format!("sh -s < {} > /dev/null", script.display());
    let pssh = || {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "parallel-ssh -h {hosts} -p {PARALLEL} -t 60 -x '{ssh_opts}' -I 'sh -s' < {script}",
            hosts = hosts_file.display(),
            script = script.display()
        ));
        c
    };
    let tools: Vec<(&str, Tool<'_>)> = vec![
        (
            "offgo scan --json (cold)",
            Box::new(|| run_command(&mut offgo_scan(), listeners)),
        ),
        (
            "xargs -P 50 ssh (curve25519)",
            Box::new(|| run_command(&mut xargs_ssh(&probe_remote), listeners)),
        ),
        (
            "parallel-ssh -p 50",
            Box::new(|| run_command(&mut pssh(), listeners)),
        ),
        (
            "handshake only: xargs -P 50 ssh true",
            Box::new(|| run_command(&mut xargs_ssh("true"), listeners)),
        ),
        (
            "handshake only: offgo's session set-up, `true`",
            Box::new(|| handshakes_only(&loaded.hosts, listeners)),
        ),
    ];
    let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); tools.len()];
    for round in 0..RUNS {
        for k in 0..tools.len() {
            let i = (round + k) % tools.len();
            samples[i].push((tools[i].1)());
        }
    }
    let mut results: Vec<(String, Sample)> = tools
        .iter()
        .zip(samples)
        .map(|((name, _), s)| (name.to_string(), median(s)))
        .collect();
    drop(tools);

    let options = EngineOptions {
        parallel: PARALLEL,
        local_audit_log: state.path().join("audit.log"),
        worker_nice: 0,
        fault: None,
    };
    let loaded = Arc::new(loaded);
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    for _ in 0..RUNS {
        let (engine, mut events) = Engine::new(Arc::clone(&loaded), options.clone());
        cold.push(probe_all(&engine, &mut events, n, listeners));
        warm.push(probe_all(&engine, &mut events, n, listeners));
    }
    // Their sessions stay open (pooled): the hosts' per-connection processes are not reaped
    // yet, so their CPU cannot be read here.
    for (name, s) in [
        ("engine probe, cold (in-process)", cold),
        ("engine re-probe, pooled sessions", warm),
    ] {
        let mut m = median(s);
        m.host = None;
        results.push((name.into(), m));
    }
    results
}

fn main() {
    let sizes: Vec<usize> = std::env::var("OFFGO_BENCH_HOSTS")
        .unwrap_or_else(|_| "50,200".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let offgo = release_binary();
    println!(
        "| hosts | what | wall (median of {RUNS}) | client CPU | host CPU | per host: client / host CPU | wall vs offgo cold scan |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- |");
    for n in sizes {
        let results = bench(n, &offgo);
        let base = results[0].1.wall.as_secs_f64();
        for (name, s) in &results {
            let ms = |d: Duration| d.as_secs_f64() * 1000.0;
            let (host, per_host) = match s.host {
                Some(h) => (
                    format!("{:.0} ms", ms(h)),
                    format!("{:.1} ms", ms(h) / n as f64),
                ),
                None => ("–".into(), "–".into()),
            };
            println!(
                "| {n} | {name} | {:.0} ms | {:.0} ms | {host} | {:.1} / {per_host} | {:.2}× |",
                ms(s.wall),
                ms(s.cpu),
                ms(s.cpu) / n as f64,
                s.wall.as_secs_f64() / base
            );
        }
    }
}
