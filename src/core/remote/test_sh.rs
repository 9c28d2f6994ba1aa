//! For the script tests: a host's offgo paths laid out under a local directory, and the real `sh`
//! running a script with its arguments, fed `stdin` (a script that refuses may exit before
//! reading all of it).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::RemotePaths;

/// The contract's paths (`/usr/local/go`, `/opt/offgo/releases`, …) under `dir`.
pub fn paths_in(dir: &std::path::Path) -> RemotePaths {
    let root = dir.display();
    RemotePaths {
        go_root: format!("{root}/usr/local/go"),
        releases_dir: format!("{root}/opt/offgo/releases"),
        state_dir: format!("{root}/var/lib/offgo"),
        audit_log: format!("{root}/var/log/offgo/audit.log"),
        profile_script: format!("{root}/etc/profile.d/offgo-go.sh"),
        athens_storage: None,
        host_tools: Default::default(),
    }
}

/// `sh -c SCRIPT NAME ARGS…` with `stdin` on its standard input.
pub fn sh_with_stdin(script: &str, name_and_args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .args(name_and_args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(stdin);
    child.wait_with_output().unwrap()
}
