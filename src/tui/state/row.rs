//! One host as the console knows it: its inventory identity plus the latest probe report.

use std::collections::VecDeque;

use crate::core::audit::AuditStatus;
use crate::core::engine::{CommandOutput, HostReport};
use crate::core::export::address_label;
use crate::core::inventory::{Host, HostId, SettingSource};
use crate::core::ssh::ErrorKind;
use crate::tui::operate::operation::HostOperation;
use crate::tui::state::version::VersionKey;

/// The Go of a host the probe found without one.
pub const NO_GO: &str = "none";
/// The Go of a host not read, or whose `go version` said something else.
pub const UNKNOWN_GO: &str = "unknown";

/// Finished operations kept per host besides the last one.
pub const EARLIER_KEPT: usize = 3;

/// Host output (characters) kept per host across its operations: 1,000 hosts that each
/// print the most the engine passes on hold about 48 MB, a quiet fleet next to nothing.
pub const OUTPUT_BUDGET: usize = 48 * 1024;

/// Where a host stands, as the state column shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowState {
    /// Never probed in this session.
    Unknown,
    /// A probe is requested or running (the previous report, if any, is still shown).
    Probing,
    Up,
    /// The last probe failed; the kind is `None` only if the engine gave none.
    Failed(Option<ErrorKind>),
}

#[derive(Debug, Clone)]
pub struct HostRow {
    pub id: HostId,
    pub name: String,
    /// `address`, or `address:port` when the port is not 22.
    pub address: String,
    pub report: Option<Box<HostReport>>,
    pub probing: bool,
    pub marked: bool,
    /// The last operation (push, verify, rollback) this console ran on the host.
    pub operation: Option<HostOperation>,
    /// Finished operations before it, oldest first, at most [`EARLIER_KEPT`]: a rollout's
    /// push, verify and rollback are one story, and the output pane tells all of it.
    pub earlier: VecDeque<HostOperation>,
    /// Every cell's text and the error, lower-cased (see
    /// [`crate::tui::table::cells::texts_changed`]), so a filter keystroke over a large fleet is
    /// one substring search per host.
    pub haystack: String,
    /// Sort key of [`HostRow::go_version`].
    pub version_key: Option<VersionKey>,
    /// Settings an OpenSSH config supplied: (label, "value (file:line)"), ready to show.
    pub config_sources: Vec<(&'static str, String)>,
    /// The jump hosts on the way to the host, first hop first; empty when direct.
    pub via: Vec<String>,
    /// Where the host's Go applications live (`/opt/offgo/apps`), for their binaries' paths.
    pub apps_dir: String,
}

/// One setting from an OpenSSH config as the detail pane shows it: `user  deploy
/// (~/.ssh/config:12)`. The config is the operator's, but a path may hold anything: sanitised.
fn config_source(source: &SettingSource) -> (&'static str, String) {
    let label = match source.key {
        "address" => "hostname",
        "identity_file" => "identity",
        "known_hosts" => "knownhost",
        "proxy_jump" => "via",
        other => other,
    };
    let text = format!("{} ({})", source.value, source.origin.short());
    (label, crate::core::text::safe(&text))
}

impl HostRow {
    pub fn new(id: HostId, host: &Host) -> Self {
        let mut row = Self {
            id,
            name: host.name.clone(),
            address: address_label(&host.address, host.port),
            via: host.via(),
            report: None,
            probing: false,
            marked: false,
            operation: None,
            earlier: VecDeque::new(),
            haystack: String::new(),
            version_key: None,
            config_sources: host.sources.iter().map(config_source).collect(),
            apps_dir: crate::core::remote::probe::AppPaths::of(&host.paths).dir,
        };
        row.refresh_cached();
        row
    }

    pub fn state(&self) -> RowState {
        if self.probing {
            return RowState::Probing;
        }
        self.settled_state()
    }

    /// The state the last finished probe left, ignoring a probe in flight.
    pub fn settled_state(&self) -> RowState {
        match &self.report {
            None => RowState::Unknown,
            Some(r) if r.reachable && r.error_kind.is_none() => RowState::Up,
            Some(r) => RowState::Failed(r.error_kind),
        }
    }

    /// An operation is requested or running here: the host takes no second one.
    pub fn busy(&self) -> bool {
        self.operation
            .as_ref()
            .is_some_and(HostOperation::in_flight)
    }

