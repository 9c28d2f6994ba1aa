//! An operator's ad-hoc command on one host (`:run` in the console, `offgo-tui run`): run as
//! the login user, with no host lock and no retry (the command may change things, so a dropped
//! link is reported, never run twice), then recorded in both audit logs whatever its result.

use std::time::Instant;

use super::outcome::{Answer, HostOutcome};
use super::step::{audit_record, record, OpRun};
use super::OpContext;
use crate::core::engine::CommandOutput;
use crate::core::ssh::{ErrorKind, HostError, HostLink};

/// The audit `action` of an ad-hoc command; its `target` is the command as typed.
pub const AUDIT_ACTION: &str = "run";

pub fn run_on_host(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
    command: &str,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&link.host().name);
    run.step("run");
    let started = Instant::now();
    let result = link.run_lines("run", command, b"", |_| {});
    run.command("run", started, &result);
    let answer = Answer {
        exit_status: result.as_ref().ok().map(|out| out.exit_status),
        output: CommandOutput::of(&result),
    };
    let detail = match &result {
        Ok(out) => format!("exit {}", out.exit_status),
        Err(e) => format!("no exit status: {}: {}", e.kind, e.message),
    };
    match result {
        Ok(out) if out.success() => outcome.ok = true,
        Ok(out) => {
            let error = HostError::new(
                ErrorKind::CommandFailed,
                format!("the command exited with status {}", out.exit_status),
                "see what it printed in the gathered output",
            );
            outcome = outcome.fail("run", &error);
        }
        Err(error) => outcome = outcome.fail("run", &error),
    }
    outcome.answer = Some(Box::new(answer));
    let entry = audit_record(
        &outcome.name,
        &ctx.actor,
        AUDIT_ACTION,
        command,
        outcome.ok,
        detail,
    );
    outcome.notes.extend(record(link, &ctx.trail, entry));
    outcome
}
