//! A Go application as the probe finds it on a host (DESIGN.md, "Go application bundles"): the
//! release `/opt/offgo/apps/<name>/current` links to, `/var/lib/offgo/apps/<name>.json`, the
//! bundle's manifest kept in the release, what `ldd` says of the binary and the inventory's
//! health command's answer. Everything here came from the host: it is parsed strictly, sizes
//! are bounded, and a value that does not fit is an error kept as text, never a panic.

use serde::Deserialize;

use super::build::{valid_name, valid_version};
use super::manifest::AppManifest;
use crate::core::remote::probe::BinaryStatus;

/// Most apps one probe reports (the probe script stops listing there).
pub const MAX_APPS: usize = 64;
/// Largest app state file taken (offgo writes a few hundred bytes).
pub const MAX_STATE_BYTES: usize = 16 * 1024;
/// Largest manifest taken (offgo writes about one kilobyte).
pub const MAX_MANIFEST_BYTES: usize = 64 * 1024;
/// Characters of a health command's first line kept.
pub const MAX_HEALTH_OUTPUT: usize = 256;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstalledApp {
    /// The directory's name: checked as `app build` checks names.
    pub name: String,
    pub link: AppLink,
    pub state: AppStateRead,
    pub manifest: ManifestRead,
    /// What `ldd` said of `current/bin/<name>`; `None` when the probe did not say.
    pub binary: Option<BinaryStatus>,
    /// The inventory's `health` command's answer; `None` when none is configured.
    pub health: Option<HealthRead>,
}

impl InstalledApp {
    pub fn new(name: String) -> Self {
        Self {
            name,
            link: AppLink::Missing,
            state: AppStateRead::Absent,
            manifest: ManifestRead::Absent,
            binary: None,
            health: None,
        }
    }

    /// The release that runs: the one `current` links to, else the one the state names.
    pub fn version(&self) -> Option<&str> {
        match &self.link {
            AppLink::Release(v) => Some(v),
            _ => self.state_current(),
        }
    }

    /// `current` in the app's state file.
    pub fn state_current(&self) -> Option<&str> {
        match &self.state {
            AppStateRead::Parsed(s) => s.current.as_deref(),
            _ => None,
        }
    }

    pub fn manifest(&self) -> Option<&AppManifest> {
        match &self.manifest {
            ManifestRead::Parsed(m) => Some(m),
            _ => None,
        }
    }
}

/// What `/opt/offgo/apps/<name>/current` is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppLink {
    /// Not there, or not a symlink.
    Missing,
    /// A symlink to `releases/<version>` (relative or absolute), the version checked.
    Release(String),
    /// A symlink elsewhere: its target, as the host said it.
    Elsewhere(String),
}

impl AppLink {
    /// Judges a `readlink` answer.
    pub fn of_target(target: &str) -> Self {
        let trimmed = target.trim_end_matches('/');
        let version = trimmed
            .rsplit_once('/')
            .filter(|(parent, _)| *parent == "releases" || parent.ends_with("/releases"))
            .map(|(_, version)| version)
            .filter(|v| valid_version(v));
        match version {
            Some(v) => Self::Release(v.to_string()),
            None => Self::Elsewhere(target.to_string()),
        }
    }
}

/// `/var/lib/offgo/apps/<name>.json`: `{"name", "current", "previous", "history", "bundle_sha256"}`.
/// Keys added later are ignored, so an older console reads a newer host.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Default)]
pub struct AppState {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default)]
    pub history: Vec<serde_json::Value>,
    #[serde(default)]
    pub bundle_sha256: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppStateRead {
    Absent,
    Unreadable,
    Invalid { error: String },
    Parsed(AppState),
}

