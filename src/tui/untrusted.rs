//! Host text made safe as it enters the console's model: every string of an engine event or a
//! rollout snapshot that a host could have written goes through `core::text` here, once, so no
//! widget can draw a host's escape sequence, bidi override or megabyte line. (The engine and the
//! rollout driver decide on the raw values first; the model only shows them.)

use crate::core::engine::{EngineEvent, HostOutcome, HostReport};
use crate::core::goenv::ViewRead;
use crate::core::remote::probe::{BinaryStatus, GoRootKind, StateRead};
use crate::core::rollout::{Phase, Update};
use crate::core::ssh::HostError;
use crate::core::text::{safe, safe_lines, SHOWN_LINES_MAX};

use crate::tui::rollout::state::RolloutSnapshot;

fn one(s: &mut String) {
    *s = safe(s);
}

fn opt(s: &mut Option<String>) {
    if let Some(s) = s {
        one(s);
    }
}

/// A command's output: its lines kept, everything else escaped.
fn lines(s: &mut Option<String>) {
    if let Some(s) = s {
        *s = safe_lines(s, SHOWN_LINES_MAX);
    }
}

pub fn engine_event(mut event: EngineEvent) -> EngineEvent {
    match &mut event {
        EngineEvent::HostProbed { report, .. } => host_report(report),
        EngineEvent::StepStarted { step, .. } => one(step),
        EngineEvent::StepFailed { step, error, .. } => {
            one(step);
            host_error(error);
        }
        EngineEvent::OperationFinished { outcome, .. } => host_outcome(outcome),
        // A command's output comes made safe by the engine (`CommandOutput::of`); the label
        // is offgo's own.
        EngineEvent::ProbeStarted { .. }
        | EngineEvent::OperationStarted { .. }
        | EngineEvent::Progress { .. }
        | EngineEvent::CommandRan { .. } => {}
    }
    event
}

/// `go env`'s answer: names and values are the host's words.
fn env_map(map: &mut std::collections::BTreeMap<String, String>) {
    *map = std::mem::take(map)
        .into_iter()
        .map(|(k, v)| (safe(&k), safe(&v)))
        .collect();
}

fn host_error(e: &mut HostError) {
    one(&mut e.message);
    one(&mut e.hint);
    lines(&mut e.output);
}

fn host_report(r: &mut HostReport) {
    opt(&mut r.error);
    opt(&mut r.hint);
    lines(&mut r.raw_output);
    opt(&mut r.go_version);
    opt(&mut r.arch);
    for gap in &mut r.ldd_gaps {
        one(&mut gap.binary);
        gap.missing.iter_mut().for_each(one);
    }
    opt(&mut r.audit.last_action);
    opt(&mut r.audit.detail);
    if let Some(o) = &mut r.offgo {
        opt(&mut o.current);
        opt(&mut o.previous);
    }
    if let Some(map) = &mut r.go_env {
        env_map(map);
    }
    for d in &mut r.go_env_drift {
        opt(&mut d.got);
    }
    r.go_shims.iter_mut().for_each(one);
    for app in &mut r.apps {
        app_report(app);
    }
    let Some(f) = &mut r.facts else { return };
    f.go_shims.iter_mut().for_each(one);
    for view in [&mut f.go_env.login, &mut f.go_env.service]
        .into_iter()
        .flatten()
    {
        match view {
            ViewRead::Read(map) => env_map(map),
            ViewRead::Failed(said) => one(said),
        }
    }
    one(&mut f.arch);
    if let GoRootKind::Symlink { target } = &mut f.go_root_kind {
        one(target);
    }
    opt(&mut f.go_version_output);
    opt(&mut f.go_version_file);
    match &mut f.state {
        StateRead::Invalid { raw, error } => {
            one(raw);
            one(error);
        }
        StateRead::Parsed(s) => {
            opt(&mut s.current);
            opt(&mut s.previous);
        }
        StateRead::Absent | StateRead::Unreadable => {}
    }
    for b in &mut f.binaries {
        one(&mut b.path);
        if let BinaryStatus::Gaps(libs) = &mut b.status {
            libs.iter_mut().for_each(one);
        }
    }
    f.apps.iter_mut().for_each(installed_app);
}

/// An app's report: its name is checked (offgo's names only), everything else is the host's.
fn app_report(a: &mut crate::core::app::AppReport) {
    for s in [&mut a.version, &mut a.go_version, &mut a.vcs_revision]
        .into_iter()
        .chain([&mut a.health_output, &mut a.state_version, &mut a.previous])
    {
        opt(s);
    }
    a.ldd_missing.iter_mut().for_each(one);
    a.problems.iter_mut().for_each(one);
}

/// The manifest's build info, shown as provenance in the detail pane.
fn installed_app(a: &mut crate::core::app::InstalledApp) {
    use crate::core::app::{AppLink, ManifestRead};
    if let AppLink::Elsewhere(target) = &mut a.link {
        one(target);
    }
    if let ManifestRead::Parsed(m) = &mut a.manifest {
        one(&mut m.name);
        one(&mut m.version);
        one(&mut m.arch);
        one(&mut m.binary);
        let b = &mut m.build;
        one(&mut b.go_version);
        for s in [
            &mut b.path,
            &mut b.module,
            &mut b.module_version,
            &mut b.cgo_enabled,
        ]
        .into_iter()
        .chain([
            &mut b.goos,
            &mut b.goarch,
            &mut b.ldflags,
            &mut b.vcs_revision,
        ])
        .chain([&mut b.vcs_time, &mut b.vcs_modified])
        {
            opt(s);
        }
    }
}

fn host_outcome(o: &mut HostOutcome) {
    opt(&mut o.step);
    opt(&mut o.error);
    opt(&mut o.hint);
    lines(&mut o.output);
    opt(&mut o.from);
    opt(&mut o.to);
    o.notes.iter_mut().for_each(one);
    for c in o.checks.iter_mut().flatten() {
        one(&mut c.check);
        // Evidence of several lines (which files differ) keeps its lines.
        c.detail = safe_lines(&c.detail, SHOWN_LINES_MAX);
    }
}

pub fn rollout(snapshot: &mut RolloutSnapshot) {
    for phase in snapshot.machine.phases.values_mut() {
        match phase {
            Phase::Failed { step, error, .. } => {
                one(step);
                one(error);
            }
            Phase::RolledBack { why } => one(why),
            _ => {}
        }
    }
    for update in &mut snapshot.updates {
        match update {
            Update::Step { step, .. } => one(step),
            Update::HostDone { record, .. } => {
                opt(&mut record.from);
                opt(&mut record.to);
                opt(&mut record.step);
                opt(&mut record.error);
                record.notes.iter_mut().for_each(one);
            }
            Update::JournalError(e) => one(e),
            Update::Note(_) | Update::WaitingForOperator => {}
        }
    }
}

/// The rollout list: journals are files anyone with access to the state directory could have
/// written, and their names and errors reach the screen.
pub fn listing(entries: &mut [crate::core::rollout::listing::Listed]) {
    for entry in entries {
        match &mut entry.rollout {
            Ok(r) => {
                one(&mut r.id);
                one(&mut r.created);
                one(&mut r.actor);
                one(&mut r.version);
                if let crate::core::rollout::Status::Halted { reason }
                | crate::core::rollout::Status::Halting { reason } = &mut r.status
                {
                    one(reason);
                }
            }
            Err(error) => one(error),
        }
    }
}
