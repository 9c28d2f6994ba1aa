//! Running one remote command on an authenticated session.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use ssh2::Session;

use super::connect::is_timeout;
use super::error::{ErrorKind, HostError};

/// What a remote command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub exit_status: i32,
    pub elapsed: Duration,
}

impl ExecOutput {
    pub fn success(&self) -> bool {
        self.exit_status == 0
    }

    /// stdout then stderr, lossily decoded, for an operator to read.
    pub fn combined(&self) -> String {
        let mut text = String::from_utf8_lossy(&self.stdout).into_owned();
        if !self.stderr.is_empty() {
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            text.push_str(&String::from_utf8_lossy(&self.stderr));
        }
        text
    }
}

/// A failure of the transport itself (as opposed to a command that ran and failed): the
/// session is no longer usable and a pooled one should be replaced.
#[derive(Debug)]
pub struct TransportError {
    pub timed_out: bool,
    pub message: String,
}

impl TransportError {
    pub fn into_host_error(self, what: &str, timeout: Duration) -> HostError {
        if self.timed_out {
            HostError::new(
                ErrorKind::Timeout,
                format!(
                    "{what} did not finish within {} ({})",
                    humantime::format_duration(timeout),
                    self.message
                ),
                "the host is slow or hung: look at its load; raise command_timeout if this step is legitimately long",
            )
        } else {
            HostError::new(
                ErrorKind::CommandFailed,
                format!("{what}: connection lost: {}", self.message),
                "the SSH connection dropped: check the network and sshd on the host, then retry",
            )
        }
    }
}

fn transport(e: ssh2::Error) -> TransportError {
    TransportError {
        timed_out: is_timeout(&e),
        message: e.message().to_string(),
    }
}

fn transport_io(e: std::io::Error) -> TransportError {
    let timed_out = matches!(
        e.kind(),
        std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
    ) || e.to_string().contains("timed out");
    TransportError {
        timed_out,
        message: e.to_string(),
    }
}

/// Runs `command` (through the login user's shell, as `ssh host command` does), feeding
/// `stdin`, and waits for it to end. Bounded by the session's timeout on every read.
pub fn exec(session: &Session, command: &str, stdin: &[u8]) -> Result<ExecOutput, TransportError> {
    exec_lines(session, command, stdin, |_| {})
}

/// Like [`exec`], but hands each stdout line to `on_line` as it arrives, so a long remote
/// script can report its steps live.
pub fn exec_lines(
    session: &Session,
    command: &str,
    stdin: &[u8],
    mut on_line: impl FnMut(&str),
) -> Result<ExecOutput, TransportError> {
    let started = Instant::now();
    let mut channel = open(session, command)?;
    if !stdin.is_empty() {
        channel.write_all(stdin).map_err(transport_io)?;
    }
    channel.send_eof().map_err(transport)?;
    let mut stdout = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let mut line_start = 0;
    loop {
        let n = channel.read(&mut buf).map_err(transport_io)?;
        if n == 0 {
            break;
        }
        stdout.extend_from_slice(&buf[..n]);
        while let Some(pos) = stdout[line_start..].iter().position(|&b| b == b'\n') {
            on_line(&String::from_utf8_lossy(
                &stdout[line_start..line_start + pos],
            ));
            line_start += pos + 1;
        }
    }
    finish(channel, stdout, started)
}

/// Streams `source` into `command`'s stdin (e.g. `cat >> file`), calling `progress` with the
/// bytes sent so far, and waits for the command to end. Memory stays constant: one buffer.
pub fn exec_upload(
    session: &Session,
    command: &str,
    source: &mut dyn Read,
    mut progress: impl FnMut(u64),
) -> Result<ExecOutput, TransportError> {
    let started = Instant::now();
    let mut channel = open(session, command)?;
    let mut buf = vec![0u8; 256 * 1024];
    let mut sent = 0u64;
    loop {
        let n = source.read(&mut buf).map_err(|e| TransportError {
            timed_out: false,
            message: format!("reading the local file: {e}"),
        })?;
        if n == 0 {
            break;
        }
        channel.write_all(&buf[..n]).map_err(transport_io)?;
        sent += n as u64;
        progress(sent);
    }
    channel.send_eof().map_err(transport)?;
    let mut stdout = Vec::new();
    channel.read_to_end(&mut stdout).map_err(transport_io)?;
    finish(channel, stdout, started)
}

fn open(session: &Session, command: &str) -> Result<ssh2::Channel, TransportError> {
    let mut channel = session.channel_session().map_err(transport)?;
    channel.exec(command).map_err(transport)?;
    Ok(channel)
}

/// Reads stderr (after stdout is drained), waits for the close and the exit status.
fn finish(
    mut channel: ssh2::Channel,
    stdout: Vec<u8>,
    started: Instant,
) -> Result<ExecOutput, TransportError> {
    let mut stderr = Vec::new();
    channel
        .stderr()
        .read_to_end(&mut stderr)
        .map_err(transport_io)?;
    channel.wait_close().map_err(transport)?;
    let exit_status = channel.exit_status().map_err(transport)?;
    Ok(ExecOutput {
        stdout,
        stderr,
        exit_status,
        elapsed: started.elapsed(),
    })
}
