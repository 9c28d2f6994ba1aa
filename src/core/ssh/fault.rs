//! Fault points for the fault-injection harness (tests/faults.rs, benches/soak.rs): inert unless
//! a [`FaultPlan`] is given to the engine, which only the test-only `OFFGO_TEST_FAULT` variable
//! does (read once by the CLI).
//!
//! A point is passed after every remote command a host's link runs, at chosen chunks of an
//! upload, after the host lock is taken, and at every `step=NAME` line a remote script prints.
//! Points are numbered per host, from 0, in the order the host passes them, so a dry run (no
//! `at`) lists them and a later run can fire the hook at exactly the Nth one. The hook (given by
//! whoever builds the plan) cuts the connection and kills the host's remote processes; the
//! operation then fails as it would after a real crash.

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Every how many upload chunks (of 256 KiB) a point is passed, besides the first chunk.
pub const UPLOAD_POINT_EVERY: u64 = 128;

/// What firing does, given the host, the point's index and its label.
type Hook = Box<dyn Fn(&str, usize, &str) + Send + Sync>;

/// Where and how to fire; shared by every host link of one engine.
pub struct FaultPlan {
    /// Only this host's points fire (all hosts' points are counted and logged).
    pub host: Option<String>,
    /// The point index that fires; `None` for a dry run that only lists points.
    pub at: Option<usize>,
    /// Each passed point is appended to this file as `host<TAB>index<TAB>label<TAB>fired|passed`.
    pub log: Option<PathBuf>,
    hook: Hook,
    counters: Mutex<HashMap<String, usize>>,
    fired: AtomicBool,
}

impl std::fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FaultPlan")
            .field("host", &self.host)
            .field("at", &self.at)
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

impl FaultPlan {
    /// A plan whose `hook(host, index, label)` runs once, at point `at` of `host` (any host
    /// when `None`).
    pub fn new(
        host: Option<String>,
        at: Option<usize>,
        log: Option<PathBuf>,
        hook: impl Fn(&str, usize, &str) + Send + Sync + 'static,
    ) -> Self {
        Self {
            host,
            at,
            log,
            hook: Box::new(hook),
            counters: Mutex::new(HashMap::new()),
            fired: AtomicBool::new(false),
        }
    }

    /// Passes the next point of `host`: logs it and fires the hook if it is the chosen one.
    pub fn point(&self, host: &str, label: &str) {
        let index = {
            let mut counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
            let counter = counters.entry(host.to_string()).or_insert(0);
            let index = *counter;
            *counter += 1;
            index
        };
        let chosen = self.at == Some(index)
            && self.host.as_deref().is_none_or(|h| h == host)
            && !self.fired.swap(true, Ordering::SeqCst);
        // Host output may be in the label: keep it on one line.
        let label: String = label.escape_debug().collect();
        self.log_line(host, index, &label, chosen);
        if chosen {
            tracing::warn!(host, index, label, "fault injected");
            (self.hook)(host, index, &label);
        }
    }

    /// Where the fire falls among `host`'s coming points (1 = the next), if it is still to come.
    fn coming(&self, host: &str) -> Option<usize> {
        let at = self.at?;
        if self.fired.load(Ordering::SeqCst) || self.host.as_deref().is_some_and(|h| h != host) {
            return None;
        }
        let counters = self.counters.lock().unwrap_or_else(|e| e.into_inner());
        let passed = counters.get(host).copied().unwrap_or(0);
        at.checked_sub(passed).map(|n| n + 1)
    }

    fn log_line(&self, host: &str, index: usize, label: &str, fired: bool) {
        let Some(path) = &self.log else { return };
        let what = if fired { "fired" } else { "passed" };
        let line = format!("{host}\t{index}\t{label}\t{what}\n");
        // One write on an O_APPEND file: lines of hosts working in parallel never interleave.
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path);
        if let Ok(mut file) = file {
            let _ = file.write_all(line.as_bytes());
        }
    }
}

