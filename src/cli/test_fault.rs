//! `OFFGO_TEST_FAULT`: test-only fault injection for tests/faults.rs and benches/soak.rs. Unset
//! (always, outside those), nothing changes. Set, it is read once here and handed to the engine
//! as a [`FaultPlan`]:
//!
//! `log=PATH` lists every fault point passed (a dry run); `at=N;host=NAME;kill=PID,…;mode=cut`
//! also fires at point N of host NAME: every process under each PID (the hosts' listening
//! sshds) is killed, which cuts the connection and the remote shell mid-command. `mode=cut`
//! (default) lets offgo carry on and fail as after a dropped link; `mode=crash` then ends
//! offgo at once with exit status [`CRASH_EXIT`], as a crashed jump host would.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use crate::core::ssh::FaultPlan;

pub const VAR: &str = "OFFGO_TEST_FAULT";
/// The exit status of `mode=crash`.
pub const CRASH_EXIT: i32 = 86;

/// The plan from the environment, parsed once; an unreadable one is a usage error.
pub fn plan() -> Result<Option<Arc<FaultPlan>>, String> {
    static PLAN: OnceLock<Result<Option<Arc<FaultPlan>>, String>> = OnceLock::new();
    PLAN.get_or_init(|| match std::env::var(VAR) {
        Ok(spec) => parse(&spec)
            .map(|p| Some(Arc::new(p)))
            .map_err(|e| format!("{VAR}={spec:?}: {e}")),
        Err(_) => Ok(None),
    })
    .clone()
}

fn parse(spec: &str) -> Result<FaultPlan, String> {
    let (mut at, mut host, mut kill, mut log, mut crash) = (None, None, Vec::new(), None, false);
    for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not KEY=VALUE"))?;
        match key {
            "at" => at = Some(value.parse::<usize>().map_err(|e| format!("at: {e}"))?),
            "host" => host = Some(value.to_string()),
            "log" => log = Some(PathBuf::from(value)),
            "kill" => {
                for pid in value.split(',').filter(|p| !p.is_empty()) {
                    kill.push(pid.parse::<u32>().map_err(|e| format!("kill: {e}"))?);
                }
            }
            "mode" => {
                crash = match value {
                    "cut" => false,
                    "crash" => true,
                    _ => return Err(format!("mode {value:?}: expected cut or crash")),
                }
            }
            _ => return Err(format!("unknown key {key:?}")),
        }
    }
    if at.is_some() && kill.is_empty() {
        return Err("at= needs kill=PID,… (the hosts' listening sshds)".into());
    }
    let crashed = log.as_ref().map(|l| crashed_marker(l));
    Ok(FaultPlan::new(host, at, log, move |_, _, _| {
        if crash {
            crash_with(&kill, crashed.as_deref());
        }
        for &pid in &kill {
            crate::fleet::kill_processes_under(pid);
        }
    }))
}

/// A crashed jump host observes nothing after the crash: this process ends at once, and a
/// forked child kills the hosts' remote processes after it is gone (were they killed first,
/// the other hosts' workers would see their commands die and journal failures a real crash
/// never writes).
/// Where a crash says its remote kills are done: `LOG.crashed` beside the points log.
pub fn crashed_marker(log: &std::path::Path) -> PathBuf {
    log.with_extension("crashed")
}

fn crash_with(kill: &[u32], done: Option<&std::path::Path>) -> ! {
    // SAFETY: fork(2); the child only reads /proc, sends signals and _exits (glibc keeps malloc
    // usable after fork), the parent exits at once.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        // Give the parent time to die before the remote processes do.
        std::thread::sleep(std::time::Duration::from_millis(200));
        for &pid in kill {
            crate::fleet::kill_processes_under(pid);
        }
        if let Some(done) = done {
            let _ = std::fs::write(done, "done\n");
        }
        // SAFETY: _exit(2) in the forked child: no atexit handlers of the parent run.
        unsafe { libc::_exit(0) };
    }
    std::process::exit(CRASH_EXIT);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_plan_and_names_what_is_wrong() {
        let plan = parse("at=3;host=h1;kill=1,2;mode=crash;log=/tmp/x").unwrap();
        assert_eq!((plan.at, plan.host.as_deref()), (Some(3), Some("h1")));
        assert!(parse("log=/tmp/x").unwrap().at.is_none());
        assert!(parse("at=3").unwrap_err().contains("kill"));
        assert!(parse("mode=boom").unwrap_err().contains("boom"));
        assert!(parse("bogus=1").unwrap_err().contains("bogus"));
    }
}
