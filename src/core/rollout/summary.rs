//! The end of a rollout in one value: how each host came out, whether it halted or was
//! aborted. The headless summary line and the exit code come from it.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::journal::Header;
use super::machine::{Phase, Rollout, Status};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HostResult {
    Succeeded,
    Failed,
    RolledBack,
    /// Never started (the rollout halted or was aborted first).
    Untouched,
    /// Cut short: its last step is unknown until a resume re-probes it.
    Unknown,
    /// Left out of the plan (already on the target).
    Skipped,
}

impl HostResult {
    /// The word in JSON and reports: `rolled_back`, …
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::RolledBack => "rolled_back",
            Self::Untouched => "untouched",
            Self::Unknown => "unknown",
            Self::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostSummary {
    pub name: String,
    pub outcome: HostResult,
    pub step: Option<String>,
    pub error: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub rollout: String,
    pub version: String,
    pub halted: bool,
    pub reason: Option<String>,
    pub aborted: bool,
    pub succeeded: usize,
    pub failed: usize,
    pub rolled_back: usize,
    pub skipped: usize,
    pub untouched: usize,
    pub hosts: Vec<HostSummary>,
    pub journal: PathBuf,
}

impl Summary {
    pub fn of(header: &Header, machine: &Rollout, journal: PathBuf) -> Self {
        let mut hosts: Vec<HostSummary> = machine
            .phases
            .iter()
            .map(|(&l, phase)| {
                let (outcome, step, error, why) = match phase {
                    Phase::Succeeded { .. } => (HostResult::Succeeded, None, None, None),
                    // Auto-rolled back: counted as rolled back, still saying why it failed.
                    Phase::Failed {
                        step,
                        error,
                        rolled_back: true,
                    } => (
                        HostResult::RolledBack,
                        Some(step.clone()),
                        Some(error.clone()),
                        Some(format!("{step} failed; rolled back automatically")),
                    ),
                    Phase::Failed { step, error, .. } => (
                        HostResult::Failed,
                        Some(step.clone()),
                        Some(error.clone()),
                        None,
                    ),
                    Phase::RolledBack { why } => {
                        (HostResult::RolledBack, None, Some(why.clone()), None)
                    }
                    Phase::Pending => (HostResult::Untouched, None, None, None),
                    _ => (HostResult::Unknown, None, None, None),
                };
                HostSummary {
                    name: header.hosts[l].clone(),
                    outcome,
                    step,
                    error,
                    why,
                }
            })
            .collect();
        hosts.extend(header.plan.skipped.iter().map(|(l, why)| HostSummary {
            name: header.hosts[*l].clone(),
            outcome: HostResult::Skipped,
            step: None,
            error: None,
            why: Some(why.clone()),
        }));
        let count = |o: HostResult| hosts.iter().filter(|h| h.outcome == o).count();
        let reason = match &machine.status {
            Status::Halted { reason } => Some(reason.clone()),
            _ => None,
        };
        Self {
            rollout: header.id.clone(),
            version: header.version.clone(),
            halted: matches!(machine.status, Status::Halted { .. }),
            reason,
            aborted: machine.status == Status::Done { aborted: true },
            succeeded: count(HostResult::Succeeded),
            failed: count(HostResult::Failed),
            rolled_back: count(HostResult::RolledBack),
            skipped: count(HostResult::Skipped),
            untouched: count(HostResult::Untouched),
            hosts,
            journal,
        }
    }

    /// Every planned host succeeded and nobody aborted: exit 0.
    pub fn ok(&self) -> bool {
        !self.halted
            && !self.aborted
            && self
                .hosts
                .iter()
                .all(|h| matches!(h.outcome, HostResult::Succeeded | HostResult::Skipped))
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rollout {}: {} succeeded, {} failed, {} rolled back, {} skipped, {} untouched",
            self.rollout,
            self.succeeded,
            self.failed,
            self.rolled_back,
            self.skipped,
            self.untouched
        )?;
        if self.halted {
            write!(f, " — HALTED: {}", self.reason.as_deref().unwrap_or(""))?;
        }
        // Each host that failed or was rolled back, with why: a rollback never hides the
        // failure that caused it.
        let told: Vec<&HostSummary> = self
            .hosts
            .iter()
            .filter(|h| matches!(h.outcome, HostResult::Failed | HostResult::RolledBack))
            .collect();
        for h in told.iter().take(HOSTS_TOLD) {
            write!(
                f,
                "\n  {}: {}",
                h.name,
                h.outcome.as_str().replace('_', " ")
            )?;
            match (&h.step, &h.error) {
                (Some(step), Some(error)) => write!(f, " — {step} failed: {error}")?,
                (None, Some(error)) => write!(f, " — {error}")?,
                _ => {}
            }
        }
        if told.len() > HOSTS_TOLD {
            write!(
                f,
                "\n  … and {} more (--json lists every host)",
                told.len() - HOSTS_TOLD
            )?;
        }
        Ok(())
    }
}

/// Failed and rolled-back hosts the text summary names, one a line.
const HOSTS_TOLD: usize = 20;

#[cfg(test)]
mod tests {
    use super::*;

    fn host(
        name: &str,
        outcome: HostResult,
        step: Option<&str>,
        error: Option<&str>,
    ) -> HostSummary {
        HostSummary {
            name: name.into(),
            outcome,
            step: step.map(Into::into),
            error: error.map(Into::into),
            why: None,
        }
    }

    #[test]
    fn the_text_summary_names_each_failed_or_rolled_back_host_with_why() {
        let summary = Summary {
            rollout: "r1".into(),
            version: "go1.22.10".into(),
            halted: true,
            reason: Some("1 failed in the rollout (1 rolled back); limit 0 → halted".into()),
            aborted: false,
            succeeded: 1,
            failed: 0,
            rolled_back: 1,
            skipped: 0,
            untouched: 1,
            hosts: vec![
                host("a", HostResult::Succeeded, None, None),
                host("b", HostResult::RolledBack, Some("verify"), Some("ldd gap")),
                host("c", HostResult::Untouched, None, None),
            ],
            journal: PathBuf::new(),
        };
        assert_eq!(
            summary.to_string(),
            "rollout r1: 1 succeeded, 0 failed, 1 rolled back, 0 skipped, 1 untouched — HALTED: \
             1 failed in the rollout (1 rolled back); limit 0 → halted\n  b: rolled back — \
             verify failed: ldd gap"
        );
    }
}
