//! One host's operation (push, verify, rollback) as the console follows it: reduced from the
//! engine's events by [`crate::tui::state::fold`], never read back from the engine.

use std::time::Duration;

use crate::core::engine::{CommandOutput, HostOutcome, Operation};
use crate::core::ssh::HostError;

/// Commands remembered per operation, newest last: enough to name the one that failed.
pub const COMMANDS_KEPT: usize = 16;

#[derive(Debug, Clone, PartialEq)]
pub enum Phase {
    /// The console asked for it; the engine has not taken it yet.
    Requested,
    /// The engine took it; it may wait for a free parallelism slot.
    Queued,
    /// A step is running.
    Running,
    /// It ended; the outcome is final.
    Done(Box<HostOutcome>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upload {
    pub bytes: u64,
    pub total: u64,
    pub bytes_per_sec: u64,
}

impl Upload {
    /// Whole percent, 0 for an empty total.
    pub fn percent(&self) -> u64 {
        if self.total == 0 {
            return 0;
        }
        (u128::from(self.bytes) * 100 / u128::from(self.total)).min(100) as u64
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRun {
    pub label: String,
    /// `None`: the command did not run to an exit (connection lost, timeout).
    pub exit_status: Option<i32>,
    pub elapsed: Duration,
    /// The end of what the host printed (safe, bounded by the engine); emptied first when the
    /// host's output budget ([`crate::tui::state::row::OUTPUT_BUDGET`]) runs out.
    pub output: CommandOutput,
    /// The budget took this command's output.
    pub output_dropped: bool,
}

impl CommandRun {
    /// It ran to exit status 0.
    pub fn succeeded(&self) -> bool {
        self.exit_status == Some(0)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepFailure {
    pub step: String,
    pub error: HostError,
    /// The last command that ran before the step failed.
    pub command: Option<CommandRun>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HostOperation {
    pub op: Operation,
    /// The version a push installs (known from the bundle picked), or the outcome's `to`.
    pub target: Option<String>,
    pub phase: Phase,
    pub step: Option<String>,
    pub upload: Option<Upload>,
    pub failure: Option<StepFailure>,
    pub commands: Vec<CommandRun>,
}

impl HostOperation {
    pub fn requested(op: Operation, target: Option<String>) -> Self {
        Self {
            op,
            target,
            phase: Phase::Requested,
            step: None,
            upload: None,
            failure: None,
            commands: Vec::new(),
        }
    }

    /// Not finished: the host is busy and takes no second operation.
    pub fn in_flight(&self) -> bool {
        !matches!(self.phase, Phase::Done(_))
    }

    pub fn outcome(&self) -> Option<&HostOutcome> {
        match &self.phase {
            Phase::Done(outcome) => Some(outcome),
            _ => None,
        }
    }

    /// The operation ended and failed.
    pub fn failed(&self) -> bool {
        self.outcome().is_some_and(|o| !o.ok)
    }

    pub fn start_step(&mut self, step: String) {
        self.phase = Phase::Running;
        self.step = Some(step);
    }

    pub fn ran(&mut self, command: CommandRun) {
        if self.commands.len() == COMMANDS_KEPT {
            self.commands.remove(0);
        }
        self.commands.push(command);
    }

    pub fn fail_step(&mut self, step: String, error: HostError) {
        let command = self.commands.last().cloned();
        self.failure = Some(StepFailure {
            step,
            error,
            command,
        });
    }

    pub fn finish(&mut self, outcome: Box<HostOutcome>) {
        if self.target.is_none() {
            self.target = outcome.to.clone();
        }
        self.phase = Phase::Done(outcome);
    }

    /// What the table's operation column says: `push upload 42% 11.2 MiB/s`, `push extract`,
    /// `push ok`, `push failed at check_tree`.
    pub fn label(&self) -> String {
        let op = self.op.as_str();
        match &self.phase {
            Phase::Requested => format!("{op} requested"),
            Phase::Queued => format!("{op} queued"),
            Phase::Running => match (self.step.as_deref(), self.upload) {
                (Some("upload"), Some(up)) => {
                    format!(
                        "{op} upload {}% {}/s",
                        up.percent(),
                        human_bytes(up.bytes_per_sec)
                    )
                }
                (Some(step), _) => format!("{op} {step}"),
                (None, _) => format!("{op} running"),
            },
            Phase::Done(outcome) if outcome.ok => match self.op {
                Operation::Verify => format!("{op} ok"),
                _ => match &outcome.to {
                    Some(to) => format!("{op} ok {to}"),
                    None => format!("{op} ok"),
                },
            },
            Phase::Done(outcome) => {
                let failed_checks = outcome
                    .checks
                    .as_ref()
                    .map(|c| c.iter().filter(|c| !c.ok).count())
                    .unwrap_or(0);
                match outcome.step.as_deref() {
                    Some(step) => format!("{op} failed at {step}"),
                    None if failed_checks == 1 => format!("{op}: 1 check failed"),
                    None if failed_checks > 1 => format!("{op}: {failed_checks} checks failed"),
                    None => format!("{op} failed"),
                }
            }
        }
    }
}

pub use crate::core::units::human_bytes;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ssh::ErrorKind;

    #[test]
    fn labels_follow_the_phase() {
        let mut op = HostOperation::requested(Operation::Push, Some("go1.22.10".into()));
        assert_eq!(op.label(), "push requested");
        op.phase = Phase::Queued;
        assert_eq!(op.label(), "push queued");
        op.start_step("upload".into());
        assert_eq!(op.label(), "push upload");
        op.upload = Some(Upload {
            bytes: 30 << 20,
            total: 64 << 20,
            bytes_per_sec: 12 << 20,
        });
        assert_eq!(op.label(), "push upload 46% 12.0 MiB/s");
        op.start_step("extract".into());
        assert_eq!(op.label(), "push extract");
        let error = HostError::new(ErrorKind::CommandFailed, "files differ", "rebuild");
        let outcome = HostOutcome::new("web-01").fail("check_tree", &error);
        op.finish(Box::new(outcome));
        assert_eq!(op.label(), "push failed at check_tree");
        assert!(op.failed() && !op.in_flight());
    }

    #[test]
    fn percent_never_divides_by_zero_or_passes_100() {
        let up = |bytes, total| Upload {
            bytes,
            total,
            bytes_per_sec: 0,
        };
        assert_eq!(up(5, 0).percent(), 0);
        assert_eq!(up(10, 5).percent(), 100);
        assert_eq!(up(u64::MAX, u64::MAX).percent(), 100);
    }

    #[test]
    fn only_the_newest_commands_are_kept() {
        let mut op = HostOperation::requested(Operation::Verify, None);
        for i in 0..COMMANDS_KEPT + 3 {
            op.ran(CommandRun {
                label: format!("c{i}"),
                exit_status: Some(0),
                elapsed: Duration::ZERO,
                output: CommandOutput::default(),
                output_dropped: false,
            });
        }
        assert_eq!(op.commands.len(), COMMANDS_KEPT);
        assert_eq!(op.commands[0].label, "c3");
    }
}
