//! Rollout speed (issue "Rollouts", Speed), in one run:
//!
//! 1. the headless rollout of the go1.21.13 bundle to N real sshd hosts (50 by default) in
//!    batches `[1, "20%", "100%"]`, 10 hosts at a time, timed end to end;
//! 2. the sum of its parts on the same hosts, batch by batch as the rollout ran them:
//!    `parallel-scp -p 10` of the same bytes (tarball and checksums), then `parallel-ssh -p 10`
//!    running the same remote work by hand (tarball sha256, extraction, `sha256sum -c` of the
//!    tree, `go version`, the switch of a link, and verification: the tree again and `go
//!    version` through the link);
//! 3. the console running the same rollout on a fresh fleet, logging for every frame how long
//!    the oldest engine event waited to be drawn (`event_to_frame_us`);
//! 4. offgo against Ansible: on each of OFFGO_BENCH_ANSIBLE_RUNS (3) fresh fleets of
//!    OFFGO_BENCH_ANSIBLE_HOSTS (20) hosts, the headless rollout and `benches/ansible/rollout.yml`
//!    (`serial: [1, "20%", "100%"]`, `max_fail_percentage: 0`, forks = `--parallel`) with the
//!    same tarball, in alternating order; medians and their ratio (target ≤ 0.25×).
//!
//! Run it:
//!
//!     cargo bench --bench rollout              # OFFGO_BENCH_HOSTS=50 by default
//!     OFFGO_BENCH_ONLY=ansible cargo bench --bench rollout   # phase 4 alone
//!
//! Overhead = rollout wall − parts wall, as a share of the rollout wall (target < 10%).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};
use serde_json::Value;

#[path = "ansible/mod.rs"]
mod ansible;
#[path = "rollout_parts/profile.rs"]
mod profile;
#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;
use ansible::Ansible;
use support::{open_console, settle, ssh_opts, tmux, HostCgroup};

const PARALLEL: usize = 10;
const BATCHES: &str = "1,20%,100%";
const VERSION: &str = "1.21.13";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Hosts whose `/opt` (where both offgo's and the playbook's releases are extracted) is a tmpfs
/// of this size: extraction on the machine's shared disk is a harness artifact (issue 15 item 1),
/// the same for both tools. Uploads land on the disk for both (`/var/lib/offgo`).
const OPT_TMPFS_MIB: u32 = 600;

/// `n` hosts on go1.22.10 (`tmpfs`: hosts without Go whose `/opt` is a tmpfs, so that two
/// releases per host fit in memory; the work of a first install is the work of an upgrade).
fn fleet(n: usize, bundles: &Path, tmpfs: bool) -> (Fleet, PathBuf) {
    fleet_using(n, bundles, tmpfs, "auto")
}

