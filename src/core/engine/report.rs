//! What one probe learnt about one host: the object `scan --json` prints (contract) plus the
//! detail the console shows.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::goenv::Drift;

use crate::core::audit::AuditSummary;
use crate::core::remote::privilege::BecomeMethod;
use crate::core::remote::probe::ProbeFacts;
use crate::core::ssh::ErrorKind;

/// One binary with missing shared libraries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LddGap {
    pub binary: String,
    pub missing: Vec<String>,
}

/// `offgo` in `scan --json`: the host's `state.json`, when offgo manages it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffgoSummary {
    pub current: Option<String>,
    pub previous: Option<String>,
}

/// `privilege` in `scan --json`, for a host whose login uses become: how privileged steps run
/// there and whether offgo's helper is the one the rule pins for the host's paths.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrivilegeReport {
    /// `sudo` or `doas`.
    #[serde(rename = "become")]
    pub method: BecomeMethod,
    pub login: String,
    pub become_user: String,
    pub helper: HelperStatus,
    /// The helper's sha256 on the host, when it has one.
    pub helper_sha256: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum HelperStatus {
    /// Byte for byte the helper `offgo-tui privileges` pins for this host's paths.
    Intact,
    Missing,
    /// Another helper: edited, or built for other paths. The rule's digest no longer matches.
    Changed,
}

impl PrivilegeReport {
    /// What the probe read of the helper, judged against the one `host`'s rule pins; `None`
    /// for a host without become (its login does everything itself).
    pub fn judge(host: &crate::core::inventory::Host, found: Option<&str>) -> Option<Self> {
        if host.privilege.is_none() {
            return None;
        }
        let want = crate::core::remote::helper::helper_digest(&host.paths);
        let helper = match found {
            None => HelperStatus::Missing,
            Some(d) if d == want => HelperStatus::Intact,
            Some(_) => HelperStatus::Changed,
        };
        Some(Self {
            method: host.privilege.method,
            login: host.user.clone(),
            become_user: host.privilege.user.clone(),
            helper,
            helper_sha256: found.map(str::to_string),
        })
    }
}

/// `athens` in `scan --json`, for a host with `athens_storage`: its Athens' disk-storage root
/// and the module-cache bundle offgo last preloaded into it (`null`: none, or unknown).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AthensReport {
    pub storage: String,
    pub bundle: Option<String>,
}

/// One host as `scan --json` prints it (DESIGN.md, "Headless CLI"). Fields marked
/// `serde(skip)` are for the console only and are not part of the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HostReport {
    pub name: String,
    pub address: String,
    pub port: u16,
    pub reachable: bool,
    pub error_kind: Option<ErrorKind>,
    pub error: Option<String>,
    pub go_version: Option<String>,
    pub go_root: String,
    pub ldd_gaps: Vec<LddGap>,
    pub audit: AuditSummary,
    pub offgo: Option<OffgoSummary>,
    pub arch: Option<String>,
    pub latency_ms: Option<u64>,
    /// The active Go's environment as a login shell sees it (`go env`): the policy's variables
    /// and those that decide whether `go` reaches for the internet. `None` without Go.
    pub go_env: Option<BTreeMap<String, String>>,
    /// Every variable, in each view (login shell, service), that is not what `[go_env]` wants.
    pub go_env_drift: Vec<Drift>,
    /// offgo's `go1.X.Y` shims on the host's PATH (`go_shims`), by name; only hosts that have
    /// some gain the key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub go_shims: Vec<String>,
    /// The jump hosts the host is reached through, first hop first; empty when direct.
    pub via: Vec<String>,
    /// The Go applications installed on the host (`/opt/offgo/apps/*`); empty when none.
    pub apps: Vec<crate::core::app::AppReport>,
    /// Hosts whose login uses become only: how, and whether the helper is intact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privilege: Option<PrivilegeReport>,
    /// Hosts with `athens_storage` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub athens: Option<AthensReport>,
    /// What the operator can do about `error`.
    #[serde(skip)]
    pub hint: Option<String>,
    /// Everything the probe read, for the detail pane.
    #[serde(skip)]
    pub facts: Option<ProbeFacts>,
    /// Raw probe output when it could not be understood.
    #[serde(skip)]
    pub raw_output: Option<String>,
}

impl AthensReport {
    /// `None` for a host without `athens_storage`.
    pub fn of(host: &crate::core::inventory::Host, bundle: Option<String>) -> Option<Self> {
        let storage = host.paths.athens_storage.clone()?;
        Some(Self { storage, bundle })
    }
}

impl HostReport {
    /// Already on `version`, as far as this probe tells: the active Go runs it and state.json
    /// records it as current. A rollout skips such a host; a resume settles it as done.
    pub fn on_target(&self, version: &str) -> bool {
        self.error_kind.is_none()
            && self.go_version.as_deref() == Some(version)
            && self.offgo.as_ref().and_then(|o| o.current.as_deref()) == Some(version)
    }
}
