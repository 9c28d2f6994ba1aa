//! The bundles the push picker offers: every bundle found in the inventory's `[bundles] dir`,
//! judged against its signature policy up front, so that what the picker lets the operator
//! choose is what `push` will accept. Listing is file I/O: the event loop runs it, never
//! `update` or the view.

use std::path::{Path, PathBuf};

use crate::core::app::{
    compare_app_versions, find_app_manifests, MANIFEST_SUFFIX as APP_MANIFEST_SUFFIX,
};
use crate::core::bundle::{
    find_bundles, open_trusted_set, Bundle, BundleSet, SignatureStatus, TrustPolicy,
};
use crate::core::engine::steps::PushFacts;
use crate::core::engine::{AppRelease, Artifact, ArtifactKind, GoReleaseSet};
use crate::core::inventory::{BundleSettings, Inventory};

/// App manifests listed at most: a directory of media dumps should not stall the picker.
const MAX_APP_MANIFESTS: usize = 4096;

/// What the picker shows of a bundle that opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleInfo {
    /// The manifest: what the push is asked for (and opened again then, with the policy).
    pub manifest: PathBuf,
    /// `go1.22.10`.
    pub version: String,
    pub os: String,
    pub arch: String,
    pub tarball_name: String,
    /// Bytes of the tarball: what each host uploads.
    pub size: u64,
    pub sha256: String,
    pub file_count: u64,
    /// Bytes of the extracted tree, when the manifest says (the plan predicts free space).
    pub unpacked_size: Option<u64>,
    pub signature: SignatureStatus,
    /// A bundle set (a directory, `manifest` then names it): what each host gets is picked by
    /// its arch; `arch` lists the set's arches and the figures are its biggest member's.
    pub set: Option<Box<Artifact>>,
    /// An app bundle (`*.offgo-app.toml`): `version` then holds its id (`svc-1.1.0`), what
    /// the step lists, the confirm dialog and the audit log name.
    pub app: Option<AppBundle>,
}

/// The app an app bundle installs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppBundle {
    pub name: String,
    pub version: String,
}

impl BundleInfo {
    pub fn of(bundle: &Bundle, signature: SignatureStatus) -> Self {
        Self {
            manifest: bundle.manifest_path().to_path_buf(),
            version: bundle.go_version().to_string(),
            os: bundle.os().to_string(),
            arch: bundle.arch().to_string(),
            tarball_name: bundle.tarball_name().to_string(),
            size: bundle.size(),
            sha256: bundle.sha256().to_string(),
            file_count: bundle.file_count(),
            unpacked_size: bundle.unpacked_size(),
            signature,
            set: None,
            app: None,
        }
    }

    /// An app bundle: its manifest is what the push is asked for.
    pub fn of_app(app: &AppRelease, signature: SignatureStatus) -> Self {
        Self {
            manifest: app.manifest.clone(),
            version: app.id.clone(),
            os: "linux".into(),
            arch: app.arch.clone(),
            tarball_name: app.tarball_name.clone(),
            size: app.size,
            sha256: app.sha256.clone(),
            file_count: app.file_count,
            unpacked_size: Some(app.unpacked_estimate()),
            signature,
            set: None,
            app: Some(AppBundle {
                name: app.name.clone(),
                version: app.version.clone(),
            }),
        }
    }

    /// What the picker's first column says: `go1.22.10`, or `app svc 1.1.0` for an app bundle.
    pub fn label(&self) -> String {
        match &self.app {
            Some(app) => format!("app {} {}", app.name, app.version),
            None => self.version.clone(),
        }
    }

    /// A bundle set: its directory is what the push or rollout is asked for.
    pub fn of_set(set: &BundleSet, signature: SignatureStatus) -> Self {
        let release = GoReleaseSet::from(set);
        Self {
            manifest: set.dir().to_path_buf(),
            version: release.version.clone(),
            os: "linux".into(),
            arch: release.arches.clone(),
            tarball_name: format!("{}/ (a tarball per arch)", file_name(set.dir())),
            size: release.size,
            sha256: release.digest.clone(),
            file_count: release.file_count,
            unpacked_size: release.unpacked_size,
            signature,
            set: Some(Box::new(Artifact::GoReleaseSet(release))),
            app: None,
        }
    }

    /// What the step lists say of this bundle.
    pub fn push_facts(&self) -> PushFacts<'_> {
        PushFacts {
            kind: match self.app {
                Some(_) => ArtifactKind::App,
                None => ArtifactKind::GoRelease,
            },
            version: &self.version,
            arch: &self.arch,
            size: self.size,
            sha256: &self.sha256,
            file_count: self.file_count,
            unpacked_size: self.unpacked_size,
        }
    }

    /// The first 12 hex digits: enough to tell bundles apart and to check by eye.
    pub fn sha256_prefix(&self) -> &str {
        self.sha256.get(..12).unwrap_or(&self.sha256)
    }
}

