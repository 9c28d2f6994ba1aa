//! Folds engine events into host rows, the fleet counts and the event log. The match has no
//! catch-all arm on purpose: a new event variant does not compile until the console decides
//! what it means.

use crate::core::audit::AuditStatus;
use crate::core::engine::{EngineEvent, HostOutcome, HostReport, Operation};
use crate::core::inventory::HostId;
use crate::tui::logs::commands::CommandEntry;
use crate::tui::logs::events::Level;
use crate::tui::msg::Stamp;
use crate::tui::operate::operation::{CommandRun, HostOperation, Phase, Upload};
use crate::tui::state::model::Model;
use crate::tui::state::row::HostRow;

/// What folding an event asks of `update` beyond the model change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Followup {
    None,
    /// An operation ended on this host: probe it again so the table shows what it has now.
    Reprobe(HostId),
}

pub fn fold(model: &mut Model, event: EngineEvent, at: Stamp) -> Followup {
    match event {
        EngineEvent::ProbeStarted { host } => {
            change_row(model, host, at, |row| row.probing = true);
        }
        EngineEvent::HostProbed { host, report } => {
            let (level, text) = describe_probe(&report);
            let changed = change_row(model, host, at, |row| {
                row.probing = false;
                row.report = Some(report);
            });
            if let Some(name) = changed {
                model.log.push(at, level, format!("{name}: {text}"));
                model.needs_filter = true;
            }
        }
        EngineEvent::OperationStarted { host, op } => {
            change_row(model, host, at, |row| {
                let target = match &row.operation {
                    Some(o) if o.op == op && o.phase == Phase::Requested => o.target.clone(),
                    _ => None,
                };
                let mut started = HostOperation::requested(op, target);
                started.phase = Phase::Queued;
                row.begin_operation(started);
            });
        }
        // Steps, progress and commands show live in the table and the detail pane; the log
        // keeps to results, or a large push would wash everything else out of it.
        EngineEvent::StepStarted { host, op, step } => {
            change_operation(model, host, op, at, |o| o.start_step(step));
        }
        EngineEvent::Progress {
            host,
            bytes,
            total,
            bytes_per_sec,
        } => {
            let upload = Upload {
                bytes,
                total,
                bytes_per_sec,
            };
            change_running(model, host, at, |o| o.upload = Some(upload));
        }
        EngineEvent::CommandRan {
            host,
            label,
            exit_status,
            elapsed,
            output,
        } => {
            // The log across hosts keeps no output: 2,000 labels stay small; each host keeps
            // its own commands' output, within its budget.
            model.commands.push(CommandEntry {
                at,
                host,
                label: label.clone(),
                exit_status,
                elapsed,
            });
            let command = CommandRun {
                label,
                exit_status,
                elapsed,
                output,
                output_dropped: false,
            };
            change_row(model, host, at, |row| {
                if let Some(o) = row.operation.as_mut().filter(|o| o.in_flight()) {
                    o.ran(command);
                    row.keep_output_budget();
                }
            });
        }
        EngineEvent::StepFailed {
            host,
            op,
            step,
            error,
        } => {
            change_operation(model, host, op, at, |o| o.fail_step(step, error));
        }
        EngineEvent::OperationFinished { host, op, outcome } => {
            let (level, text) = describe_outcome(op, &outcome);
            let changed = change_operation(model, host, op, at, |o| o.finish(outcome));
            if let Some(name) = changed {
                model.log.push(at, level, format!("{name}: {text}"));
                return Followup::Reprobe(host);
            }
        }
    }
    Followup::None
}

/// Applies `change` to the host's operation `op`, starting one if the console did not see it
/// start (an event from an operation begun before, or elsewhere in the console).
fn change_operation(
    model: &mut Model,
    host: HostId,
    op: Operation,
    at: Stamp,
    change: impl FnOnce(&mut HostOperation),
) -> Option<String> {
    change_row(model, host, at, |row| {
        if !row
            .operation
            .as_ref()
            .is_some_and(|o| o.op == op && o.in_flight())
        {
            row.begin_operation(HostOperation::requested(op, None));
        }
        if let Some(current) = row.operation.as_mut() {
            change(current);
        }
    })
}

