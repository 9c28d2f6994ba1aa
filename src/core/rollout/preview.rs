//! The plan a rollout will run, worked out before anything starts: which hosts, in which
//! batches, which are skipped and why, the steps each host goes through. The console's plan
//! dialog and `rollout --dry-run` show it; starting the rollout runs exactly it.

use super::plan::{plan, Plan};
use super::predict::{predict, predict_missing_arch, Warning, WarningKind};
use super::settings::{Canary, RolloutSettings};
use crate::core::engine::steps::{rollout_steps, PushFacts};
use crate::core::engine::{Artifact, HostReport};
use crate::core::inventory::{self, HostId, Inventory, SelectorError};

/// A `canary = "selector"` that selects nothing valid; the message names the selector.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("canary {selector:?}: {source}")]
pub struct CanaryError {
    pub selector: String,
    pub source: SelectorError,
}

/// `canary` of the settings, resolved against the inventory once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CanaryPick {
    #[default]
    None,
    /// The first N hosts of the rollout.
    First(usize),
    /// These hosts (a selector), where they are part of the rollout.
    Hosts(Vec<HostId>),
}

impl CanaryPick {
    /// Resolves a `canary = "selector"`; the error says which selector failed.
    pub fn resolve(inventory: &Inventory, settings: &RolloutSettings) -> Result<Self, CanaryError> {
        Ok(match &settings.canary {
            None => Self::None,
            Some(Canary::Count(n)) => Self::First(*n),
            Some(Canary::Hosts(selector)) => {
                Self::Hosts(inventory::select(inventory, selector).map_err(|source| {
                    CanaryError {
                        selector: selector.clone(),
                        source,
                    }
                })?)
            }
        })
    }

    /// Positions in `hosts` that are canaries.
    fn positions(&self, hosts: &[HostId]) -> Vec<usize> {
        match self {
            Self::None => Vec::new(),
            Self::First(n) => (0..(*n).min(hosts.len())).collect(),
            Self::Hosts(chosen) => hosts
                .iter()
                .enumerate()
                .filter(|(_, h)| chosen.contains(h))
                .map(|(i, _)| i)
                .collect(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// `go1.22.10`.
    pub version: String,
    /// The hosts to roll out to, in order; the plan's host numbers index this.
    pub hosts: Vec<HostId>,
    /// Hosts left out, with why (already on the target).
    pub skipped: Vec<(HostId, String)>,
    pub plan: Plan,
    /// What each host goes through, in order.
    pub steps: Vec<String>,
    /// What the last probe already says will go wrong, per planned host (in `hosts` order;
    /// hosts with nothing to say are left out). Hosts it could not reach are among them.
    pub warnings: Vec<(HostId, Vec<Warning>)>,
    pub settings: RolloutSettings,
    /// For a bundle set, per planned host the tarball its arch gets (by its last probe), or
    /// why none; empty for one bundle.
    pub tarballs: Vec<(HostId, String)>,
}

/// What a plan pushes: one bundle's facts, or an artifact that picks per host (a bundle set
/// gives each host the bundle of its arch).
#[derive(Clone, Copy)]
pub enum PlanBundle<'a> {
    Facts(PushFacts<'a>),
    Artifact(&'a Artifact),
}

impl<'a> From<&PushFacts<'a>> for PlanBundle<'a> {
    fn from(facts: &PushFacts<'a>) -> Self {
        Self::Facts(*facts)
    }
}

impl<'a> From<&'a Artifact> for PlanBundle<'a> {
    fn from(artifact: &'a Artifact) -> Self {
        Self::Artifact(artifact)
    }
}

impl PlanBundle<'_> {
    fn facts(&self) -> PushFacts<'_> {
        match self {
            Self::Facts(f) => *f,
            Self::Artifact(a) => a.facts(),
        }
    }

    fn is_set(&self) -> bool {
        matches!(self, Self::Artifact(Artifact::GoReleaseSet(_)))
    }

