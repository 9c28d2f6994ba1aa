//! One host as the console knows it: its inventory identity plus the latest probe report.

use crate::core::audit::AuditStatus;
use crate::core::engine::HostReport;
use crate::core::export::address_label;
use crate::core::inventory::{Host, HostId};
use crate::core::ssh::ErrorKind;
use crate::tui::operate::operation::HostOperation;
use crate::tui::state::version::VersionKey;

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
    /// Every cell's text and the error, lower-cased (see
    /// [`crate::tui::table::cells::texts_changed`]), so a filter keystroke over a large fleet is
    /// one substring search per host.
    pub haystack: String,
    /// Sort key of [`HostRow::go_version`].
    pub version_key: Option<VersionKey>,
}

impl HostRow {
    pub fn new(id: HostId, host: &Host) -> Self {
        let mut row = Self {
            id,
            name: host.name.clone(),
            address: address_label(&host.address, host.port),
            report: None,
            probing: false,
            marked: false,
            operation: None,
            haystack: String::new(),
            version_key: None,
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

    pub fn audit_status(&self) -> Option<AuditStatus> {
        self.read_report().map(|r| r.audit.status)
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
