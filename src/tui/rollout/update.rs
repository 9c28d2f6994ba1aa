//! The part of [`crate::tui::update`] that runs rollouts: who they act on, the plan shown in the
//! confirm dialog, the operator's inputs as commands for the driver (which lives in the event
//! loop), and the driver's state folded back in.

use crate::core::inventory::HostId;
use crate::core::rollout::{preview, Input, Note, Phase, PlanBundle, Status, Update};
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::operate::bundles::BundleInfo;
use crate::tui::operate::dialog::{Dialog, Picker, RolloutAsk, RolloutConfirm, RolloutWord};
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
    let facts = bundle.push_facts();
    // A bundle set picks each host's bundle by its arch; the plan says which.
    let what = match bundle.set.as_deref() {
        Some(set) => PlanBundle::from(set),
        None => PlanBundle::from(&facts),
    };
    let planned = preview(
        &hosts,
        |id| model.rows.get(id).and_then(|r| r.report.as_deref()),
        &model.rollout_canary,
        what,
        settings,
    );
    model.open_dialog(Dialog::Rollout(RolloutConfirm {
        preview: Box::new(planned),
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
    if let Some((_, version)) = model.rollout_opening.take() {
        let text = format!("rollout of {version} superseded: its bundle was still being opened");
        model.log.push(at, Level::Warn, text);
    }
    model.rollout_tokens += 1;
    let token = model.rollout_tokens;
    model.rollout_opening = Some((token, dialog.bundle.version.clone()));
    commands.push(Command::StartRollout {
        preview: dialog.preview,
        bundle: dialog.bundle.manifest,
        token,
    });
}

/// The event loop opened (or could not open) the bundle of the rollout confirmed with `token`:
/// the command that starts it, unless a later confirmation superseded it (then nothing starts).
pub fn bundle_opened(
    model: &mut Model,
    token: u64,
    opened: Result<Box<crate::tui::msg::OpenedRollout>, String>,
) -> Option<Command> {
    let at = model.clock;
    let current = model
        .rollout_opening
        .as_ref()
        .is_some_and(|(t, _)| *t == token);
    if !current {
        let text = "an earlier rollout's bundle opened late: not started".to_string();
        model.log.push(at, Level::Warn, text);
        return None;
    }
    model.rollout_opening = None;
    match opened {
        Ok(opened) => Some(Command::StartOpenedRollout(opened)),
        Err(error) => {
            refused(model, &error);
            None
        }
    }
}

/// The event loop could not start, resume, open or take over a rollout: the log says why.
pub fn refused(model: &mut Model, error: &str) {
    let text = format!("rollout refused: {error}");
    model.log.push(model.clock, Level::Error, text);
}

/// Pause, continue, retry, roll back: the operator's word for the driver. Pause acts at once
/// (it starts nothing); continue, retry and roll back start work on hosts, so they first show
/// exactly which hosts and why those (`y` sends them, see [`send`]).
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
            let hosts = rollout.unsettled_local();
            let why = format!(
                "rollout {} did not finish: these hosts were still to do or cut short \
                 (a host cut short is pushed again; one already on {} is left as it is)",
                rollout.id, rollout.version
            );
            ask(model, RolloutWord::Resume, hosts, why);
        } else {
            let text = "this rollout is not running yet: c resumes it first";
            model.log.push(at, Level::Info, text.to_string());
        }
        return;
    }
    match which {
        Operator::Pause => send_input(model, Input::Pause, which, commands),
        Operator::Abort => send_input(model, Input::Abort, which, commands),
        Operator::Continue => match continue_targets(rollout) {
            Ok((hosts, why)) => ask(model, RolloutWord::Continue, hosts, why),
            Err(text) => model.log.push(at, Level::Info, format!("rollout: {text}")),
        },
        Operator::Retry | Operator::RollBack => {
            let (hosts, why) = failed_targets(model);
            if hosts.is_empty() {
                model
                    .log
                    .push(at, Level::Info, "rollout: no failed host to act on".into());
                return;
            }
            let word = if which == Operator::Retry {
                RolloutWord::Retry
            } else {
                RolloutWord::RollBack
            };
            ask(model, word, hosts, why);
        }
    }
}

fn ask(model: &mut Model, word: RolloutWord, hosts: Vec<usize>, why: String) {
    let Some(rollout) = &model.rollout else {
        return;
    };
    let names = hosts.iter().map(|&l| rollout.name(l).to_string()).collect();
    model.open_dialog(Dialog::RolloutAsk(RolloutAsk {
        word,
        hosts,
        names,
        why,
        scroll: 0,
    }));
}

