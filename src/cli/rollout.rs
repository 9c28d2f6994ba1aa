//! `offgo-tui rollout`: plan, then drive the rollout through the engine, one line per event
//! (JSON lines with `--json`), the last a summary. `--resume` continues the newest unfinished
//! rollout from its journal after a crash.

use std::collections::BTreeSet;
use std::io::{BufRead, IsTerminal};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use tokio::signal::unix::Signal;

use crate::cli::args::RolloutArgs;
use crate::cli::out::{errln, outln};
use crate::cli::watch::{Watch, Woke};
use crate::cli::{context, push, GlobalArgs, EXIT_HOST_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::engine::{Engine, EngineEvent, EngineOptions, HostReport, DEFAULT_PARALLEL};
use crate::core::inventory::{self, HostId, Inventory};
use crate::core::rollout::journal::{self, rollouts_dir, Header};
use crate::core::rollout::settings::{self, RolloutSettings};
use crate::core::rollout::{Driver, Input, Note, Phase, RolloutRequest, Status, Update};

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
    let bundle = match push::open_trusted(&bundle_path, &ctx.inventory.bundles) {
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
    // Hosts already on the target are skipped and counted: probe first (read-only).
    let reports = probe(&ctx.engine, &mut ctx.events, &ctx.selected);
    let mut hosts = Vec::new();
    let mut skipped = Vec::new();
    for &h in &ctx.selected {
        match reports.get(&h) {
            Some(r) if on_target(r, &bundle.version) => {
                skipped.push((h, format!("already on {}", bundle.version)))
            }
            _ => hosts.push(h),
        }
    }
    let signature = crate::core::bundle::Bundle::open(&bundle_path)
        .map(|b| b.signature_status().to_string())
        .unwrap_or_default();
    let inventory_path = inventory::locate(global.inventory.as_deref()).unwrap_or_default();
    let inventory_path = std::fs::canonicalize(&inventory_path).unwrap_or(inventory_path);
    let request = RolloutRequest {
        inventory: &ctx.inventory,
        inventory_path,
        hosts,
        skipped,
        settings,
        bundle,
        bundle_path: std::fs::canonicalize(&bundle_path).unwrap_or(bundle_path),
        signature,
    };
    if args.dry_run {
        return dry_run(&request, &reports, &out);
    }
    let mut driver = match Driver::create(request, &rollouts_dir()) {
        Ok(d) => d,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    out.plan(&driver);
    // Watch for ctrl-c before the first host starts, so it always means "abort".
    let watch = match Watch::new() {
        Ok(w) => w,
        Err(code) => return code,
    };
    let updates = driver.feed(Input::Start, &ctx.engine);
    drive(driver, &ctx.engine, &mut ctx.events, updates, &out, watch)
}

fn settings_for(
    inventory: &Inventory,
    args: &RolloutArgs,
    global: &GlobalArgs,
) -> Result<RolloutSettings, String> {
    let mut s = RolloutSettings::default();
    if let Some(table) = &inventory.rollout {
        s.apply_table(table)
            .map_err(|e| format!("{}: {e}", inventory.source.display()))?;
    }
    apply_flags(&mut s, args)?;
    if let Some(p) = global.parallel {
        s.parallel = usize::from(p);
    }
    Ok(s)
}

/// The plan's flags over `s`.
fn apply_flags(s: &mut RolloutSettings, args: &RolloutArgs) -> Result<(), String> {
    let flag = |name: &str, e: String| format!("--{name}: {e}");
    if let Some(c) = &args.canary {
        s.canary = Some(settings::parse_canary(c).map_err(|e| flag("canary", e))?);
    }
    if let Some(b) = &args.batches {
        s.batches = settings::parse_batches(b).map_err(|e| flag("batches", e))?;
    }
    if let Some(m) = &args.max_failures {
        s.max_failures = settings::parse_limit(m).map_err(|e| flag("max-failures", e))?;
    }
    if let Some(p) = &args.pause {
        s.pause = settings::parse_pause(p).map_err(|e| flag("pause", e))?;
    }
    if let Some(h) = &args.on_halt {
        s.on_halt = settings::parse_on_halt(h).map_err(|e| flag("on-halt", e))?;
    }
    if let Some(a) = args.auto_rollback {
        s.auto_rollback = a;
    }
    Ok(())
}

/// What the flags given with `--resume` say differently from the journal of the rollout being
/// resumed: each line names the flag, what it says and what the rollout has. `--parallel` is
/// not compared: it is how fast, not what.
fn differences(header: &Header, inventory: &Inventory, args: &RolloutArgs) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(path) = &args.bundle {
        match crate::core::bundle::Bundle::open(path) {
            Ok(b) if b.sha256() == header.bundle_sha256 => {}
            Ok(b) => found.push(format!(
                "--bundle {} is {} (sha256 {}); the rollout's is {} (sha256 {}, {})",
                path.display(),
                b.go_version(),
                b.sha256(),
                header.version,
                header.bundle_sha256,
                header.bundle.display()
            )),
            Err(e) => found.push(format!("--bundle {}: {e}", path.display())),
        }
    }
    if let Some(selector) = &args.hosts {
        match inventory::select(inventory, selector) {
            Ok(ids) => {
                let given: BTreeSet<&str> = ids
                    .iter()
                    .map(|&h| inventory.host(h).name.as_str())
                    .collect();
                let journal: BTreeSet<&str> = header.hosts.iter().map(String::as_str).collect();
                let list = |set: Vec<&&str>| {
                    set.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let extra = list(given.difference(&journal).collect());
                let missing = list(journal.difference(&given).collect());
                if !extra.is_empty() {
                    found.push(format!(
                        "--hosts {selector:?} selects {extra}, not in the rollout"
                    ));
                }
                if !missing.is_empty() {
                    found.push(format!(
                        "--hosts {selector:?} leaves out {missing}, in the rollout"
                    ));
                }
            }
            Err(e) => found.push(format!("--hosts {selector:?}: {e}")),
        }
    }
    let mut given = header.settings.clone();
    if let Err(e) = apply_flags(&mut given, args) {
        found.push(e);
        return found;
    }
    let was = &header.settings;
    let mut differs = |flag: &str, now: String, then: String| {
        if now != then {
            found.push(format!("--{flag} says {now}; the rollout has {then}"));
        }
    };
    differs(
        "canary",
        format!("{:?}", given.canary),
        format!("{:?}", was.canary),
    );
    differs(
        "batches",
        format!("{:?}", given.batches),
        format!("{:?}", was.batches),
    );
    differs("max-failures", given.limit_text(), was.limit_text());
    differs(
        "pause",
        format!("{:?}", given.pause),
        format!("{:?}", was.pause),
    );
    differs(
        "on-halt",
        format!("{:?}", given.on_halt),
        format!("{:?}", was.on_halt),
    );
    differs(
        "auto-rollback",
        given.auto_rollback.to_string(),
        was.auto_rollback.to_string(),
    );
    found
}

/// Already on `version`: the probe found it active and recorded in state.json.
pub fn on_target(report: &HostReport, version: &str) -> bool {
    report.error_kind.is_none()
        && report.go_version.as_deref() == Some(version)
        && report.offgo.as_ref().and_then(|o| o.current.as_deref()) == Some(version)
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

/// The steps each host goes through, for the dry run and the confirm dialog.
pub fn steps_per_host(settings: &RolloutSettings, size_mib: u64) -> Vec<String> {
    let mut steps = vec![
        "pre-flight (arch, tools, free space, writable paths, lock free)".to_string(),
        "take the host lock".into(),
        format!("upload {size_mib} MiB to incoming/ (resumable)"),
        "check the tarball's sha256".into(),
        "extract into a temp dir, sha256sum -c every file, go version".into(),
        "adopt a hand-installed go_root into releases/".into(),
        "switch go_root atomically; go version through the new link (switch back on failure)"
            .into(),
        "write the env profile and state.json; prune old releases".into(),
        "append the audit line (host and jump host); release the lock".into(),
    ];
    if settings.auto_rollback {
        steps.push(
            "verify (tree, go version, profile, state, ldd, audit); roll back if it fails".into(),
        );
    }
    steps
}

fn dry_run(
    request: &RolloutRequest<'_>,
    reports: &std::collections::HashMap<HostId, HostReport>,
    out: &Printer,
) -> u8 {
    let names: Vec<String> = request
        .hosts
        .iter()
        .map(|&h| request.inventory.host(h).name.clone())
        .collect();
    let local: Vec<usize> = (0..request.hosts.len()).collect();
    let canary: Vec<usize> = match &request.settings.canary {
        None => Vec::new(),
        Some(settings::Canary::Count(n)) => (0..(*n).min(local.len())).collect(),
        Some(settings::Canary::Hosts(sel)) => match inventory::select(request.inventory, sel) {
            Ok(chosen) => request
                .hosts
                .iter()
                .enumerate()
                .filter(|(_, h)| chosen.contains(h))
                .map(|(i, _)| i)
                .collect(),
            Err(e) => {
                errln!("offgo-tui: --canary {sel:?}: {e}");
                return EXIT_USAGE;
            }
        },
    };
    let plan = crate::core::rollout::plan(&local, &canary, &request.settings.batches, Vec::new());
    let steps = steps_per_host(&request.settings, request.bundle.size >> 20);
    let unreachable: Vec<String> = request
        .hosts
        .iter()
        .filter(|h| reports.get(h).is_some_and(|r| !r.reachable))
        .map(|&h| request.inventory.host(h).name.clone())
        .collect();
    let batches: Vec<Value> = plan
        .batches
        .iter()
        .map(|b| json!({"name": b.name, "hosts": b.hosts.iter().map(|&l| names[l].clone()).collect::<Vec<_>>()}))
        .collect();
    let skipped: Vec<Value> = request
        .skipped
        .iter()
        .map(|(h, why)| json!({"host": request.inventory.host(*h).name, "why": why}))
        .collect();
    if out.json {
        out.line(json!({
            "event": "dry_run", "version": request.bundle.version, "batches": batches, "skipped": skipped,
            "unreachable": unreachable, "steps": steps, "limit": request.settings.limit_text(),
            "parallel": request.settings.parallel,
        }));
        return EXIT_OK;
    }
    outln!(
        "Dry run: roll out {} to {} host(s), {} at a time; {}.",
        request.bundle.version,
        names.len(),
        request.settings.parallel,
        request.settings.limit_text()
    );
    for b in &plan.batches {
        let hosts: Vec<&str> = b.hosts.iter().map(|&l| names[l].as_str()).collect();
        outln!("  {} ({}): {}", b.name, hosts.len(), hosts.join(", "));
    }
    for (h, why) in &request.skipped {
        outln!("  skipped: {} ({why})", request.inventory.host(*h).name);
    }
    if !unreachable.is_empty() {
        outln!(
            "  warning: unreachable now (they will fail unless they come back): {}",
            unreachable.join(", ")
        );
    }
    outln!("Each host, in order:");
    for (i, s) in steps.iter().enumerate() {
        outln!("  {}. {s}", i + 1);
    }
    outln!("Nothing was changed.");
    EXIT_OK
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
        Ok(i) => Arc::new(i),
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
    let bundle = match push::open_trusted(&header.bundle, &inventory.bundles) {
        Ok(b) if b.sha256 == header.bundle_sha256 => b,
        Ok(_) => {
            errln!(
                "offgo-tui: {} is not the bundle rollout {} started with (sha256 differs)",
                header.bundle.display(),
                header.id
            );
            return EXIT_USAGE;
        }
        Err(e) => {
            errln!("offgo-tui: rollout {}: {e}", header.id);
            return EXIT_USAGE;
        }
    };
    let options = EngineOptions {
        parallel: global.parallel.map(usize::from).unwrap_or(DEFAULT_PARALLEL),
        ..EngineOptions::default()
    };
    let (engine, mut events) = Engine::new(Arc::clone(&inventory), options);
    let (mut driver, unknown) = match Driver::resume(&path, &inventory, bundle) {
        Ok(r) => r,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    out.line(json!({"event": "resumed", "rollout": header.id, "journal": path, "unknown": unknown.iter().map(|&h| inventory.host(h).name.clone()).collect::<Vec<_>>()}));
    // Hosts whose last step is unknown are re-probed first: on the target (verified by its
    // go version and state.json), or pushed again.
    let reports = probe(&engine, &mut events, &unknown);
    let watch = match Watch::new() {
        Ok(w) => w,
        Err(code) => return code,
    };
    let mut updates = Vec::new();
    for h in unknown {
        let on = reports
            .get(&h)
            .is_some_and(|r| on_target(r, &header.version));
        updates.extend(driver.settle(h, on, &engine));
    }
    // Resuming is the operator's go-ahead past a manual pause.
    if matches!(
        driver.machine.status,
        Status::PausedBetweenBatches { manual: true }
    ) {
        updates.extend(driver.feed(Input::Continue, &engine));
    } else {
        updates.extend(driver.wake(&engine));
    }
    drive(driver, &engine, &mut events, updates, out, watch)
}

/// Runs until the rollout finishes (or waits for an operator this headless run cannot ask).
/// The first SIGINT or SIGTERM aborts the rollout as the console's `A` does: hosts in flight
/// finish (or roll back), no new host starts. A second one stops waiting at once; the journal
/// keeps the rollout and `rollout --resume` settles the hosts that were cut short.
fn drive(
    mut driver: Driver,
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
                            pending.extend(abort(&mut driver, engine, out, name));
                            aborting = true;
                        }
                        None => pending.extend(driver.feed(Input::Continue, engine)),
                    }
                } else {
                    out.line(json!({"event": "waiting", "why": "manual pause", "resume": "offgo-tui rollout --resume"}));
                    return summary(&driver, out, EXIT_HOST_FAILED);
                }
            }
            if let Update::JournalError(e) = &update {
                errln!("offgo-tui: cannot write the rollout journal ({e}); no new host will start");
            }
            out.update(&update);
        }
        if driver.machine.is_finished() && driver.machine.in_flight().is_empty() {
            let code = if summary_ok(&driver) {
                EXIT_OK
            } else {
                EXIT_HOST_FAILED
            };
            return summary(&driver, out, code);
        }
        if !pending.is_empty() {
            continue;
        }
        let wait = driver.time_left().unwrap_or(Duration::from_secs(3600));
        match watch.next(events, wait) {
            Woke::Event(event) => pending.extend(driver.on_event(&event, engine)),
            Woke::Closed => return summary(&driver, out, EXIT_HOST_FAILED),
            // The wait for a timed pause ran out.
            Woke::TimedOut => pending.extend(driver.tick(engine)),
            Woke::Signal(name) if aborting => {
                let cut = in_flight_names(&driver);
                out.line(
                    json!({"event": "interrupted", "signal": name, "cut_short": cut,
                    "resume": "offgo-tui rollout --resume"}),
                );
                return summary(&driver, out, EXIT_HOST_FAILED);
            }
            Woke::Signal(name) => {
                pending.extend(abort(&mut driver, engine, out, name));
                aborting = true;
            }
        }
    }
}

