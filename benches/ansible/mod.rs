//! The Ansible side of the rollout bench: `ansible-core` from PyPI in a venv under
//! `${XDG_CACHE_HOME:-~/.cache}/offgo/ansible/` (made once, reused), an inventory and an
//! `ansible.cfg` written from the fleet, and `benches/ansible/rollout.yml` run against it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use offgo::fleet::Fleet;

/// Ansible's upload and its remote temporary files on each host: on the filesystem of offgo's
/// own uploads (`/var/lib/offgo/incoming`), one mount, so the copy module's final move is a
/// rename and both tools write the tarball once to the same kind of disk.
const REMOTE_DIR: &str = "/var/lib/offgo/ansible";

/// `ansible-playbook`, and the `PYTHONPATH` it needs when pip installed it with `--target`.
pub struct Ansible {
    program: PathBuf,
    pythonpath: Option<PathBuf>,
    pub version: String,
}

fn cache_dir() -> PathBuf {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache")
        });
    base.join("offgo/ansible")
}

fn ok(what: &str, cmd: &mut Command) -> bool {
    match cmd.output() {
        Ok(out) if out.status.success() => true,
        Ok(out) => {
            eprintln!(
                "{what} failed: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            false
        }
        Err(e) => {
            eprintln!("{what}: {e}");
            false
        }
    }
}

impl Ansible {
    /// Installs `ansible-core` (the newest release this machine's python3 supports) the first
    /// time; later runs reuse it. A venv when `python3 -m venv` works, else `pip install --target`.
    pub fn install() -> Self {
        let dir = cache_dir();
        let venv = dir.join("venv");
        let in_venv = venv.join("bin/ansible-playbook");
        let target = dir.join("lib");
        let in_target = target.join("bin/ansible-playbook");
        let (program, pythonpath) = if in_venv.is_file() {
            (in_venv, None)
        } else if in_target.is_file() {
            (in_target, Some(target))
        } else {
            std::fs::create_dir_all(&dir).expect("ansible cache dir");
            eprintln!("installing ansible-core into {}…", dir.display());
            if ok(
                "python3 -m venv",
                Command::new("python3").arg("-m").arg("venv").arg(&venv),
            ) && ok(
                "pip install ansible-core",
                Command::new(venv.join("bin/pip")).args(["install", "-q", "ansible-core"]),
            ) {
                (in_venv, None)
            } else {
                let _ = std::fs::remove_dir_all(&venv);
                assert!(
                    ok(
                        "pip install --target",
                        Command::new("python3")
                            .args(["-m", "pip", "install", "-q", "--target"])
                            .arg(&target)
                            .arg("ansible-core"),
                    ),
                    "could not install ansible-core into {}",
                    dir.display()
                );
                (in_target, Some(target))
            }
        };
        let mut ansible = Self {
            program,
            pythonpath,
            version: String::new(),
        };
        let out = ansible
            .command()
            .arg("--version")
            .output()
            .expect("ansible-playbook --version");
        ansible.version = String::from_utf8_lossy(&out.stdout)
            .lines()
            .next()
            .unwrap_or("ansible-playbook (unknown version)")
            .to_string();
        ansible
    }

    fn command(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        if let Some(p) = &self.pythonpath {
            cmd.env("PYTHONPATH", p);
        }
        cmd
    }

    /// Writes `<fleet>/ansible/{hosts.ini,ansible.cfg}`: every host as root on 127.0.0.1 at
    /// its port, the fleet's client key and known_hosts, `forks` at a time, ControlPersist and
    /// pipelining on.
    pub fn prepare(fleet: &Fleet, forks: usize) -> PathBuf {
        let dir = fleet.dir().join("ansible");
        std::fs::create_dir_all(dir.join("tmp")).expect("ansible dir");
        let mut hosts = String::from("[fleet]\n");
        for h in fleet.hosts() {
            hosts.push_str(&format!(
                "{} ansible_host=127.0.0.1 ansible_port={}\n",
                h.name(),
                h.port()
            ));
        }
        hosts.push_str(&format!(
            "\n[fleet:vars]\nansible_user=root\nansible_ssh_private_key_file={}\n",
            fleet.client_key_path().display()
        ));
        std::fs::write(dir.join("hosts.ini"), hosts).expect("hosts.ini");
        let cfg = format!(
            "[defaults]\n\
             inventory = {inv}\n\
             forks = {forks}\n\
             host_key_checking = True\n\
             interpreter_python = /usr/bin/python3\n\
             local_tmp = {tmp}\n\
             remote_tmp = {remote}/tmp\n\
             retry_files_enabled = False\n\
             \n\
             [ssh_connection]\n\
             pipelining = True\n\
             ssh_args = -o ControlMaster=auto -o ControlPersist=60s -o BatchMode=yes \
             -o UserKnownHostsFile={known} -o StrictHostKeyChecking=yes\n\
             control_path_dir = {tmp}/cp\n",
            inv = dir.join("hosts.ini").display(),
            tmp = dir.join("tmp").display(),
            known = fleet.known_hosts_path().display(),
            remote = REMOTE_DIR,
        );
        std::fs::write(dir.join("ansible.cfg"), cfg).expect("ansible.cfg");
        dir
    }

    /// Runs the playbook from `dir` (see [`Ansible::prepare`]); the wall of the whole
    /// `ansible-playbook` run.
    pub fn rollout(
        &self,
        dir: &Path,
        playbook: &Path,
        tarball: &Path,
        sha256: &str,
        version: &str,
    ) -> Duration {
        let vars = serde_json::json!({
            "local_tarball": tarball,
            "tarball_sha256": sha256,
            "go_version": version,
            "incoming": format!("{REMOTE_DIR}/incoming"),
        });
        let started = Instant::now();
        let out = self
            .command()
            .arg(playbook)
            .arg("-e")
            .arg(vars.to_string())
            .env("ANSIBLE_CONFIG", dir.join("ansible.cfg"))
            .env("ANSIBLE_HOME", dir.join("home"))
            .env("ANSIBLE_NOCOLOR", "1")
            .current_dir(dir)
            .output()
            .expect("ansible-playbook");
        let wall = started.elapsed();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("PLAY RECAP"),
            "ansible-playbook failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let recap: Vec<&str> = stdout
            .lines()
            .skip_while(|l| !l.starts_with("PLAY RECAP"))
            .filter(|l| l.contains("failed=") && !l.contains("failed=0"))
            .collect();
        assert!(recap.is_empty(), "hosts failed under Ansible: {recap:?}");
        wall
    }
}
