//! The part of [`crate::tui::update`] that runs rollouts: who they act on, the plan shown in the
//! confirm dialog, the operator's inputs as commands for the driver (which lives in the event
//! loop), and the driver's state folded back in.

use crate::core::inventory::HostId;
use crate::core::rollout::{preview, Input, Note, Update};
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::operate::bundles::BundleInfo;
use crate::tui::operate::dialog::{Dialog, Picker, RolloutConfirm};
use crate::tui::rollout::state::{RolloutSnapshot, RolloutState};
use crate::tui::state::model::Model;
use crate::tui::state::overlay::Body;

/// `R`: opens the bundle picker for the marked hosts, else every visible one.
pub fn start(model: &mut Model, commands: &mut Vec<Command>) {
    let at = model.clock;
    if model.settings.read_only {
        let text = "read-only console: rollout is disabled";
        model.log.push(at, Level::Warn, text.to_string());
        return;
    }
    if model
        .rollout
        .as_ref()
        .is_some_and(|r| r.is_active() && !r.elsewhere)
    {
        let text = "rollout: one is already under way (o shows it)";
        model.log.push(at, Level::Warn, text.to_string());
        return;
    }
    if let Err(e) = &model.rollout_settings {
        let text = format!("rollout: the [rollout] settings are wrong: {e}");
        model.log.push(at, Level::Error, text);
        return;
    }
    let marked: Vec<HostId> = model
        .order
        .iter()
        .copied()
        .filter(|&id| model.rows[id].marked)
        .collect();
    let wanted = if marked.is_empty() {
        model.visible.clone()
    } else {
        marked
    };
    let (busy, idle): (Vec<HostId>, Vec<HostId>) =
        wanted.into_iter().partition(|&id| model.rows[id].busy());
    if !busy.is_empty() {
        let text = format!(
            "rollout: {} host(s) left out, an operation is still running there",
            busy.len()
        );
        model.log.push(at, Level::Warn, text);
    }
    if idle.is_empty() {
        model
            .log
            .push(at, Level::Info, "rollout: no host to roll out to".into());
        return;
    }
    let dir = model.bundles_dir.clone();
    model.open_dialog(Dialog::Picker(Picker::for_rollout(idle, dir.clone())));
    commands.push(Command::ListBundles(dir));
}

/// The bundle is picked: plan the rollout and show it.
pub fn plan_dialog(model: &mut Model, hosts: Vec<HostId>, bundle: BundleInfo) {
    let Ok(settings) = model.rollout_settings.clone() else {
        model.take_dialog();
        return;
    };
    let planned = preview(
        &hosts,
        |id| model.rows.get(id).and_then(|r| r.report.as_deref()),
        &model.rollout_canary,
        &bundle.push_facts(),
        settings,
    );
    model.open_dialog(Dialog::Rollout(RolloutConfirm {
        preview: planned,
        bundle: Box::new(bundle),
        scroll: 0,
    }));
}

/// `y` on the plan: ask the event loop to start it, and show the rollout view.
pub fn confirm(model: &mut Model, dialog: RolloutConfirm, commands: &mut Vec<Command>) {
    if model.settings.read_only {
        return;
    }
    let at = model.clock;
    if dialog.preview.hosts.is_empty() {
        let text = format!(
            "rollout of {}: every host is on it already, nothing to do",
            dialog.bundle.version
        );
        model.log.push(at, Level::Info, text);
        return;
    }
    let text = format!(
        "rollout of {} requested: {} host(s), {} skipped",
        dialog.bundle.version,
        dialog.preview.hosts.len(),
        dialog.preview.skipped.len()
    );
    model.log.push(at, Level::Info, text);
    model.body = Body::Rollout;
    commands.push(Command::StartRollout {
        preview: Box::new(dialog.preview),
        bundle: dialog.bundle.manifest,
    });
}

/// Pause, continue, retry, roll back: the operator's word for the driver.
pub fn input(model: &mut Model, which: Operator, commands: &mut Vec<Command>) {
    let at = model.clock;
    if model.settings.read_only {
        let text = "read-only console: the rollout cannot be changed from here";
        model.log.push(at, Level::Warn, text.to_string());
        return;
    }
    let Some(rollout) = &model.rollout else {
        model.log.push(
            at,
            Level::Info,
            "no rollout to act on (R starts one)".into(),
        );
        return;
    };
    if rollout.elsewhere {
        let text = format!(
            "rollout {} is driven by another process (a headless run or another console holds \
             its journal): {} only there, or here once it is over (L, enter reads it again)",
            rollout.id,
            which.as_str()
        );
        model.log.push(at, Level::Warn, text);
        return;
    }
    if rollout.resumable {
        if which == Operator::Continue {
            model
                .log
                .push(at, Level::Info, format!("resuming rollout {}", rollout.id));
            commands.push(Command::ResumeRollout);
        } else {
            let text = "this rollout is not running yet: c resumes it first";
            model.log.push(at, Level::Info, text.to_string());
        }
        return;
    }
    let input = match which {
        Operator::Pause => Input::Pause,
        Operator::Continue => Input::Continue,
        Operator::Abort => Input::Abort,
        Operator::Retry | Operator::RollBack => {
            let hosts = failed_targets(model);
            if hosts.is_empty() {
                model
                    .log
                    .push(at, Level::Info, "rollout: no failed host to act on".into());
                return;
            }
            if which == Operator::Retry {
                Input::Retry(hosts)
            } else {
                Input::RollBack(hosts)
            }
        }
    };
    model
        .log
        .push(at, Level::Info, format!("rollout: {}", which.as_str()));
    commands.push(Command::RolloutInput(input));
}