/// One line of the picker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundleChoice {
    /// The manifest's file name (or the directory, when it could not be read).
    pub name: String,
    /// `None` when the bundle does not open at all.
    pub info: Option<BundleInfo>,
    /// Why the bundle cannot be pushed (broken, or refused by the signature policy).
    pub refused: Option<String>,
}

impl BundleChoice {
    pub fn ok(info: BundleInfo) -> Self {
        Self {
            name: file_name(&info.manifest),
            info: Some(info),
            refused: None,
        }
    }

    pub fn selectable(&self) -> bool {
        self.info.is_some() && self.refused.is_none()
    }
}

/// Where the console looks for bundles: `[bundles] dir`, else the inventory file's directory.
pub fn bundles_dir(inventory: &Inventory) -> PathBuf {
    inventory.bundles.dir.clone().unwrap_or_else(|| {
        inventory
            .source
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."))
    })
}

/// Every bundle in `dir`: bundle sets, then Go release bundles newest first, then app bundles
/// (by name, newest first), each judged against `settings` the way `offgo-tui push` judges it
/// ([`crate::core::bundle::TrustPolicy`]).
pub fn list(dir: &Path, settings: &BundleSettings) -> Vec<BundleChoice> {
    // Paths inside the directory are shown relative to it: the picker is narrow.
    let inside = format!("{}/", dir.display());
    let relative = |text: String| text.replace(&inside, "");
    let policy = TrustPolicy::load(settings).map_err(|e| e.to_string());
    // Listed in ascending order, then reversed: apps last, sets first.
    let mut choices = apps(dir, settings, &relative);
    choices.extend(find_bundles(dir).into_iter().map(|found| match found {
        Err(e) => {
            let error = relative(e.to_string());
            BundleChoice {
                name: named_file(&error).unwrap_or_else(|| file_name(dir)),
                info: None,
                refused: Some(error),
            }
        }
        Ok(bundle) => {
            let judged = match &policy {
                Ok(policy) => policy.judge(&bundle).map_err(|e| relative(e.to_string())),
                Err(e) => Err(e.clone()),
            };
            match judged {
                Ok(status) => BundleChoice::ok(BundleInfo::of(&bundle, status)),
                Err(why) => BundleChoice {
                    refused: Some(why),
                    ..BundleChoice::ok(BundleInfo::of(&bundle, bundle.signature_status().clone()))
                },
            }
        }
    }));
    choices.extend(sets(dir, settings, &relative));
    choices.reverse();
    choices
}

/// The bundle sets in `dir`: each subdirectory holding Go release bundles, listed after the
/// bundles (so first once reversed). A set that does not open shows why, naming its files.
fn sets(
    dir: &Path,
    settings: &BundleSettings,
    relative: &dyn Fn(String) -> String,
) -> Vec<BundleChoice> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir() && !file_name(p).starts_with('.'))
        .filter(|p| !find_bundles(p).is_empty())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|set_dir| {
            let name = format!("{}/", file_name(&set_dir));
            match open_trusted_set(&set_dir, settings) {
                Ok((set, status)) => BundleChoice {
                    name,
                    info: Some(BundleInfo::of_set(&set, status)),
                    refused: None,
                },
                Err(e) => BundleChoice {
                    name,
                    info: None,
                    refused: Some(relative(e.to_string())),
                },
            }
        })
        .collect()
}

/// The app bundles (`*.offgo-app.toml`) in `dir`, opened as `push` opens them, in ascending
/// order of name and version. One that does not open (or that the signature policy refuses)
/// shows why.
fn apps(
    dir: &Path,
    settings: &BundleSettings,
    relative: &dyn Fn(String) -> String,
) -> Vec<BundleChoice> {
    let mut choices: Vec<BundleChoice> = find_app_manifests(dir, MAX_APP_MANIFESTS)
        .into_iter()
        .map(|path| match AppRelease::open_trusted(&path, settings) {
            Ok((app, status)) => BundleChoice::ok(BundleInfo::of_app(&app, status)),
            Err(e) => BundleChoice {
                name: file_name(&path),
                info: None,
                refused: Some(relative(e.to_string())),
            },
        })
        .collect();
    // Within one app, by version as `app build` orders them (1.10.0 after 1.9.0); one that
    // did not open sorts by its file name.
    let key = |c: &BundleChoice| match c.info.as_ref().and_then(|i| i.app.as_ref()) {
        Some(app) => (app.name.clone(), app.version.clone()),
        None => (c.name.clone(), String::new()),
    };
    choices.sort_by(|a, b| {
        let (a, b) = (key(a), key(b));
        a.0.cmp(&b.0).then_with(|| compare_app_versions(&a.1, &b.1))
    });
    choices
}

/// The bundle file an error message is about.
fn named_file(error: &str) -> Option<String> {
    error
        .split_whitespace()
        .map(|w| w.trim_end_matches([':', ',', ';']))
        .find(|w| {
            [".offgo.toml", APP_MANIFEST_SUFFIX, ".tar.gz", ".sha256sums"]
                .iter()
                .any(|x| w.ends_with(x))
        })
        .map(str::to_string)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}
