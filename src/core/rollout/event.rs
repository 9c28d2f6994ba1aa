//! What a rollout says as it runs, typed: the headless `rollout --json` prints each as one JSON
//! line (`{"event": "batch_started", …}`), text mode prints its `Display`, and the report and
//! the console read the same values. Host names, steps and errors inside are host or operator
//! data: the faces sanitize them where they reach a terminal.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::driver::Update;
use super::journal::Header;
use super::machine::Note;
use super::predict::WarningKind;
use super::summary::Summary;

/// One batch of a plan, by host name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchNames {
    pub name: String,
    pub hosts: Vec<String>,
}

/// A host left out of the plan, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedHost {
    pub host: String,
    pub why: String,
}

/// What the last probe says will go wrong on a planned host (`rollout --dry-run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostWarning {
    pub host: String,
    pub kind: WarningKind,
    pub detail: String,
}

/// Which tarball of a bundle set a planned host gets, by its last probe's arch
/// (`rollout --dry-run`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostTarball {
    pub host: String,
    pub tarball: String,
}

impl BatchNames {
    /// The journal's batches, by host name.
    pub fn of(header: &Header) -> Vec<Self> {
        header
            .plan
            .batches
            .iter()
            .map(|b| Self {
                name: b.name.clone(),
                hosts: b.hosts.iter().map(|&l| header.hosts[l].clone()).collect(),
            })
            .collect()
    }
}