    /// The warnings for one host, and for a set the tarball it gets (or why none).
    fn for_host(&self, report: Option<&HostReport>) -> (Vec<Warning>, Option<String>) {
        let all = self.facts();
        let Self::Artifact(artifact) = self else {
            return (predict(report, &all), None);
        };
        if !self.is_set() {
            return (predict(report, &all), None);
        }
        let arch = report
            .and_then(|r| r.arch.as_deref())
            .filter(|a| !a.trim().is_empty());
        match (arch, artifact.for_uname(arch)) {
            (None, _) => (
                predict(report, &all),
                Some(format!(
                    "one of {} (picked by the arch the pre-flight reports)",
                    all.arch
                )),
            ),
            (Some(arch), Some((facts, tarball))) => (
                predict(report, &facts),
                Some(format!("{tarball} (for {})", arch.trim())),
            ),
            (Some(arch), None) => (
                report
                    .map(|r| predict_missing_arch(r, &all))
                    .unwrap_or_default(),
                Some(format!(
                    "none: the set has no bundle for {} (it holds {})",
                    arch.trim(),
                    all.arch
                )),
            ),
        }
    }
}

/// Plans a rollout of `bundle` over `selected` (in order), with each host's last probe from
/// `report_of` (none: not probed yet). Pure: the console calls it from `update`.
pub fn preview<'r, 'b>(
    selected: &[HostId],
    report_of: impl Fn(HostId) -> Option<&'r HostReport>,
    canary: &CanaryPick,
    bundle: impl Into<PlanBundle<'b>>,
    settings: RolloutSettings,
) -> Preview {
    let plan_bundle = bundle.into();
    let bundle = &plan_bundle.facts();
    let mut hosts = Vec::new();
    let mut skipped = Vec::new();
    let mut warnings = Vec::new();
    let mut tarballs = Vec::new();
    for &h in selected {
        let report = report_of(h);
        if report.is_some_and(|r| bundle.kind.on_target(r, bundle.version)) {
            skipped.push((h, format!("already on {}", bundle.version)));
            continue;
        }
        let (predicted, tarball) = plan_bundle.for_host(report);
        if !predicted.is_empty() {
            warnings.push((h, predicted));
        }
        if let Some(tarball) = tarball {
            tarballs.push((h, tarball));
        }
        hosts.push(h);
    }
    let local: Vec<usize> = (0..hosts.len()).collect();
    let planned = plan(
        &local,
        &canary.positions(&hosts),
        &settings.batches,
        Vec::new(),
    );
    Preview {
        version: bundle.version.to_string(),
        steps: rollout_steps(bundle, settings.auto_rollback),
        hosts,
        skipped,
        plan: planned,
        warnings,
        settings,
        tarballs,
    }
}

impl Preview {
    /// Planned hosts whose last probe could not reach them: they will fail unless they come back.
    pub fn unreachable(&self) -> Vec<HostId> {
        self.warnings
            .iter()
            .filter(|(_, ws)| ws.iter().any(|w| w.kind == WarningKind::Unreachable))
            .map(|(h, _)| *h)
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The console and `--canary` take the same selectors as `--hosts`, arithmetic and ranges
    /// included, and a mistake names the canary setting.
    #[test]
    fn a_canary_selector_may_use_ranges_and_set_arithmetic() {
        let text = "[groups.web]\n[[hosts]]\nname = \"web-[01-04]\"\n\
                    address = \"10.0.3.[1-4]\"\ngroups = [\"web\"]\n";
        let inv = inventory::parse(text, Path::new("offgo.toml")).unwrap_or_else(|e| panic!("{e}"));
        let with = |selector: &str| RolloutSettings {
            canary: Some(Canary::Hosts(selector.to_owned())),
            ..RolloutSettings::default()
        };
        assert_eq!(
            CanaryPick::resolve(&inv, &with("group:web&!web-0[1-2]")),
            Ok(CanaryPick::Hosts(vec![2, 3]))
        );
        let err = CanaryPick::resolve(&inv, &with("group:web&!group:web")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "canary \"group:web&!group:web\": `group:web&!group:web` selects no host: \
             its `&` and `!` parts leave none"
        );
    }
}