/// What the operator can tell a rollout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Pause,
    Continue,
    Abort,
    Retry,
    RollBack,
}

impl Operator {
    fn as_str(self) -> &'static str {
        match self {
            Operator::Pause => "pause",
            Operator::Continue => "continue",
            Operator::Abort => "abort",
            Operator::Retry => "retry the failed hosts",
            Operator::RollBack => "roll the failed hosts back",
        }
    }
}

/// Failed hosts (rollout-local ids): the marked ones if any failed host is marked, else all.
fn failed_targets(model: &Model) -> Vec<usize> {
    let Some(rollout) = &model.rollout else {
        return Vec::new();
    };
    let failed = rollout.failed_local();
    let marked: Vec<usize> = failed
        .iter()
        .copied()
        .filter(|&l| {
            rollout
                .ids
                .get(l)
                .and_then(|&h| model.rows.get(h))
                .is_some_and(|r| r.marked)
        })
        .collect();
    if marked.is_empty() {
        failed
    } else {
        marked
    }
}

/// `A`: asks first.
pub fn ask_abort(model: &mut Model) {
    if model
        .rollout
        .as_ref()
        .is_some_and(|r| r.is_active() && !r.resumable && !r.elsewhere)
    {
        model.open_dialog(Dialog::AbortRollout);
    }
}

/// The driver's newest state; its notes go to the event log.
pub fn absorb(model: &mut Model, snapshot: RolloutSnapshot) {
    let at = model.clock;
    for update in &snapshot.updates {
        if let Some((level, text)) = describe(update) {
            model.log.push(at, level, format!("rollout: {text}"));
        }
    }
    if snapshot.elsewhere {
        let text = format!(
            "rollout {} of {} is driven by another process ({}): shown as its journal says",
            snapshot.id,
            snapshot.version,
            snapshot.journal.display()
        );
        model.log.push(at, Level::Warn, text);
        model.body = Body::Rollout;
    } else if snapshot.resumable {
        let text = format!(
            "unfinished rollout {} of {} found ({}): o shows it, c resumes it",
            snapshot.id,
            snapshot.version,
            snapshot.journal.display()
        );
        model.log.push(at, Level::Warn, text);
        model.body = Body::Rollout;
    }
    match &mut model.rollout {
        Some(state) if state.id == snapshot.id => state.absorb(snapshot),
        _ => model.rollout = Some(RolloutState::new(snapshot)),
    }
}

fn describe(update: &Update) -> Option<(Level, String)> {
    Some(match update {
        Update::Note(Note::BatchStarted { name, hosts, .. }) => {
            (Level::Info, format!("{name} started ({hosts} hosts)"))
        }
        Update::Note(Note::BatchDone {
            name,
            succeeded,
            failed,
            ..
        }) => (
            if *failed > 0 {
                Level::Warn
            } else {
                Level::Info
            },
            format!("{name} done: {succeeded} ok, {failed} failed"),
        ),
        Update::Note(Note::Halted { reason }) => (Level::Error, format!("HALTED: {reason}")),
        Update::Note(Note::Paused { why }) => (Level::Warn, format!("paused: {why}")),
        Update::Note(Note::Finished {
            succeeded,
            failed,
            rolled_back,
            halted,
            aborted,
        }) => (
            if *failed + *rolled_back > 0 || *halted {
                Level::Warn
            } else {
                Level::Info
            },
            format!(
                "finished: {succeeded} ok, {failed} failed, {rolled_back} rolled back{}{}",
                if *halted { ", halted" } else { "" },
                if *aborted { ", aborted" } else { "" }
            ),
        ),
        Update::WaitingForOperator => (
            Level::Warn,
            "waiting for the operator: o, then c continues".into(),
        ),
        Update::JournalError(e) => (
            Level::Error,
            format!("cannot write the journal ({e}); no new host will start"),
        ),
        Update::Step { .. } | Update::HostDone { .. } => return None,
    })
}

/// Enter on a bucket: the table shows exactly its hosts, and they are the marks.
pub fn pick_bucket(model: &mut Model) {
    let Some(rollout) = &model.rollout else {
        return;
    };
    let buckets = rollout.buckets();
    let Some(bucket) = buckets.get(rollout.bucket_cursor) else {
        return;
    };
    for row in &mut model.rows {
        row.marked = bucket.hosts.contains(&row.id);
    }
    let text = format!(
        "showing the {} host(s) that failed at {}: {} (Esc shows every host)",
        bucket.hosts.len(),
        bucket.step,
        bucket.pattern
    );
    model.log.push(model.clock, Level::Info, text);
    model.only = Some(bucket.hosts.clone());
    model.needs_filter = true;
    model.body = Body::Table;
}

/// Up and down in the bucket list.
pub fn step_bucket(model: &mut Model, delta: isize) {
    if let Some(rollout) = &mut model.rollout {
        let last = rollout.buckets().len().saturating_sub(1) as isize;
        rollout.bucket_cursor = (rollout.bucket_cursor as isize + delta).clamp(0, last) as usize;
    }
}
