//! The part of [`crate::tui::update`] that starts operations: who they act on, the picker and
//! confirm dialogs, and the commands that ask the event loop to run them. Called only from
//! `update`, so `update` stays the one place state changes.

use std::path::PathBuf;

use crate::core::engine::Operation;
use crate::core::inventory::HostId;
use crate::tui::input::action::Action;
use crate::tui::logs::events::Level;
use crate::tui::msg::Command;
use crate::tui::operate::bundles::BundleChoice;
use crate::tui::operate::dialog::{Confirm, Dialog, PickFor, Picker};
use crate::tui::operate::operation::{HostOperation, Phase};
use crate::tui::state::fold::change_row;
use crate::tui::state::model::Model;

/// Host names a log line spells out before it says "and N more".
const NAMED_IN_LOG: usize = 3;

/// `p`, `V`, `r`: opens the picker (push) or the confirm dialog, or logs why not.
pub fn start(model: &mut Model, op: Operation, commands: &mut Vec<Command>) {
    let action = match op {
        Operation::Push => Action::Push,
        Operation::Verify => Action::Verify,
        Operation::Rollback => Action::Rollback,
        // `:run` opens its own dialog (tui::command): it needs the command first.
        Operation::Run | Operation::GoEnv => return,
    };
    if model.settings.read_only && action.is_dangerous() {
        // Unbound in read-only mode; this catches an action sent by other means.
        let text = format!("read-only console: {} is disabled", op.as_str());
        model.log.push(model.clock, Level::Warn, text);
        return;
    }
    let Some(hosts) = targets(model, op) else {
        return;
    };
    if op == Operation::Push {
        let dir = model.bundles_dir.clone();
        model.open_dialog(Dialog::Picker(Picker::new(hosts, dir.clone())));
        commands.push(Command::ListBundles(dir));
    } else {
        model.open_dialog(Dialog::Confirm(Confirm::new(op, hosts, None)));
    }
}

/// The marked hosts, else the selected one, less those already busy with an operation.
/// `None` (and a log line saying why) when nothing is left.
pub(crate) fn targets(model: &mut Model, op: Operation) -> Option<Vec<HostId>> {
    // In the table's order, so the dialog lists them as the operator sees them.
    let marked: Vec<HostId> = model
        .order
        .iter()
        .copied()
        .filter(|&id| model.rows[id].marked)
        .collect();
    let wanted = if marked.is_empty() {
        model.selected.into_iter().collect()
    } else {
        marked
    };
    let (busy, idle): (Vec<HostId>, Vec<HostId>) =
        wanted.into_iter().partition(|&id| model.rows[id].busy());
    let at = model.clock;
    if !busy.is_empty() {
        let text = format!(
            "{}: {} left out, an operation is still running there",
            op.as_str(),
            names(model, &busy)
        );
        model.log.push(at, Level::Warn, text);
    }
    if idle.is_empty() {
        if busy.is_empty() {
            let text = format!("{}: no host selected", op.as_str());
            model.log.push(at, Level::Info, text);
        }
        return None;
    }
    Some(idle)
}

/// The listing the picker waited for. A listing for a picker no longer open is dropped.
pub fn bundles_listed(model: &mut Model, dir: PathBuf, choices: Vec<BundleChoice>) {
    if let Some(Dialog::Picker(picker)) = model.dialog_mut() {
        if picker.dir == dir && picker.choices.is_none() {
            picker.fill(choices);
        }
    }
}

/// Up and down inside a dialog.
pub fn step(model: &mut Model, delta: isize) {
    // Limits as the last frame measured them: the dialog is on screen while it has the keys.
    let max = model.measured.confirm.unwrap_or(0);
    let rollout_max = model.measured.plan.unwrap_or(0);
    match model.dialog_mut() {
        Some(Dialog::Picker(picker)) => picker.step(delta),
        Some(Dialog::Confirm(confirm)) => {
            confirm.scroll = (confirm.scroll as isize + delta).clamp(0, max as isize) as usize;
        }
        Some(Dialog::Rollout(plan)) => {
            plan.scroll = (plan.scroll as isize + delta).clamp(0, rollout_max as isize) as usize;
        }
        Some(Dialog::RolloutAsk(asked)) => {
            asked.scroll = (asked.scroll as isize + delta).clamp(0, max as isize) as usize;
        }
        Some(Dialog::AbortRollout) | None => {}
    }
}

