//! The operator's `restart` and `health` commands of `[apps.NAME]`, run on the host as the login
//! user (never through the become helper: they are the operator's, not offgo's), each reported
//! in the command log with its output, sanitized and bounded.

use serde::Serialize;

use super::outcome::StepError;
use super::step::OpRun;
use crate::core::inventory::AppSettings;
use crate::core::remote::app_ops::{health_script, restart_script, SERVICE_OUTPUT_TAIL};
use crate::core::remote::ops::{key_values, value};
use crate::core::ssh::HostLink;

/// What a health check answered: the `health` of `push|verify|rollback --json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Health {
    /// The version the check ran against.
    pub version: String,
    pub ok: bool,
    /// Tries made (retried every 0.2 s until `health_timeout`).
    pub attempts: u32,
    /// The last try's exit status.
    pub exit_status: Option<i32>,
    /// The last try's output (its tail), safe to show.
    pub output: String,
}

impl Health {
    /// One line for an error message or a note: `exit 22 after 9 tries: curl: (22) … 500`.
    pub fn summary(&self) -> String {
        let exit = self
            .exit_status
            .map_or("no exit status".to_string(), |s| format!("exit {s}"));
        let output = self.output.trim();
        let output = if output.is_empty() {
            "(no output)"
        } else {
            output
        };
        format!(
            "{exit} after {} tr{}: {}",
            self.attempts,
            if self.attempts == 1 { "y" } else { "ies" },
            crate::core::text::safe_max(&output.replace('\n', " | "), 600)
        )
    }
}

/// The app's commands, or pre-flight's refusal naming the missing table or key.
pub struct Commands<'a> {
    pub restart: &'a str,
    pub health: &'a str,
    pub settings: &'a AppSettings,
}

pub fn commands<'a>(link: &'a HostLink, name: &str) -> Result<Commands<'a>, StepError> {
    let host = link.host();
    let Some(settings) = host.apps.get(name) else {
        return Err(StepError::refused(
            "preflight",
            format!("the inventory has no [apps.{name}]: offgo does not know how to restart {name} on {} or check its health", host.name),
            format!("add [apps.{name}] with restart and health (and health_timeout, default 30s) to the inventory"),
        ));
    };
    let missing = |key: &str| {
        StepError::refused(
            "preflight",
            format!(
                "[apps.{name}] ({}) has no {key}: apps.{name}.{key} is needed to push {name} to {}",
                settings.defined_at, host.name
            ),
            format!("add {key} = \"…\" under [apps.{name}] in the inventory"),
        )
    };
    Ok(Commands {
        restart: settings
            .restart
            .as_deref()
            .ok_or_else(|| missing("restart"))?,
        health: settings
            .health
            .as_deref()
            .ok_or_else(|| missing("health"))?,
        settings,
    })
}

/// Runs `restart` for `version` (now current). Err: it exited non-zero, with its output.
pub fn restart(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    command: &str,
) -> Result<(), StepError> {
    let script = restart_script(&link.host().paths, name, version, command);
    let out = run.script(link, "restart", &script, false)?;
    let pairs = key_values(&out.stdout);
    let output = crate::core::text::safe_lines(
        value(&pairs, "output").unwrap_or(""),
        SERVICE_OUTPUT_TAIL * 2,
    );
    match value(&pairs, "exit") {
        Some("0") if value(&pairs, "restart_end") == Some("1") => Ok(()),
        exit => Err(StepError::refused(
            "restart",
            format!(
                "the restart command exited {}: {}",
                exit.unwrap_or("early"),
                crate::core::text::safe_max(&output.trim().replace('\n', " | "), 600)
            ),
            "see the restart command's output; fix [apps] restart or the service",
        )
        .with_output(output)),
    }
}

/// Runs `health` for `version`, retried until `wait_secs` (0: once).
pub fn health(
    link: &mut HostLink,
    run: &OpRun<'_>,
    name: &str,
    version: &str,
    command: &str,
    wait_secs: u64,
) -> Result<Health, StepError> {
    let script = health_script(&link.host().paths, name, version, command, wait_secs);
    let out = run.script(link, "health", &script, false)?;
    let pairs = key_values(&out.stdout);
    let exit_status = value(&pairs, "exit").and_then(|v| v.parse().ok());
    Ok(Health {
        version: version.to_string(),
        ok: exit_status == Some(0) && value(&pairs, "health_end") == Some("1"),
        attempts: value(&pairs, "attempts")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        exit_status,
        output: crate::core::text::safe_lines(
            value(&pairs, "output").unwrap_or(""),
            SERVICE_OUTPUT_TAIL * 2,
        ),
    })
}

/// `health_timeout` in whole seconds (at least 1).
pub fn wait_secs(settings: &AppSettings) -> u64 {
    settings.health_timeout.as_secs_f64().ceil().max(1.0) as u64
}
