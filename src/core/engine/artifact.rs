//! The seam between what offgo installs and how it gets there. Push, verify, rollback, the
//! rollout machine and its journal hold an [`Artifact`] (or its [`ArtifactKind`]) and never look
//! inside it; each kind brings its own host steps (remote scripts and the parsing of their
//! output), its words for the step lists and its "already there" test.
//!
//! Today the one kind is a Go release. A new kind (a module cache, a Go application) adds a
//! variant to both enums, its host functions next to `push.rs`/`verify.rs`/`rollback.rs`, and
//! the arms below; the rollout code and the faces' flows stay as they are.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::app_release::AppRelease;
use super::go_release::GoRelease;
use super::go_release_set::GoReleaseSet;
use super::step::OpRun;
use super::steps::PushFacts;
use super::{app_push, app_rollback, app_verify};
use super::{modcache_push, modcache_rollback, modcache_verify, ModcacheBundle};
use super::{push, rollback, verify, HostOutcome, HostReport, OpContext};
use crate::core::bundle::{open_trusted, open_trusted_set, Bundle, BundleError, SignatureStatus};
use crate::core::inventory::BundleSettings;
use crate::core::ssh::HostLink;

/// Which kind of thing a bundle installs. Recorded in the rollout journal (`artifact`); a
/// journal written before kinds existed is a Go release's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArtifactKind {
    /// A Go toolchain under `releases_dir`, switched in at `go_root`.
    #[default]
    GoRelease,
    /// A Go application (an app bundle) under `apps/<name>/releases/`, switched in at
    /// `apps/<name>/current`, restarted and health-checked.
    App,
    /// A Go module download cache under `<modcache_dir>/<id>`, served at `current`.
    Modcache,
}

/// What a push installs on a host, with everything its steps need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Artifact {
    GoRelease(GoRelease),
    App(AppRelease),
    Modcache(ModcacheBundle),
    /// One Go release for several architectures (a bundle set): each host gets the member for
    /// its arch. Its kind is a Go release's: verify and rollback are the same.
    GoReleaseSet(GoReleaseSet),
}

