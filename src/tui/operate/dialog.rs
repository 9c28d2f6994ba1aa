//! The modal dialogs of an operation: the bundle picker of a push, then the confirm dialog
//! every operation goes through. Plain data; [`crate::tui::update`] moves them along.

use std::path::PathBuf;

use crate::core::engine::Operation;
use crate::core::inventory::HostId;
use crate::core::rollout::Preview;
use crate::tui::operate::bundles::{BundleChoice, BundleInfo};

#[derive(Debug, Clone, PartialEq)]
pub enum Dialog {
    Picker(Picker),
    Confirm(Confirm),
    /// The plan of a rollout, before it starts.
    Rollout(RolloutConfirm),
    /// Abort the running rollout? In-flight hosts finish, no new host starts.
    AbortRollout,
    /// Retry, roll back or continue a rollout: on exactly which hosts, and why those.
    RolloutAsk(RolloutAsk),
}

/// What `t`, `b` and `c` in the rollout view ask before they act.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutWord {
    Retry,
    RollBack,
    Continue,
    Resume,
}

impl RolloutWord {
    pub fn as_str(self) -> &'static str {
        match self {
            RolloutWord::Retry => "retry",
            RolloutWord::RollBack => "roll back",
            RolloutWord::Continue => "continue",
            RolloutWord::Resume => "resume",
        }
    }
}

/// The question behind `t`, `b` or `c`: what the rollout will do and on which hosts.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutAsk {
    pub word: RolloutWord,
    /// Rollout-local ids of the hosts it acts on (retry, roll back) or will start next.
    pub hosts: Vec<usize>,
    /// Their names, in the same order.
    pub names: Vec<String>,
    /// Why these hosts: "the 2 marked failed hosts", "every failed host", "batch 3's".
    pub why: String,
    /// First host line shown, when the list is longer than the dialog.
    pub scroll: usize,
}

/// What the picked bundle is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PickFor {
    #[default]
    Push,
    Rollout,
}

/// Choosing the bundle to push to `hosts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Picker {
    pub hosts: Vec<HostId>,
    /// Where the bundles are looked for.
    pub dir: PathBuf,
    /// `None` until the event loop has listed `dir`.
    pub choices: Option<Vec<BundleChoice>>,
    /// Index into `choices`; only ever on a selectable one.
    pub cursor: usize,
    pub purpose: PickFor,
}

impl Picker {
    pub fn new(hosts: Vec<HostId>, dir: PathBuf) -> Self {
        Self {
            hosts,
            dir,
            choices: None,
            cursor: 0,
            purpose: PickFor::Push,
        }
    }

    /// The picker of a rollout's bundle.
    pub fn for_rollout(hosts: Vec<HostId>, dir: PathBuf) -> Self {
        Self {
            purpose: PickFor::Rollout,
            ..Self::new(hosts, dir)
        }
    }

    /// Takes the listing in, with the cursor on the first bundle that can be pushed.
    pub fn fill(&mut self, choices: Vec<BundleChoice>) {
        self.cursor = choices.iter().position(|c| c.selectable()).unwrap_or(0);
        self.choices = Some(choices);
    }

    /// Moves to the next selectable bundle in `direction` (±1); stays put at either end, so
    /// a bundle that cannot be pushed is never under the cursor.
    pub fn step(&mut self, direction: isize) {
        let Some(choices) = &self.choices else { return };
        let mut at = self.cursor as isize;
        loop {
            at += direction.signum();
            if at < 0 || at as usize >= choices.len() || direction == 0 {
                return;
            }
            if choices[at as usize].selectable() {
                self.cursor = at as usize;
                return;
            }
        }
    }

    /// The bundle under the cursor, if it can be pushed.
    pub fn selected(&self) -> Option<&BundleInfo> {
        self.choices
            .as_ref()?
            .get(self.cursor)
            .filter(|c| c.selectable())?
            .info
            .as_ref()
    }
}

/// The last word before an operation runs on `hosts`.
#[derive(Debug, Clone, PartialEq)]
pub struct Confirm {
    pub op: Operation,
    pub hosts: Vec<HostId>,
    /// The bundle of a push.
    pub bundle: Option<Box<BundleInfo>>,
    /// The command of a `:run`, as typed.
    pub command: Option<String>,
    /// First host line shown, when the list is longer than the dialog.
    pub scroll: usize,
}

impl Confirm {
    pub fn new(op: Operation, hosts: Vec<HostId>, bundle: Option<BundleInfo>) -> Self {
        Self {
            op,
            hosts,
            bundle: bundle.map(Box::new),
            command: None,
            scroll: 0,
        }
    }

    /// The last word before `:run` runs `command` on `hosts`.
    pub fn run(hosts: Vec<HostId>, command: String) -> Self {
        Self {
            command: Some(command),
            ..Self::new(Operation::Run, hosts, None)
        }
    }
}

/// The last word before a rollout starts: its plan, in full.
#[derive(Debug, Clone, PartialEq)]
pub struct RolloutConfirm {
    /// The plan the rollout will run: hosts in table order, batches of indexes into them,
    /// skipped hosts with why, the settings, the steps of each host.
    pub preview: Box<Preview>,
    pub bundle: Box<BundleInfo>,
    /// First line shown, when the plan is longer than the dialog.
    pub scroll: usize,
}