/// A fleet whose inventory sets `host_tools` (`auto`, the default, or `contract`).
fn fleet_using(n: usize, bundles: &Path, tmpfs: bool, host_tools: &str) -> (Fleet, PathBuf) {
    let mut spec = FleetSpec::new();
    for i in 0..n {
        let host = HostSpec::new(format!("r{i:02}"));
        spec = spec.host(if tmpfs {
            host.tmpfs("/opt", OPT_TMPFS_MIB)
        } else {
            host.go_managed("1.22.10")
        });
    }
    if tmpfs {
        eprintln!("starting {n} sshd hosts without Go, /opt on a {OPT_TMPFS_MIB} MiB tmpfs each…");
    } else {
        eprintln!("starting {n} sshd hosts on go1.22.10…");
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    let inv = fleet.dir().join("offgo.toml");
    let extra = format!(
        "\n[bundles]\ndir = \"{}\"\n\n[rollout]\nbatches = [1, \"20%\", \"100%\"]\nparallel = {PARALLEL}\n",
        bundles.display()
    );
    let opts = InventoryOptions::new()
        .append(extra)
        .default_line(format!("host_tools = \"{host_tools}\""));
    fleet.write_inventory(&inv, &opts).expect("inventory");
    (fleet, inv)
}

fn headless_rollout(
    offgo: &Path,
    inv: &Path,
    bundle: &Path,
    state: &Path,
) -> (Duration, Vec<Vec<String>>) {
    settle();
    let started = Instant::now();
    let out = Command::new(offgo)
        .args([
            "rollout",
            "--json",
            "--batches",
            BATCHES,
            "--parallel",
            &PARALLEL.to_string(),
        ])
        .arg("--inventory")
        .arg(inv)
        .arg("--bundle")
        .arg(bundle)
        .env("XDG_STATE_HOME", state)
        .output()
        .expect("offgo-tui rollout");
    let wall = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "rollout failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let plan: Value = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|v| v["event"] == "plan")
        .expect("a plan line");
    let batches = plan["batches"]
        .as_array()
        .expect("batches")
        .iter()
        .map(|b| {
            b["hosts"]
                .as_array()
                .expect("hosts")
                .iter()
                .map(|h| h.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect();
    (wall, batches)
}

fn run(what: &str, cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The remote work a push and its verification do, by hand, in a scratch place.
const BY_HAND: &str = r#"set -e
cd /var/lib/offgo/incoming
sha256sum bench.tar.gz >/dev/null
d=/opt/offgo/bench-tmp
rm -rf "$d" && mkdir -p "$d"
tar -xzf bench.tar.gz -C "$d"
cp bench.sums "$d/sha256sums"
(cd "$d" && sha256sum -c --quiet sha256sums)
"$d/go/bin/go" version >/dev/null
ln -sfn "$d/go" /usr/local/go-bench.new && mv -T /usr/local/go-bench.new /usr/local/go-bench
(cd "$d" && sha256sum -c --quiet sha256sums)
/usr/local/go-bench/bin/go version >/dev/null
"#;

const CLEAN: &str = "rm -rf /opt/offgo/bench-tmp /usr/local/go-bench /var/lib/offgo/incoming/bench.tar.gz /var/lib/offgo/incoming/bench.sums";

/// scp, then the remote work, batch after batch: (upload wall, remote wall).
fn parts(
    fleet: &Fleet,
    batches: &[Vec<String>],
    tarball: &Path,
    sums: &Path,
) -> (Duration, Duration) {
    let ports: HashMap<&str, u16> = fleet.hosts().iter().map(|h| (h.name(), h.port())).collect();
    let opts = ssh_opts(fleet).join(" ");
    let hosts_file = fleet.dir().join("bench-hosts");
    let mut upload = Duration::ZERO;
    let mut remote = Duration::ZERO;
    settle();
    for batch in batches {
        let list: String = batch
            .iter()
            .map(|h| format!("root@127.0.0.1:{}\n", ports[h.as_str()]))
            .collect();
        std::fs::write(&hosts_file, list).expect("hosts file");
        let p = PARALLEL.to_string();
        let started = Instant::now();
        for (local, name) in [(tarball, "bench.tar.gz"), (sums, "bench.sums")] {
            run(
                "parallel-scp",
                Command::new("parallel-scp")
                    .args(["-h"])
                    .arg(&hosts_file)
                    .args(["-p", &p, "-t", "0", "-x", &opts])
                    .arg(local)
                    .arg(format!("/var/lib/offgo/incoming/{name}")),
            );
        }
        upload += started.elapsed();
        let started = Instant::now();
        let mut child = Command::new("parallel-ssh")
            .args(["-h"])
            .arg(&hosts_file)
            .args(["-p", &p, "-t", "0", "-x", &opts, "-I", "sh -s"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("parallel-ssh");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(BY_HAND.as_bytes())
            .expect("script");
        let out = child.wait_with_output().expect("parallel-ssh");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        remote += started.elapsed();
    }
    let all: String = fleet
        .hosts()
        .iter()
        .map(|h| format!("root@127.0.0.1:{}\n", h.port()))
        .collect();
    std::fs::write(&hosts_file, all).expect("hosts file");
    run(
        "cleaning up",
        Command::new("parallel-ssh")
            .args(["-h"])
            .arg(&hosts_file)
            .args(["-p", "50", "-t", "0", "-x", &opts, CLEAN]),
    );
    (upload, remote)
}

/// The console runs the same rollout (R, Enter, y); returns every frame's event-to-frame time.
fn console_rollout(offgo: &Path, inv: &Path, state: &Path, n: usize) -> Vec<u64> {
    let socket = format!("offgo-rollout-{}", std::process::id());
    let server = open_console(&socket, offgo, inv, state, "");
    let screen = || {
        String::from_utf8_lossy(&tmux(&socket, &["capture-pane", "-p", "-t", "bench"]).stdout)
            .into_owned()
    };
    let wait_for = |what: &str, limit: Duration, done: &dyn Fn(&str) -> bool| {
        let started = Instant::now();
        loop {
            let s = screen();
            if done(&s) {
                return;
            }
            assert!(
                started.elapsed() < limit,
                "waited {limit:?} for {what}:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
    };
    let key = |k: &str| {
        tmux(&socket, &["send-keys", "-t", "bench", k]);
    };
    let all = format!("reachable {n} ");
    wait_for("every host probed", Duration::from_secs(120), &|s| {
        s.contains(&all)
    });
    key("R");
    wait_for("the bundle picker", Duration::from_secs(10), &|s| {
        s.contains("pick a bundle")
    });
    key("Enter");
    wait_for("the plan", Duration::from_secs(10), &|s| {
        s.contains("y run")
    });
    key("y");
    wait_for("the rollout to finish", Duration::from_secs(1800), &|s| {
        s.contains("┌ rollout ") && s.contains("finished")
    });
    key("q");
    std::thread::sleep(Duration::from_secs(1));
    drop(server);
    let log = std::fs::read_to_string(state.join("offgo/offgo-tui.log")).unwrap_or_default();
    log.lines()
        .filter_map(|l| l.split("event_to_frame_us=").nth(1))
        .filter_map(|v| v.split_whitespace().next()?.parse().ok())
        .collect()
}

fn main() {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root())
        .status()
        .expect("cargo");
    assert!(status.success());
    let offgo = root().join("target/release/offgo-tui");
    let n: usize = std::env::var("OFFGO_BENCH_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let release = Command::new(root().join("scripts/go-release"))
        .arg(VERSION)
        .output()
        .expect("scripts/go-release");
    let tarball = PathBuf::from(String::from_utf8_lossy(&release.stdout).trim());
    assert!(
        tarball.is_file(),
        "{}",
        String::from_utf8_lossy(&release.stderr)
    );
    let bundles = tempfile::tempdir().expect("tempdir");
    let state = tempfile::tempdir().expect("tempdir");
    run(
        "bundle build",
        Command::new(&offgo)
            .args(["bundle", "build"])
            .arg(&tarball)
            .arg("--out")
            .arg(bundles.path())
            .env("XDG_STATE_HOME", state.path()),
    );
    let manifest = bundles
        .path()
        .join(format!("go{VERSION}.linux-amd64.offgo.toml"));
    let sums = bundles
        .path()
        .join(format!("go{VERSION}.linux-amd64.sha256sums"));
    assert!(
        manifest.is_file() && sums.is_file(),
        "bundle build wrote {manifest:?} and {sums:?}"
    );
    let size_mib = std::fs::metadata(&tarball).map(|m| m.len()).unwrap_or(0) >> 20;

    if std::env::var("OFFGO_BENCH_ONLY").as_deref() == Ok("profile") {
        profile::run(
            &offgo,
            env_usize("OFFGO_BENCH_ANSIBLE_HOSTS", 20),
            bundles.path(),
            &manifest,
        );
        return;
    }
    if std::env::var("OFFGO_BENCH_ONLY").as_deref() != Ok("ansible") {
        rollout_and_console(
            &offgo,
            n,
            &tarball,
            bundles.path(),
            &manifest,
            &sums,
            size_mib,
        );
    }
    against_ansible(&offgo, &tarball, bundles.path(), &manifest, size_mib);
}

/// Phases 1–3: the rollout, its parts, the console.
fn rollout_and_console(
    offgo: &Path,
    n: usize,
    tarball: &Path,
    bundles: &Path,
    manifest: &Path,
    sums: &Path,
    size_mib: u64,
) {
    let state = tempfile::tempdir().expect("tempdir");
    let (fleet_a, inv) = fleet(n, bundles, false);
    let (rollout, batches) = headless_rollout(offgo, &inv, manifest, state.path());
    let sizes: Vec<usize> = batches.iter().map(Vec::len).collect();
    let (upload, remote) = parts(&fleet_a, &batches, tarball, sums);
    drop(fleet_a);

    let (fleet_b, inv) = fleet(n, bundles, false);
    // As in console_latency: the hosts share this machine's cores, as real hosts would not.
    let cgroup = HostCgroup::for_hosts(&fleet_b);
    let console_state = tempfile::tempdir().expect("tempdir");
    let mut frames = console_rollout(offgo, &inv, console_state.path(), n);
    let weight = cgroup
        .as_ref()
        .map_or("hosts at full CPU weight", |c| c.how);
    drop(fleet_b);

    let parts_wall = upload + remote;
    let overhead = rollout.as_secs_f64() - parts_wall.as_secs_f64();
    println!("Rollout of go{VERSION} ({size_mib} MiB) to {n} hosts, batches {sizes:?}, {PARALLEL} at a time:\n");
    println!("| what | wall |");
    println!("| --- | --- |");
    println!(
        "| offgo-tui rollout (headless, whole) | {:.1} s |",
        rollout.as_secs_f64()
    );
    println!(
        "| parallel-scp -p {PARALLEL}, batch by batch | {:.1} s |",
        upload.as_secs_f64()
    );
    println!(
        "| parallel-ssh -p {PARALLEL}: the same remote work by hand | {:.1} s |",
        remote.as_secs_f64()
    );
    println!("| sum of the parts | {:.1} s |", parts_wall.as_secs_f64());
    println!(
        "| rollout overhead | {:.1} s = {:.1}% of the rollout |",
        overhead,
        100.0 * overhead / rollout.as_secs_f64()
    );
    frames.sort_unstable();
    if frames.is_empty() {
        println!("\nno event-to-frame lines in the console's log");
        return;
    }
    let pct = |p: f64| frames[((frames.len() - 1) as f64 * p) as usize] as f64 / 1000.0;
    println!(
        "\nConsole during the same rollout ({}): {} frames with engine events; event→frame median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        weight,
        frames.len(),
        pct(0.5),
        pct(0.95),
        pct(1.0)
    );
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(walls: &[Duration]) -> f64 {
    let mut s: Vec<f64> = walls.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    let m = s.len() / 2;
    if s.len() % 2 == 1 {
        s[m]
    } else {
        (s[m - 1] + s[m]) / 2.0
    }
}

/// Phase 4: offgo's rollout and the Ansible playbook, each on the same fresh fleet, in
/// alternating order (offgo first in runs 1, 3, …; Ansible first in runs 2, 4, …).
fn against_ansible(offgo: &Path, tarball: &Path, bundles: &Path, manifest: &Path, size_mib: u64) {
    let n = env_usize("OFFGO_BENCH_ANSIBLE_HOSTS", 20);
    let runs = env_usize("OFFGO_BENCH_ANSIBLE_RUNS", 3).max(1);
    let ansible = Ansible::install();
    let playbook = root().join("benches/ansible/rollout.yml");
    let hashed = Command::new("sha256sum")
        .arg(tarball)
        .output()
        .expect("sha256sum");
    let sha256 = String::from_utf8_lossy(&hashed.stdout)
        .split_whitespace()
        .next()
        .expect("a sha256")
        .to_string();
    let mut offgo_walls = Vec::new();
    let mut contract_walls = Vec::new();
    let mut ansible_walls = Vec::new();
    let mut sizes = Vec::new();
    for run in 0..runs {
        // offgo with only the contract's tools (sha256sum, gzip: Ansible's own), on a fresh
        // fleet of its own, first or last in turn.
        let mut by_offgo_contract = || {
            let (fleet, inv) = fleet_using(n, bundles, true, "contract");
            let state = tempfile::tempdir().expect("tempdir");
            let (wall, _) = headless_rollout(offgo, &inv, manifest, state.path());
            eprintln!(
                "run {}: offgo-tui rollout, host_tools = contract {:.1} s",
                run + 1,
                wall.as_secs_f64()
            );
            contract_walls.push(wall);
            drop(fleet);
        };
        if run % 2 == 1 {
            by_offgo_contract();
        }
        let (fleet, inv) = fleet(n, bundles, true);
        let dir = Ansible::prepare(&fleet, PARALLEL);
        let state = tempfile::tempdir().expect("tempdir");
        let mut by_offgo = || {
            let (wall, batches) = headless_rollout(offgo, &inv, manifest, state.path());
            sizes = batches.iter().map(Vec::len).collect();
            eprintln!(
                "run {}: offgo-tui rollout {:.1} s",
                run + 1,
                wall.as_secs_f64()
            );
            offgo_walls.push(wall);
        };
        let mut by_ansible = || {
            settle();
            let wall = ansible.rollout(&dir, &playbook, tarball, &sha256, VERSION);
            eprintln!(
                "run {}: ansible-playbook {:.1} s",
                run + 1,
                wall.as_secs_f64()
            );
            ansible_walls.push(wall);
        };
        if run % 2 == 0 {
            by_offgo();
            by_ansible();
        } else {
            by_ansible();
            by_offgo();
        }
        drop(fleet);
        if run % 2 == 0 {
            by_offgo_contract();
        }
    }
    let cell = |walls: &[Duration]| {
        walls
            .iter()
            .map(|w| format!("{:.1} s", w.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(" | ")
    };
    let header: String = (1..=runs).map(|r| format!(" run {r} |")).collect();
    let rule: String = (0..=runs).map(|_| " --- |").collect();
    println!(
        "\nRollout of go{VERSION} ({size_mib} MiB) to {n} hosts, batches {sizes:?}, {PARALLEL} at a time, against {} (same fleet per run, alternating order):\n",
        ansible.version
    );
    println!("| what |{header} median |");
    println!("|{rule} --- |");
    let (o, a) = (median(&offgo_walls), median(&ansible_walls));
    println!(
        "| offgo-tui rollout (headless, whole; host_tools = auto) | {} | {o:.1} s |",
        cell(&offgo_walls)
    );
    println!(
        "| offgo-tui rollout, host_tools = contract (sha256sum, gzip) | {} | {:.1} s |",
        cell(&contract_walls),
        median(&contract_walls)
    );
    println!(
        "| ansible-playbook benches/ansible/rollout.yml | {} | {a:.1} s |",
        cell(&ansible_walls)
    );
    let ratios: Vec<String> = offgo_walls
        .iter()
        .zip(&ansible_walls)
        .map(|(o, a)| format!("{:.2}×", o.as_secs_f64() / a.as_secs_f64()))
        .collect();
    println!(
        "| offgo / Ansible | {} | {:.2}× (target ≤ 0.25×) |",
        ratios.join(" | "),
        o / a
    );
    let ratios: Vec<String> = contract_walls
        .iter()
        .zip(&ansible_walls)
        .map(|(o, a)| format!("{:.2}×", o.as_secs_f64() / a.as_secs_f64()))
        .collect();
    println!(
        "| offgo (host_tools = contract) / Ansible | {} | {:.2}× |",
        ratios.join(" | "),
        median(&contract_walls) / a
    );
}