/// One host's view of the plan, held by its link.
#[derive(Debug, Clone)]
pub struct HostFaults {
    plan: Arc<FaultPlan>,
    host: String,
}

impl HostFaults {
    pub fn new(plan: Arc<FaultPlan>, host: &str) -> Self {
        Self {
            plan,
            host: host.to_string(),
        }
    }

    pub fn point(&self, label: &str) {
        self.plan.point(&self.host, label);
    }

    /// Shell to put before a script whose `step=NAME` lines are points: when the fire falls
    /// on one of them, the script stops itself (SIGSTOP) right after printing that line, so the
    /// kill lands exactly at that step's start however slow the jump host is to react. Only
    /// `step=` lines count (printed by `echo` or `kv`); every other point of the script comes
    /// after it ends. Empty when the fire is not in reach.
    pub fn script_prefix(&self) -> String {
        let Some(left) = self.plan.coming(&self.host) else {
            return String::new();
        };
        format!(
            r#"offgo_fault_left={left}
offgo_fault_step() {{ offgo_fault_left=$((offgo_fault_left - 1)); [ "$offgo_fault_left" -ne 0 ] || kill -STOP $$; }}
echo() {{ command echo "$@"; case "$1" in step=*) offgo_fault_step ;; esac; }}
printf() {{ command printf "$@"; [ "$1 $2" != '%s=%s\n step' ] || offgo_fault_step; }}
"#
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn fires_once_at_the_chosen_point_of_the_chosen_host() {
        let fired = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&fired);
        let plan = Arc::new(FaultPlan::new(
            Some("b".into()),
            Some(1),
            None,
            move |host, index, label| seen.lock().unwrap().push(format!("{host} {index} {label}")),
        ));
        let (a, b) = (
            HostFaults::new(Arc::clone(&plan), "a"),
            HostFaults::new(Arc::clone(&plan), "b"),
        );
        a.point("x");
        a.point("y");
        b.point("x");
        b.point("step=extract");
        b.point("z");
        assert_eq!(*fired.lock().unwrap(), ["b 1 step=extract"]);
        assert_eq!(b.script_prefix(), "", "fired already");
    }

    #[test]
    fn a_script_stops_itself_at_the_step_line_that_fires() {
        let plan = Arc::new(FaultPlan::new(None, Some(2), None, |_, _, _| {}));
        let h = HostFaults::new(Arc::clone(&plan), "h");
        h.point("preflight");
        // Points 1 and 2 are this script's first two step lines: it stops after the second.
        let script = format!(
            "{}step() {{ echo \"step=$1\"; }}\nkv() {{ printf '%s=%s\\n' \"$1\" \"$2\"; }}\nstep one\nkv step two\necho never\n",
            h.script_prefix()
        );
        let child = std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id();
        // Stopped, not ended: wait for the state to show it.
        let stopped = (0..500).any(|_| {
            std::thread::sleep(std::time::Duration::from_millis(10));
            std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
                s.rsplit_once(')')
                    .is_some_and(|(_, r)| r.trim_start().starts_with('T'))
            })
        });
        // SAFETY: kill(2) on our own child.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        let out = child.wait_with_output().unwrap();
        assert!(
            stopped,
            "the script did not stop itself: {:?} {:?}",
            String::from_utf8_lossy(&out.stdout),
            out.status
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "step=one\nstep=two\n");
    }

    #[test]
    fn a_dry_run_logs_every_point_and_fires_none() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("points");
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let plan = FaultPlan::new(None, None, Some(log.clone()), move |_, _, _| {
            counted.fetch_add(1, Ordering::SeqCst);
        });
        plan.point("h", "preflight");
        plan.point("h", "line\nwith a newline");
        assert_eq!(calls.load(Ordering::SeqCst), 0);
        assert_eq!(
            std::fs::read_to_string(&log).unwrap(),
            "h\t0\tpreflight\tpassed\nh\t1\tline\\nwith a newline\tpassed\n"
        );
    }
}
