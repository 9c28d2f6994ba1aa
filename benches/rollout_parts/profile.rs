//! `OFFGO_BENCH_ONLY=profile`: one headless rollout of a fresh fleet, its JSON lines stamped as
//! they arrive, printed as a timeline per batch and per host, the time per step summed over the
//! hosts, the gaps between batches, and how many times each host's sshd accepted a login.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;

pub fn run(offgo: &Path, n: usize, bundles: &Path, manifest: &Path) {
    let (fleet, inv) = super::fleet(n, bundles, true);
    let state = tempfile::tempdir().expect("tempdir");
    let logins_before = logins(&fleet);
    super::support::settle();
    let started = Instant::now();
    let mut child = Command::new(offgo)
        .args([
            "rollout",
            "--json",
            "--batches",
            super::BATCHES,
            "--parallel",
        ])
        .arg(super::PARALLEL.to_string())
        .arg("--inventory")
        .arg(&inv)
        .arg("--bundle")
        .arg(manifest)
        .env("XDG_STATE_HOME", state.path())
        .stdout(Stdio::piped())
        .spawn()
        .expect("offgo-tui rollout");
    let mut lines: Vec<(f64, Value)> = Vec::new();
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let Ok(line) = line else { break };
        if let Ok(v) = serde_json::from_str::<Value>(&line) {
            lines.push((started.elapsed().as_secs_f64(), v));
        }
    }
    let status = child.wait().expect("offgo-tui rollout");
    let wall = started.elapsed().as_secs_f64();
    assert!(status.success(), "the rollout failed: {:?}", lines.last());
    println!("Profile of one rollout to {n} hosts ({wall:.1} s wall), seconds since the command started:\n");
    // Per host: (time, op/step) in order; a step lasts until the host's next line.
    let mut per_host: BTreeMap<String, Vec<(f64, String)>> = BTreeMap::new();
    for (t, v) in &lines {
        let event = v["event"].as_str().unwrap_or("");
        match event {
            "plan" => println!("{t:7.2}  plan (the fleet probed, the journal written)"),
            "batch_started" | "batch_done" => println!("{t:7.2}  {event} {}", v["name"]),
            "step" => per_host
                .entry(v["host"].as_str().unwrap_or("").into())
                .or_default()
                .push((*t, v["step"].as_str().unwrap_or("").into())),
            "host_done" => per_host
                .entry(v["host"].as_str().unwrap_or("").into())
                .or_default()
                .push((*t, format!("{} done", v["op"].as_str().unwrap_or("")))),
            _ => {}
        }
    }
    let mut totals: BTreeMap<String, (f64, usize)> = BTreeMap::new();
    println!("\nper host: step@start(duration)");
    for (host, steps) in &per_host {
        let mut row = format!("{host}:");
        for (i, (t, step)) in steps.iter().enumerate() {
            match steps.get(i + 1) {
                Some((next, _)) if !step.ends_with(" done") => {
                    let d = next - t;
                    row.push_str(&format!(" {step}@{t:.1}({d:.2})"));
                    let e = totals.entry(step.clone()).or_default();
                    e.0 += d;
                    e.1 += 1;
                }
                _ => row.push_str(&format!(" {step}@{t:.1}")),
            }
        }
        println!("{row}");
    }
    println!("\nper step, summed over the hosts (host-seconds) and per host:");
    let mut sorted: Vec<_> = totals.into_iter().collect();
    sorted.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0));
    for (step, (sum, count)) in sorted {
        println!(
            "  {step:24} {sum:7.1} s over {count:2} hosts, {:.2} s each",
            sum / count as f64
        );
    }
    let after = logins(&fleet);
    let counts: Vec<String> = after
        .iter()
        .zip(&logins_before)
        .map(|((host, a), (_, b))| format!("{host}={}", a - b))
        .collect();
    println!(
        "\nsshd logins per host during the rollout: {}",
        counts.join(" ")
    );
}

/// Per host, the logins its sshd accepted so far (its log says so for each).
fn logins(fleet: &offgo::fleet::Fleet) -> Vec<(String, usize)> {
    fleet
        .hosts()
        .iter()
        .map(|h| (h.name().to_string(), h.logins_accepted()))
        .collect()
}
