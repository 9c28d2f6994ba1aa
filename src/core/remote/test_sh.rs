//! For the script tests: the real `sh` running a script with its arguments, fed `stdin` (a
//! script that refuses may exit before reading all of it).

use std::io::Write;
use std::process::{Command, Output, Stdio};

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
