//! `push`, `verify`, `rollback`: run one operation on the selected hosts, show progress on a
//! terminal's stderr, print results (table or `--json`), exit 0 or 1.

use std::io::IsTerminal;

use crate::cli::context::Context;
use crate::cli::out::errln;
use crate::cli::{print, EXIT_HOST_FAILED, EXIT_OK};
use crate::core::engine::{EngineEvent, HostOutcome};

/// Waits for every selected host's `OperationFinished`, then prints and returns the exit code.
pub fn finish(mut ctx: Context, json: bool) -> u8 {
    let live = std::io::stderr().is_terminal() && !json;
    let mut outcomes: Vec<Option<HostOutcome>> = vec![None; ctx.inventory.hosts.len()];
    let mut pending = ctx.selected.len();
    while pending > 0 {
        let Some(event) = ctx.events.blocking_recv() else {
            break;
        };
        match event {
            EngineEvent::OperationFinished { host, outcome, .. } => {
                if live {
                    errln!(
                        "{}: {}",
                        outcome.name,
                        if outcome.ok { "ok" } else { "FAILED" }
                    );
                }
                if outcomes[host].replace(*outcome).is_none() {
                    pending -= 1;
                }
            }
            EngineEvent::StepStarted { host, step, .. } if live => {
                errln!("{}: {step}", ctx.inventory.host(host).name);
            }
            EngineEvent::Progress {
                host,
                bytes,
                total,
                bytes_per_sec,
            } if live && bytes == total => {
                errln!(
                    "{}: uploaded {} MiB at {} MiB/s",
                    ctx.inventory.host(host).name,
                    total >> 20,
                    bytes_per_sec >> 20
                );
            }
            _ => {}
        }
    }
    let outcomes: Vec<HostOutcome> = ctx
        .selected
        .iter()
        .filter_map(|&id| outcomes[id].take())
        .collect();
    if json {
        print::json(&outcomes);
    } else {
        print::outcome_table(&outcomes);
    }
    if outcomes.len() == ctx.selected.len() && outcomes.iter().all(|o| o.ok) {
        EXIT_OK
    } else {
        EXIT_HOST_FAILED
    }
}
