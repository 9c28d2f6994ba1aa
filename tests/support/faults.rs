//! The fault-injection harness (tests/faults.rs, benches/soak.rs): runs the built binary with
//! `OFFGO_TEST_FAULT` (src/cli/test_fault.rs) against real fleet hosts and checks what each
//! fault left. Every check returns the problems it found, in words naming the host and the
//! bad state, so a report says which point left which state.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::common::*;

pub const OLD: &str = "go1.21.13";
pub const NEW: &str = "go1.22.10";
/// Points run at once, each on its own host of one fleet.
pub const PARALLEL: usize = 4;
/// The test-only variable of src/cli/test_fault.rs.
pub const FAULT_VAR: &str = "OFFGO_TEST_FAULT";
/// `mode=crash`'s exit status (src/cli/test_fault.rs).
pub const CRASH_EXIT: i32 = 86;

/// One fault point as a dry run lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Point {
    pub index: usize,
    pub label: String,
}

/// How a host looks before the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// go1.21.13 managed by offgo.
    Managed,
    /// go1.21.13 installed by hand at go_root (a directory).
    Hand,
    /// go1.22.10 managed, go1.21.13 its previous release, both with sha256sums.
    Pushed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Push,
    Rollback,
}

pub struct Scenario {
    pub name: &'static str,
    pub start: Start,
    pub op: Op,
}

impl Scenario {
    pub fn push(start: Start) -> Self {
        let name = match start {
            Start::Hand => "push over a hand-installed go",
            _ => "push over a managed release",
        };
        Self {
            name,
            start,
            op: Op::Push,
        }
    }

    pub fn rollback() -> Self {
        Self {
            name: "rollback",
            start: Start::Pushed,
            op: Op::Rollback,
        }
    }

    /// The release before and the release after the operation.
    pub fn versions(&self) -> (&'static str, &'static str) {
        match self.op {
            Op::Push => (OLD, NEW),
            Op::Rollback => (NEW, OLD),
        }
    }

    pub fn host_spec(&self, name: &str) -> HostSpec {
        match self.start {
            Start::Managed => HostSpec::new(name).go_managed(OLD),
            Start::Hand => HostSpec::new(name).go_manual(OLD),
            Start::Pushed => HostSpec::new(name).go_managed_after(NEW, OLD),
        }
    }

    /// What the fleet spec cannot express: the sha256sums an earlier push (or adoption)
    /// would have left next to each release, so verify can check either tree.
    pub fn prepare(&self, host: &HostHandle) {
        if self.start == Start::Pushed {
            let releases = host.paths().releases_dir;
            for v in [OLD, NEW] {
                sh(
                    host,
                    &format!(
                        "cd {releases}/{v} && find go -type f -exec sha256sum {{}} + > sha256sums"
                    ),
                );
            }
        }
    }

    /// The operation's arguments for `host` (then `--inventory … --json`).
    pub fn op_args(&self, host: &str) -> Vec<String> {
        match self.op {
            Op::Push => strings(&["push", "--bundle", &bundle(), "--hosts", host]),
            Op::Rollback => strings(&["rollback", "--hosts", host]),
        }
    }

