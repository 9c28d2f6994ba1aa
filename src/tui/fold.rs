//! Folds engine events into host rows, the fleet counts and the event log. The match has no
//! catch-all arm on purpose: a new event variant does not compile until the console decides
//! what it means.

use super::eventlog::Level;
use super::model::Model;
use super::msg::Stamp;
use super::row::HostRow;
use crate::core::audit::AuditStatus;
use crate::core::engine::{EngineEvent, HostReport};
use crate::core::inventory::HostId;

pub fn fold(model: &mut Model, event: EngineEvent, at: Stamp) {
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
        EngineEvent::OperationStarted { host, op } => log_host(
            model,
            host,
            at,
            Level::Info,
            format!("{} queued", op.as_str()),
        ),
        EngineEvent::StepStarted { host, op, step } => log_host(
            model,
            host,
            at,
            Level::Info,
            format!("{}: {step}", op.as_str()),
        ),
        EngineEvent::Progress { .. } | EngineEvent::CommandRan { .. } => {}
        EngineEvent::StepFailed {
            host,
            op,
            step,
            error,
        } => log_host(
            model,
            host,
            at,
            Level::Error,
            format!("{} failed at {step}: {}", op.as_str(), error.message),
        ),
        EngineEvent::OperationFinished { host, op, outcome } => {
            let (level, verdict) = if outcome.ok {
                (Level::Info, "ok")
            } else {
                (Level::Error, "FAILED")
            };
            log_host(model, host, at, level, format!("{} {verdict}", op.as_str()))
        }
    }
}

fn log_host(model: &mut Model, host: HostId, at: Stamp, level: Level, text: String) {
    let name = model
        .rows
        .get(host)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| format!("#{host}"));
    model.log.push(at, level, format!("{name}: {text}"));
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
    model.summary.add(row);
    model.needs_sort |= model.sort.column != super::sort::SortColumn::Name;
    Some(row.name.clone())
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