impl SkippedHost {
    /// The journal's skipped hosts, by name.
    pub fn of(header: &Header) -> Vec<Self> {
        header
            .plan
            .skipped
            .iter()
            .map(|(l, why)| Self {
                host: header.hosts[*l].clone(),
                why: why.clone(),
            })
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RolloutEvent {
    /// The plan a started rollout runs.
    Plan {
        rollout: String,
        version: String,
        batches: Vec<BatchNames>,
        skipped: Vec<SkippedHost>,
        limit: String,
        journal: PathBuf,
    },
    /// `--dry-run`: the plan, and nothing was changed.
    DryRun {
        version: String,
        batches: Vec<BatchNames>,
        skipped: Vec<SkippedHost>,
        unreachable: Vec<String>,
        /// Per planned host, what its last probe predicts (added after `unreachable`, which
        /// stays for older readers).
        #[serde(default)]
        warnings: Vec<HostWarning>,
        steps: Vec<String>,
        limit: String,
        parallel: usize,
        /// A bundle set's pick per planned host (absent for one bundle).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        tarballs: Vec<HostTarball>,
    },
    /// `--resume`: the journal it continues, and the hosts being re-probed first.
    Resumed {
        rollout: String,
        journal: PathBuf,
        unknown: Vec<String>,
    },
    BatchStarted {
        batch: usize,
        name: String,
        hosts: usize,
    },
    BatchDone {
        batch: usize,
        name: String,
        succeeded: usize,
        failed: usize,
    },
    Halted {
        reason: String,
    },
    Paused {
        why: String,
    },
    Step {
        host: String,
        step: String,
    },
    HostDone {
        host: String,
        op: String,
        ok: bool,
        from: Option<String>,
        to: Option<String>,
        step: Option<String>,
        error: Option<String>,
        notes: Vec<String>,
    },
    JournalError {
        error: String,
    },
    /// A manual pause a headless run cannot answer: it stops here.
    Waiting {
        why: String,
        resume: String,
    },
    /// The first ctrl-c / SIGTERM: hosts in flight finish, none starts.
    Aborting {
        signal: String,
        in_flight: Vec<String>,
    },
    /// A second signal: waiting stopped, these hosts were cut short.
    Interrupted {
        signal: String,
        cut_short: Vec<String>,
        resume: String,
    },
    Summary(Summary),
}

/// The command that resumes an unfinished rollout.
pub const RESUME_COMMAND: &str = "offgo-tui rollout --resume";

impl RolloutEvent {
    /// The same event with every string made safe for a terminal (`core::text`): host names,
    /// steps, errors and notes may hold anything a host printed.
    pub fn made_safe(&self) -> Self {
        let mut value = match serde_json::to_value(self) {
            Ok(value) => value,
            Err(e) => return Self::unprintable(e),
        };
        crate::core::text::safe_json(&mut value);
        serde_json::from_value(value).unwrap_or_else(Self::unprintable)
    }

    fn unprintable(e: serde_json::Error) -> Self {
        Self::JournalError {
            error: crate::core::text::safe(&format!("an event could not be printed: {e}")),
        }
    }

    /// The event a driver update is told as; `None` for what only steers the face.
    pub fn from_update(update: &Update) -> Option<Self> {
        Some(match update {
            Update::Note(Note::BatchStarted { batch, name, hosts }) => Self::BatchStarted {
                batch: *batch,
                name: name.clone(),
                hosts: *hosts,
            },
            Update::Note(Note::BatchDone {
                batch,
                name,
                succeeded,
                failed,
            }) => Self::BatchDone {
                batch: *batch,
                name: name.clone(),
                succeeded: *succeeded,
                failed: *failed,
            },
            Update::Note(Note::Halted { reason }) => Self::Halted {
                reason: reason.clone(),
            },
            Update::Note(Note::Paused { why }) => Self::Paused { why: why.clone() },
            Update::Note(Note::Finished { .. }) | Update::WaitingForOperator => return None,
            Update::Step { host, step } => Self::Step {
                host: host.clone(),
                step: step.clone(),
            },
            Update::HostDone { name, record: r } => Self::HostDone {
                host: name.clone(),
                op: r.op.clone(),
                ok: r.ok,
                from: r.from.clone(),
                to: r.to.clone(),
                step: r.step.clone(),
                error: r.error.clone(),
                notes: r.notes.clone(),
            },
            Update::JournalError(error) => Self::JournalError {
                error: error.clone(),
            },
        })
    }
}

/// One readable line per event, for people (text mode).
/// `web-01, web-02`, or `none`: text for people, not a Rust list.
fn list(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

impl fmt::Display for RolloutEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Plan {
                rollout,
                version,
                batches,
                limit,
                journal,
                ..
            } => write!(
                f,
                "rollout {rollout} of {version}: {} batch(es); {limit}; journal {}",
                batches.len(),
                journal.display()
            ),
            Self::DryRun {
                version,
                batches,
                skipped,
                unreachable: _,
                warnings,
                steps,
                limit,
                parallel,
                tarballs,
            } => {
                let count: usize = batches.iter().map(|b| b.hosts.len()).sum();
                writeln!(
                    f,
                    "Dry run: roll out {version} to {count} host(s), {parallel} at a time; {limit}."
                )?;
                for b in batches {
                    writeln!(
                        f,
                        "  {} ({}): {}",
                        b.name,
                        b.hosts.len(),
                        b.hosts.join(", ")
                    )?;
                }
                for s in skipped {
                    writeln!(f, "  skipped: {} ({})", s.host, s.why)?;
                }
                if !tarballs.is_empty() {
                    writeln!(
                        f,
                        "Each host's bundle of the set, by its last probe's arch:"
                    )?;
                    for t in tarballs {
                        writeln!(f, "  tarball: {}: {}", t.host, t.tarball)?;
                    }
                }
                if !warnings.is_empty() {
                    let hosts = warnings
                        .iter()
                        .map(|w| w.host.as_str())
                        .collect::<std::collections::BTreeSet<_>>()
                        .len();
                    writeln!(
                        f,
                        "Predicted from the last probe ({hosts} host(s) with warnings):"
                    )?;
                    for w in warnings {
                        writeln!(f, "  warning: {}: {}", w.host, w.detail)?;
                    }
                }
                writeln!(f, "Each host, in order:")?;
                for (i, s) in steps.iter().enumerate() {
                    writeln!(f, "  {}. {s}", i + 1)?;
                }
                write!(f, "Nothing was changed.")
            }
            Self::Resumed {
                rollout,
                journal,
                unknown,
            } => write!(
                f,
                "resuming rollout {rollout} ({}); {}",
                journal.display(),
                if unknown.is_empty() {
                    "no host was cut short".to_string()
                } else {
                    format!("re-probing first: {}", unknown.join(", "))
                }
            ),
            Self::BatchStarted { name, hosts, .. } => write!(f, "== {name} ({hosts} hosts)"),
            Self::BatchDone {
                name,
                succeeded,
                failed,
                ..
            } => write!(f, "== {name} done: {succeeded} ok, {failed} failed"),
            Self::Halted { reason } => write!(f, "HALTED: {reason}"),
            Self::Paused { why } => write!(f, "paused: {why}"),
            Self::Step { host, step } => write!(f, "{host}: {step}"),
            Self::HostDone {
                host,
                op,
                ok,
                step,
                error,
                notes,
                ..
            } => {
                if *ok {
                    write!(f, "{host}: {op} ok")?;
                } else {
                    write!(
                        f,
                        "{host}: {op} FAILED at {}: {}",
                        step.as_deref().unwrap_or(""),
                        error.as_deref().unwrap_or("")
                    )?;
                }
                // What the operator must still know (a pre-existing ldd gap, a switch back).
                for note in notes {
                    write!(f, "; {note}")?;
                }
                Ok(())
            }
            Self::JournalError { error } => write!(f, "journal error: {error}"),
            Self::Waiting { why, resume } => write!(f, "waiting ({why}): `{resume}` continues"),
            Self::Aborting { signal, in_flight } => {
                write!(f, "ABORTING on {signal}: in flight {}", list(in_flight))
            }
            Self::Interrupted {
                signal,
                cut_short,
                resume,
            } => write!(
                f,
                "INTERRUPTED by a second {signal}: cut short {}; `{resume}` settles them",
                list(cut_short)
            ),
            Self::Summary(s) => write!(f, "{s}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_events_name_hosts_as_text_not_as_a_rust_list() {
        let resumed = RolloutEvent::Resumed {
            rollout: "r1".into(),
            journal: PathBuf::from("/j"),
            unknown: vec!["web-01".into(), "web-02".into()],
        };
        assert_eq!(
            resumed.to_string(),
            "resuming rollout r1 (/j); re-probing first: web-01, web-02"
        );
        let resumed = RolloutEvent::Resumed {
            rollout: "r1".into(),
            journal: PathBuf::from("/j"),
            unknown: vec![],
        };
        assert_eq!(
            resumed.to_string(),
            "resuming rollout r1 (/j); no host was cut short"
        );
        let aborting = RolloutEvent::Aborting {
            signal: "SIGINT".into(),
            in_flight: vec![],
        };
        assert_eq!(aborting.to_string(), "ABORTING on SIGINT: in flight none");
        for event in [resumed, aborting] {
            assert!(!event.to_string().contains('['), "{event}");
        }
    }

    #[test]
    fn a_dry_run_line_without_warnings_still_reads_and_warnings_print_per_host() {
        let old = r#"{"event":"dry_run","version":"go1.22.10","batches":[],"skipped":[],
            "unreachable":["db-02"],"steps":["a"],"limit":"none","parallel":5}"#;
        let event: RolloutEvent = serde_json::from_str(old).unwrap();
        let RolloutEvent::DryRun { warnings, .. } = &event else {
            panic!("{event:?}");
        };
        assert!(warnings.is_empty());

        let event = RolloutEvent::DryRun {
            version: "go1.22.10".into(),
            batches: vec![],
            skipped: vec![],
            unreachable: vec!["db-02".into()],
            warnings: vec![HostWarning {
                host: "db-02".into(),
                kind: WarningKind::Unreachable,
                detail: "unreachable: refused\u{1b}[2J".into(),
            }],
            steps: vec![],
            limit: "none".into(),
            parallel: 5,
            tarballs: vec![],
        }
        .made_safe();
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["warnings"][0]["kind"], "unreachable");
        assert_eq!(json["unreachable"][0], "db-02");
        let text = event.to_string();
        assert!(
            text.contains("  warning: db-02: unreachable: refused\\x1b[2J"),
            "{text}"
        );
    }
}
