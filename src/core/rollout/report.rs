//! The evidence report of a rollout, from its journal alone: who ran it, which bundle (sha256,
//! signature), the plan, and per host the version before and after, timings, failures and
//! rollbacks. `report.json` is this value serialized; `report.md` is [`RolloutReport::markdown`].

use std::path::PathBuf;

use serde::Serialize;

use super::event::{BatchNames, SkippedHost};
use super::journal::{HostRecord, Loaded};
use super::machine::{Phase, Status};
use super::settings::RolloutSettings;
use super::summary::HostResult;

#[derive(Debug, Clone, Serialize)]
pub struct RolloutReport {
    pub rollout: String,
    pub created: String,
    pub operator: String,
    pub inventory: PathBuf,
    pub bundle: BundleEvidence,
    pub plan: PlanEvidence,
    /// `finished`, `halted`, `aborted` or `unfinished`.
    pub status: &'static str,
    pub halt_reason: Option<String>,
    pub hosts: Vec<HostEvidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleEvidence {
    pub path: PathBuf,
    pub version: String,
    pub sha256: String,
    pub signature: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanEvidence {
    pub batches: Vec<BatchNames>,
    pub settings: RolloutSettings,
    pub limit: String,
    pub skipped: Vec<SkippedHost>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HostEvidence {
    pub name: String,
    pub outcome: HostResult,
    pub before: Option<String>,
    pub after: Option<String>,
    pub started: Option<String>,
    pub finished: Option<String>,
    pub failures: Vec<Failure>,
    pub rollbacks: Vec<RollbackEvidence>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub op: String,
    pub step: Option<String>,
    pub error: Option<String>,
    pub at: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RollbackEvidence {
    pub ok: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    pub at: String,
}

impl RolloutReport {
    pub fn of(loaded: &Loaded) -> Self {
        let h = &loaded.header;
        let machine = loaded.replay();
        let records: Vec<&HostRecord> = loaded.records().collect();
        let hosts = h
            .hosts
            .iter()
            .enumerate()
            .map(|(l, name)| {
                let mine: Vec<&HostRecord> =
                    records.iter().copied().filter(|r| r.host == l).collect();
                let outcome = match machine.phases.get(&l) {
                    Some(Phase::Succeeded { .. }) => HostResult::Succeeded,
                    Some(p) if p.rolled_back() => HostResult::RolledBack,
                    Some(Phase::Failed { .. }) => HostResult::Failed,
                    Some(Phase::Pending) => HostResult::Untouched,
                    Some(_) => HostResult::Unknown,
                    None => HostResult::Skipped,
                };
                HostEvidence::of(name, outcome, &mine)
            })
            .collect();
        let (status, halt_reason) = match &machine.status {
            Status::Halted { reason } => ("halted", Some(reason.clone())),
            Status::Done { aborted: true } => ("aborted", None),
            Status::Done { aborted: false } => ("finished", None),
            _ => ("unfinished", None),
        };
        Self {
            rollout: h.id.clone(),
            created: h.created.clone(),
            operator: h.actor.clone(),
            inventory: h.inventory.clone(),
            bundle: BundleEvidence {
                path: h.bundle.clone(),
                version: h.version.clone(),
                sha256: h.bundle_sha256.clone(),
                signature: h.signature.clone(),
            },
            plan: PlanEvidence {
                batches: BatchNames::of(h),
                settings: h.settings.clone(),
                limit: h.settings.limit_text(),
                skipped: SkippedHost::of(h),
            },
            status,
            halt_reason,
            hosts,
        }
    }

    /// The report for people (`report.md`).
    pub fn markdown(&self) -> String {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let mut md = format!(
            "# Rollout {}\n\n- operator: {}\n- started: {}\n- bundle: {} (`{}`)\n- sha256: `{}`\n- signature: {}\n- status: **{}**{}\n- rule: {}\n\n",
            self.rollout,
            self.operator,
            self.created,
            self.bundle.version,
            self.bundle.path.display(),
            self.bundle.sha256,
            self.bundle.signature,
            self.status,
            self.halt_reason
                .as_deref()
                .map(|x| format!(" — {x}"))
                .unwrap_or_default(),
            self.plan.limit
        );
        md.push_str("## Plan\n\n");
        for b in &self.plan.batches {
            md.push_str(&format!("- {}: {}\n", b.name, b.hosts.join(", ")));
        }
        for sk in &self.plan.skipped {
            md.push_str(&format!("- skipped: {} ({})\n", sk.host, sk.why));
        }
        md.push_str("\n## Hosts\n\n| host | outcome | before | after | started | finished | failure |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for h in &self.hosts {
            let failure = h.failure_text();
            md.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} | {} |\n",
                h.name,
                h.outcome.as_str(),
                or_dash(&h.before),
                or_dash(&h.after),
                or_dash(&h.started),
                or_dash(&h.finished),
                failure.replace('|', "\\|")
            ));
        }
        md
    }
}

impl HostEvidence {
    /// The last failure and what came of it: `verify at ldd: … → rolled back` when a
    /// rollback followed it, so the reason stays next to the rollback's result.
    pub fn failure_text(&self) -> String {
        let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        let describe =
            |f: &Failure| format!("{} at {}: {}", f.op, or_dash(&f.step), or_dash(&f.error));
        let Some(last) = self.failures.last() else {
            return String::new();
        };
        if last.op == "rollback" {
            return match self.failures.iter().rev().nth(1) {
                Some(cause) => format!(
                    "{} → rollback failed: {}",
                    describe(cause),
                    or_dash(&last.error)
                ),
                None => describe(last),
            };
        }
        let mut text = describe(last);
        // Timestamps are RFC 3339 in UTC: they sort as text.
        if self.rollbacks.iter().any(|r| r.ok && r.at >= last.at) {
            text.push_str(" → rolled back");
        }
        text
    }

