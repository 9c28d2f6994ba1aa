//! What the benches that drive real fleets share: OpenSSH options for the fleet, a pause that
//! lets the machine settle, tmux, and a CPU cgroup for the hosts.

use std::path::Path;
use std::process::Command;

/// The OpenSSH client options that log in to `fleet`'s hosts with its key, checking host keys.
pub fn ssh_opts(fleet: &offgo::fleet::Fleet) -> Vec<String> {
    vec![
        "-i".into(),
        fleet.client_key_path().display().to_string(),
        "-o".into(),
        format!("UserKnownHostsFile={}", fleet.known_hosts_path().display()),
        "-o".into(),
        "StrictHostKeyChecking=yes".into(),
        "-o".into(),
        "BatchMode=yes".into(),
    ]
}

/// Lets the machine finish what came before (a fleet writing its hosts' trees, the previous
/// run's sessions ending, gigabytes extracted) so that no measured run pays for it.
pub fn settle() {
    let _ = Command::new("sync").status();
    std::thread::sleep(std::time::Duration::from_secs(1));
}

/// Runs tmux on its own server `socket`, without the user's configuration.
pub fn tmux(socket: &str, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .arg("-L")
        .arg(socket)
        .arg("-f")
        .arg("/dev/null")
        .args(args)
        .output()
        .expect("tmux")
}

/// The tmux server a bench started; dropping it ends the server and the console in it, also
/// when the bench panics half-way.
pub struct TmuxServer(String);

impl Drop for TmuxServer {
    fn drop(&mut self) {
        let _ = tmux(&self.0, &["kill-server"]);
    }
}

/// Opens the console (`offgo-tui --inventory INV EXTRA…`) in a detached 160×48 tmux session
/// `bench` on server `socket`, logging key- and event-to-frame times (`offgo::latency`) to the
/// log file under `state`.
#[must_use]
pub fn open_console(
    socket: &str,
    offgo: &Path,
    inv: &Path,
    state: &Path,
    extra: &str,
) -> TmuxServer {
    let command = format!(
        "env XDG_STATE_HOME={} OFFGO_LOG=offgo::latency=debug {} --inventory {} {extra}",
        state.display(),
        offgo.display(),
        inv.display()
    );
    let out = tmux(
        socket,
        &[
            "new-session",
            "-d",
            "-s",
            "bench",
            "-x",
            "160",
            "-y",
            "48",
            &command,
        ],
    );
    let server = TmuxServer(socket.to_string());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    server
}

/// A cgroup (v1 `cpu` or v2) with the least CPU weight, removed on drop.
pub struct HostCgroup {
    dir: std::path::PathBuf,
    pub how: &'static str,
}

impl HostCgroup {
    /// The cgroup, with every process of `fleet`'s hosts in it (`None` where none can be made).
    pub fn for_hosts(fleet: &offgo::fleet::Fleet) -> Option<Self> {
        let pids: Vec<i32> = fleet
            .hosts()
            .iter()
            .flat_map(|h| h.process_ids())
            .map(|p| p as i32)
            .collect();
        Self::create(&pids)
    }

    fn create(pids: &[i32]) -> Option<Self> {
        let name = format!("offgo-bench-hosts-{}", std::process::id());
        let (dir, file, value, how) = if Path::new("/sys/fs/cgroup/cpu/cpu.shares").exists() {
            (
                Path::new("/sys/fs/cgroup/cpu").join(&name),
                "cpu.shares",
                "2",
                "cgroup v1 cpu.shares=2",
            )
        } else {
            (
                Path::new("/sys/fs/cgroup").join(&name),
                "cpu.weight",
                "1",
                "cgroup v2 cpu.weight=1",
            )
        };
        std::fs::create_dir(&dir).ok()?;
        let group = Self { dir, how };
        std::fs::write(group.dir.join(file), value).ok()?;
        for pid in pids {
            std::fs::write(group.dir.join("cgroup.procs"), pid.to_string()).ok()?;
        }
        Some(group)
    }
}

impl Drop for HostCgroup {
    fn drop(&mut self) {
        // Its processes are gone with the fleet; anything left goes back to the root group.
        let root = self.dir.parent().map(|p| p.join("cgroup.procs"));
        if let (Ok(procs), Some(root)) =
            (std::fs::read_to_string(self.dir.join("cgroup.procs")), root)
        {
            for pid in procs.lines() {
                let _ = std::fs::write(&root, pid);
            }
        }
        let _ = std::fs::remove_dir(&self.dir);
    }
}

/// Runs each of `commands` with `sh -c` at once (an operator's script on every host in
/// parallel), each fed `stdin`, and waits for all of them; every one must succeed.
pub fn sh_on_all_at_once(commands: impl IntoIterator<Item = String>, stdin: &[u8]) {
    use std::io::Write;
    use std::process::Stdio;
    let children: Vec<std::process::Child> = commands
        .into_iter()
        .map(|cmd| {
            let mut child = Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .stdin(Stdio::piped())
                .stdout(Stdio::null())
                .spawn()
                .unwrap();
            child.stdin.take().unwrap().write_all(stdin).unwrap();
            child
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
}

/// CPU (user + system) of `who`: `libc::RUSAGE_SELF` or `libc::RUSAGE_CHILDREN` (the waited-for
/// children and theirs).
pub fn rusage_cpu(who: libc::c_int) -> std::time::Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given.
    let usage = unsafe {
        libc::getrusage(who, usage.as_mut_ptr());
        usage.assume_init()
    };
    let tv = |t: libc::timeval| {
        std::time::Duration::from_secs(t.tv_sec as u64)
            + std::time::Duration::from_micros(t.tv_usec as u64)
    };
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// This process's CPU so far.
pub fn self_cpu() -> std::time::Duration {
    rusage_cpu(libc::RUSAGE_SELF)
}

/// The CPU of the children this process has waited for.
pub fn children_cpu() -> std::time::Duration {
    rusage_cpu(libc::RUSAGE_CHILDREN)
}
