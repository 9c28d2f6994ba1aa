//! Every rollout the journal directory holds, as the console's rollout list shows it: running
//! (here, headless or in another console), halted, finished, aborted or interrupted, with its
//! host counts. A journal that cannot be read is listed with its file and the reason, never
//! left out.

use std::path::{Path, PathBuf};

use super::journal::{self, Loaded};
use super::machine::{Phase, Status};

/// One journal file of the directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub path: PathBuf,
    /// What the journal says, or why it could not be read (naming the file and line).
    pub rollout: Result<ListedRollout, String>,
}

/// Who drives a rollout now: its journal's lock says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driven {
    /// No process: it is over, or its driver stopped (crash, kill, a headless run that reached
    /// a manual pause).
    Nobody,
    /// This process.
    Here,
    /// A headless `rollout` or another console.
    Elsewhere,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ListedRollout {
    pub id: String,
    pub created: String,
    pub actor: String,
    pub version: String,
    pub bundle: PathBuf,
    pub status: Status,
    pub driven: Driven,
    pub counts: Counts,
}

/// Hosts of a rollout by where they stand (skipped hosts are not counted).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub ok: usize,
    pub failed: usize,
    pub rolled_back: usize,
    /// Not started yet, or in flight.
    pub pending: usize,
}

impl Counts {
    pub fn of(machine: &super::machine::Rollout) -> Self {
        let mut counts = Self::default();
        for phase in machine.phases.values() {
            match phase {
                Phase::Succeeded { .. } => counts.ok += 1,
                Phase::Failed { .. } => counts.failed += 1,
                Phase::RolledBack { .. } => counts.rolled_back += 1,
                _ => counts.pending += 1,
            }
        }
        counts
    }
}

impl ListedRollout {
    /// The journal's rollout as it stands after replaying it.
    pub fn of(loaded: &Loaded, driven: Driven) -> Self {
        let h = &loaded.header;
        let machine = loaded.replay();
        Self {
            id: h.id.clone(),
            created: h.created.clone(),
            actor: h.actor.clone(),
            version: h.version.clone(),
            bundle: h.bundle.clone(),
            counts: Counts::of(&machine),
            status: machine.status,
            driven,
        }
    }

    pub fn is_finished(&self) -> bool {
        matches!(self.status, Status::Done { .. } | Status::Halted { .. })
    }

    /// The state in a word or two: `running`, `halted`, `finished`, `aborted`, `interrupted`…
    pub fn state(&self) -> &'static str {
        match (&self.status, self.driven) {
            (Status::Halted { .. }, _) => "halted",
            (Status::Done { aborted: true }, _) => "aborted",
            (Status::Done { aborted: false }, _) => "finished",
            // Nobody drives an unfinished rollout: its driver stopped before the end.
            (Status::PausedBetweenBatches { manual: true }, Driven::Nobody) => "paused",
            (_, Driven::Nobody) => "interrupted",
            (Status::NotStarted | Status::Running, _) => "running",
            (Status::PausedBetweenBatches { .. } | Status::Paused, _) => "paused",
            (Status::Halting { .. }, _) => "halting",
            (Status::Aborting, _) => "aborting",
        }
    }

    /// Where it runs, when it runs: `here`, `elsewhere`; empty when nobody drives it.
    pub fn where_driven(&self) -> &'static str {
        match self.driven {
            Driven::Nobody => "",
            Driven::Here => "here",
            Driven::Elsewhere => "elsewhere",
        }
    }
}

/// One journal's entry from its text; `driven` from its lock.
pub fn entry(path: &Path, text: &str, driven: Driven) -> Listed {
    Listed {
        path: path.to_path_buf(),
        rollout: journal::parse(path, text)
            .map(|loaded| ListedRollout::of(&loaded, driven))
            .map_err(|e| e.to_string()),
    }
}