/// Enter in the picker: on to the confirm dialog with the bundle under the cursor.
pub fn pick(model: &mut Model) {
    let Some(Dialog::Picker(picker)) = model.dialog() else {
        return;
    };
    let Some(bundle) = picker.selected().cloned() else {
        // Nothing that can be pushed is highlighted; the picker says why on screen.
        return;
    };
    let hosts = picker.hosts.clone();
    if picker.purpose == PickFor::Rollout {
        let bundle = bundle.clone();
        crate::tui::rollout::update::plan_dialog(model, hosts, bundle);
        return;
    }
    model.open_dialog(Dialog::Confirm(Confirm::new(
        Operation::Push,
        hosts,
        Some(bundle),
    )));
}

pub fn cancel(model: &mut Model) {
    let Some(dialog) = model.take_dialog() else {
        return;
    };
    let what = match dialog {
        Dialog::Picker(p) if p.purpose == PickFor::Rollout => "rollout",
        Dialog::Rollout(_) => "rollout",
        Dialog::AbortRollout => "abort",
        Dialog::RolloutAsk(a) => a.word.as_str(),
        Dialog::Picker(_) => Operation::Push.as_str(),
        Dialog::Confirm(c) => c.op.as_str(),
    };
    let text = format!("{what} cancelled: nothing ran");
    model.log.push(model.clock, Level::Info, text);
}

/// `y` in the confirm dialog: mark the hosts, log the request, ask the event loop to run it.
pub fn confirm(model: &mut Model, commands: &mut Vec<Command>) {
    let Some(Dialog::Confirm(confirm)) = model.take_dialog() else {
        return;
    };
    let Confirm {
        op,
        hosts,
        bundle,
        command,
        ..
    } = confirm;
    if model.settings.read_only && op != Operation::Verify {
        return;
    }
    let target = bundle.as_ref().map(|b| b.version.clone());
    let at = model.clock;
    for &id in &hosts {
        change_row(model, id, at, |row| {
            row.begin_operation(HostOperation::requested(op, target.clone()));
        });
    }
    let what = match (&target, &command) {
        (Some(version), _) => format!("{} {version}", op.as_str()),
        (None, Some(command)) => format!("{} `{command}`", op.as_str()),
        (None, None) => op.as_str().to_string(),
    };
    let text = format!("{what} requested on {}", names(model, &hosts));
    model.log.push(at, Level::Info, text);
    commands.push(match (op, bundle) {
        (Operation::Push, Some(b)) => Command::Push {
            hosts,
            bundle: b.manifest,
        },
        (Operation::Push, None) => return,
        (Operation::Verify, _) => Command::Verify(hosts),
        (Operation::Rollback, _) => Command::Rollback(hosts),
        (Operation::Run, _) => {
            let Some(command) = command else { return };
            crate::tui::command::start::started(model, &hosts, &command);
            Command::RunCommand { hosts, command }
        }
        // `offgo-tui go-env apply` only: the console has no action for it yet.
        (Operation::GoEnv, _) => return,
    });
}

/// The event loop could not start `op`: the hosts are free again, and the log says why.
pub fn refused(model: &mut Model, op: Operation, hosts: &[HostId], error: &str) {
    let at = model.clock;
    for &id in hosts {
        change_row(model, id, at, |row| {
            if row
                .operation
                .as_ref()
                .is_some_and(|o| o.op == op && o.phase == Phase::Requested)
            {
                // The one before it is the last again.
                row.operation = row.earlier.pop_back();
            }
        });
    }
    let text = format!("{} not started: {error}", op.as_str());
    model.log.push(at, Level::Error, text);
}

/// `web-01`, `web-01, web-02 and 3 more (5 hosts)`.
fn names(model: &Model, hosts: &[HostId]) -> String {
    let mut named: Vec<&str> = hosts
        .iter()
        .take(NAMED_IN_LOG)
        .filter_map(|&id| model.rows.get(id).map(|r| r.name.as_str()))
        .collect();
    if hosts.len() <= NAMED_IN_LOG {
        return named.join(", ");
    }
    named.truncate(NAMED_IN_LOG - 1);
    format!(
        "{} and {} more ({} hosts)",
        named.join(", "),
        hosts.len() - named.len(),
        hosts.len()
    )
}