/// Applies `change` to the host's running operation; an event for a host with none is late
/// (its operation already ended) and changes nothing.
fn change_running(
    model: &mut Model,
    host: HostId,
    at: Stamp,
    change: impl FnOnce(&mut HostOperation),
) {
    change_row(model, host, at, |row| {
        if let Some(o) = row.operation.as_mut().filter(|o| o.in_flight()) {
            change(o);
        }
    });
}

/// Applies `change` to the row of `host`, keeping the fleet counts in step; returns the
/// host's name, or logs and returns `None` for an id the inventory does not have.
pub fn change_row(
    model: &mut Model,
    host: HostId,
    at: Stamp,
    change: impl FnOnce(&mut HostRow),
) -> Option<String> {
    let Some(row) = model.rows.get_mut(host) else {
        let text = format!("engine reported host #{host}, which is not in the inventory (ignored)");
        model.log.push(at, Level::Error, text);
        return None;
    };
    model.summary.remove(row);
    change(row);
    row.refresh_cached();
    if crate::tui::table::cells::texts_changed(row, &mut model.widths) {
        // A filter on a state or a progress text must follow it.
        model.needs_filter = true;
    }
    model.summary.add(row);
    model.needs_sort |= model.sort.column != crate::tui::table::sort::SortColumn::Name;
    Some(row.name.clone())
}

/// The log line of an operation's result: `push ok, go1.21.13 → go1.22.10`, `push FAILED at
/// check_tree: …`, with the notes after it.
pub fn describe_outcome(op: Operation, outcome: &HostOutcome) -> (Level, String) {
    let op_name = op.as_str();
    let mut text = if outcome.ok {
        format!("{op_name} ok")
    } else {
        match &outcome.step {
            Some(step) => format!("{op_name} FAILED at {step}"),
            None => format!("{op_name} FAILED"),
        }
    };
    match (op, &outcome.from, &outcome.to) {
        (Operation::Verify, Some(from), _) => text.push_str(&format!(", {from}")),
        (_, from, Some(to)) if outcome.ok => {
            text.push_str(&format!(", {} → {to}", from.as_deref().unwrap_or("none")))
        }
        _ => {}
    }
    if let Some(error) = &outcome.error {
        text.push_str(&format!(": {error}"));
    }
    if let Some(checks) = &outcome.checks {
        let failed: Vec<&str> = checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.check.as_str())
            .collect();
        if !failed.is_empty() {
            text.push_str(&format!("; failed checks: {}", failed.join(", ")));
        }
    }
    for note in &outcome.notes {
        text.push_str(&format!("; {note}"));
    }
    let level = if outcome.ok {
        Level::Info
    } else {
        Level::Error
    };
    (level, text)
}

fn describe_probe(report: &HostReport) -> (Level, String) {
    if !report.reachable || report.error_kind.is_some() {
        let kind = report.error_kind.map(|k| k.as_str()).unwrap_or("failed");
        let error = report.error.as_deref().unwrap_or("no error message");
        return (Level::Error, format!("{kind}: {error}"));
    }
    let mut text = format!(
        "probed, Go {}",
        report.go_version.as_deref().unwrap_or("not installed")
    );
    match report.ldd_gaps.len() {
        0 => {}
        1 => text.push_str(", 1 binary with ldd gaps"),
        n => text.push_str(&format!(", {n} binaries with ldd gaps")),
    }
    if report.audit.status != AuditStatus::Ok {
        text.push_str(&format!(", audit {}", report.audit.status.as_str()));
        return (Level::Warn, text);
    }
    let level = if report.ldd_gaps.is_empty() {
        Level::Info
    } else {
        Level::Warn
    };
    (level, text)
}