/// Every journal in `dir`, newest first. `here` is the journal this process drives, if any
/// (its lock would otherwise read as another process's).
pub fn list(dir: &Path, here: Option<&Path>) -> Vec<Listed> {
    journal::list(dir)
        .into_iter()
        .map(|path| {
            let driven = if here == Some(path.as_path()) {
                Driven::Here
            } else if journal::is_driven(&path) {
                Driven::Elsewhere
            } else {
                Driven::Nobody
            };
            match std::fs::read_to_string(&path) {
                Ok(text) => entry(&path, &text, driven),
                Err(e) => Listed {
                    rollout: Err(format!("cannot read {}: {e}", path.display())),
                    path,
                },
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::engine::ArtifactKind;
    use crate::core::rollout::journal::{Header, HostRecord, Journal, Line};
    use crate::core::rollout::plan::plan;
    use crate::core::rollout::settings::{BatchSize, Limit};
    use crate::core::rollout::{Input, RolloutSettings};

    fn header(id: &str) -> Header {
        let settings = RolloutSettings {
            max_failures: Limit::Count(0),
            ..RolloutSettings::default()
        };
        Header {
            id: id.into(),
            created: "2026-11-22T05:00:00Z".into(),
            actor: "ops@jump".into(),
            inventory: "/etc/offgo.toml".into(),
            artifact: ArtifactKind::GoRelease,
            bundle: "/media/go1.22.10.linux-amd64.offgo.toml".into(),
            version: "go1.22.10".into(),
            bundle_sha256: "ab".into(),
            signature: "unsigned".into(),
            hosts: vec!["a".into(), "b".into(), "c".into()],
            // One host at a time: a failure halts with nothing left in flight.
            settings: RolloutSettings {
                auto_rollback: false,
                parallel: 1,
                ..settings
            },
            plan: plan(&[0, 1, 2], &[], &[BatchSize::Count(3)], vec![]),
            arch_sha256: Default::default(),
        }
    }

    fn input(input: Input) -> Line {
        Line::Input {
            at: "t".into(),
            input,
            by: None,
        }
    }

    fn pushed(host: usize, ok: bool) -> Line {
        input(Input::PushDone {
            host,
            ok,
            changed: ok,
            step: (!ok).then(|| "upload".into()),
            error: (!ok).then(|| "no space left on device".into()),
        })
    }

    fn write(dir: &Path, id: &str, lines: &[Line]) -> PathBuf {
        let mut journal = Journal::create(dir, &header(id)).unwrap();
        for line in lines {
            journal.append(line).unwrap();
        }
        journal.path().to_path_buf()
    }

    #[test]
    fn a_halted_rollout_is_listed_with_its_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "20261122T050000Z-1",
            &[input(Input::Start), pushed(0, true), pushed(1, false)],
        );
        // A child that another test thread forks in the instant the journal is open inherits
        // its descriptor, and with it the lock, until it execs: wait that instant out.
        let mut listed = list(dir.path(), None);
        for _ in 0..100 {
            if listed[0]
                .rollout
                .as_ref()
                .is_ok_and(|r| r.driven == Driven::Nobody)
            {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            listed = list(dir.path(), None);
        }
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].path, path);
        let r = listed[0].rollout.as_ref().unwrap();
        assert_eq!(r.id, "20261122T050000Z-1");
        assert_eq!(r.version, "go1.22.10");
        assert_eq!(r.state(), "halted");
        assert_eq!(r.driven, Driven::Nobody, "the writer has let go of it");
        assert_eq!(
            r.counts,
            Counts {
                ok: 1,
                failed: 1,
                rolled_back: 0,
                pending: 1
            }
        );
    }

    #[test]
    fn a_journal_being_written_is_driven_elsewhere_until_its_writer_lets_go() {
        let dir = tempfile::tempdir().unwrap();
        let mut journal = Journal::create(dir.path(), &header("r1")).unwrap();
        journal.append(&input(Input::Start)).unwrap();
        let path = journal.path().to_path_buf();
        let r = |here| list(dir.path(), here).remove(0).rollout.unwrap();
        assert_eq!(r(None).driven, Driven::Elsewhere);
        assert_eq!(r(None).state(), "running");
        assert_eq!(r(Some(&path)).driven, Driven::Here);
        // Nobody else may take it over meanwhile.
        let busy = Journal::reopen(&path).err().unwrap();
        assert_eq!(busy.kind(), std::io::ErrorKind::WouldBlock);
        drop(journal);
        assert_eq!(r(None).driven, Driven::Nobody);
        assert_eq!(r(None).state(), "interrupted");
        assert!(Journal::reopen(&path).is_ok());
    }

    #[test]
    fn newest_first_and_a_corrupt_journal_is_listed_with_its_error() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "20261122T050000Z-1",
            &[
                input(Input::Start),
                pushed(0, true),
                pushed(1, true),
                pushed(2, true),
            ],
        );
        std::fs::write(dir.path().join("20261123T050000Z-2.jsonl"), "{\"kind\":\n").unwrap();
        std::fs::write(dir.path().join("20261124T050000Z-3.jsonl"), "").unwrap();
        let listed = list(dir.path(), None);
        let ids: Vec<String> = listed
            .iter()
            .map(|l| l.path.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            ids,
            [
                "20261124T050000Z-3",
                "20261123T050000Z-2",
                "20261122T050000Z-1"
            ]
        );
        let empty = listed[0].rollout.as_ref().unwrap_err();
        assert!(
            empty.ends_with("20261124T050000Z-3.jsonl: the first line is not a rollout plan"),
            "{empty}"
        );
        let corrupt = listed[1].rollout.as_ref().unwrap_err();
        assert!(
            corrupt.contains("20261123T050000Z-2.jsonl:1: not a journal line"),
            "{corrupt}"
        );
        let done = listed[2].rollout.as_ref().unwrap();
        assert_eq!((done.state(), done.counts.ok), ("finished", 3));
    }

    /// A journal written before operator names and resume lines (no `by`, no `resumed`) is
    /// listed like any other.
    #[test]
    fn an_old_format_journal_is_listed() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = serde_json::to_value(Line::Plan(Box::new(header("r0")))).unwrap();
        plan.as_object_mut().unwrap().remove("artifact").unwrap();
        let record = Line::Host(HostRecord {
            host: 0,
            op: "push".into(),
            ok: false,
            from: None,
            to: None,
            step: Some("upload".into()),
            error: Some("no space".into()),
            notes: vec![],
            started: "t".into(),
            finished: "t".into(),
        });
        let text = format!(
            "{plan}\n{}\n{}\n{}\n{}\n",
            r#"{"kind":"input","at":"t","input":"Start"}"#,
            serde_json::to_string(&record).unwrap(),
            serde_json::to_string(&pushed(0, false)).unwrap(),
            r#"{"kind":"input","at":"t","input":"Pause"}"#,
        );
        let path = dir.path().join("r0.jsonl");
        let listed = entry(&path, &text, Driven::Nobody);
        let r = listed.rollout.unwrap();
        assert_eq!(r.state(), "halted");
        assert_eq!(r.counts.failed, 1);
    }
}