/// One host operation as the engine runs it on a host's worker.
pub(super) type HostOp =
    Arc<dyn Fn(&mut HostLink, &OpRun<'_>, &OpContext) -> HostOutcome + Send + Sync>;

impl Artifact {
    /// Opens the bundle at `path` as a `kind` artifact, under the inventory's trust policy.
    pub fn open_trusted(
        kind: ArtifactKind,
        path: &Path,
        settings: &BundleSettings,
    ) -> Result<(Self, SignatureStatus), BundleError> {
        // A directory is a bundle set: the same release for several architectures.
        if kind == ArtifactKind::GoRelease && path.is_dir() {
            let (set, signature) = open_trusted_set(path, settings)?;
            return Ok((Self::GoReleaseSet(GoReleaseSet::from(&set)), signature));
        }
        match kind {
            ArtifactKind::GoRelease => {
                let trusted = open_trusted(path, settings)?;
                Ok((Self::from(&trusted.bundle), trusted.signature))
            }
            ArtifactKind::App => {
                AppRelease::open_trusted(path, settings).map(|(app, s)| (Self::App(app), s))
            }
            ArtifactKind::Modcache => {
                let (bundle, signature) = ModcacheBundle::open_trusted(path, settings)?;
                Ok((Self::Modcache(bundle), signature))
            }
        }
    }

    /// The tree digests a push of this artifact proves on a host it installs a Go release on:
    /// the bundle's, or each member's of a set. None for other kinds.
    fn tree_digests(&self) -> Vec<String> {
        match self {
            Self::GoRelease(release) => vec![release.tree_digest.clone()],
            // The helper takes at most 16; a larger set's hosts are verified file by file.
            Self::GoReleaseSet(set) if set.releases.len() <= 16 => {
                set.releases.iter().map(|r| r.tree_digest.clone()).collect()
            }
            Self::GoReleaseSet(_) => Vec::new(),
            Self::App(_) | Self::Modcache(_) => Vec::new(),
        }
    }

    pub fn kind(&self) -> ArtifactKind {
        match self {
            Self::GoRelease(_) => ArtifactKind::GoRelease,
            Self::App(_) => ArtifactKind::App,
            Self::Modcache(_) => ArtifactKind::Modcache,
            Self::GoReleaseSet(_) => ArtifactKind::GoRelease,
        }
    }

    /// What the operator calls it and what a host records as current: `go1.22.10`.
    pub fn id(&self) -> &str {
        match self {
            Self::GoRelease(release) => &release.version,
            Self::App(app) => &app.id,
            Self::Modcache(bundle) => &bundle.id,
            Self::GoReleaseSet(set) => &set.version,
        }
    }

    /// The bundle tarball's sha256: a resumed rollout must push the very same bytes.
    pub fn sha256(&self) -> &str {
        match self {
            Self::GoRelease(release) => &release.sha256,
            Self::App(app) => &app.sha256,
            Self::Modcache(bundle) => &bundle.sha256,
            Self::GoReleaseSet(set) => &set.digest,
        }
    }

    /// What the step lists say of it.
    pub fn facts(&self) -> PushFacts<'_> {
        match self {
            Self::GoRelease(r) => PushFacts {
                kind: ArtifactKind::GoRelease,
                version: &r.version,
                arch: &r.arch,
                size: r.size,
                sha256: &r.sha256,
                file_count: r.file_count,
                unpacked_size: r.unpacked_size,
            },
            Self::App(a) => PushFacts {
                kind: ArtifactKind::App,
                version: &a.id,
                arch: &a.arch,
                size: a.size,
                sha256: &a.sha256,
                file_count: a.file_count,
                unpacked_size: Some(a.unpacked_estimate()),
            },
            Self::Modcache(b) => PushFacts {
                kind: ArtifactKind::Modcache,
                version: &b.id,
                // Module files are the same for every architecture.
                arch: "",
                size: b.size,
                sha256: &b.sha256,
                file_count: b.file_count,
                unpacked_size: Some(b.unpacked_estimate()),
            },
            // The step lists name every arch and allow for the biggest member.
            Self::GoReleaseSet(set) => PushFacts {
                kind: ArtifactKind::GoRelease,
                version: &set.version,
                arch: &set.arches,
                size: set.size,
                sha256: &set.digest,
                file_count: set.file_count,
                unpacked_size: set.unpacked_size,
            },
        }
    }

    pub(super) fn push_op(&self) -> HostOp {
        match self {
            Self::GoRelease(release) => {
                let release = release.clone();
                Arc::new(move |link, run, ctx| push::push_host(link, &release, run, ctx))
            }
            Self::App(app) => {
                let app = app.clone();
                Arc::new(move |link, run, ctx| app_push::push_app_host(link, &app, run, ctx))
            }
            Self::Modcache(bundle) => {
                let bundle = bundle.clone();
                Arc::new(move |link, run, ctx| modcache_push::push_host(link, &bundle, run, ctx))
            }
            Self::GoReleaseSet(set) => {
                let set = set.clone();
                Arc::new(move |link, run, ctx| push::push_set_host(link, &set, run, ctx))
            }
        }
    }

    /// Each arch's tarball sha256 when the artifact is a set (empty otherwise): the rollout
    /// journal records them next to the set's digest.
    pub fn arch_sha256s(&self) -> std::collections::BTreeMap<String, String> {
        match self {
            Self::GoReleaseSet(set) => set.sha256s(),
            _ => Default::default(),
        }
    }

    /// What a host whose `uname -m` is `uname_m` (`None`: not known yet) gets: its facts and
    /// tarball name, or `None` when the artifact has nothing for that arch (a set without it).
    pub fn for_uname(&self, uname_m: Option<&str>) -> Option<(PushFacts<'_>, String)> {
        match (self, uname_m) {
            (Self::GoReleaseSet(set), Some(arch)) => set.for_uname(arch).map(|r| {
                let facts = PushFacts {
                    kind: ArtifactKind::GoRelease,
                    version: &r.version,
                    arch: &r.arch,
                    size: r.size,
                    sha256: &r.sha256,
                    file_count: r.file_count,
                    unpacked_size: r.unpacked_size,
                };
                (facts, r.tarball_name.clone())
            }),
            (Self::GoRelease(r), _) => Some((self.facts(), r.tarball_name.clone())),
            _ => Some((self.facts(), String::new())),
        }
    }
}

