//! Running one remote command on an authenticated session.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use ssh2::Session;

use super::connect::is_timeout;
use super::error::{ErrorKind, HostError};

/// The most stdout kept of one command. The largest legitimate output is the probe's: the
/// audit-log tail it fetches (`AUDIT_FETCH_CAP`, 16 MiB) and a few pages of facts. Past this a
/// host is talking nonsense; the jump host stops reading rather than allocate without bound.
pub const STDOUT_CAP: usize = 20 << 20;
/// The most stderr kept of one command: error messages, never data.
pub const STDERR_CAP: usize = 1 << 20;

const _: () = assert!(STDOUT_CAP as u64 > crate::core::remote::probe::AUDIT_FETCH_CAP + (1 << 20));

/// What a remote command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecOutput {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit status; -1 when the output was cut and the command not waited for.
    pub exit_status: i32,
    pub elapsed: Duration,
    /// stdout or stderr went past [`STDOUT_CAP`] / [`STDERR_CAP`]: only that much was kept.
    pub truncated: bool,
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
        if self.truncated {
            text.push_str(&format!(
                "\n[output cut: more than {} MiB of stdout or {} MiB of stderr]",
                STDOUT_CAP >> 20,
                STDERR_CAP >> 20
            ));
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
    let mut truncated = false;
    loop {
        let n = channel.read(&mut buf).map_err(transport_io)?;
        if n == 0 {
            break;
        }
        let room = STDOUT_CAP - stdout.len();
        stdout.extend_from_slice(&buf[..n.min(room)]);
        truncated = n > room;
        while let Some(pos) = stdout[line_start..].iter().position(|&b| b == b'\n') {
            on_line(&String::from_utf8_lossy(
                &stdout[line_start..line_start + pos],
            ));
            line_start += pos + 1;
        }
        if truncated {
            break;
        }
    }
    finish(channel, stdout, truncated, started)
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
    let (stdout, truncated) = read_capped(&mut channel, STDOUT_CAP)?;
    finish(channel, stdout, truncated, started)
}

fn open(session: &Session, command: &str) -> Result<ssh2::Channel, TransportError> {
    let mut channel = session.channel_session().map_err(transport)?;
    channel.exec(command).map_err(transport)?;
    Ok(channel)
}

/// Reads `reader` to its end, keeping at most `cap` bytes; true when there was more (the rest
/// is left unread: the SSH window then holds the host back).
fn read_capped(reader: &mut impl Read, cap: usize) -> Result<(Vec<u8>, bool), TransportError> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(transport_io)?;
        if n == 0 {
            return Ok((kept, false));
        }
        let room = cap - kept.len();
        kept.extend_from_slice(&buf[..n.min(room)]);
        if n > room {
            return Ok((kept, true));
        }
    }
}

/// How the command ended. A command killed by a signal has no exit status (sshd sends
/// `exit-signal` instead) and libssh2 then reports 0: that is a failure, 128 + the signal's
/// number as a shell says it, never a success.
fn exit_status_of(channel: &ssh2::Channel) -> Result<i32, TransportError> {
    let signal = channel.exit_signal().map_err(transport)?;
    if let Some(name) = signal.exit_signal {
        return Ok(128 + signal_number(&name));
    }
    channel.exit_status().map_err(transport)
}

/// The number of a signal as SSH names it (`KILL`, `TERM`, …; RFC 4254 §6.10).
fn signal_number(name: &str) -> i32 {
    match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "ABRT" => 6,
        "FPE" => 8,
        "KILL" => 9,
        "SEGV" => 11,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        "USR1" => 10,
        "USR2" => 12,
        // Any other signal still ended the command: not a success.
        _ => 127,
    }
}

/// Reads stderr (after stdout is drained), waits for the close and the exit status. When
/// stdout was cut, the command is not waited for: the channel is closed on it.
fn finish(
    mut channel: ssh2::Channel,
    stdout: Vec<u8>,
    stdout_cut: bool,
    started: Instant,
) -> Result<ExecOutput, TransportError> {
    let (stderr, stderr_cut) = if stdout_cut {
        (Vec::new(), false)
    } else {
        read_capped(&mut channel.stderr(), STDERR_CAP)?
    };
    let truncated = stdout_cut || stderr_cut;
    let exit_status = if truncated {
        // Closing our end makes sshd hang up on the command (it gets SIGPIPE or EOF).
        let _ = channel.close();
        -1
    } else {
        channel.wait_close().map_err(transport)?;
        exit_status_of(&channel)?
    };
    Ok(ExecOutput {
        stdout,
        stderr,
        exit_status,
        elapsed: started.elapsed(),
        truncated,
    })
}
