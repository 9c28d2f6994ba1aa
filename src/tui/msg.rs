//! What flows into [`super::update`] (messages) and out of it (commands).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use std::path::PathBuf;

use crossterm::event::KeyEvent;

use super::input::action::Action;
use super::operate::bundles::BundleChoice;
use super::rollout::state::RolloutSnapshot;
use super::state::measured::Measured;
use crate::core::engine::{EngineEvent, Operation};
use crate::core::inventory::HostId;
use crate::core::rollout::Input;

/// Everything that can change the console's state.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    /// An action not coming from a key: the start-up probe, or a test driving the console.
    Action(Action),
    Engine {
        event: EngineEvent,
        at: Stamp,
    },
    /// Time passed (drives auto-refresh); `at` is the time of day now.
    Tick {
        elapsed: Duration,
        at: Stamp,
    },
    Resize {
        width: u16,
        height: u16,
    },
    /// The bundles found in `dir`, for the push picker (the answer to [`Command::ListBundles`]).
    Bundles {
        dir: PathBuf,
        choices: Vec<BundleChoice>,
    },
    /// The bundle of a push, opened off the event loop (the answer to [`Command::Push`]).
    PushBundleOpened {
        hosts: Vec<HostId>,
        bundle: Box<crate::core::engine::Artifact>,
    },
    /// The bundle of a confirmed rollout, opened off the event loop, or why it did not open
    /// (the answer to [`Command::StartRollout`] with this `token`).
    RolloutBundleOpened {
        token: u64,
        opened: Result<Box<OpenedRollout>, String>,
    },
    /// The bundle of a journal's rollout, opened off the event loop to resume it or take it
    /// over (the answer to [`Command::ResumeRollout`] or to an input that takes one over).
    ResumeBundleOpened {
        journal: PathBuf,
        then: Resumption,
        result: Result<Box<crate::core::engine::Artifact>, String>,
    },
    /// The event loop could not start `op` on `hosts` (the bundle no longer opens, or fails
    /// the signature policy now).
    OperationRefused {
        op: Operation,
        hosts: Vec<HostId>,
        error: String,
    },
    /// The journal's rollouts, newest first (the answer to [`Command::ListRollouts`]).
    Rollouts {
        dir: PathBuf,
        entries: Vec<crate::core::rollout::listing::Listed>,
    },
    /// The rollout driver's state after a call (start, input, engine event, tick, resume).
    Rollout(Box<RolloutSnapshot>),
    /// The event loop could not start, resume, open or take over the rollout.
    RolloutRefused(String),
    /// What the frame just drawn measured (the scroll limits), fed back after each draw.
    Measured(Measured),
    /// The shell on `host` ended: how (exit status, or why it could not start).
    ShellEnded {
        host: HostId,
        outcome: String,
    },
    /// The answer to [`Command::Export`]: the file written (its full path), or why not.
    Exported {
        path: PathBuf,
        rows: usize,
        result: Result<PathBuf, String>,
    },
    /// SIGTERM or SIGHUP: leave like `q` does.
    Terminate,
    /// What the bundle directory says of apps and Go (the answer to
    /// [`Command::ListAppBundles`]).
    AppBundles(super::apps::catalog::AppCatalog),
}

