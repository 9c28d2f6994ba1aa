//! The rollout journal on the jump host: `$XDG_STATE_HOME/offgo/rollouts/<id>.jsonl`, one JSON
//! object per line, each flushed to disk before the next step starts. The first line is the
//! plan; `input` lines are the state machine's inputs (replaying them rebuilds its state);
//! `step` and `host` lines record what happened for the operator and the evidence report.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::machine::Input;
use super::plan::Plan;
use super::settings::RolloutSettings;
use crate::core::engine::ArtifactKind;

/// Everything needed to resume or report a rollout without the console that started it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub id: String,
    pub created: String,
    pub actor: String,
    pub inventory: PathBuf,
    /// What the bundle installs (absent from journals older than artifact kinds: a Go release).
    #[serde(default)]
    pub artifact: ArtifactKind,
    pub bundle: PathBuf,
    /// The artifact's id (a Go release: its version).
    pub version: String,
    pub bundle_sha256: String,
    pub signature: String,
    /// The rollout's hosts by name; the machine's host ids are positions in this list.
    pub hosts: Vec<String>,
    pub settings: RolloutSettings,
    pub plan: Plan,
    /// A bundle set's tarball sha256 per arch (`bundle_sha256` is then the set's digest of
    /// them): what each host's push must upload. Empty, and absent, for one bundle.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub arch_sha256: std::collections::BTreeMap<String, String>,
}

/// What a host operation ended with, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HostRecord {
    pub host: usize,
    pub op: String,
    pub ok: bool,
    pub from: Option<String>,
    pub to: Option<String>,
    pub step: Option<String>,
    pub error: Option<String>,
    pub notes: Vec<String>,
    pub started: String,
    pub finished: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    Plan(Box<Header>),
    Input {
        at: String,
        input: Input,
        /// Who gave it, for the operator's inputs (pause, continue, abort, retry, roll back);
        /// absent for the machine's own and in journals older than this field.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<String>,
    },
    /// A process took the rollout over from its journal (`rollout --resume`, the console's
    /// `c`, `t` or `b` on a rollout it did not start). Absent from older journals.
    Resumed {
        at: String,
        actor: String,
        pid: u32,
    },
    Step {
        at: String,
        host: usize,
        step: String,
    },
    Host(HostRecord),
}

pub fn rollouts_dir() -> PathBuf {
    crate::core::xdg::state_dir().join("rollouts")
}

/// `20261122T043900Z-1234`: sortable, unique per process.
pub fn new_id() -> String {
    let now = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let compact: String = now.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    format!("{compact}-{}", std::process::id())
}

/// An open journal, and with it the right to drive its rollout: the file is locked (`flock`,
/// exclusive) for as long as this value lives, so two processes never drive one rollout. The
/// kernel drops the lock when the process dies: a crashed run leaves nothing stale behind.
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

impl Journal {
    pub fn create(dir: &Path, header: &Header) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(format!("{}.jsonl", header.id));
        let file = std::fs::OpenOptions::new()
            .create_new(true)
            .append(true)
            .open(&path)?;
        lock(&file, libc::LOCK_EX)?;
        let mut journal = Self { path, file };
        journal.append(&Line::Plan(Box::new(header.clone())))?;
        Ok(journal)
    }

    /// Opens the journal to go on with it. Fails with [`std::io::ErrorKind::WouldBlock`] while
    /// another process drives the rollout.
    pub fn reopen(path: &Path) -> std::io::Result<Self> {
        let file = std::fs::OpenOptions::new().append(true).open(path)?;
        // A listing holds a shared lock for an instant: try a few times before saying busy.
        let mut tries = 0;
        loop {
            match lock(&file, libc::LOCK_EX) {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && tries < 5 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => return Err(e),
                Ok(()) => break,
            }
        }
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and syncs it (and every line before it) to disk.
    pub fn append(&mut self, line: &Line) -> std::io::Result<()> {
        self.append_unsynced(line)?;
        self.file.sync_data()
    }

    /// Appends one line without waiting for the disk: for what reports rather than decides (a
    /// step that already started, a host's record just before the input that syncs it). The
    /// next [`Journal::append`] syncs it; a killed process loses nothing (it is written), only a
    /// crash of the machine could, and replay needs only the inputs.
    pub fn append_unsynced(&mut self, line: &Line) -> std::io::Result<()> {
        let mut text = serde_json::to_string(line).map_err(std::io::Error::other)?;
        text.push('\n');
        self.file.write_all(text.as_bytes())
    }
}

