//! What an operation did on one host: the object `push|verify|rollback --json` prints
//! (DESIGN.md, "Headless CLI" — a contract) and the console's result row.

use serde::Serialize;

use super::event::CommandOutput;
use super::report::LddGap;
use crate::core::ssh::{ErrorKind, HostError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    Push,
    Verify,
    Rollback,
    /// An operator's ad-hoc command (`:run`, `offgo-tui run`): audited, changes nothing of
    /// offgo's own.
    Run,
}

impl Operation {
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Push => "push",
            Operation::Verify => "verify",
            Operation::Rollback => "rollback",
            Operation::Run => "run",
        }
    }
}

/// One verification check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub check: String,
    pub ok: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostOutcome {
    pub name: String,
    pub ok: bool,
    /// The step that failed.
    pub step: Option<String>,
    pub error_kind: Option<ErrorKind>,
    pub error: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// Whether the operation went as far as changing the host (false for "nothing to do").
    pub changed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checks: Option<Vec<Check>>,
    /// Anything else worth knowing: "already active", "switched back to go1.21.13", audit trouble.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    #[serde(skip)]
    pub hint: Option<String>,
    /// The host's output for the failed step.
    #[serde(skip)]
    pub output: Option<String>,
    /// A push's record of the ldd gaps the host had before it changed anything (`None`: not
    /// read): the verification that follows in a rollout fails only on gaps not in it.
    #[serde(skip)]
    pub ldd_before: Option<Vec<LddGap>>,
    /// What an ad-hoc command answered (`None` for every other operation, and when it never ran).
    #[serde(skip)]
    pub answer: Option<Box<Answer>>,
    /// An app's push, rollback or verify: what its health check answered (`health` in `--json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<super::app_service::Health>,
}

/// What one host answered to an ad-hoc command: how it ended and what it printed (already
/// safe, bounded tails: [`CommandOutput`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Answer {
    pub exit_status: Option<i32>,
    pub output: CommandOutput,
}

impl HostOutcome {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_string(),
            ok: false,
            step: None,
            error_kind: None,
            error: None,
            from: None,
            to: None,
            changed: false,
            checks: None,
            notes: Vec::new(),
            hint: None,
            output: None,
            ldd_before: None,
            answer: None,
            health: None,
        }
    }

    pub fn fail(mut self, step: &str, error: &HostError) -> Self {
        self.ok = false;
        self.step = Some(step.to_string());
        self.error_kind = Some(error.kind);
        self.error = Some(error.message.clone());
        self.hint = Some(error.hint.clone());
        self.output = error.output.clone();
        self
    }
}

/// A step failure inside an operation.
#[derive(Debug, Clone)]
pub struct StepError {
    pub step: String,
    pub error: HostError,
}

impl StepError {
    pub fn new(step: &str, error: HostError) -> Self {
        Self {
            step: step.to_string(),
            error,
        }
    }

    pub fn with_output(mut self, output: String) -> Self {
        self.error.output = Some(output);
        self
    }

    /// A check on the host that said no (pre-flight, a failed remote step).
    pub fn refused(step: &str, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self::new(
            step,
            HostError::new(ErrorKind::CommandFailed, message, hint),
        )
    }
}
