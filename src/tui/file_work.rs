//! The console's own file reading and writing (bundle listings, opening the bundle of a push or
//! rollout, the table export): run on a
//! blocking thread, never on the event loop, so a slow disk, a media mount or a directory of
//! large bundles never holds a key press. The answer comes back as a message like any other.

use std::path::PathBuf;

use tokio::sync::mpsc::UnboundedSender;

use super::msg::{Msg, OpenedRollout, Resumption};
use super::operate::bundles;
use crate::core::engine::{Artifact, Operation};
use crate::core::export::HostLine;
use crate::core::inventory::{BundleSettings, HostId};
use crate::core::rollout::Preview;
use crate::core::rollout::{RolloutSession, SessionError};

/// Where answers go: the event loop reads them as it reads keys and engine events.
#[derive(Clone)]
pub struct FileWork {
    answers: UnboundedSender<Msg>,
}

impl FileWork {
    pub fn new(answers: UnboundedSender<Msg>) -> Self {
        Self { answers }
    }

    /// The Go, set and app bundles in `dir`, opened as a push opens them.
    pub fn list_bundles(&self, dir: PathBuf, settings: BundleSettings) {
        let listed = dir.clone();
        self.off_thread(
            move || {
                let choices = bundles::list(&dir, &settings);
                tracing::info!(dir = %dir.display(), found = choices.len(), "listed bundles");
                Msg::Bundles { dir, choices }
            },
            // The picker then offers nothing; the log says why.
            move |_| Msg::Bundles {
                dir: listed,
                choices: Vec::new(),
            },
        );
    }

    /// The newest bundle of each app in `dir`, for the apps view's drift.
    pub fn list_app_bundles(&self, dir: PathBuf) {
        self.off_thread(
            move || {
                let catalog = super::apps::catalog::list(&dir);
                tracing::info!(dir = %dir.display(), apps = catalog.newest.len(), "listed app bundles");
                Msg::AppBundles(catalog)
            },
            |_| Msg::AppBundles(Default::default()),
        );
    }

    /// The bundle a push sends, opened as the CLI opens it (its kind by what the path names,
    /// the inventory's signature policy): answered with [`Msg::PushBundleOpened`], or refused.
    pub fn open_for_push(&self, hosts: Vec<HostId>, path: PathBuf, settings: BundleSettings) {
        let refused = |hosts: Vec<HostId>, error: String| {
            tracing::warn!(%error, "push refused");
            Msg::OperationRefused {
                op: Operation::Push,
                hosts,
                error,
            }
        };
        let mine = hosts.clone();
        self.off_thread(
            move || match Artifact::open_detected(&path, &settings) {
                Ok((bundle, _)) => Msg::PushBundleOpened {
                    hosts,
                    bundle: Box::new(bundle),
                },
                Err(error) => refused(hosts, error.to_string()),
            },
            move |error| refused(mine, format!("no thread to open the bundle: {error}")),
        );
    }

    /// The bundle of a confirmed rollout, opened the same way: answered with
    /// [`Msg::RolloutBundleOpened`], or refused.
    pub fn open_for_rollout(
        &self,
        token: u64,
        preview: Preview,
        path: PathBuf,
        settings: BundleSettings,
    ) {
        let opened = move || match Artifact::open_detected(&path, &settings) {
            Ok((bundle, signature)) => Ok(Box::new(OpenedRollout {
                preview,
                bundle_path: path,
                bundle,
                signature: signature.to_string(),
            })),
            Err(source) => Err(SessionError::Bundle {
                rollout: "not started".into(),
                source,
            }
            .to_string()),
        };
        self.off_thread(
            move || Msg::RolloutBundleOpened {
                token,
                opened: opened(),
            },
            |error| Msg::RolloutBundleOpened {
                token,
                opened: Err(format!("no thread to open the bundle: {error}")),
            },
        );
    }

    /// The bundle of the rollout journaled at `journal`, opened again under the trust policy
    /// and proven the one it started with: answered with [`Msg::ResumeBundleOpened`].
    pub fn open_for_resume(&self, journal: PathBuf, then: Resumption, settings: BundleSettings) {
        let (path, why) = (journal.clone(), then);
        self.off_thread(
            move || {
                let result = RolloutSession::open_bundle(&journal, &settings)
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                Msg::ResumeBundleOpened {
                    journal,
                    then,
                    result,
                }
            },
            move |error| Msg::ResumeBundleOpened {
                journal: path,
                then: why,
                result: Err(format!("no thread to open the bundle: {error}")),
            },
        );
    }

    /// The table, written to a new file (CSV or JSON by the name).
    pub fn export(&self, path: PathBuf, lines: Vec<HostLine>) {
        let (target, rows) = (path.clone(), lines.len());
        self.off_thread(
            move || export(path, &lines),
            move |error| Msg::Exported {
                path: target,
                rows,
                result: Err(format!("no thread to write the file: {error}")),
            },
        );
    }

    /// A plain thread, not the runtime's blocking pool: a read that never returns (a FIFO where
    /// a manifest should be, a hung mount) must not keep the console from quitting, and the
    /// runtime waits for its blocking tasks when it shuts down.
    /// `no_thread`: the answer when no thread can be had, so that what waits for the answer
    /// (hosts marked as requested) is released.
    fn off_thread(
        &self,
        job: impl FnOnce() -> Msg + Send + 'static,
        no_thread: impl FnOnce(std::io::Error) -> Msg,
    ) {
        let answers = self.answers.clone();
        let spawned = std::thread::Builder::new()
            .name("offgo-files".into())
            .spawn(move || {
                // The console may have ended meanwhile: then nobody waits for the answer.
                let _ = answers.send(job());
            });
        if let Err(error) = spawned {
            tracing::warn!(%error, "no thread for file work");
            let _ = self.answers.send(no_thread(error));
        }
    }
}

/// Writes the export to a new file; the answer names the file in full, or says why nothing was
/// written.
fn export(path: PathBuf, lines: &[HostLine]) -> Msg {
    let format = crate::core::export::Format::for_path(&path);
    let result = crate::core::export::encode(format, lines)
        .map_err(|e| format!("{}: {e}", path.display()))
        .and_then(|bytes| crate::core::export::write_new(&path, &bytes).map_err(|e| e.to_string()))
        .map(|()| std::path::absolute(&path).unwrap_or_else(|_| path.clone()));
    match &result {
        Ok(full) => {
            tracing::info!(path = %full.display(), rows = lines.len(), "exported the table")
        }
        Err(error) => tracing::warn!(%error, "export not written"),
    }
    Msg::Exported {
        path,
        rows: lines.len(),
        result,
    }
}
