//! Push speed and memory (issue "Bundles", Speed and memory), in one run on one fleet:
//! (a) the upload alone — offgo's streamed exec-channel upload against OpenSSH `scp` (default
//!     cipher and aes128-gcm) of the go1.21.13 tarball, to 1 and to 10 hosts at once;
//! (b) a whole push to 10 hosts against the script an operator would write with OpenSSH, on
//!     hosts whose `/opt` (the releases: everything extracted) is a tmpfs, alternating, medians;
//!     then the host CPU of each step on one such host, today's steps one by one and the one-pass
//!     receive (receive.sh as push runs it);
//! (c) offgo's peak RSS while pushing to N hosts (OFFGO_BENCH_RSS_HOSTS, default 50).
//!
//!     cargo bench --bench push
//!     OFFGO_BENCH_PUSH_ONLY=1 cargo bench --bench push   # (b) only

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use support::{settle, ssh_opts};

use offgo::core::inventory;
use offgo::core::remote::HostTools;
use offgo::core::ssh::HostLink;
use offgo::fleet::{Fleet, FleetSpec, HostSpec, InventoryOptions};

const RUNS: usize = 3;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn release(version: &str) -> PathBuf {
    let out = Command::new(root().join("scripts/go-release"))
        .arg(version)
        .output()
        .expect("go-release");
    PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
}