    /// The operation that must bring the host to the new release whatever the fault left.
    pub fn recovery_args(&self, host: &str) -> Vec<String> {
        match self.op {
            Op::Push => self.op_args(host),
            Op::Rollback => strings(&["rollback", "--to", OLD, "--hosts", host]),
        }
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// The slim cut of the release (see `slim_bundle_1_22`): the fault points are in the push
/// machinery, and every point pushes twice.
pub fn bundle() -> String {
    slim_bundle_1_22().display().to_string()
}

/// Runs `offgo-tui ARGS --inventory INV --json` with the jump host's state in `state`, and
/// `fault` as `OFFGO_TEST_FAULT` when given.
pub fn run(state: &Path, inv: &Path, args: &[String], fault: Option<&str>) -> Output {
    let mut all: Vec<&str> = args.iter().map(String::as_str).collect();
    all.extend(["--inventory", inv.to_str().unwrap_or_default(), "--json"]);
    let mut cmd = offgo_cmd(state, &all);
    match fault {
        Some(f) => cmd.env(FAULT_VAR, f),
        None => cmd.env_remove(FAULT_VAR),
    };
    cmd.output().expect("run offgo-tui")
}

/// The points `host` passed, from a fault log (`host<TAB>index<TAB>label<TAB>passed|fired`).
pub fn points_of(log: &Path, host: &str) -> Vec<Point> {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut points: Vec<Point> = text
        .lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let (h, i, label) = (f.next()?, f.next()?, f.next()?);
            let index = i.parse().ok()?;
            (h == host).then(|| Point {
                index,
                label: label.to_string(),
            })
        })
        .collect();
    points.sort_by_key(|p| p.index);
    points
}

pub fn fired(log: &Path, host: &str, index: usize) -> bool {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let prefix = format!("{host}\t{index}\t");
    text.lines()
        .any(|l| l.starts_with(&prefix) && l.ends_with("\tfired"))
}

/// The fault spec that fires at `index` of `host`, killing what runs under each of `hosts`.
pub fn fault_spec(
    host: &str,
    index: usize,
    hosts: &[&HostHandle],
    mode: &str,
    log: &Path,
) -> String {
    let kill: Vec<String> = hosts
        .iter()
        .filter_map(|h| h.listener_pid())
        .map(|p| p.to_string())
        .collect();
    format!(
        "at={index};host={host};kill={};mode={mode};log={}",
        kill.join(","),
        log.display()
    )
}