    fn of(name: &str, outcome: HostResult, mine: &[&HostRecord]) -> Self {
        let push = mine.iter().find(|r| r.op == "push");
        let before = push.and_then(|r| r.from.clone());
        let after = mine
            .iter()
            .rev()
            .find(|r| r.ok && r.op != "verify")
            .and_then(|r| r.to.clone())
            .or(before.clone());
        Self {
            name: name.to_string(),
            outcome,
            before,
            after,
            started: push.map(|r| r.started.clone()),
            finished: mine.last().map(|r| r.finished.clone()),
            failures: mine
                .iter()
                .filter(|r| !r.ok)
                .map(|r| Failure {
                    op: r.op.clone(),
                    step: r.step.clone(),
                    error: r.error.clone(),
                    at: r.finished.clone(),
                })
                .collect(),
            rollbacks: mine
                .iter()
                .filter(|r| r.op == "rollback")
                .map(|r| RollbackEvidence {
                    ok: r.ok,
                    from: r.from.clone(),
                    to: r.to.clone(),
                    at: r.finished.clone(),
                })
                .collect(),
            notes: mine.iter().flat_map(|r| r.notes.clone()).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(op: &str, step: &str, error: &str, at: &str) -> Failure {
        Failure {
            op: op.into(),
            step: Some(step.into()),
            error: Some(error.into()),
            at: at.into(),
        }
    }

    fn rollback(ok: bool, at: &str) -> RollbackEvidence {
        RollbackEvidence {
            ok,
            from: Some("go1.23.4".into()),
            to: Some("go1.22.10".into()),
            at: at.into(),
        }
    }

    fn host(failures: Vec<Failure>, rollbacks: Vec<RollbackEvidence>) -> HostEvidence {
        HostEvidence {
            name: "web-03".into(),
            outcome: HostResult::RolledBack,
            before: None,
            after: None,
            started: None,
            finished: None,
            failures,
            rollbacks,
            notes: vec![],
        }
    }

    #[test]
    fn the_failure_column_keeps_the_reason_next_to_the_rollback() {
        let verify = failure(
            "verify",
            "ldd",
            "missing libofgo.so.1",
            "2026-01-01T10:00:05Z",
        );
        let rolled = host(
            vec![verify.clone()],
            vec![rollback(true, "2026-01-01T10:00:09Z")],
        );
        assert_eq!(
            rolled.failure_text(),
            "verify at ldd: missing libofgo.so.1 → rolled back"
        );
        let failed_too = host(
            vec![
                verify.clone(),
                failure("rollback", "switch", "no previous", "2026-01-01T10:00:09Z"),
            ],
            vec![rollback(false, "2026-01-01T10:00:09Z")],
        );
        assert_eq!(
            failed_too.failure_text(),
            "verify at ldd: missing libofgo.so.1 → rollback failed: no previous"
        );
        // A rollback before the failure is not its result.
        let earlier = host(vec![verify], vec![rollback(true, "2026-01-01T09:00:00Z")]);
        assert_eq!(
            earlier.failure_text(),
            "verify at ldd: missing libofgo.so.1"
        );
        assert_eq!(host(vec![], vec![]).failure_text(), "");
    }
}