fn offgo_binary() -> PathBuf {
    let status = Command::new("cargo")
        .args(["build", "--release", "--quiet"])
        .current_dir(root())
        .status()
        .unwrap();
    assert!(status.success());
    root().join("target/release/offgo-tui")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// The tmpfs over each host's `/opt` in (b): room for the new release and a temp tree.
/// (`/usr/local` holds only the go link on these hosts.)
const OPT_TMPFS_MIB: u32 = 1024;

fn fleet(n: usize) -> (Fleet, PathBuf) {
    fleet_with(n, false)
}

fn fleet_with(n: usize, opt_on_tmpfs: bool) -> (Fleet, PathBuf) {
    let mut spec = FleetSpec::new();
    for i in 0..n {
        let host = HostSpec::new(format!("p{i:02}")).no_app_binaries();
        // A tmpfs is seeded with what the host has there before its sshd starts: hosts without
        // Go, so that copy (of a whole release, on a loaded machine) does not outlast the
        // fleet's start-up wait. Both sides then install a first release, no adoption.
        spec = spec.host(if opt_on_tmpfs {
            host.tmpfs("/opt", OPT_TMPFS_MIB)
        } else {
            host.go_managed("1.21.13")
        });
    }
    let fleet = Fleet::start(&spec).expect("fleet");
    let inv = fleet.dir().join("offgo.toml");
    fleet
        .write_inventory(&inv, &InventoryOptions::new())
        .unwrap();
    (fleet, inv)
}

/// Uploads `tarball` to every host at once through offgo's own upload path.
fn offgo_upload(inv: &Path, n: usize, tarball: &Path) -> Duration {
    let inv = Arc::new(inventory::load(inv).unwrap());
    let started = Instant::now();
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let (inv, tarball) = (Arc::clone(&inv), tarball.to_path_buf());
            std::thread::spawn(move || {
                let mut link = HostLink::new(inv.hosts[i].clone());
                let mut file = std::fs::File::open(&tarball).unwrap();
                let out = link
                    .upload("bench", "cat > /tmp/offgo-bench.tar.gz", &mut file, |_| {})
                    .unwrap();
                assert!(out.success());
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    started.elapsed()
}

fn scp_upload(fleet: &Fleet, n: usize, tarball: &Path, cipher: Option<&str>) -> Duration {
    let started = Instant::now();
    let children: Vec<_> = fleet.hosts()[..n]
        .iter()
        .map(|h| {
            let mut c = Command::new("scp");
            c.args(ssh_opts(fleet)).arg("-P").arg(h.port().to_string());
            if let Some(cipher) = cipher {
                c.arg("-c").arg(cipher);
            }
            c.arg(tarball)
                .arg("root@127.0.0.1:/tmp/offgo-bench.tar.gz")
                .stdout(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    started.elapsed()
}

/// What an operator would run by hand on each host (in parallel): scp, then check, extract,
/// verify, switch. (`ssh -n` for the first command: without it, it would swallow the script
/// meant for the last one, and the "script" would do nothing at all.)
fn script_push(fleet: &Fleet, tarball: &Path, sums: &Path) -> Duration {
    settle();
    let remote = r#"set -e
cd /var/lib/offgo/incoming
sha256sum go1.22.10.linux-amd64.tar.gz >/dev/null
rm -rf /opt/offgo/releases/.tmp && mkdir -p /opt/offgo/releases/.tmp
tar -xzf go1.22.10.linux-amd64.tar.gz -C /opt/offgo/releases/.tmp
cp sums /opt/offgo/releases/.tmp/sha256sums
(cd /opt/offgo/releases/.tmp && sha256sum -c --quiet sha256sums)
/opt/offgo/releases/.tmp/go/bin/go version
rm -rf /opt/offgo/releases/go1.22.10 && mv /opt/offgo/releases/.tmp /opt/offgo/releases/go1.22.10
ln -sfn /opt/offgo/releases/go1.22.10/go /usr/local/go.new && mv -T /usr/local/go.new /usr/local/go
"#;
    let started = Instant::now();
    let commands = fleet.hosts().iter().map(|h| {
        let opts = ssh_opts(fleet).join(" ");
        let port = h.port();
        let cmd = format!(
            "ssh -n {opts} -p {port} root@127.0.0.1 mkdir -p /var/lib/offgo/incoming && \
                 scp {opts} -P {port} {t} root@127.0.0.1:/var/lib/offgo/incoming/ && \
                 scp {opts} -P {port} {s} root@127.0.0.1:/var/lib/offgo/incoming/sums && \
                 ssh {opts} -p {port} root@127.0.0.1 sh -s",
            t = tarball.display(),
            s = sums.display()
        );
        cmd
    });
    support::sh_on_all_at_once(commands, remote.as_bytes());
    started.elapsed()
}

fn offgo_push(offgo: &Path, inv: &Path, bundle: &Path, state: &Path) -> (Duration, u64) {
    settle();
    let started = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(offgo)
        .args(["push", "--parallel", "64", "--inventory"])
        .arg(inv)
        .arg("--bundle")
        .arg(bundle)
        .env("XDG_STATE_HOME", state)
        .output()
        .unwrap();
    let elapsed = started.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let rss_kib = String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    (elapsed, rss_kib)
}

/// One step's host CPU (user + system) and wall time, in ms, medians over the rounds.
struct StepCost {
    label: String,
    cpu_ms: f64,
    wall_ms: f64,
}

/// The host CPU of each step of a push on one host whose `/opt` is a tmpfs, each under
/// `/usr/bin/time` on the host (the CPU of every process the step runs, but not sshd's own
/// decryption of the upload): today's receive, sha256sum, tar -xzf, then the one-pass receive
/// (receive.sh exactly as push sends it without become), and the steps both share.
fn host_profile(tarball: &Path, sums: &Path) -> Vec<StepCost> {
    const ROUNDS: usize = 3;
    let (f, _inv) = fleet_with(1, true);
    let h = &f.hosts()[0];
    let opts = ssh_opts(&f);
    let ssh = |command: &str, stdin: &[u8]| -> String {
        let mut child = Command::new("ssh")
            .args(&opts)
            .arg("-p")
            .arg(h.port().to_string())
            .arg("root@127.0.0.1")
            .arg(command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{command}");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let name = tarball.file_name().unwrap().to_str().unwrap();
    for tools in [HostTools::Auto, HostTools::Contract] {
        let paths = offgo::core::remote::RemotePaths {
            host_tools: tools,
            ..Default::default()
        };
        let receive =
            offgo::core::remote::ops::receive_call(&paths, "go-tarball", "go1.22.10", name, false)
                .script();
        ssh(
            &format!(
                "mkdir -p /var/lib/offgo/incoming && cat > /var/lib/offgo/receive-{}.sh",
                tools.as_str()
            ),
            receive.as_bytes(),
        );
    }
    // The tree check as install runs it with host_tools = "auto" (openssl over the list; 0 only
    // when every file matches).
    let fast_check = offgo::core::remote::ops::Script::new()
        .set("host_tools", "auto")
        .body("cd \"$1\" && sums_ok_fast sha256sums\n");
    ssh("cat > /var/lib/offgo/check-auto.sh", fast_check.as_bytes());
    ssh(
        "cat > /var/lib/offgo/src.tgz",
        &std::fs::read(tarball).unwrap(),
    );
    ssh("cat > /var/lib/offgo/sums", &std::fs::read(sums).unwrap());
    let script = format!(
        r#"set -e
I=/var/lib/offgo/incoming; S=/var/lib/offgo/src.tgz; T=$I/{name}; R=/opt/offgo/releases; P=/var/lib/offgo/prof
cat "$S" > /dev/null
: > $P
t() {{ l=$1; shift; /usr/bin/time -o $P -a -f "$l|%U|%S|%e" "$@" > /dev/null 2>&1; }}
for round in $(seq {ROUNDS}); do
  t "today: receive (cat > .part)" sh -c "cat > $T.part && mv -f $T.part $T" < "$S"
  t "today: check_tarball (sha256sum of the tarball)" sha256sum "$T"
  rm -rf $R/.prof && mkdir -p $R/.prof
  t "today: extract (tar -xzf)" tar -xzf "$T" -C $R/.prof --no-same-owner
  cp /var/lib/offgo/sums $R/.prof/sha256sums
  t "script and host_tools = contract: check_tree (sha256sum -c, tree in page cache)" sh -c "cd $R/.prof && sha256sum -c --quiet sha256sums"
  t "host_tools = auto: check_tree (openssl dgst over the list, tree in page cache)" sh /var/lib/offgo/check-auto.sh $R/.prof
  t "all: check_go_version (go version)" $R/.prof/go/bin/go version
  rm -rf $R/.prof "$T"
  t "one pass, host_tools = contract: receive (tee to .part, sha256sum, gzip + tar)" sh /var/lib/offgo/receive-contract.sh < "$S"
  rm -rf $R/.offgo-stream-go1.22.10 "$T"
  t "one pass, host_tools = auto: receive (tee to .part, openssl, igzip + tar)" sh /var/lib/offgo/receive-auto.sh < "$S"
  rm -rf $R/.offgo-stream-go1.22.10 "$T"
done
cat $P
"#
    );
    let out = ssh("sh -s", script.as_bytes());
    let mut costs: Vec<StepCost> = Vec::new();
    let mut samples: Vec<(String, Vec<f64>, Vec<f64>)> = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split('|').collect();
        if f.len() != 4 {
            continue;
        }
        let num = |s: &str| s.trim().parse::<f64>().unwrap_or(0.0) * 1000.0;
        let (cpu, wall) = (num(f[1]) + num(f[2]), num(f[3]));
        match samples.iter_mut().find(|(l, _, _)| l == f[0]) {
            Some((_, c, w)) => {
                c.push(cpu);
                w.push(wall);
            }
            None => samples.push((f[0].to_string(), vec![cpu], vec![wall])),
        }
    }
    let mid = |mut v: Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        v[v.len() / 2]
    };
    for (label, cpu, wall) in samples {
        costs.push(StepCost {
            label,
            cpu_ms: mid(cpu),
            wall_ms: mid(wall),
        });
    }
    drop(f);
    costs
}

fn main() {
    let offgo = offgo_binary();
    let tarball_21 = release("1.21.13");
    let tarball_22 = release("1.22.10");
    let bundle_dir = tarball_22.parent().unwrap();
    let bundle = bundle_dir.join("go1.22.10.linux-amd64.offgo.toml");
    if !bundle.exists() {
        let s = Command::new(&offgo)
            .args(["bundle", "build"])
            .arg(&tarball_22)
            .status()
            .unwrap();
        assert!(s.success());
    }
    let sums = bundle_dir.join("go1.22.10.linux-amd64.sha256sums");
    let size_mib = std::fs::metadata(&tarball_21).unwrap().len() as f64 / 1048576.0;
    println!("| what | median of {RUNS} | vs scp / script |");
    println!("| --- | --- | --- |");
    let push_only = std::env::var_os("OFFGO_BENCH_PUSH_ONLY").is_some();
    if !push_only {
        upload_rows(&tarball_21, size_mib);
    }
    whole_push_rows(&offgo, &bundle, &tarball_22, &sums);
    // /usr/bin/time counts in 10 ms steps.
    let ms = |v: f64| {
        if v < 10.0 {
            "< 10 ms".to_string()
        } else {
            format!("{v:.0} ms")
        }
    };
    for cost in host_profile(&tarball_22, &sums) {
        println!(
            "| host CPU, {}: | {} CPU ({} wall) | |",
            cost.label,
            ms(cost.cpu_ms),
            ms(cost.wall_ms)
        );
    }
    if !push_only {
        rss_row(&offgo, &bundle);
    }
}

fn upload_rows(tarball_21: &Path, size_mib: f64) {
    let (f, inv) = fleet(10);
    for n in [1, 10] {
        let ours = median(
            (0..RUNS)
                .map(|_| offgo_upload(&inv, n, tarball_21))
                .collect(),
        );
        let scp = median(
            (0..RUNS)
                .map(|_| scp_upload(&f, n, tarball_21, None))
                .collect(),
        );
        let gcm = median(
            (0..RUNS)
                .map(|_| scp_upload(&f, n, tarball_21, Some("aes128-gcm@openssh.com")))
                .collect(),
        );
        println!("| upload {size_mib:.0} MiB to {n} host(s): offgo | {} ms | {:.2}× scp, {:.2}× scp aes128-gcm |", ours.as_millis(), ours.as_secs_f64() / scp.as_secs_f64(), ours.as_secs_f64() / gcm.as_secs_f64());
        println!("| upload to {n} host(s): scp | {} ms | |", scp.as_millis());
        println!(
            "| upload to {n} host(s): scp -c aes128-gcm | {} ms | |",
            gcm.as_millis()
        );
    }
    drop(f);
}

/// (b): each run on a fresh fleet whose hosts' `/opt` is a tmpfs, offgo and the script
/// alternating which goes first.
/// offgo runs twice: with `host_tools = "auto"` (the default: OpenSSL's SHA-256 and igzip here)
/// and with `"contract"` (sha256sum and gzip, the script's own tools).
fn whole_push_rows(offgo: &Path, bundle: &Path, tarball_22: &Path, sums: &Path) {
    let mut ours = Vec::new();
    let mut contract = Vec::new();
    let mut script = Vec::new();
    for run in 0..RUNS {
        // Take turns at going first, so none always follows another's clean-up.
        for turn in 0..3 {
            let (f, inv) = fleet_with(10, true);
            match (run + turn) % 3 {
                0 => {
                    let state = tempfile::tempdir().unwrap();
                    ours.push(offgo_push(offgo, &inv, bundle, state.path()).0);
                }
                1 => {
                    let inv = f.dir().join("offgo-contract.toml");
                    f.write_inventory(
                        &inv,
                        &InventoryOptions::new().default_line("host_tools = \"contract\""),
                    )
                    .unwrap();
                    let state = tempfile::tempdir().unwrap();
                    contract.push(offgo_push(offgo, &inv, bundle, state.path()).0);
                }
                _ => script.push(script_push(&f, tarball_22, sums)),
            }
            drop(f);
            settle();
        }
    }
    eprintln!(
        "whole push runs (ms): offgo {ours:?}, offgo with host_tools = contract {contract:?}, script {script:?}"
    );
    let (ours, contract, script) = (median(ours), median(contract), median(script));
    println!(
        "| whole push to 10 hosts, /opt on tmpfs: offgo (host_tools = auto) | {} ms | {:.2}× script |",
        ours.as_millis(),
        ours.as_secs_f64() / script.as_secs_f64()
    );
    println!(
        "| whole push to 10 hosts, /opt on tmpfs: offgo (host_tools = contract) | {} ms | {:.2}× script |",
        contract.as_millis(),
        contract.as_secs_f64() / script.as_secs_f64()
    );
    println!(
        "| whole push to 10 hosts, /opt on tmpfs: scp + ssh script | {} ms | |",
        script.as_millis()
    );
}

fn rss_row(offgo: &Path, bundle: &Path) {
    let n: usize = std::env::var("OFFGO_BENCH_RSS_HOSTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let (f, inv) = fleet(n);
    let state = tempfile::tempdir().unwrap();
    let (elapsed, rss) = offgo_push(offgo, &inv, bundle, state.path());
    println!(
        "| push to {n} hosts: peak RSS | {} MiB ({} s) | target < 64 MiB |",
        rss / 1024,
        elapsed.as_secs()
    );
    drop(f);
}