/// Takes `how` (`LOCK_EX`, `LOCK_SH`) on `file` without waiting; `WouldBlock` when another
/// open file holds a conflicting lock.
fn lock(file: &std::fs::File, how: libc::c_int) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: flock on a descriptor this `File` owns and keeps open for the call.
    let rc = unsafe { libc::flock(file.as_raw_fd(), how | libc::LOCK_NB) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Is a live process (a headless `rollout`, a console, this one) driving the rollout of the
/// journal at `path`? Unreadable files are not driven.
pub fn is_driven(path: &Path) -> bool {
    std::fs::File::open(path).is_ok_and(|file| {
        matches!(lock(&file, libc::LOCK_SH), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
    })
}

/// A journal read back. A torn last line (the process died mid-write) is ignored.
#[derive(Debug)]
pub struct Loaded {
    pub header: Header,
    pub lines: Vec<Line>,
}

/// Why a journal could not be read back; each names the file (and line).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot read {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}: not a journal line: {source}", .path.display())]
    Line {
        path: PathBuf,
        line: usize,
        source: serde_json::Error,
    },
    #[error("{}: the first line is not a rollout plan", .path.display())]
    NoPlan { path: PathBuf },
}

pub fn load(path: &Path) -> Result<Loaded, JournalError> {
    let text = std::fs::read_to_string(path).map_err(|source| JournalError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// The journal `text` read from `path` (named in errors).
pub fn parse(path: &Path, text: &str) -> Result<Loaded, JournalError> {
    let mut lines = Vec::new();
    let all: Vec<&str> = text.lines().collect();
    for (i, raw) in all.iter().enumerate() {
        match serde_json::from_str::<Line>(raw) {
            Ok(line) => lines.push(line),
            Err(_) if i + 1 == all.len() && !text.ends_with('\n') => {}
            Err(source) => {
                return Err(JournalError::Line {
                    path: path.to_path_buf(),
                    line: i + 1,
                    source,
                })
            }
        }
    }
    let header = match lines.first() {
        Some(Line::Plan(h)) => (**h).clone(),
        _ => {
            return Err(JournalError::NoPlan {
                path: path.to_path_buf(),
            })
        }
    };
    Ok(Loaded { header, lines })
}

impl Loaded {
    pub fn inputs(&self) -> impl Iterator<Item = &Input> {
        self.lines.iter().filter_map(|l| match l {
            Line::Input { input, .. } => Some(input),
            _ => None,
        })
    }

    /// The state machine as the journal leaves it: every input replayed, effects discarded.
    pub fn replay(&self) -> super::machine::Rollout {
        let mut machine =
            super::machine::Rollout::new(self.header.plan.clone(), self.header.settings.clone());
        for input in self.inputs() {
            machine.handle(input.clone());
        }
        machine
    }

    pub fn records(&self) -> impl Iterator<Item = &HostRecord> {
        self.lines.iter().filter_map(|l| match l {
            Line::Host(r) => Some(r),
            _ => None,
        })
    }
}

/// The newest rollout in `dir` that has not finished, with its replayed state.
pub fn newest_unfinished(dir: &Path) -> Option<(PathBuf, Loaded, super::machine::Rollout)> {
    list(dir).into_iter().find_map(|path| {
        let loaded = load(&path).ok()?;
        let machine = loaded.replay();
        (!machine.is_finished()).then_some((path, loaded, machine))
    })
}

/// Journals in `dir`, newest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths.reverse();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rollout::plan::plan;
    use crate::core::rollout::settings::BatchSize;

    fn sample_header() -> Header {
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
            hosts: vec!["a".into(), "b".into()],
            settings: RolloutSettings::default(),
            plan: plan(&[0, 1], &[], &[BatchSize::Count(1)], vec![]),
            arch_sha256: Default::default(),
        }
    }

    #[test]
    fn round_trip_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let header = sample_header();
        let mut j = Journal::create(dir.path(), &header).unwrap();
        j.append(&Line::Input {
            at: "t".into(),
            input: Input::Start,
            by: None,
        })
        .unwrap();
        j.append(&Line::Step {
            at: "t".into(),
            host: 0,
            step: "upload".into(),
        })
        .unwrap();
        let path = j.path().to_path_buf();
        drop(j);
        // The process died mid-write.
        std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap()
            .write_all(b"{\"kind\":\"inp")
            .unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.header, header);
        assert_eq!(
            loaded.inputs().cloned().collect::<Vec<_>>(),
            vec![Input::Start]
        );
        assert_eq!(list(dir.path()), vec![path]);
    }

    /// A journal written before artifact kinds (no `artifact` in its plan) is a Go release's,
    /// and a new one says so.
    #[test]
    fn journals_without_an_artifact_kind_are_go_releases() {
        // Today's plan line, less the key older versions did not write.
        let mut plan = serde_json::to_value(Line::Plan(Box::new(sample_header()))).unwrap();
        plan.as_object_mut().unwrap().remove("artifact").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r0.jsonl");
        std::fs::write(&path, format!("{plan}\n")).unwrap();
        let header = load(&path).unwrap().header;
        assert_eq!(header.artifact, ArtifactKind::GoRelease);
        assert_eq!(header.version, "go1.22.10");
        let line = serde_json::to_string(&Line::Plan(Box::new(header))).unwrap();
        assert!(line.contains(r#""artifact":"go_release""#), "{line}");
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.jsonl");
        let shown = |e: JournalError| e.to_string().replace(&path.display().to_string(), "J");
        assert!(shown(load(&path).unwrap_err()).starts_with("cannot read J: "));
        std::fs::write(
            &path,
            "{\"kind\":\"step\",\"at\":\"t\",\"host\":0,\"step\":\"x\"}\n",
        )
        .unwrap();
        assert_eq!(
            shown(load(&path).unwrap_err()),
            "J: the first line is not a rollout plan"
        );
        std::fs::write(&path, "garbage\n{}\n").unwrap();
        assert!(shown(load(&path).unwrap_err()).starts_with("J:1: not a journal line: "));
    }
}
