//! `offgo-tui rollout`: arguments and a printer around the core's [`RolloutSession`]. One
//! line per event (JSON lines with `--json`), the last a summary. `--resume` continues the
//! newest unfinished rollout from its journal after a crash.

use std::io::{BufRead, IsTerminal};
use std::time::Duration;

use tokio::signal::unix::Signal;

use crate::cli::args::RolloutArgs;
use crate::cli::out::{errln, outln};
use crate::cli::rollout_flags::{differences, settings_for};
use crate::cli::watch::{Watch, Woke};
use crate::cli::{context, GlobalArgs, EXIT_HOST_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::engine::{Artifact, Engine, EngineEvent, HostReport};
use crate::core::inventory::{self, HostId, Inventory};
use crate::core::rollout::event::{
    BatchNames, HostTarball, HostWarning, SkippedHost, RESUME_COMMAND,
};
use crate::core::rollout::journal::{self, rollouts_dir};
use crate::core::rollout::{
    preview, CanaryPick, Input, Preview, RolloutEvent, RolloutRequest, RolloutSession, Update,
};
use crate::core::session::{open_session, Session};

pub fn run(global: &GlobalArgs, args: &RolloutArgs) -> u8 {
    let out = Printer { json: args.json };
    if args.resume {
        return resume(global, args, &out);
    }
    let Some(bundle_path) = args.bundle.clone() else {
        errln!("offgo-tui: rollout needs --bundle (or --resume)");
        return EXIT_USAGE;
    };
    let mut ctx = match context::open(global, args.hosts.as_deref().unwrap_or("all")) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    // A Go release or an app bundle, by what the path names.
    let (artifact, signature) = match Artifact::open_detected(&bundle_path, &ctx.inventory.bundles)
    {
        Ok(b) => b,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    let settings = match settings_for(&ctx.inventory, args, global) {
        Ok(s) => s,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    let canary = match CanaryPick::resolve(&ctx.inventory, &settings) {
        Ok(c) => c,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    // Hosts already on the target are skipped and counted: probe first (read-only).
    let reports = probe(&ctx.engine, &mut ctx.events, &ctx.selected);
    let planned = preview(
        &ctx.selected,
        |h| reports.get(&h),
        &canary,
        &artifact,
        settings,
    );
    if args.dry_run {
        out.event(&dry_run_event(&planned, &ctx.inventory));
        return EXIT_OK;
    }
    let request = RolloutRequest {
        inventory: &ctx.inventory,
        inventory_path: canonical(&ctx.inventory.source),
        preview: planned,
        bundle: artifact.clone(),
        bundle_path: canonical(&bundle_path),
        signature: signature.to_string(),
    };
    // Watch for ctrl-c before the first host starts, so it always means "abort".
    let watch = match Watch::new() {
        Ok(w) => w,
        Err(code) => return code,
    };
    let (session, updates) = match RolloutSession::start(request, &rollouts_dir(), &ctx.engine) {
        Ok(started) => started,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    out.event(&plan_event(&session));
    drive(session, &ctx.engine, &mut ctx.events, updates, &out, watch)
}

fn canonical(path: &std::path::Path) -> std::path::PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn probe(
    engine: &Engine,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    hosts: &[HostId],
) -> std::collections::HashMap<HostId, HostReport> {
    engine.probe(hosts);
    let mut reports = std::collections::HashMap::new();
    while reports.len() < hosts.len() {
        match events.blocking_recv() {
            Some(EngineEvent::HostProbed { host, report }) => {
                reports.insert(host, *report);
            }
            Some(_) => {}
            None => break,
        }
    }
    reports
}

fn names(inventory: &Inventory, hosts: &[HostId]) -> Vec<String> {
    hosts
        .iter()
        .map(|&h| inventory.host(h).name.clone())
        .collect()
}

fn dry_run_event(p: &Preview, inventory: &Inventory) -> RolloutEvent {
    let batches = p
        .plan
        .batches
        .iter()
        .map(|b| BatchNames {
            name: b.name.clone(),
            hosts: b
                .hosts
                .iter()
                .map(|&l| inventory.host(p.hosts[l]).name.clone())
                .collect(),
        })
        .collect();
    let skipped = p
        .skipped
        .iter()
        .map(|(h, why)| SkippedHost {
            host: inventory.host(*h).name.clone(),
            why: why.clone(),
        })
        .collect();
    RolloutEvent::DryRun {
        version: p.version.clone(),
        batches,
        skipped,
        unreachable: names(inventory, &p.unreachable()),
        warnings: p
            .warnings
            .iter()
            .flat_map(|(h, ws)| {
                ws.iter().map(|w| HostWarning {
                    host: inventory.host(*h).name.clone(),
                    kind: w.kind,
                    detail: w.detail.clone(),
                })
            })
            .collect(),
        steps: p.steps.clone(),
        limit: p.settings.limit_text(),
        parallel: p.settings.parallel,
        tarballs: p
            .tarballs
            .iter()
            .map(|(h, tarball)| HostTarball {
                host: inventory.host(*h).name.clone(),
                tarball: tarball.clone(),
            })
            .collect(),
    }
}

fn plan_event(session: &RolloutSession) -> RolloutEvent {
    let h = session.header();
    RolloutEvent::Plan {
        rollout: h.id.clone(),
        version: h.version.clone(),
        batches: BatchNames::of(h),
        skipped: SkippedHost::of(h),
        limit: h.settings.limit_text(),
        journal: session.journal_path().to_path_buf(),
    }
}

fn resume(global: &GlobalArgs, args: &RolloutArgs, out: &Printer) -> u8 {
    let unfinished = journal::newest_unfinished(&rollouts_dir());
    let Some((path, header)) = unfinished.map(|(path, loaded, _)| (path, loaded.header)) else {
        errln!(
            "offgo-tui: no unfinished rollout in {}",
            rollouts_dir().display()
        );
        return EXIT_USAGE;
    };
    let inventory_path = global
        .inventory
        .clone()
        .unwrap_or_else(|| header.inventory.clone());
    let inventory = match inventory::load(&inventory_path) {
        Ok(i) => i,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    let differ = differences(&header, &inventory, args);
    if !differ.is_empty() {
        errln!(
            "offgo-tui: rollout {} ({}) was not started with these flags:",
            header.id,
            path.display()
        );
        for line in &differ {
            errln!("  {line}");
        }
        errln!("  hint: repeat the rollout's own flags with --resume, or give --resume alone");
        return EXIT_USAGE;
    }
    let options = match context::engine_options(global) {
        Ok(options) => options,
        Err(code) => return code,
    };
    let Session {
        inventory,
        mut engine,
        mut events,
    } = open_session(inventory, options);
    engine.accept_audit(global.accept_audit);
    let watch = match Watch::new() {
        Ok(w) => w,
        Err(code) => return code,
    };
    let (session, resumed, updates) = match RolloutSession::resume(&path, &inventory, &engine) {
        Ok(r) => r,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    out.event(&RolloutEvent::Resumed {
        rollout: header.id.clone(),
        journal: resumed.journal,
        unknown: names(&inventory, &resumed.unknown),
    });
    drive(session, &engine, &mut events, updates, out, watch)
}

/// Runs until the rollout finishes (or waits for an operator this headless run cannot ask).
/// The first SIGINT or SIGTERM aborts the rollout as the console's `A` does: hosts in flight
/// finish (or roll back), no new host starts. A second one stops waiting at once; the journal
/// keeps the rollout and `rollout --resume` settles the hosts that were cut short.
fn drive(
    mut session: RolloutSession,
    engine: &Engine,
    events: &mut tokio::sync::mpsc::UnboundedReceiver<EngineEvent>,
    first: Vec<Update>,
    out: &Printer,
    watch: Watch,
) -> u8 {
    let mut watch = watch;
    let mut pending = first;
    let mut aborting = false;
    loop {
        for update in std::mem::take(&mut pending) {
            if matches!(update, Update::WaitingForOperator) {
                if std::io::stdin().is_terminal() && !out.json {
                    errln!("paused: press Enter to continue with the next batch (ctrl-c aborts)");
                    let Watch {
                        runtime,
                        interrupt,
                        terminate,
                    } = &mut watch;
                    match runtime.block_on(wait_for_enter(interrupt, terminate)) {
                        Some(name) => {
                            pending.extend(abort(&mut session, engine, out, name));
                            aborting = true;
                        }
                        None => pending.extend(session.input(Input::Continue, engine)),
                    }
                } else {
                    out.event(&RolloutEvent::Waiting {
                        why: "manual pause".into(),
                        resume: RESUME_COMMAND.into(),
                    });
                    return summary(&session, out, EXIT_HOST_FAILED);
                }
            }
            if let Update::JournalError(e) = &update {
                errln!("offgo-tui: cannot write the rollout journal ({e}); no new host will start");
            }
            if let Some(event) = RolloutEvent::from_update(&update) {
                out.event(&event);
            }
        }
        if session.is_over() {
            let code = if session.summary().ok() {
                EXIT_OK
            } else {
                EXIT_HOST_FAILED
            };
            return summary(&session, out, code);
        }
        if !pending.is_empty() {
            continue;
        }
        let wait = session.time_left().unwrap_or(Duration::from_secs(3600));
        match watch.next(events, wait) {
            Woke::Event(event) => pending.extend(session.on_event(&event, engine)),
            Woke::Closed => return summary(&session, out, EXIT_HOST_FAILED),
            // The wait for a timed pause ran out.
            Woke::TimedOut => pending.extend(session.tick(engine)),
            Woke::Signal(name) if aborting => {
                out.event(&RolloutEvent::Interrupted {
                    signal: name.into(),
                    cut_short: session.in_flight_names(),
                    resume: RESUME_COMMAND.into(),
                });
                return summary(&session, out, EXIT_HOST_FAILED);
            }
            Woke::Signal(name) => {
                pending.extend(abort(&mut session, engine, out, name));
                aborting = true;
            }
        }
    }
}

fn abort(
    session: &mut RolloutSession,
    engine: &Engine,
    out: &Printer,
    signal: &str,
) -> Vec<Update> {
    let in_flight = session.in_flight_names();
    let count = in_flight.len();
    out.event(&RolloutEvent::Aborting {
        signal: signal.into(),
        in_flight,
    });
    if !out.json {
        errln!(
            "aborting: {count} host(s) in flight finish, no new host starts; {signal} again stops \
             waiting (the journal keeps the rollout for `{RESUME_COMMAND}`)"
        );
    }
    session.input(Input::Abort, engine)
}

/// Waits for Enter on the terminal; `Some(signal)` when ctrl-c (or SIGTERM) came first.
async fn wait_for_enter(interrupt: &mut Signal, terminate: &mut Signal) -> Option<&'static str> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    std::thread::spawn(move || {
        let _ = std::io::stdin().lock().read_line(&mut String::new());
        let _ = tx.send(());
    });
    tokio::select! {
        _ = rx => None,
        _ = interrupt.recv() => Some("SIGINT"),
        _ = terminate.recv() => Some("SIGTERM"),
    }
}

fn summary(session: &RolloutSession, out: &Printer, code: u8) -> u8 {
    out.event(&RolloutEvent::Summary(session.summary()));
    code
}

struct Printer {
    json: bool,
}

impl Printer {
    /// Prints one event, its strings (host names, steps, errors, notes) made safe first.
    fn event(&self, event: &RolloutEvent) {
        let event = event.made_safe();
        let event = &event;
        if self.json {
            match serde_json::to_string(event) {
                Ok(line) => outln!("{line}"),
                Err(e) => errln!("offgo-tui: cannot print an event as JSON: {e}"),
            }
        } else {
            outln!("{event}");
        }
    }
}