    /// Makes `next` the host's operation; a finished one before it joins [`HostRow::earlier`].
    pub fn begin_operation(&mut self, next: HostOperation) {
        if let Some(done) = self.operation.take().filter(|o| !o.in_flight()) {
            if self.earlier.len() == EARLIER_KEPT {
                self.earlier.pop_front();
            }
            self.earlier.push_back(done);
        }
        self.operation = Some(next);
        self.keep_output_budget();
    }

    /// The operations kept, newest first.
    pub fn operations(&self) -> impl Iterator<Item = &HostOperation> {
        self.operation.iter().chain(self.earlier.iter().rev())
    }

    /// Keeps the host output held for this host within [`OUTPUT_BUDGET`]: the oldest
    /// output goes first, a successful command's before a failed one's. The commands
    /// themselves (label, exit status, time) stay.
    pub fn keep_output_budget(&mut self) {
        let held = |row: &Self| -> usize {
            row.operations()
                .flat_map(|o| &o.commands)
                .map(|c| c.output.size())
                .sum()
        };
        let mut held_now = held(self);
        for strip_failed in [false, true] {
            let ops = self.earlier.iter_mut().chain(self.operation.iter_mut());
            for command in ops.flat_map(|o| o.commands.iter_mut()) {
                if held_now <= OUTPUT_BUDGET {
                    return;
                }
                if command.succeeded() == strip_failed || command.output.is_empty() {
                    continue;
                }
                held_now -= command.output.size();
                command.output = CommandOutput {
                    no_exit: command.output.no_exit.take(),
                    ..CommandOutput::default()
                };
                command.output_dropped = true;
                held_now += command.output.size();
            }
        }
    }

    pub fn is_failed(&self) -> bool {
        matches!(self.settled_state(), RowState::Failed(_))
    }

    /// The last report, if that probe read the host (reachable, no error).
    pub fn read_report(&self) -> Option<&HostReport> {
        self.report
            .as_deref()
            .filter(|r| r.reachable && r.error_kind.is_none())
    }

    /// The installed Go version; `None` when unknown or when no Go is installed.
    pub fn go_version(&self) -> Option<&str> {
        self.read_report().and_then(|r| r.go_version.as_deref())
    }

    /// Binaries with missing libraries; `None` when the host was not read.
    pub fn gap_count(&self) -> Option<usize> {
        self.read_report().map(|r| r.ldd_gaps.len())
    }

    /// How many `[go_env]` variables drift, over both views; `None` without a reading (no Go,
    /// not probed).
    pub fn env_drift(&self) -> Option<usize> {
        let report = self.read_report()?;
        report.go_env.as_ref()?;
        Some(report.go_env_drift.len())
    }

    pub fn audit_status(&self) -> Option<AuditStatus> {
        self.read_report().map(|r| r.audit.status)
    }

    /// The audit log needs the operator: tampered, diverged, unreadable, or gone from a host
    /// offgo manages. A missing log on a host offgo never changed is how it should be.
    pub fn audit_problem(&self) -> bool {
        match self.audit_status() {
            Some(AuditStatus::Tampered | AuditStatus::Diverged | AuditStatus::Unreadable) => true,
            Some(AuditStatus::Missing) => self.read_report().is_some_and(|r| r.offgo.is_some()),
            Some(AuditStatus::Ok) | None => false,
        }
    }

    /// What the Go column and the header say: the version; `none` only when the probe found
    /// no Go; `unknown` when the host was not read (unreachable, not probed yet) or printed
    /// something that is not a Go version.
    pub fn go_label(&self) -> &str {
        let Some(report) = self.read_report() else {
            return UNKNOWN_GO;
        };
        match &report.go_version {
            Some(version) => version,
            None if report
                .facts
                .as_ref()
                .is_some_and(|f| f.unrecognised_version().is_some()) =>
            {
                UNKNOWN_GO
            }
            None => NO_GO,
        }
    }

    pub fn latency_ms(&self) -> Option<u64> {
        self.report.as_ref().and_then(|r| r.latency_ms)
    }

    pub fn state_label(&self) -> &'static str {
        match self.state() {
            RowState::Unknown => "unknown",
            RowState::Probing => "probing",
            RowState::Up => "ok",
            RowState::Failed(Some(kind)) => kind.as_str(),
            RowState::Failed(None) => "failed",
        }
    }

    /// Re-derives the cached sort key after the report changed (the search text is the
    /// table's to derive: [`crate::tui::table::cells::texts_changed`]).
    pub fn refresh_cached(&mut self) {
        self.version_key = self.go_version().map(VersionKey::of);
    }
}
