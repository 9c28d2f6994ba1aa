//! `push`, `verify`, `rollback`: run one operation on the selected hosts, at most `--parallel`
//! at once, show progress on a terminal's stderr, print results (table or `--json`), exit 0 or 1.
//!
//! ctrl-c or SIGTERM aborts as it does a rollout ([`Watch`]): hosts in flight finish (their
//! remote step cleans up after itself), no new host starts, and the results are printed with
//! the hosts that never started. A second signal stops waiting for the hosts in flight.

use std::collections::VecDeque;
use std::io::IsTerminal;
use std::time::Duration;

use crate::cli::context::Context;
use crate::cli::out::errln;
use crate::cli::watch::{Watch, Woke};
use crate::cli::{print, EXIT_HOST_FAILED, EXIT_OK};
use crate::core::engine::{Engine, EngineEvent, HostOutcome};
use crate::core::inventory::HostId;

/// Starts the operation on `hosts`; called again for each host that gets a free slot.
pub fn run(ctx: Context, json: bool, start: impl Fn(&Engine, &[HostId])) -> u8 {
    run_then(ctx, json, start, |outcomes, json| {
        if json {
            print::json(&outcomes);
        } else {
            print::outcome_table(outcomes);
        }
    })
}

/// [`run`], printing the outcomes with `print` (given `--json`).
pub fn run_then(
    mut ctx: Context,
    json: bool,
    start: impl Fn(&Engine, &[HostId]),
    print: impl FnOnce(&[HostOutcome], bool),
) -> u8 {
    let mut watch = match Watch::new() {
        Ok(w) => w,
        Err(code) => return code,
    };
    let live = std::io::stderr().is_terminal() && !json;
    let mut outcomes: Vec<Option<HostOutcome>> = vec![None; ctx.inventory.hosts.len()];
    let mut waiting: VecDeque<HostId> = ctx.selected.iter().copied().collect();
    let mut in_flight: Vec<HostId> = Vec::new();
    let mut aborted: Option<&'static str> = None;
    let mut cut_short = false;
    loop {
        if aborted.is_none() {
            let free = ctx.parallel.saturating_sub(in_flight.len());
            let batch: Vec<HostId> = (0..free).map_while(|_| waiting.pop_front()).collect();
            if !batch.is_empty() {
                start(&ctx.engine, &batch);
                in_flight.extend(batch);
            }
        }
        if in_flight.is_empty() {
            break;
        }
        let event = match watch.next(&mut ctx.events, Duration::from_secs(3600)) {
            Woke::Event(event) => event,
            Woke::TimedOut => continue,
            Woke::Closed => break,
            Woke::Signal(name) if aborted.is_some() => {
                errln!(
                    "interrupted by a second {name}: stopped waiting for {} host(s) in flight",
                    in_flight.len()
                );
                cut_short = true;
                break;
            }
            Woke::Signal(name) => {
                errln!(
                    "aborting on {name}: {} host(s) in flight finish, {} not started; {name} \
                     again stops waiting",
                    in_flight.len(),
                    waiting.len()
                );
                aborted = Some(name);
                continue;
            }
        };
        match event {
            EngineEvent::OperationFinished { host, outcome, .. } => {
                if live {
                    errln!(
                        "{}: {}",
                        crate::core::text::safe(&outcome.name),
                        if outcome.ok { "ok" } else { "FAILED" }
                    );
                }
                in_flight.retain(|&h| h != host);
                outcomes[host] = Some(*outcome);
            }
            EngineEvent::StepStarted { host, step, .. } if live => {
                // The step name comes from the host's script output.
                let step = crate::core::text::safe(&step);
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
    let signal = aborted.unwrap_or("a signal");
    for &h in &in_flight {
        let why = if cut_short {
            format!("cut short by a second {signal} while in flight")
        } else {
            "the engine stopped before the host reported".to_string()
        };
        outcomes[h] = Some(interrupted(
            &ctx,
            h,
            why,
            "probe the host (scan or verify) to see its state before retrying",
        ));
    }
    for &h in &waiting {
        outcomes[h] = Some(interrupted(
            &ctx,
            h,
            format!("not started: {signal} came first"),
            "run the command again for the hosts left",
        ));
    }
    let outcomes: Vec<HostOutcome> = ctx
        .selected
        .iter()
        .filter_map(|&id| outcomes[id].take())
        .collect();
    print(&outcomes, json);
    if aborted.is_some() {
        let done = outcomes
            .iter()
            .filter(|o| o.step.as_deref() != Some(INTERRUPTED))
            .count();
        errln!(
            "interrupted by {signal}: {done} host(s) finished, {} not started{}",
            waiting.len(),
            if cut_short {
                format!(", {} cut short", in_flight.len())
            } else {
                String::new()
            }
        );
    }
    if aborted.is_none() && outcomes.len() == ctx.selected.len() && outcomes.iter().all(|o| o.ok) {
        EXIT_OK
    } else {
        EXIT_HOST_FAILED
    }
}

/// The `step` of a host the run did not see to the end.
const INTERRUPTED: &str = "interrupted";

fn interrupted(ctx: &Context, host: HostId, why: String, hint: &str) -> HostOutcome {
    let mut outcome = HostOutcome::new(&ctx.inventory.host(host).name);
    outcome.step = Some(INTERRUPTED.into());
    outcome.error = Some(why);
    outcome.hint = Some(hint.into());
    outcome
}