impl ArtifactKind {
    /// Whether a host's last probe shows it already on the artifact `id`: a rollout skips such
    /// a host; a resume settles it as done.
    pub fn on_target(self, report: &HostReport, id: &str) -> bool {
        match self {
            Self::GoRelease => report.on_target(id),
            // `NAME-VERSION` running, with nothing amiss and a health check that did not fail:
            // a host its push switched back is not on the target.
            Self::App => report.apps.iter().any(|app| {
                app.version
                    .as_deref()
                    .is_some_and(|v| id == format!("{}-{v}", app.name))
                    && app.problems.is_empty()
                    && app.health.as_deref() != Some("failed")
            }),
            // The probe does not read module caches: the push itself finds one already there.
            Self::Modcache => false,
        }
    }

    /// `ldd_before`: the gaps the push before this verification saw (see `verify_host`).
    pub(super) fn verify_op(self, after_push: Option<verify::JustPushed>) -> HostOp {
        match self {
            Self::GoRelease => Arc::new(move |link, run, ctx| {
                verify::verify_host(link, run, ctx, after_push.as_ref())
            }),
            // No name: the one app the host has (several: refused, asking for --app).
            Self::App => {
                Arc::new(move |link, run, ctx| app_verify::verify_app_host(link, None, run, ctx))
            }
            Self::Modcache => Arc::new(modcache_verify::verify_host),
        }
    }

    pub(super) fn rollback_op(self, to: Option<String>) -> HostOp {
        match self {
            Self::GoRelease => Arc::new(move |link, run, ctx| {
                rollback::rollback_host(link, to.as_deref(), run, ctx)
            }),
            Self::App => Arc::new(move |link, run, ctx| {
                app_rollback::rollback_app_host(link, None, to.as_deref(), run, ctx)
            }),
            Self::Modcache => Arc::new(move |link, run, ctx| {
                modcache_rollback::rollback_host(link, to.as_deref(), run, ctx)
            }),
        }
    }
}

impl From<&Bundle> for Artifact {
    fn from(bundle: &Bundle) -> Self {
        Self::GoRelease(GoRelease::from(bundle))
    }
}

impl<'a> From<&'a Bundle> for PushFacts<'a> {
    fn from(bundle: &'a Bundle) -> Self {
        PushFacts {
            kind: ArtifactKind::GoRelease,
            version: bundle.go_version(),
            arch: bundle.arch(),
            size: bundle.size(),
            sha256: bundle.sha256(),
            file_count: bundle.file_count(),
            unpacked_size: bundle.unpacked_size(),
        }
    }
}

impl Artifact {
    /// Opens the bundle at `path` as the kind it is: an app bundle (an `….offgo-app.toml`, or a
    /// tarball next to one), a module cache (its manifest's `kind`), else a Go release.
    pub fn open_detected(
        path: &Path,
        settings: &BundleSettings,
    ) -> Result<(Self, SignatureStatus), BundleError> {
        let kind = if super::app_release::is_app_bundle(path) {
            ArtifactKind::App
        } else {
            super::modcache_bundle::kind_of(path)
        };
        Self::open_trusted(kind, path, settings)
    }

    /// The verification a rollout runs after pushing this artifact: an app's checks that app.
    pub(super) fn verify_after_op(&self, after: super::AfterPush) -> HostOp {
        match self {
            Self::App(app) => {
                let name = app.name.clone();
                Arc::new(move |link, run, ctx| {
                    app_verify::verify_app_host(link, Some(&name), run, ctx)
                })
            }
            other => other.kind().verify_op(Some(verify::JustPushed {
                ldd_before: after.ldd_before,
                proven_digests: if after.proven {
                    other.tree_digests()
                } else {
                    Vec::new()
                },
            })),
        }
    }

    /// The rollback a rollout runs on a host it pushed this artifact to.
    pub(super) fn rollback_after_op(&self) -> HostOp {
        match self {
            Self::App(app) => {
                let name = app.name.clone();
                Arc::new(move |link, run, ctx| {
                    app_rollback::rollback_app_host(link, Some(&name), None, run, ctx)
                })
            }
            other => other.kind().rollback_op(None),
        }
    }
}