fn abort(driver: &mut Driver, engine: &Engine, out: &Printer, signal: &str) -> Vec<Update> {
    let in_flight = in_flight_names(driver);
    out.line(json!({"event": "aborting", "signal": signal, "in_flight": in_flight}));
    if !out.json {
        errln!(
            "aborting: {} host(s) in flight finish, no new host starts; {signal} again stops \
             waiting (the journal keeps the rollout for `offgo-tui rollout --resume`)",
            in_flight.len()
        );
    }
    driver.feed(Input::Abort, engine)
}

fn in_flight_names(driver: &Driver) -> Vec<String> {
    driver
        .machine
        .in_flight()
        .into_iter()
        .map(|l| driver.header.hosts[l].clone())
        .collect()
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

fn summary_ok(driver: &Driver) -> bool {
    matches!(driver.machine.status, Status::Done { aborted: false })
        && driver
            .machine
            .phases
            .values()
            .all(|p| matches!(p, Phase::Succeeded { .. }))
}

fn summary(driver: &Driver, out: &Printer, code: u8) -> u8 {
    let header = &driver.header;
    let hosts: Vec<Value> = driver
        .machine
        .phases
        .iter()
        .map(|(&l, phase)| {
            let (outcome, step, error) = match phase {
                Phase::Succeeded { .. } => ("succeeded", None, None),
                Phase::Failed { step, error } => ("failed", Some(step.clone()), Some(error.clone())),
                Phase::RolledBack { why } => ("rolled_back", None, Some(why.clone())),
                Phase::Pending => ("untouched", None, None),
                _ => ("unknown", None, None),
            };
            json!({"name": header.hosts[l], "outcome": outcome, "step": step, "error": error})
        })
        .chain(header.plan.skipped.iter().map(|(l, why)| json!({"name": header.hosts[*l], "outcome": "skipped", "step": null, "error": null, "why": why})))
        .collect();
    let halted = matches!(driver.machine.status, Status::Halted { .. });
    let reason = match &driver.machine.status {
        Status::Halted { reason } => Some(reason.clone()),
        _ => None,
    };
    let count = |o: &str| hosts.iter().filter(|h| h["outcome"] == o).count();
    out.line(json!({
        "event": "summary", "rollout": header.id, "version": header.version, "halted": halted,
        "reason": reason, "aborted": driver.machine.status == Status::Done { aborted: true },
        "succeeded": count("succeeded"), "failed": count("failed"), "rolled_back": count("rolled_back"),
        "skipped": count("skipped"), "untouched": count("untouched"), "hosts": hosts,
        "journal": driver.journal_path(),
    }));
    code
}

struct Printer {
    json: bool,
}

impl Printer {
    fn line(&self, value: Value) {
        if self.json {
            outln!("{value}");
        } else {
            outln!("{}", human(&value));
        }
    }

    fn plan(&self, driver: &Driver) {
        let h = &driver.header;
        let batches: Vec<Value> = h
            .plan
            .batches
            .iter()
            .map(|b| json!({"name": b.name, "hosts": b.hosts.iter().map(|&l| h.hosts[l].clone()).collect::<Vec<_>>()}))
            .collect();
        let skipped: Vec<Value> = h
            .plan
            .skipped
            .iter()
            .map(|(l, why)| json!({"host": h.hosts[*l], "why": why}))
            .collect();
        self.line(json!({"event": "plan", "rollout": h.id, "version": h.version, "batches": batches, "skipped": skipped,
            "limit": h.settings.limit_text(), "journal": driver.journal_path()}));
    }

    fn update(&self, update: &Update) {
        let value = match update {
            Update::Note(Note::BatchStarted { batch, name, hosts }) => {
                json!({"event": "batch_started", "batch": batch, "name": name, "hosts": hosts})
            }
            Update::Note(Note::BatchDone {
                batch,
                name,
                succeeded,
                failed,
            }) => {
                json!({"event": "batch_done", "batch": batch, "name": name, "succeeded": succeeded, "failed": failed})
            }
            Update::Note(Note::Halted { reason }) => json!({"event": "halted", "reason": reason}),
            Update::Note(Note::Paused { why }) => json!({"event": "paused", "why": why}),
            Update::Note(Note::Finished { .. }) | Update::WaitingForOperator => return,
            Update::Step { host, step } => json!({"event": "step", "host": host, "step": step}),
            Update::HostDone { name, record: r } => {
                json!({"event": "host_done", "host": name, "op": r.op, "ok": r.ok, "from": r.from, "to": r.to,
                "step": r.step, "error": r.error, "notes": r.notes})
            }
            Update::JournalError(e) => json!({"event": "journal_error", "error": e}),
        };
        self.line(value);
    }
}

/// One readable line per event for people.
fn human(v: &Value) -> String {
    let s = |k: &str| v[k].as_str().unwrap_or("").to_string();
    match v["event"].as_str().unwrap_or("") {
        "plan" => format!(
            "rollout {} of {}: {} batch(es); {}; journal {}",
            s("rollout"),
            s("version"),
            v["batches"].as_array().map_or(0, |b| b.len()),
            s("limit"),
            s("journal")
        ),
        "batch_started" => format!("== {} ({} hosts)", s("name"), v["hosts"]),
        "batch_done" => format!(
            "== {} done: {} ok, {} failed",
            s("name"),
            v["succeeded"],
            v["failed"]
        ),
        "step" => format!("{}: {}", s("host"), s("step")),
        "host_done" => {
            let verdict = if v["ok"] == true {
                "ok".to_string()
            } else {
                format!("FAILED at {}: {}", s("step"), s("error"))
            };
            format!("{}: {} {verdict}", s("host"), s("op"))
        }
        "halted" => format!("HALTED: {}", s("reason")),
        "aborting" => format!("ABORTING on {}: in flight {}", s("signal"), v["in_flight"]),
        "interrupted" => format!(
            "INTERRUPTED by a second {}: cut short {}; `{}` settles them",
            s("signal"),
            v["cut_short"],
            s("resume")
        ),
        "paused" => format!("paused: {}", s("why")),
        "summary" => format!(
            "rollout {}: {} succeeded, {} failed, {} rolled back, {} skipped, {} untouched{}",
            s("rollout"),
            v["succeeded"],
            v["failed"],
            v["rolled_back"],
            v["skipped"],
            v["untouched"],
            if v["halted"] == true {
                format!(" — HALTED: {}", s("reason"))
            } else {
                String::new()
            }
        ),
        _ => v.to_string(),
    }
}