/// Lists the scenario's points: the operation once, clean, on a fresh host, logging them.
pub fn dry_run(sc: &Scenario) -> Vec<Point> {
    let fleet = start(&FleetSpec::new().host(sc.host_spec("dry")));
    let host = host(&fleet, "dry");
    sc.prepare(host);
    let inv = inventory(&fleet, &InventoryOptions::new());
    let state = tempfile::tempdir().unwrap();
    let log = state.path().join("points");
    let out = run(
        state.path(),
        &inv,
        &sc.op_args("dry"),
        Some(&format!("log={}", log.display())),
    );
    assert!(
        out.status.success(),
        "{}: the clean run failed: {}\n{}",
        sc.name,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    points_of(&log, "dry")
}

/// What a host looks like, read in one command with the real OpenSSH client.
#[derive(Debug, Default)]
pub struct Facts {
    pub host: String,
    /// `link`, `dir`, `other` or `missing`.
    pub kind: String,
    pub target: String,
    pub go_version: String,
    pub state: Option<Value>,
    pub state_raw: String,
    pub lock_free: bool,
    pub leftovers: Vec<String>,
    pub incoming: Vec<String>,
    pub releases: Vec<String>,
    pub audit_lines: usize,
}

impl Facts {
    pub fn read(host: &HostHandle) -> Facts {
        let p = host.paths();
        let script = format!(
            r#"g={g}; r={r}; s={s}
if [ -L "$g" ]; then echo kind=link; echo "target=$(readlink "$g")"
elif [ -d "$g" ]; then echo kind=dir
elif [ -e "$g" ]; then echo kind=other
else echo kind=missing; fi
echo "go=$("$g/bin/go" version 2>&1 | head -n 1)"
echo "state=$(cat "$s/state.json" 2>/dev/null | tr '\n' ' ')"
if flock -n -E 75 "$s/lock" true 2>/dev/null; then echo lock=free; else echo lock=held; fi
echo "leftovers=$( (find "$r" -mindepth 1 -maxdepth 2 \( -name '.offgo-*' -o -name '*.offgo-*' \); find "$(dirname "$g")" "$s" "$(dirname {pr})" -mindepth 1 -maxdepth 1 \( -name '.offgo-*' -o -name '*.offgo-*' \) ) 2>/dev/null | tr '\n' ' ')"
echo "incoming=$(ls -A "$s/incoming" 2>/dev/null | tr '\n' ' ')"
echo "releases=$(ls -A "$r" 2>/dev/null | tr '\n' ' ')"
echo "audit=$(cat {a} 2>/dev/null | wc -l)"
"#,
            g = p.go_root,
            r = p.releases_dir,
            s = p.state_dir,
            pr = p.profile_script,
            a = p.audit_log,
        );
        let out = sh(host, &script);
        let mut kv = BTreeMap::new();
        for line in out.lines() {
            if let Some((k, v)) = line.split_once('=') {
                kv.insert(k.to_string(), v.trim().to_string());
            }
        }
        let get = |k: &str| kv.get(k).cloned().unwrap_or_default();
        let words = |k: &str| get(k).split_whitespace().map(str::to_string).collect();
        let state_raw = get("state");
        Facts {
            host: host.name().to_string(),
            kind: get("kind"),
            target: get("target"),
            go_version: get("go"),
            state: serde_json::from_str(&state_raw).ok(),
            state_raw,
            lock_free: get("lock") == "free",
            leftovers: words("leftovers"),
            incoming: words("incoming"),
            releases: words("releases"),
            audit_lines: get("audit").parse().unwrap_or(0),
        }
    }

    /// The release `go version` names (`go1.22.10`), if it ran.
    pub fn version(&self) -> Option<&str> {
        let v = self.go_version.strip_prefix("go version ")?;
        v.split_whitespace().next()
    }

    fn state_current(&self) -> Option<&str> {
        self.state.as_ref()?.get("current")?.as_str()
    }

    /// Problems of a host right after a fault: it must run `old` or `new`, with a state.json
    /// naming what go_root resolves to, and its lock free.
    pub fn settled(&self, old: &str, new: &str, releases_dir: &str) -> Vec<String> {
        let mut problems = Vec::new();
        let version = self.version();
        match version {
            Some(v) if v == old || v == new => {}
            _ => problems.push(format!(
                "go_root ({}) does not run {old} or {new}: `go version` printed {:?}",
                self.kind, self.go_version
            )),
        }
        match self.kind.as_str() {
            "link" => {
                if let Some(v) = version {
                    let expected = format!("{releases_dir}/{v}/go");
                    if self.target != expected {
                        problems.push(format!(
                            "go_root links to {:?}, not {expected:?}",
                            self.target
                        ));
                    }
                }
                if self.state_current() != version {
                    problems.push(format!(
                        "state.json current is {:?} but go_root runs {:?} (state.json: {:?})",
                        self.state_current(),
                        version,
                        self.state_raw
                    ));
                }
            }
            // Hand-installed and untouched: state.json is absent or names it.
            "dir" => {
                if self.state.is_some() && self.state_current() != version {
                    problems.push(format!(
                        "go_root is a directory running {version:?} but state.json says {:?}",
                        self.state_current()
                    ));
                }
            }
            other => problems.push(format!("go_root is {other}")),
        }
        if !self.lock_free {
            problems.push("the host lock is still held".into());
        }
        problems
    }

    /// Problems of a host after a clean operation that should have left it on `version`.
    pub fn recovered(&self, version: &str, releases_dir: &str) -> Vec<String> {
        let mut problems = self.settled(version, version, releases_dir);
        if self.kind != "link" {
            problems.push(format!(
                "go_root is a {} after recovery, not a link",
                self.kind
            ));
        }
        if !self.leftovers.is_empty() {
            problems.push(format!("leftovers: {}", self.leftovers.join(" ")));
        }
        if !self.incoming.is_empty() {
            problems.push(format!("incoming/ not empty: {}", self.incoming.join(" ")));
        }
        let unknown: Vec<&String> = self
            .releases
            .iter()
            .filter(|r| r.as_str() != OLD && r.as_str() != NEW)
            .collect();
        if !unknown.is_empty() {
            problems.push(format!("unexpected entries in releases/: {unknown:?}"));
        }
        problems
    }
}

/// The hosts of a `--json` operation result (an array), or an empty list.
pub fn json_hosts(out: &Output) -> Vec<Value> {
    serde_json::from_slice::<Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

/// `step: error` of a failed host, for a report.
pub fn failure_of(out: &Output) -> String {
    match json_hosts(out).first() {
        Some(h) if h["ok"] == true => "ok".into(),
        Some(h) => format!(
            "failed at {}: {}",
            h["step"].as_str().unwrap_or("?"),
            h["error"].as_str().unwrap_or("?")
        ),
        None => format!(
            "exit {:?}: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    }
}

/// Checks after a recovery: `verify` and `audit verify` pass for `host`.
pub fn verify_problems(state: &Path, inv: &Path, host: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for (what, args) in [
        ("verify", strings(&["verify", "--hosts", host])),
        (
            "audit verify",
            strings(&["audit", "verify", "--hosts", host]),
        ),
    ] {
        let out = run(state, inv, &args, None);
        if !out.status.success() {
            let failed: Vec<String> = json_hosts(&out)
                .iter()
                .flat_map(|h| h["checks"].as_array().cloned().unwrap_or_default())
                .filter(|c| c["ok"] == false)
                .map(|c| format!("{}: {}", c["check"], c["detail"]))
                .collect();
            problems.push(format!(
                "{what} failed (exit {:?}): {}",
                out.status.code(),
                if failed.is_empty() {
                    failure_of(&out)
                } else {
                    failed.join("; ")
                }
            ));
        }
    }
    problems
}

/// What one point did: the faulted run's result and every problem found.
#[derive(Debug)]
pub struct PointResult {
    pub scenario: String,
    pub point: Point,
    pub faulted: String,
    pub problems: Vec<String>,
}

impl PointResult {
    pub fn line(&self) -> String {
        let verdict = if self.problems.is_empty() {
            "ok  ".to_string()
        } else {
            "FAIL".to_string()
        };
        let mut s = format!(
            "{verdict} {} #{} {:<28} faulted run: {}",
            self.scenario, self.point.index, self.point.label, self.faulted
        );
        for p in &self.problems {
            s.push_str(&format!("\n       - {p}"));
        }
        s
    }
}

/// Runs one point on `host` (fresh, prepared) of a fleet whose inventory is `inv`.
pub fn run_point(sc: &Scenario, inv: &Path, host: &HostHandle, point: &Point) -> PointResult {
    let name = host.name();
    let (old, new) = sc.versions();
    let releases_dir = host.paths().releases_dir;
    let state = tempfile::tempdir().unwrap();
    let log = state.path().join("points");
    let spec = fault_spec(name, point.index, &[host], "cut", &log);
    let out = run(state.path(), inv, &sc.op_args(name), Some(&spec));
    let faulted = failure_of(&out);
    let mut problems = Vec::new();
    if !fired(&log, name, point.index) {
        problems.push(format!(
            "the point was not reached (the run passed {} points)",
            points_of(&log, name).len()
        ));
    }
    let after = Facts::read(host);
    problems.extend(
        after
            .settled(old, new, &releases_dir)
            .into_iter()
            .map(|p| format!("after the fault: {p}")),
    );
    if faulted == "ok" && after.version() != Some(new) {
        problems.push(format!(
            "the faulted run reported ok but the host runs {:?}",
            after.version()
        ));
    }
    let out = run(state.path(), inv, &sc.recovery_args(name), None);
    if !out.status.success() {
        problems.push(format!(
            "the next run did not recover: {}",
            failure_of(&out)
        ));
    }
    let recovered = Facts::read(host);
    problems.extend(
        recovered
            .recovered(new, &releases_dir)
            .into_iter()
            .map(|p| format!("after the next run: {p}")),
    );
    problems.extend(
        verify_problems(state.path(), inv, name)
            .into_iter()
            .map(|p| format!("after the next run: {p}")),
    );
    PointResult {
        scenario: sc.name.to_string(),
        point: point.clone(),
        faulted,
        problems,
    }
}

/// Runs every point of `points`, `PARALLEL` at a time, each on a fresh host of a fleet
/// started for its round.
pub fn run_points(sc: &Scenario, points: &[Point]) -> Vec<PointResult> {
    let mut results = Vec::new();
    for (round, chunk) in points.chunks(PARALLEL).enumerate() {
        let mut spec = FleetSpec::new();
        for i in 0..chunk.len() {
            spec = spec.host(sc.host_spec(&format!("f{i}")));
        }
        let fleet = start(&spec);
        let inv = inventory(&fleet, &InventoryOptions::new());
        std::thread::scope(|scope| {
            let handles: Vec<_> = chunk
                .iter()
                .zip(fleet.hosts())
                .map(|(point, host)| {
                    let inv = &inv;
                    scope.spawn(move || {
                        sc.prepare(host);
                        run_point(sc, inv, host, point)
                    })
                })
                .collect();
            for h in handles {
                let r = h.join().expect("a point's thread panicked");
                eprintln!("[round {round}] {}", r.line());
                results.push(r);
            }
        });
    }
    results
}

/// The whole scenario: list the points, run each, fail naming every point that left a bad
/// state.
pub fn run_scenario(sc: &Scenario) {
    let started = std::time::Instant::now();
    let points = dry_run(sc);
    assert!(
        points.len() >= 10,
        "{}: only {} fault points: {points:?}",
        sc.name,
        points.len()
    );
    eprintln!("{}: {} fault points", sc.name, points.len());
    for p in &points {
        eprintln!("  #{} {}", p.index, p.label);
    }
    let results = run_points(sc, &only(points));
    report(sc.name, &results, started);
}

/// `OFFGO_FAULT_ONLY=3,12`: only those points (to rerun the ones a report names).
pub fn only(points: Vec<Point>) -> Vec<Point> {
    let Ok(list) = std::env::var("OFFGO_FAULT_ONLY") else {
        return points;
    };
    let wanted: Vec<usize> = list
        .split(',')
        .filter_map(|i| i.trim().parse().ok())
        .collect();
    points
        .into_iter()
        .filter(|p| wanted.contains(&p.index))
        .collect()
}

pub fn report(name: &str, results: &[PointResult], started: std::time::Instant) {
    let failed: Vec<&PointResult> = results.iter().filter(|r| !r.problems.is_empty()).collect();
    eprintln!(
        "{name}: {} points, {} failed, in {:.0?}",
        results.len(),
        failed.len(),
        started.elapsed()
    );
    assert!(
        failed.is_empty(),
        "{name}: {} of {} fault points left a bad state (see the lines below):\n{}",
        failed.len(),
        results.len(),
        failed
            .iter()
            .map(|r| r.line())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Rollout: 3 hosts, canary then one batch of 2 in parallel. The rollout crashes (the jump
/// host dies and every host's remote processes with it) at chosen points of the batch's first
/// host; `rollout --resume` must then bring all three to the new release.
pub fn run_rollout_faults() {
    let started = std::time::Instant::now();
    let names = ["r0", "r1", "r2"];
    let rollout_args = strings(&[
        "rollout",
        "--bundle",
        &bundle(),
        "--canary",
        "1",
        "--batches",
        "100%",
        "--parallel",
        "2",
    ]);
    let spec_for = |prefix: &str| {
        names.iter().fold(FleetSpec::new(), |s, n| {
            s.host(HostSpec::new(format!("{prefix}{n}")).go_managed(OLD))
        })
    };
    // Dry run: r1's points.
    let points = {
        let fleet = start(&spec_for(""));
        let inv = inventory(&fleet, &InventoryOptions::new());
        let state = tempfile::tempdir().unwrap();
        let log = state.path().join("points");
        let out = run(
            state.path(),
            &inv,
            &rollout_args,
            Some(&format!("log={}", log.display())),
        );
        assert!(
            out.status.success(),
            "the clean rollout failed: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        points_of(&log, "r1")
    };
    // Not every point (that is what the push scenarios are for): one of each kind of remote
    // step, each mid-batch. The last of a label: the tarball's upload comes after the sums',
    // so "upload chunk 1" is the tarball's first chunk of many (a cut mid-upload).
    let wanted = [
        "lock",
        "upload chunk 1",
        "upload finished",
        "install step=extract",
        "install step=switch",
        "install step=post_verify",
        "audit",
    ];
    let chosen: Vec<Point> = wanted
        .iter()
        .filter_map(|w| points.iter().rev().find(|p| p.label == *w).cloned())
        .collect();
    assert_eq!(
        chosen.len(),
        wanted.len(),
        "some wanted points are not in the rollout's: {points:?}"
    );
    let chosen = only(chosen);
    let mut results = Vec::new();
    for round in chosen.chunks(2) {
        let mut spec = FleetSpec::new();
        for (i, _) in round.iter().enumerate() {
            for h in spec_for(&format!("x{i}")).hosts {
                spec = spec.host(h);
            }
        }
        let fleet = start(&spec);
        let inv = inventory(&fleet, &InventoryOptions::new());
        std::thread::scope(|scope| {
            let handles: Vec<_> = round
                .iter()
                .enumerate()
                .map(|(i, point)| {
                    let (fleet, inv, args) = (&fleet, &inv, &rollout_args);
                    scope.spawn(move || {
                        let hosts: Vec<&HostHandle> = names
                            .iter()
                            .map(|n| host(fleet, &format!("x{i}{n}")))
                            .collect();
                        rollout_point(inv, &hosts, args, point)
                    })
                })
                .collect();
            for h in handles {
                let r = h.join().expect("a rollout thread panicked");
                eprintln!("{}", r.line());
                results.push(r);
            }
        });
    }
    report("rollout", &results, started);
}

fn rollout_point(inv: &Path, hosts: &[&HostHandle], args: &[String], point: &Point) -> PointResult {
    let target = hosts[1].name();
    let selector: Vec<&str> = hosts.iter().map(|h| h.name()).collect();
    let mut args = args.to_vec();
    args.extend(strings(&["--hosts", &selector.join(",")]));
    let state = tempfile::tempdir().unwrap();
    let log = state.path().join("points");
    let spec = fault_spec(target, point.index, hosts, "crash", &log);
    let out = run(state.path(), inv, &args, Some(&spec));
    // The crashed jump host's forked killer ends the hosts' remote processes after it is gone.
    let crashed = log.with_extension("crashed");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while out.status.code() == Some(CRASH_EXIT)
        && !crashed.exists()
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let mut problems = Vec::new();
    let faulted = format!("exit {:?}", out.status.code());
    if out.status.code() != Some(CRASH_EXIT) || !fired(&log, target, point.index) {
        problems.push(format!("the crash did not happen at the point ({faulted})"));
    }
    for h in hosts {
        let releases_dir = h.paths().releases_dir;
        problems.extend(
            Facts::read(h)
                .settled(OLD, NEW, &releases_dir)
                .into_iter()
                .map(|p| format!("{} after the crash: {p}", h.name())),
        );
    }
    let resume = offgo_cmd(state.path(), &["rollout", "--resume", "--json"])
        .env_remove(FAULT_VAR)
        .output()
        .expect("run offgo-tui");
    if !resume.status.success() {
        problems.push(format!(
            "rollout --resume failed (exit {:?}): {}",
            resume.status.code(),
            String::from_utf8_lossy(&resume.stdout)
                .lines()
                .last()
                .unwrap_or_default()
        ));
    }
    for h in hosts {
        let releases_dir = h.paths().releases_dir;
        problems.extend(
            Facts::read(h)
                .recovered(NEW, &releases_dir)
                .into_iter()
                .map(|p| format!("{} after resume: {p}", h.name())),
        );
        problems.extend(
            verify_problems(state.path(), inv, h.name())
                .into_iter()
                .map(|p| format!("{} after resume: {p}", h.name())),
        );
    }
    PointResult {
        scenario: "rollout".into(),
        point: point.clone(),
        faulted,
        problems,
    }
}

/// The jump host's audit log in `state`.
pub fn local_audit_log(state: &Path) -> PathBuf {
    state.join("offgo/audit.log")
}

/// A small deterministic generator (xorshift64*), so a soak run is repeatable from its seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

/// Soak settings from the environment: `OFFGO_SOAK_CYCLES` (200), `OFFGO_SOAK_HOSTS` (5),
/// `OFFGO_SOAK_SEED` (the time).
pub struct Soak {
    pub cycles: usize,
    pub hosts: usize,
    pub seed: u64,
}

impl Soak {
    pub fn from_env() -> Self {
        let num = |k: &str, d: u64| {
            std::env::var(k)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(d)
        };
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(1);
        Self {
            cycles: num("OFFGO_SOAK_CYCLES", 200) as usize,
            hosts: num("OFFGO_SOAK_HOSTS", 5) as usize,
            seed: num("OFFGO_SOAK_SEED", now),
        }
    }
}

/// One soak host's run: `cycles` push/rollback cycles, each operation faulted at a random
/// point (or not at all) in `cut` or `crash` mode, every result checked to be settled; returns
/// the problems, each naming its cycle and fault.
pub fn soak_host(
    inv: &Path,
    state: &Path,
    host: &HostHandle,
    cycles: usize,
    points: (usize, usize),
    rng: &mut Rng,
) -> Vec<String> {
    let name = host.name();
    let releases_dir = host.paths().releases_dir;
    let log = state.join(format!("points-{name}"));
    let mut problems = Vec::new();
    for cycle in 0..cycles {
        for (op, args, count) in [
            (
                "push",
                strings(&["push", "--bundle", &bundle(), "--hosts", name]),
                points.0,
            ),
            (
                "rollback",
                strings(&["rollback", "--hosts", name]),
                points.1,
            ),
        ] {
            // Half the operations run clean; the others fault at any point, in either mode.
            let fault = (rng.below(2) == 1).then(|| {
                let index = rng.below(count);
                let mode = ["cut", "crash"][rng.below(2)];
                (index, mode, fault_spec(name, index, &[host], mode, &log))
            });
            let out = run(state, inv, &args, fault.as_ref().map(|f| f.2.as_str()));
            let what = match &fault {
                Some((i, mode, _)) => format!("cycle {cycle} {op} fault #{i} {mode}"),
                None => format!("cycle {cycle} {op} clean"),
            };
            let facts = Facts::read(host);
            for p in facts.settled(OLD, NEW, &releases_dir) {
                problems.push(format!("{name} {what} ({}): {p}", failure_of(&out)));
            }
        }
    }
    problems
}

/// The end of a soak: one clean push per host, then zero drift: go_root and state.json on
/// the new release, no leftovers, at most `keep` releases (plus an adopted one), verify and
/// the audit chains on both ends clean.
pub fn drift(inv: &Path, state: &Path, host: &HostHandle, keep: usize) -> Vec<String> {
    let name = host.name();
    let mut problems = Vec::new();
    let out = run(
        state,
        inv,
        &strings(&["push", "--bundle", &bundle(), "--hosts", name]),
        None,
    );
    if !out.status.success() {
        problems.push(format!("the final push failed: {}", failure_of(&out)));
    }
    let facts = Facts::read(host);
    problems.extend(facts.recovered(NEW, &host.paths().releases_dir));
    if facts.releases.len() > keep + 1 {
        problems.push(format!(
            "{} releases kept (keep_releases {keep}): {:?}",
            facts.releases.len(),
            facts.releases
        ));
    }
    problems.extend(verify_problems(state, inv, name));
    problems
        .into_iter()
        .map(|p| format!("{name}: {p}"))
        .collect()
}
