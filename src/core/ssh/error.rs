//! Why a host could not be reached or a remote command failed, classified as DESIGN.md's
//! `error_kind` values, with a message an operator can act on.

use serde::Serialize;

/// DESIGN.md's `error_kind` (contract): the JSON spelling is the snake_case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Refused,
    Timeout,
    Auth,
    HostKeyUnknown,
    HostKeyMismatch,
    CommandFailed,
}

impl ErrorKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Refused => "refused",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Auth => "auth",
            ErrorKind::HostKeyUnknown => "host_key_unknown",
            ErrorKind::HostKeyMismatch => "host_key_mismatch",
            ErrorKind::CommandFailed => "command_failed",
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A classified failure on one host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostError {
    pub kind: ErrorKind,
    /// What went wrong, in one line.
    pub message: String,
    /// What the operator can do about it.
    pub hint: String,
    /// Raw output of the failed command, kept for the detail view.
    pub output: Option<String>,
}

impl HostError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            hint: hint.into(),
            output: None,
        }
    }

    pub fn with_output(mut self, output: impl Into<String>) -> Self {
        self.output = Some(output.into());
        self
    }
}

impl std::fmt::Display for HostError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for HostError {}