/// What [`super::update`] asks the event loop to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    Probe(Vec<HostId>),
    /// List the bundles in this directory and answer with [`Msg::Bundles`].
    ListBundles(PathBuf),
    /// Push the bundle whose manifest is `bundle` (opened again, with the inventory's signature
    /// policy, off the event loop, before anything is sent): answered with
    /// [`Msg::PushBundleOpened`] or [`Msg::OperationRefused`].
    Push {
        hosts: Vec<HostId>,
        bundle: PathBuf,
    },
    /// Hand the opened bundle to the engine for these hosts.
    PushOpened {
        hosts: Vec<HostId>,
        bundle: Box<crate::core::engine::Artifact>,
    },
    Verify(Vec<HostId>),
    /// Roll back to each host's previous release.
    Rollback(Vec<HostId>),
    /// Run the operator's ad-hoc command on `hosts` (confirmed; audited by the engine).
    RunCommand {
        hosts: Vec<HostId>,
        command: String,
    },
    /// Plan and start a rollout of `bundle` to `hosts` (already-on-target hosts in `skipped`).
    /// Start the rollout of the plan the operator confirmed.
    StartRollout {
        preview: Box<crate::core::rollout::Preview>,
        bundle: PathBuf,
        /// Names this confirmation's answer ([`Msg::RolloutBundleOpened`]).
        token: u64,
    },
    /// Start the rollout whose bundle was opened (answered with [`Msg::Rollout`] or
    /// [`Msg::RolloutRefused`]).
    StartOpenedRollout(Box<OpenedRollout>),
    /// Resume (or take over) the journal's rollout with its bundle opened, or say why not.
    ResumeOpened {
        journal: PathBuf,
        then: Resumption,
        result: Result<Box<crate::core::engine::Artifact>, String>,
    },
    /// Hand the operator's input to the running rollout's driver.
    RolloutInput(Input),
    /// Resume the unfinished rollout shown at start-up (or opened from the list).
    ResumeRollout,
    /// Suspend the console and run an interactive `ssh` on the host; answers with
    /// [`Msg::ShellEnded`].
    Shell(HostId),
    /// Read the journal directory and answer with [`Msg::Rollouts`].
    ListRollouts,
    /// Read this journal and answer with its rollout's state ([`Msg::Rollout`]); `t`, `b` and
    /// `c` then act on it, taking it over from its journal unless another process drives it.
    OpenRollout(PathBuf),
    /// Write these lines (the table as shown) to a new file at `path`, CSV or JSON by its
    /// name; answered with [`Msg::Exported`].
    Export {
        path: PathBuf,
        lines: Vec<crate::core::export::HostLine>,
    },
    /// Read the app and Go bundles in this directory; answered with [`Msg::AppBundles`].
    ListAppBundles(PathBuf),
    /// Something on screen changed: draw (coalesced with other redraws, at a capped rate).
    Redraw,
    Quit,
}

/// Wall-clock time (UTC, like the audit log), carried in messages so that the event log is a
/// function of the messages and tests can pin it. Shown as the time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Stamp {
    secs: u64,
}

impl Stamp {
    pub fn now() -> Self {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Self::at(secs)
    }

    /// The time `secs` seconds after the Unix epoch (tests pass the time of day alone: a
    /// time on 1 January 1970).
    pub fn at(secs: u64) -> Self {
        Self { secs }
    }

    /// `YYYYmmdd-HHMMSS`, for file names.
    pub fn file_label(&self) -> String {
        let when = UNIX_EPOCH + Duration::from_secs(self.secs);
        let digits: String = humantime::format_rfc3339_seconds(when)
            .to_string()
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        match digits.split_at_checked(8) {
            Some((date, time)) => format!("{date}-{time}"),
            None => digits,
        }
    }
}

impl std::fmt::Display for Stamp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.secs % 86_400;
        write!(f, "{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::Stamp;

    #[test]
    fn stamps_show_the_time_of_day_and_name_files_with_the_date() {
        let stamp = Stamp::at(1_796_066_734); // 2026-11-30 19:25:34 UTC
        assert_eq!(stamp.to_string(), "19:25:34");
        assert_eq!(stamp.file_label(), "20261130-192534");
        assert_eq!(Stamp::at(9 * 3600 + 5).file_label(), "19700101-090005");
    }
}

/// A confirmed rollout with its bundle opened: what the runner needs to start it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpenedRollout {
    pub preview: crate::core::rollout::Preview,
    pub bundle_path: PathBuf,
    pub bundle: crate::core::engine::Artifact,
    /// How the bundle's signature checked out, in words (recorded in the journal).
    pub signature: String,
}

/// Why a journal's bundle is being opened: to resume its rollout, or to take it over from its
/// journal and then apply the operator's inputs (queued in the runner meanwhile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resumption {
    Resume,
    TakeOver,
}
