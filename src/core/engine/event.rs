//! The engine's event stream: the one thing both faces read.

use std::time::Duration;

use super::outcome::{HostOutcome, Operation};
use super::report::HostReport;
use crate::core::inventory::HostId;
use crate::core::ssh::{ExecOutput, HostError};

#[derive(Debug, Clone)]
pub enum EngineEvent {
    /// A probe of `host` has started (it may still wait for a free parallelism slot).
    ProbeStarted { host: HostId },
    /// A probe finished, successfully or not; `report.reachable` tells which.
    HostProbed {
        host: HostId,
        report: Box<HostReport>,
    },
    /// An operation on `host` was queued.
    OperationStarted { host: HostId, op: Operation },
    /// A step of an operation started (`preflight`, `lock`, `upload`, `extract`, `switch`, …).
    StepStarted {
        host: HostId,
        op: Operation,
        step: String,
    },
    /// Upload progress.
    Progress {
        host: HostId,
        bytes: u64,
        total: u64,
        bytes_per_sec: u64,
    },
    /// A step failed; `error.output` holds what the host said.
    StepFailed {
        host: HostId,
        op: Operation,
        step: String,
        error: HostError,
    },
    /// A remote command finished (the command log), with the end of what it printed.
    CommandRan {
        host: HostId,
        label: String,
        exit_status: Option<i32>,
        elapsed: Duration,
        output: CommandOutput,
    },
    /// The operation on `host` ended.
    OperationFinished {
        host: HostId,
        op: Operation,
        outcome: Box<HostOutcome>,
    },
}

/// The most of each stream of one command an event carries (characters, escapes included):
/// the end of it, where a failing command says why. A console keeping thousands of commands
/// stays small.
pub const OUTPUT_TAIL: usize = 8 * 1024;

/// What one remote command printed, as much as an event carries: the tail of stdout and of
/// stderr, already made safe ([`crate::core::text::safe_tail`]), so no consumer can show a
/// host's terminal control by mistake.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CommandOutput {
    pub stdout: String,
    pub stderr: String,
    /// Why there is no exit status (timed out, connection lost), in offgo's words.
    pub no_exit: Option<String>,
}

impl CommandOutput {
    /// The bounded, safe tail of a finished command, or why it did not finish.
    pub fn of(result: &Result<ExecOutput, HostError>) -> Self {
        use crate::core::text::{safe, safe_tail};
        match result {
            Ok(out) => {
                let mut stdout = safe_tail(&out.stdout, OUTPUT_TAIL);
                if out.truncated {
                    stdout.push_str("\n[offgo stopped reading here: the host printed too much]");
                }
                Self {
                    stdout,
                    stderr: safe_tail(&out.stderr, OUTPUT_TAIL),
                    no_exit: None,
                }
            }
            Err(e) => Self {
                stdout: String::new(),
                stderr: e
                    .output
                    .as_deref()
                    .map(|o| safe_tail(o.as_bytes(), OUTPUT_TAIL))
                    .unwrap_or_default(),
                no_exit: Some(safe(&format!("{}: {}", e.kind, e.message))),
            },
        }
    }

    /// Characters held, for memory budgets.
    pub fn size(&self) -> usize {
        self.stdout.len() + self.stderr.len() + self.no_exit.as_ref().map_or(0, String::len)
    }

    pub fn is_empty(&self) -> bool {
        self.stdout.is_empty() && self.stderr.is_empty() && self.no_exit.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ssh::ErrorKind;

    fn ran(stdout: &[u8], stderr: &[u8]) -> Result<ExecOutput, HostError> {
        Ok(ExecOutput {
            stdout: stdout.to_vec(),
            stderr: stderr.to_vec(),
            exit_status: 1,
            elapsed: Duration::ZERO,
            truncated: false,
        })
    }

    #[test]
    fn an_event_carries_a_safe_bounded_tail_of_each_stream() {
        let noisy = b"\x1b[31mred\x1b[0m\n".repeat(10_000);
        let out = CommandOutput::of(&ran(&noisy, b"tar: short read\n"));
        assert_eq!(out.stderr, "tar: short read\n");
        assert!(
            out.stdout.ends_with("\\x1b[31mred\\x1b[0m\n"),
            "{}",
            &out.stdout[..80]
        );
        assert!(!out.stdout.contains('\x1b'));
        let head = format!("… ({} bytes in all; the last shown)\n", noisy.len());
        assert!(out.stdout.starts_with(&head), "{}", &out.stdout[..80]);
        assert!(out.size() <= 2 * OUTPUT_TAIL + 64);
        assert_eq!(out.no_exit, None);
    }

    #[test]
    fn a_command_that_did_not_finish_says_why() {
        let error = HostError::new(ErrorKind::Timeout, "install did not finish\x1b[2J", "wait")
            .with_output("half\x07");
        let out = CommandOutput::of(&Err(error));
        assert_eq!(
            out.no_exit.as_deref(),
            Some("timeout: install did not finish\\x1b[2J")
        );
        assert_eq!(out.stderr, "half\\x07");
        assert!(out.stdout.is_empty());
    }
}
