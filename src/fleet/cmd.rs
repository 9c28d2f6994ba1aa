//! Runs the helper programs the fleet relies on, turning a failure into a [`FleetError`] that
//! shows the command line and what it printed.

use std::process::{Command, Output};

use super::error::FleetError;

/// Runs `cmd` to completion; a non-zero exit is an error carrying its stderr.
pub(crate) fn run(cmd: &mut Command) -> Result<Output, FleetError> {
    let shown = show(cmd);
    let out = cmd.output().map_err(|e| FleetError::Command {
        command: shown.clone(),
        status: "could not start".into(),
        stderr: e.to_string(),
    })?;
    if out.status.success() {
        return Ok(out);
    }
    Err(FleetError::Command {
        command: shown,
        status: out.status.to_string(),
        stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}

/// Like [`run`], returning stdout as text with the trailing newline removed.
pub(crate) fn stdout(cmd: &mut Command) -> Result<String, FleetError> {
    let out = run(cmd)?;
    Ok(String::from_utf8_lossy(&out.stdout).trim_end().to_string())
}

fn show(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}