/// `y` on the question: the word goes to the driver, on the hosts the dialog listed.
pub fn send(model: &mut Model, asked: RolloutAsk, commands: &mut Vec<Command>) {
    if model.settings.read_only {
        return;
    }
    match asked.word {
        RolloutWord::Resume => {
            let text = format!(
                "resuming rollout {}",
                model.rollout.as_ref().map_or("", |r| r.id.as_str())
            );
            model.log.push(model.clock, Level::Info, text);
            commands.push(Command::ResumeRollout);
        }
        RolloutWord::Continue => {
            send_input(model, Input::Continue, Operator::Continue, commands);
        }
        RolloutWord::Retry => {
            send_input(model, Input::Retry(asked.hosts), Operator::Retry, commands);
        }
        RolloutWord::RollBack => {
            let input = Input::RollBack(asked.hosts);
            send_input(model, input, Operator::RollBack, commands);
        }
    }
}

fn send_input(model: &mut Model, input: Input, which: Operator, commands: &mut Vec<Command>) {
    model.log.push(
        model.clock,
        Level::Info,
        format!("rollout: {}", which.as_str()),
    );
    commands.push(Command::RolloutInput(input));
}

/// The hosts `c` will start next, and why those; or why there is nothing to continue.
fn continue_targets(rollout: &RolloutState) -> Result<(Vec<usize>, String), String> {
    let machine = &rollout.machine;
    let next = machine
        .plan
        .batches
        .iter()
        .find(|b| b.hosts.iter().any(|h| is_pending(machine, *h)));
    let pending = |b: &crate::core::rollout::Batch| -> Vec<usize> {
        b.hosts
            .iter()
            .copied()
            .filter(|h| is_pending(machine, *h))
            .collect()
    };
    match &machine.status {
        Status::PausedBetweenBatches { .. } | Status::Paused => match next {
            Some(batch) => Ok((
                pending(batch),
                format!("{} starts next: its hosts not yet done", batch.name),
            )),
            None => Ok((
                Vec::new(),
                "no host is left to start: continuing finishes the rollout".into(),
            )),
        },
        Status::Halted { .. } => {
            let (over, arithmetic) = machine.limit_check();
            if over {
                return Err(format!(
                    "halted and still over its failure limit ({arithmetic}): retry (t) or \
                     roll back (b) the failed hosts first"
                ));
            }
            match next {
                Some(batch) => Ok((
                    pending(batch),
                    format!(
                        "the halt is lifted ({arithmetic}); {} goes on with these hosts",
                        batch.name
                    ),
                )),
                None => Err("halted with no host left to start".into()),
            }
        }
        Status::Running => Err("the rollout is running: nothing to continue".into()),
        Status::Halting { reason } => Err(format!(
            "halting ({reason}): the hosts in flight finish first; then retry (t) or roll \
             back (b) the failed hosts"
        )),
        Status::NotStarted | Status::Aborting | Status::Done { .. } => {
            Err(format!("{}: nothing to continue", rollout.status_text()))
        }
    }
}

fn is_pending(machine: &crate::core::rollout::Rollout, host: usize) -> bool {
    matches!(machine.phases.get(&host), Some(Phase::Pending) | None)
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

/// Failed hosts (rollout-local ids): the marked ones if any failed host is marked, else all;
/// with the reason the dialog gives for them.
fn failed_targets(model: &Model) -> (Vec<usize>, String) {
    let Some(rollout) = &model.rollout else {
        return (Vec::new(), String::new());
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
        let why = format!(
            "every host that failed in the rollout ({}); mark some in the table to narrow it",
            failed.len()
        );
        (failed, why)
    } else {
        let why = format!(
            "the {} marked host(s) among the {} that failed",
            marked.len(),
            failed.len()
        );
        (marked, why)
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
    // A journal read again (a rollout followed from elsewhere) says nothing new about who
    // drives it: the log and the view change only when that changes.
    let seen = model.rollout.as_ref().is_some_and(|s| {
        s.id == snapshot.id
            && s.elsewhere == snapshot.elsewhere
            && s.resumable == snapshot.resumable
    });
    if !seen && snapshot.elsewhere {
        let text = format!(
            "rollout {} of {} is driven by another process ({}): shown as its journal says",
            snapshot.id,
            snapshot.version,
            snapshot.journal.display()
        );
        model.log.push(at, Level::Warn, text);
        model.body = Body::Rollout;
    } else if !seen && snapshot.resumable {
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
        bucket.label
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
