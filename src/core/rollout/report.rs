//! The evidence report of a rollout, from its journal alone: who ran it, which bundle (sha256,
//! signature), the plan, and per host the version before and after, timings, failures and
//! rollbacks. `report.json` is this value serialized; `report.md` is [`RolloutReport::markdown`].

use std::path::PathBuf;

use serde::Serialize;

use super::event::{BatchNames, SkippedHost};
use super::history::{self, History, HostMoment, Moment};
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
    /// Start, batches, halts, pauses, operator inputs (who, when, which hosts), resumes.
    pub timeline: Vec<Moment>,
    pub hosts: Vec<HostEvidence>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BundleEvidence {
    pub path: PathBuf,
    pub version: String,
    pub sha256: String,
    pub signature: String,
    /// A bundle set's tarball sha256 per arch (`sha256` is then the set's digest of them).
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub arch_sha256: std::collections::BTreeMap<String, String>,
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
    /// Every operation and every retry or rollback asked for, in order.
    pub history: Vec<HostMoment>,
    /// How many times the operator asked to push it again.
    pub retries: usize,
    /// It failed, was retried, and the retry succeeded.
    pub recovered_on_retry: bool,
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
        let History {
            timeline,
            hosts: mut histories,
        } = History::of(loaded);
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
                let story = std::mem::take(&mut histories[l]);
                HostEvidence::of(name, outcome, &mine, story)
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
                arch_sha256: h.arch_sha256.clone(),
            },
            plan: PlanEvidence {
                batches: BatchNames::of(h),
                settings: h.settings.clone(),
                limit: h.settings.limit_text(),
                skipped: SkippedHost::of(h),
            },
            status,
            halt_reason,
            timeline,
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
        if !self.bundle.arch_sha256.is_empty() {
            md.push_str(
                "A bundle set: its sha256 is the digest of each arch's tarball sha256:\n\n",
            );
            for (arch, sha256) in &self.bundle.arch_sha256 {
                md.push_str(&format!("- linux-{arch}: `{sha256}`\n"));
            }
            md.push('\n');
        }
        md.push_str("## Plan\n\n");
        for b in &self.plan.batches {
            md.push_str(&format!("- {}: {}\n", b.name, b.hosts.join(", ")));
        }
        for sk in &self.plan.skipped {
            md.push_str(&format!("- skipped: {} ({})\n", sk.host, sk.why));
        }
        md.push_str("\n## Hosts\n\n| host | outcome | before | after | started | finished | failure |\n| --- | --- | --- | --- | --- | --- | --- |\n");
        for h in &self.hosts {
            let last = h.failure_text();
            let failure = if h.recovered_on_retry {
                format!("succeeded on retry (had failed: {last})")
            } else {
                last
            };
            let failure = crate::core::text::safe(&failure);
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
        md.push_str("\n## Timeline\n\n");
        for m in &self.timeline {
            let by =
                m.by.as_deref()
                    .map(|b| format!(" ({b})"))
                    .unwrap_or_default();
            md.push_str(&format!("- {} {}{by}\n", m.at, m.what));
        }
        let eventful: Vec<&HostEvidence> = self
            .hosts
            .iter()
            .filter(|h| h.history.len() > 1 || h.history.iter().any(|m| m.ok == Some(false)))
            .collect();
        if !eventful.is_empty() {
            md.push_str("\n## Host histories\n\n");
            for h in eventful {
                let line = crate::core::text::safe_max(&history::host_line(&h.history), 4096);
                md.push_str(&format!("- {}: {line}\n", h.name));
            }
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

    fn of(name: &str, outcome: HostResult, mine: &[&HostRecord], story: Vec<HostMoment>) -> Self {
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
            retries: story.iter().filter(|m| m.what == "retry requested").count(),
            recovered_on_retry: outcome == HostResult::Succeeded
                && history::recovered_on_retry(&story),
            history: story,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::ArtifactKind;
    use crate::core::rollout::journal::{Header, Line};
    use crate::core::rollout::plan::plan;
    use crate::core::rollout::settings::{BatchSize, Limit};
    use crate::core::rollout::{Input, RolloutSettings};

    fn header() -> Header {
        Header {
            id: "r1".into(),
            created: "2026-11-22T05:00:00Z".into(),
            actor: "ops@jump".into(),
            inventory: "/etc/offgo.toml".into(),
            artifact: ArtifactKind::GoRelease,
            bundle: "/media/go1.22.10.linux-amd64.offgo.toml".into(),
            version: "go1.22.10".into(),
            bundle_sha256: "ab".into(),
            signature: "unsigned".into(),
            hosts: vec!["a".into(), "b".into(), "c".into()],
            settings: RolloutSettings {
                max_failures: Limit::Count(0),
                auto_rollback: false,
                ..RolloutSettings::default()
            },
            plan: plan(&[0, 1, 2], &[], &[BatchSize::Count(3)], vec![]),
            arch_sha256: Default::default(),
        }
    }

    fn input(at: &str, input: Input, by: Option<&str>) -> Line {
        Line::Input {
            at: at.into(),
            input,
            by: by.map(String::from),
        }
    }

    /// The host's record and the input the driver journals after it.
    fn pushed(at: &str, host: usize, ok: bool) -> [Line; 2] {
        let (step, error) = if ok {
            (None, None)
        } else {
            (
                Some("upload".to_string()),
                Some("no space left".to_string()),
            )
        };
        [
            Line::Host(HostRecord {
                host,
                op: "push".into(),
                ok,
                from: Some("go1.21.13".into()),
                to: ok.then(|| "go1.22.10".into()),
                step: step.clone(),
                error: error.clone(),
                notes: vec![],
                started: at.into(),
                finished: at.into(),
            }),
            input(
                at,
                Input::PushDone {
                    host,
                    ok,
                    changed: ok,
                    step,
                    error,
                },
                None,
            ),
        ]
    }

    fn loaded(lines: Vec<Line>) -> Loaded {
        let header = header();
        let mut all = vec![Line::Plan(Box::new(header.clone()))];
        all.extend(lines);
        Loaded { header, lines: all }
    }

    #[test]
    fn a_bundle_set_s_report_lists_each_arch_s_tarball_sha256() {
        let mut loaded = loaded(vec![input("05:00", Input::Start, None)]);
        loaded.header.arch_sha256 = [("amd64", "aa"), ("arm64", "bb")]
            .map(|(a, s)| (a.to_string(), s.to_string()))
            .into();
        let report = RolloutReport::of(&loaded);
        let md = report.markdown();
        assert!(
            md.contains("- linux-amd64: `aa`\n- linux-arm64: `bb`\n"),
            "{md}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["bundle"]["arch_sha256"]["arm64"], "bb");
        // One bundle: nothing more than before.
        let one = RolloutReport::of(&super::tests::loaded(vec![]));
        assert!(!one.markdown().contains("A bundle set"));
        assert!(serde_json::to_value(&one).unwrap()["bundle"]
            .get("arch_sha256")
            .is_none());
    }

    #[test]
    fn a_host_that_failed_then_succeeded_on_retry_says_so() {
        let mut lines = vec![input("05:00", Input::Start, None)];
        lines.extend(pushed("05:01", 0, true));
        lines.extend(pushed("05:02", 1, false));
        lines.extend(pushed("05:03", 2, true));
        lines.push(Line::Resumed {
            at: "06:00".into(),
            actor: "night@jump".into(),
            pid: 42,
        });
        lines.push(input("06:01", Input::Retry(vec![0, 1]), Some("night@jump")));
        lines.extend(pushed("06:02", 1, true));
        let report = RolloutReport::of(&loaded(lines));
        assert_eq!(report.status, "halted");
        let b = &report.hosts[1];
        assert_eq!(b.outcome, HostResult::Succeeded);
        assert!(b.recovered_on_retry);
        assert_eq!(b.retries, 1);
        assert_eq!(
            history::host_line(&b.history),
            "push failed at upload: no space left → retry requested by night@jump → push ok"
        );
        assert!(!report.hosts[0].recovered_on_retry, "a never failed");
        assert_eq!(report.hosts[0].retries, 0, "a was not failed: not retried");
        let timeline: Vec<String> = report
            .timeline
            .iter()
            .map(|m| format!("{} {} {}", m.at, m.what, m.by.as_deref().unwrap_or("-")))
            .collect();
        assert_eq!(
            timeline,
            [
                "05:00 started ops@jump",
                "05:00 batch 1 started (3 hosts) -",
                "05:03 HALTED: 1 failed in the rollout; limit 0 → halted -",
                "05:03 over: 2 ok, 1 failed, 0 rolled back, halted -",
                "06:00 taken over from the journal (pid 42) night@jump",
                "06:01 operator: retry b night@jump",
            ]
        );
        let md = report.markdown();
        assert!(
            md.contains("| b | succeeded | go1.21.13 | go1.22.10 | 05:02 | 06:02 | succeeded on retry (had failed: push at upload: no space left) |"),
            "{md}"
        );
        assert!(
            md.contains("- 06:01 operator: retry b (night@jump)\n"),
            "{md}"
        );
        assert!(
            md.contains("## Host histories\n\n- b: push failed at upload: no space left → retry requested by night@jump → push ok\n"),
            "{md}"
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["hosts"][1]["recovered_on_retry"], true);
        assert_eq!(json["hosts"][1]["history"][1]["what"], "retry requested");
        assert_eq!(json["timeline"][5]["by"], "night@jump");
    }

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
            history: vec![],
            retries: 0,
            recovered_on_retry: false,
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