impl AppStateRead {
    /// The state file's text: valid JSON whose versions are app versions (they name
    /// directories), at most [`MAX_STATE_BYTES`].
    pub fn parse(text: &str) -> Self {
        let invalid = |error: String| Self::Invalid { error };
        if text.len() > MAX_STATE_BYTES {
            return invalid(format!("larger than {MAX_STATE_BYTES} bytes"));
        }
        let state = match serde_json::from_str::<AppState>(text) {
            Ok(state) => state,
            Err(e) => return invalid(e.to_string()),
        };
        for (key, version) in [("current", &state.current), ("previous", &state.previous)] {
            if let Some(v) = version.as_deref().filter(|v| !valid_version(v)) {
                return invalid(format!(
                    "{key} is not an app version: {}",
                    crate::core::text::safe(v)
                ));
            }
        }
        Self::Parsed(state)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestRead {
    Absent,
    Unreadable,
    Invalid { error: String },
    Parsed(Box<AppManifest>),
}

impl ManifestRead {
    /// The release's `.offgo-app.toml`, read as strictly as `app build` writes it (unknown keys
    /// are errors), at most [`MAX_MANIFEST_BYTES`].
    pub fn parse(text: &str) -> Self {
        let invalid = |error: String| Self::Invalid { error };
        if text.len() > MAX_MANIFEST_BYTES {
            return invalid(format!("larger than {MAX_MANIFEST_BYTES} bytes"));
        }
        match toml::from_str::<AppManifest>(text) {
            Ok(m) if !valid_name(&m.name) || !valid_version(&m.version) => {
                invalid("its name or version is not one `app build` writes".into())
            }
            Ok(m) => Self::Parsed(Box::new(m)),
            // toml's message quotes the offending line: one line of it is enough.
            Err(e) => invalid(e.message().to_string()),
        }
    }
}

/// The health command's answer, run once by the probe, no retry, bounded by `timeout`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HealthRead {
    Ok,
    /// Its first line of output (or what stopped it, e.g. the time limit).
    Failed(String),
    /// It could not be run (the host has no `timeout` to bound it): why.
    NotRun(String),
}

impl HealthRead {
    /// `"ok"`, `"failed"`, or `None` when not run (JSON `health`).
    pub fn word(&self) -> Option<&'static str> {
        match self {
            HealthRead::Ok => Some("ok"),
            HealthRead::Failed(_) => Some("failed"),
            HealthRead::NotRun(_) => None,
        }
    }

    pub fn output(&self) -> Option<&str> {
        match self {
            HealthRead::Ok => None,
            HealthRead::Failed(s) | HealthRead::NotRun(s) => Some(s),
        }
    }
}

/// An app directory's name as the probe reports it: a name `app build` accepts.
pub fn valid_app_name(name: &str) -> bool {
    valid_name(name)
}

/// A version as `app build` accepts it (it names a directory on every host).
pub fn valid_app_version(version: &str) -> bool {
    valid_version(version)
}

/// A host's line, first line only, at most [`MAX_HEALTH_OUTPUT`] characters.
pub fn first_line(text: &str) -> String {
    let line = text.lines().next().unwrap_or("");
    line.chars().take(MAX_HEALTH_OUTPUT).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_names_a_release_only_when_it_points_into_releases() {
        assert_eq!(
            AppLink::of_target("releases/1.4.0"),
            AppLink::Release("1.4.0".into())
        );
        assert_eq!(
            AppLink::of_target("/opt/offgo/apps/svc/releases/1.4.0+b.7/"),
            AppLink::Release("1.4.0+b.7".into())
        );
        for odd in [
            "/tmp/x",
            "releases/..",
            "releases/",
            "",
            "1.4.0",
            "xreleases/1.0",
        ] {
            assert!(
                matches!(AppLink::of_target(odd), AppLink::Elsewhere(_)),
                "{odd:?}"
            );
        }
    }

    #[test]
    fn state_versions_must_name_directories() {
        let ok = AppStateRead::parse(
            r#"{"name":"svc","current":"1.1.0","previous":null,"history":[{"version":"1.1.0","action":"push","at":"x"}],"bundle_sha256":"ab","later":1}"#,
        );
        let AppStateRead::Parsed(state) = ok else {
            panic!("{ok:?}")
        };
        assert_eq!(state.current.as_deref(), Some("1.1.0"));
        assert_eq!(state.previous, None);
        for bad in [
            r#"{"current":"../../etc"}"#,
            r#"{"current":1}"#,
            "not json",
            "",
        ] {
            assert!(
                matches!(AppStateRead::parse(bad), AppStateRead::Invalid { .. }),
                "{bad:?}"
            );
        }
        let huge = format!(
            r#"{{"current":"1.0","pad":"{}"}}"#,
            "x".repeat(MAX_STATE_BYTES)
        );
        assert_eq!(
            AppStateRead::parse(&huge),
            AppStateRead::Invalid {
                error: format!("larger than {MAX_STATE_BYTES} bytes")
            }
        );
    }

    #[test]
    fn a_manifest_with_unknown_keys_or_bad_names_is_invalid() {
        assert!(matches!(
            ManifestRead::parse("format_version = 1\nsurprise = true\n"),
            ManifestRead::Invalid { .. }
        ));
        assert!(matches!(
            ManifestRead::parse("\u{1b}[2J = ["),
            ManifestRead::Invalid { .. }
        ));
    }

    #[test]
    fn health_output_is_one_bounded_line() {
        assert_eq!(first_line("503 down\nmore"), "503 down");
        assert_eq!(first_line(&"x".repeat(10_000)).len(), MAX_HEALTH_OUTPUT);
        assert_eq!(first_line(""), "");
    }
}
