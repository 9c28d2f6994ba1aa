//! The env probe's host cost (issue 13, Speed): what the `[go_env]` part of the probe — `go env
//! -json` as a service sees it (empty environment) and as an operator's login shell sees it —
//! adds to a probe of a host with Go, in host CPU. Target: ≤ 15 ms.
//!
//! The real probe script (`probe_script`, as the jump host sends it) runs under the local `sh`
//! against the cached go1.22.10 tree, with the Go variables a default inventory asks for and
//! with none (an empty list is the probe's own switch: it then runs no `go env`). The CPU is the
//! children's (`getrusage(RUSAGE_CHILDREN)`: the shell, `go env`, the login shell and every
//! process they start), per probe, over batches of probes; the two kinds alternate which goes
//! first, and the medians of the batches are compared.
//!
//!     cargo bench --bench probe_env

#[allow(dead_code)]
#[path = "support/mod.rs"]
mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use offgo::core::goenv::GoEnvPolicy;
use offgo::core::remote::probe::probe_script;
use offgo::core::remote::RemotePaths;
use offgo::fleet::release_tree;
use support::children_cpu;

const ROUNDS: usize = 5;
const PROBES: u32 = 20;

/// One probe as a host runs it: `sh -s` with the script on stdin, the environment an sshd
/// session gives root (HOME, USER, LOGNAME, SHELL, PATH); returns its output.
fn probe(script: &Path, home: &Path) -> String {
    let out = Command::new("sh")
        .arg("-s")
        .stdin(std::fs::File::open(script).unwrap())
        .stderr(Stdio::null())
        .env_clear()
        .env("HOME", home)
        .env("USER", "root")
        .env("LOGNAME", "root")
        .env("SHELL", "/bin/bash")
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Host CPU per probe over a batch of [`PROBES`].
fn batch(script: &Path, home: &Path) -> Duration {
    let cpu0 = children_cpu();
    for _ in 0..PROBES {
        probe(script, home);
    }
    (children_cpu() - cpu0) / PROBES
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let home = w.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let go_root = release_tree("1.22.10").unwrap();
    // The host's own files are not there (no state.json, audit log or profile): the same for
    // both scripts, and not what is measured.
    let paths = RemotePaths {
        go_root: go_root.display().to_string(),
        releases_dir: w.join("releases").display().to_string(),
        state_dir: w.join("state").display().to_string(),
        audit_log: w.join("audit.log").display().to_string(),
        profile_script: w.join("profile.sh").display().to_string(),
        athens_storage: None,
        host_tools: Default::default(),
    };
    let vars = GoEnvPolicy::default().reported();
    let with = w.join("with-go-env.sh");
    let without = w.join("without-go-env.sh");
    std::fs::write(&with, probe_script(&paths, &[], &vars, None)).unwrap();
    std::fs::write(&without, probe_script(&paths, &[], &[], None)).unwrap();

    // What is measured is what it says: the one reports both views of Go's environment, the
    // other neither, and both found the Go.
    let said = probe(&with, &home);
    assert!(said.contains("go_env_service={"), "{said}");
    assert!(said.contains("go_env_login={"), "{said}");
    assert!(said.contains("go_version_file=go1.22.10"), "{said}");
    let said = probe(&without, &home);
    assert!(!said.contains("go_env_"), "{said}");
    assert!(said.contains("go_version_file=go1.22.10"), "{said}");

    let mut on = Vec::new();
    let mut off = Vec::new();
    for round in 0..ROUNDS {
        // Alternate which goes first, so that neither always runs on a warmer machine.
        for first in [round % 2 == 0, round % 2 != 0] {
            if first {
                on.push(batch(&with, &home));
            } else {
                off.push(batch(&without, &home));
            }
        }
    }
    let (on, off) = (median(on), median(off));
    let added = on.saturating_sub(off);
    println!(
        "| probe of a host with Go ({} variables asked) | host CPU per probe (median of {ROUNDS} × {PROBES}) | vs without |",
        vars.len()
    );
    println!("| --- | --- | --- |");
    println!(
        "| with the go env part (service + login views) | {} | {:.2}× |",
        ms(on),
        on.as_secs_f64() / off.as_secs_f64()
    );
    println!("| without it (no variables asked) | {} | 1.00× |", ms(off));
    println!(
        "| added by the go env part | {} | target ≤ 15 ms |",
        ms(added)
    );
}
