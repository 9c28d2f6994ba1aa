//! An operation on one host from start to end: its steps, then its audit line on both ends
//! when the steps took the host's lock. Every operation that changes a host runs through here,
//! so none can forget the line or write one for a host it never touched.

use super::outcome::{HostOutcome, StepError};
use super::step::{audit_record, record, OpRun};
use super::OpContext;
use crate::core::ssh::HostLink;

/// What an operation records of itself in the audit trail.
pub(super) struct AuditLine {
    pub action: &'static str,
    pub target: String,
    pub detail: String,
}

/// Runs `steps` (given the link, the outcome so far and the flag it sets once it holds the
/// host's lock) and returns the outcome. A host whose steps took the lock — it was changed, or
/// a change was tried — gets the audit line `line` makes of the final outcome; a host refused
/// before the lock was touched by nothing and gets none.
pub(super) fn audited(
    link: &mut HostLink,
    run: &OpRun<'_>,
    ctx: &OpContext,
    mut outcome: HostOutcome,
    steps: impl FnOnce(&mut HostLink, &mut HostOutcome, &mut bool) -> Result<(), StepError>,
    line: impl FnOnce(&HostOutcome) -> AuditLine,
) -> HostOutcome {
    let mut locked = false;
    match steps(link, &mut outcome, &mut locked) {
        Ok(()) => outcome.ok = true,
        Err(e) => {
            run.failed(&e);
            outcome = outcome.fail(&e.step, &e.error);
        }
    }
    if locked {
        let AuditLine {
            action,
            target,
            detail,
        } = line(&outcome);
        let entry = audit_record(
            &outcome.name,
            &ctx.actor,
            action,
            &target,
            outcome.ok,
            detail,
        );
        let notes = record(link, &ctx.trail, entry);
        outcome.notes.extend(notes);
    }
    outcome
}

/// The end every audit detail shares: `; failed at STEP: ERROR` for a failure, then each note.
pub(super) fn failure_and_notes(outcome: &HostOutcome) -> String {
    let mut tail = String::new();
    if let (Some(step), Some(error)) = (&outcome.step, &outcome.error) {
        tail.push_str(&format!("; failed at {step}: {error}"));
    }
    for note in &outcome.notes {
        tail.push_str(&format!("; {note}"));
    }
    tail
}

/// `from -> to` as the outcome records them, `none` for either that is unknown.
pub(super) fn from_to(outcome: &HostOutcome) -> (String, String) {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "none".into());
    (or_none(&outcome.from), or_none(&outcome.to))
}
