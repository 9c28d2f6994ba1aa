//! Scan through a jump host (issue 12, Speed): N real sshd hosts in a network namespace of their
//! own, reachable from outside only through a bastion (bridged from a loopback port), and in one
//! run: offgo's `scan --json` through the bastion, the same scan run directly from inside the
//! namespace (the same hosts, no hop), and OpenSSH (`ssh -J bastion` per host, `xargs -P 50`)
//! running the same probe. Prints wall and client-CPU medians and the ratios.
//!
//!     cargo bench --bench jump                 # 100 hosts
//!     OFFGO_BENCH_HOSTS=20 cargo bench --bench jump
//!
//! Targets: through the bastion ≤ 1.5× direct and ≤ 0.5× OpenSSH. The bridge into the namespace
//! (a thread pair copying bytes in this process) sits on both bastion routes, offgo's and
//! OpenSSH's, and on neither direct one.

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use offgo::core::inventory;
use offgo::core::remote::probe::probe_script;
use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions, NetNamespace};
use support::{children_cpu, settle};

const RUNS: usize = 5;
const PARALLEL: usize = 50;

#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Duration,
}

/// Runs `cmd`; its stdout must hold `expect` answers (`"reachable": true` objects, or probe
/// outputs), so a run that failed quietly is never timed as a fast one.
fn run_command(cmd: &mut Command, expect: usize, marker: &str) -> Sample {
    settle();
    let cpu0 = children_cpu();
    let started = Instant::now();
    let out = cmd.stderr(Stdio::piped()).output().expect("run");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let answered = stdout.matches(marker).count();
    assert_eq!(
        answered,
        expect,
        "{cmd:?}: {answered} of {expect} hosts answered; stderr: {}",
        String::from_utf8_lossy(&out.stderr)
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

fn bench(n: usize, offgo: &Path) -> Vec<(String, Sample)> {
    eprintln!("starting a bastion and {n} sshd hosts behind it…");
    let ns = NetNamespace::create().expect("network namespace");
    let mut spec = FleetSpec::new()
        .network(&ns)
        .host(HostSpec::new("bastion").no_app_binaries());
    for i in 0..n {
        spec = spec.host(
            HostSpec::new(format!("h{i:03}"))
                .group("behind")
                .go_manual("1.21.13"),
        );
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    let bastion_port = fleet.host("bastion").expect("bastion").port();
    let _bridge = ns.bridge(bastion_port).expect("bridge");

    let direct = fleet.dir().join("direct.toml");
    fleet
        .write_inventory(&direct, &InventoryOptions::new())
        .expect("inventory");
    let via = fleet.dir().join("via.toml");
    let text = fleet.inventory_toml(&InventoryOptions::new()).replace(
        "[groups.behind]\n",
        "[groups.behind]\nproxy_jump = \"bastion\"\n",
    );
    std::fs::write(&via, text).expect("inventory");

    let loaded = inventory::load(&direct).expect("load");
    let host0 = &loaded.hosts[1];
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
    // -J passes only -F on to the jump host's ssh: the options go in a config file.
    let config = fleet.dir().join("ssh_config");
    std::fs::write(
        &config,
        format!(
            "Host *\n  User root\n  IdentityFile {}\n  IdentitiesOnly yes\n  UserKnownHostsFile {}\n  \
             GlobalKnownHostsFile /dev/null\n  StrictHostKeyChecking yes\n  BatchMode yes\n  \
             KexAlgorithms curve25519-sha256\n",
            fleet.client_key_path().display(),
            fleet.known_hosts_path().display()
        ),
    )
    .expect("ssh config");
    let ports: Vec<String> = fleet.hosts()[1..]
        .iter()
        .map(|h| h.port().to_string())
        .collect();
    let ports_file = fleet.dir().join("ports");
    std::fs::write(&ports_file, ports.join("\n") + "\n").unwrap();
    let state = tempfile::tempdir().unwrap();
    let netns = format!("--net={}", ns.path().display());

    let mut results = Vec::new();
    let mut runs = |name: &str, make: &dyn Fn() -> Command, marker: &str| {
        let samples = (0..RUNS)
            .map(|_| run_command(&mut make(), n, marker))
            .collect();
        results.push((name.to_string(), median(samples)));
    };
    let scan = |inv: &Path| {
        let mut args: Vec<String> = ["scan", "--json", "--hosts", "group:behind", "--parallel"]
            .map(String::from)
            .to_vec();
        args.push(PARALLEL.to_string());
        args.push("--inventory".into());
        args.push(inv.display().to_string());
        args
    };
    let reachable = "\"reachable\": true";
    runs(
        "offgo scan --json through the bastion",
        &|| {
            let mut c = Command::new(offgo);
            c.args(scan(&via)).env("XDG_STATE_HOME", state.path());
            c
        },
        reachable,
    );
    runs(
        "offgo scan --json direct (inside the namespace)",
        &|| {
            let mut c = Command::new("nsenter");
            c.arg(&netns)
                .arg(offgo)
                .args(scan(&direct))
                .env("XDG_STATE_HOME", state.path());
            c
        },
        reachable,
    );
    runs(
        "xargs -P 50 ssh -J bastion (OpenSSH)",
        &|| {
            let mut c = Command::new("sh");
            c.arg("-c").arg(format!(
                "xargs -P {PARALLEL} -I{{}} sh -c 'ssh -F {config} -J root@127.0.0.1:{bastion_port} -p {{}} 127.0.0.1 sh -s < {script}' < {ports}",
                config = config.display(),
                script = script.display(),
                ports = ports_file.display()
            ));
            c
        },
        "\narch=",
    );
    results
}

fn main() {
    let sizes: Vec<usize> = std::env::var("OFFGO_BENCH_HOSTS")
        .unwrap_or_else(|_| "100".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let offgo = release_binary();
    println!("| hosts | what | wall (median of {RUNS}) | client CPU | wall vs offgo through the bastion |");
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
        let (via, direct, openssh) = (
            results[0].1.wall.as_secs_f64(),
            results[1].1.wall.as_secs_f64(),
            results[2].1.wall.as_secs_f64(),
        );
        println!(
            "\n{n} hosts: through the bastion / direct = {:.2}× (target ≤ 1.5×); through the bastion / OpenSSH -J = {:.2}× (target ≤ 0.5×)",
            via / direct,
            via / openssh
        );
    }
}
