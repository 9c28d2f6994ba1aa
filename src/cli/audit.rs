//! `offgo-tui audit verify`: both ends of the audit trail. The jump host's log must be one
//! unbroken chain; each host's log must be unbroken and hold every entry the jump host recorded
//! for that host (this inventory's host, with this host key), in order — from the operator's
//! last `--accept-audit` on, if any. Problems name the file and line; nothing is repaired.

use crate::cli::args::HostsArgs;
use crate::cli::{context, print, GlobalArgs, EXIT_HOST_FAILED, EXIT_OK};
use crate::core::audit::{AuditStatus, LocalAuditLog};
use crate::core::engine::{Check, EngineEvent, HostOutcome};
use crate::core::ssh::ErrorKind;

pub fn verify(global: &GlobalArgs, args: &HostsArgs) -> u8 {
    let mut ctx = match context::open(global, &args.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    let local = LocalAuditLog::new(crate::core::xdg::local_audit_log());
    let jump = match local.verify() {
        Ok(check) => match check.broken {
            None => Check {
                check: "jump_host_log".into(),
                ok: true,
                detail: format!(
                    "{}: {} entries, chain intact",
                    local.path().display(),
                    check.entries
                ),
            },
            Some((line, why)) => Check {
                check: "jump_host_log".into(),
                ok: false,
                detail: format!("tampered: {} line {line}: {why}", local.path().display()),
            },
        },
        Err(e) => Check {
            check: "jump_host_log".into(),
            ok: false,
            detail: format!("unreadable: {}: {e}", local.path().display()),
        },
    };
    ctx.engine.probe(&ctx.selected);
    let mut outcomes: Vec<Option<HostOutcome>> = vec![None; ctx.inventory.hosts.len()];
    let mut pending = ctx.selected.len();
    while pending > 0 {
        let Some(event) = ctx.events.blocking_recv() else {
            break;
        };
        let EngineEvent::HostProbed { host, report } = event else {
            continue;
        };
        let mut outcome = HostOutcome::new(&report.name);
        let host_check = match report.error_kind {
            Some(_) => Check {
                check: "host_log".into(),
                ok: false,
                detail: format!("not probed: {}", report.error.as_deref().unwrap_or("")),
            },
            None => Check {
                check: "host_log".into(),
                ok: report.audit.status == AuditStatus::Ok,
                detail: match &report.audit.detail {
                    Some(d) => format!("{}: {d}", report.audit.status.as_str()),
                    None => format!("ok: {} entries, chain intact", report.audit.entries),
                },
            },
        };
        let checks = vec![jump.clone(), host_check];
        outcome.ok = checks.iter().all(|c| c.ok);
        if let Some(failed) = checks.iter().find(|c| !c.ok) {
            outcome.step = Some(failed.check.clone());
            outcome.error_kind = Some(report.error_kind.unwrap_or(ErrorKind::CommandFailed));
            outcome.error = Some(failed.detail.clone());
        }
        outcome.checks = Some(checks);
        if outcomes[host].replace(outcome).is_none() {
            pending -= 1;
        }
    }
    let outcomes: Vec<HostOutcome> = ctx
        .selected
        .iter()
        .filter_map(|&id| outcomes[id].take())
        .collect();
    if args.json {
        print::json(&outcomes);
    } else {
        print::outcome_table(&outcomes);
    }
    if outcomes.iter().all(|o| o.ok) {
        EXIT_OK
    } else {
        EXIT_HOST_FAILED
    }
}
