//! Scan speed (issue: "Engine and offgo-tui scan", Speed): N real sshd hosts on loopback, and
//! in one run: offgo's cold `scan --json`, `parallel-ssh` and `xargs -P 50 ssh` running the same
//! probe, and a re-probe over pooled sessions. Prints wall and CPU medians and the ratios.
//!
//!     cargo bench --bench scan                 # 50 and 200 hosts
//!     OFFGO_BENCH_HOSTS=20 cargo bench --bench scan
//!
//! CPU is the client side only (the benchmarked process and its children); the sshd hosts
//! run on the same cores, as they would not in production, which is why wall time is the
//! figure the targets are stated in.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{settle, ssh_opts};

use offgo::core::engine::{Engine, EngineEvent, EngineOptions};
use offgo::core::inventory;
use offgo::core::remote::probe::probe_script;
use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};

const RUNS: usize = 5;
const PARALLEL: usize = 50;

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

fn children_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn self_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: as above.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn run_command(cmd: &mut Command) -> Sample {
    settle();
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
    Sample {
        wall,
        cpu: children_cpu() - cpu0,
    }
}

fn median(mut samples: Vec<Sample>) -> Sample {
    samples.sort_by_key(|s| s.wall);
    let wall = samples[samples.len() / 2].wall;
    samples.sort_by_key(|s| s.cpu);
    Sample {
        wall,
        cpu: samples[samples.len() / 2].cpu,
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
) -> Sample {
    let ids: Vec<usize> = (0..n).collect();
    settle();
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
    Sample {
        wall: started.elapsed(),
        cpu: self_cpu() - cpu0,
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

    let mut results = Vec::new();
    let mut runs = |name: &str, make: &dyn Fn() -> Command| {
        let samples = (0..RUNS).map(|_| run_command(&mut make())).collect();
        results.push((name.to_string(), median(samples)));
    };
    runs("offgo scan --json (cold)", &|| {
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
    });
    runs("xargs -P 50 ssh (curve25519)", &|| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "xargs -P {PARALLEL} -I{{}} sh -c 'ssh -o KexAlgorithms=curve25519-sha256 {ssh_opts} -p {{}} root@127.0.0.1 sh -s < {script} > /dev/null' < {ports}",
            script = script.display(),
            ports = ports_file.display()
        ));
        c
    });
    runs("parallel-ssh -p 50", &|| {
        let mut c = Command::new("sh");
        c.arg("-c").arg(format!(
            "parallel-ssh -h {hosts} -p {PARALLEL} -t 60 -x '{ssh_opts}' -I 'sh -s' < {script}",
            hosts = hosts_file.display(),
            script = script.display()
        ));
        c
    });

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
        cold.push(probe_all(&engine, &mut events, n));
        warm.push(probe_all(&engine, &mut events, n));
    }
    results.push(("engine probe, cold (in-process)".into(), median(cold)));
    results.push(("engine re-probe, pooled sessions".into(), median(warm)));
    results
}

fn main() {
    let sizes: Vec<usize> = std::env::var("OFFGO_BENCH_HOSTS")
        .unwrap_or_else(|_| "50,200".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let offgo = release_binary();
    println!("| hosts | what | wall (median of {RUNS}) | client CPU | wall vs offgo cold scan |");
    println!("| --- | --- | --- | --- | --- |");
    for n in sizes {
        let results = bench(n, &offgo);
        let base = results[0].1.wall.as_secs_f64();
        for (name, s) in &results {
            println!(
                "| {n} | {name} | {:.0} ms | {:.0} ms | {:.2}× |",
                s.wall.as_secs_f64() * 1000.0,
                s.cpu.as_secs_f64() * 1000.0,
                s.wall.as_secs_f64() / base
            );
        }
    }
}
