//! One installed app as `scan --json` prints it (DESIGN.md: `apps`), and what is wrong with it
//! in the operator's words.

use serde::Serialize;

use super::installed::{AppLink, AppStateRead, InstalledApp, ManifestRead};
use crate::core::remote::go_version::GoVersion;
use crate::core::remote::probe::BinaryStatus;

/// `apps[]` of `scan --json`. The first seven keys are the contract; the rest add to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppReport {
    pub name: String,
    /// The release that runs: what `current` links to, else what the state file names.
    pub version: Option<String>,
    /// The Go that built the binary (its manifest's build info).
    pub go_version: Option<String>,
    /// Linked statically: `ldd`'s verdict on the installed binary, else the manifest's.
    #[serde(rename = "static")]
    pub is_static: Option<bool>,
    pub vcs_revision: Option<String>,
    /// Libraries `ldd` could not find for the binary.
    pub ldd_missing: Vec<String>,
    /// `"ok"`, `"failed"`, or null when no health command is configured (or it could not run).
    pub health: Option<String>,
    /// The health command's first line of output, when it failed (or why it did not run).
    pub health_output: Option<String>,
    /// `current` in the app's state file (it should be `version`).
    pub state_version: Option<String>,
    pub previous: Option<String>,
    /// What does not add up: the link and the state disagree, a file is unreadable, …
    pub problems: Vec<String>,
}

impl AppReport {
    pub fn of(app: &InstalledApp) -> Self {
        let mut problems = Vec::new();
        let (state_version, previous) = match &app.state {
            AppStateRead::Parsed(s) => (s.current.clone(), s.previous.clone()),
            AppStateRead::Absent => {
                problems.push("no state file".to_string());
                (None, None)
            }
            AppStateRead::Unreadable => {
                problems.push("state file unreadable".to_string());
                (None, None)
            }
            AppStateRead::Invalid { error } => {
                problems.push(format!("state file invalid: {error}"));
                (None, None)
            }
        };
        match &app.link {
            AppLink::Release(v) if state_version.as_deref().is_some_and(|s| s != v) => {
                problems.push(format!(
                    "current links to {v}, the state file says {}",
                    state_version.as_deref().unwrap_or_default()
                ));
            }
            AppLink::Release(_) => {}
            AppLink::Missing => problems.push("no current link".to_string()),
            AppLink::Elsewhere(target) => {
                problems.push(format!("current links outside releases/: {target}"));
            }
        }
        let manifest = match &app.manifest {
            ManifestRead::Parsed(m) => Some(m),
            ManifestRead::Absent => {
                problems.push("the release has no .offgo-app.toml".to_string());
                None
            }
            ManifestRead::Unreadable => {
                problems.push("the release's .offgo-app.toml is unreadable".to_string());
                None
            }
            ManifestRead::Invalid { error } => {
                problems.push(format!("the release's .offgo-app.toml is invalid: {error}"));
                None
            }
        };
        let version = app.version().map(str::to_string);
        if let Some(m) = manifest {
            if m.name != app.name || version.as_deref().is_some_and(|v| v != m.version) {
                problems.push(format!(
                    "the release's manifest is of {} {}",
                    m.name, m.version
                ));
            }
        }
        let go_version = manifest.and_then(|m| {
            let parsed = GoVersion::parse(&m.build.go_version);
            if parsed.is_none() {
                problems.push(format!(
                    "the manifest's go_version is not a Go version: {}",
                    m.build.go_version
                ));
            }
            parsed.map(|v| v.to_string())
        });
        let (is_static, ldd_missing) = match &app.binary {
            Some(BinaryStatus::NotDynamic) => (Some(true), Vec::new()),
            Some(BinaryStatus::Ok) => (Some(false), Vec::new()),
            Some(BinaryStatus::Gaps(libs)) => (Some(false), libs.clone()),
            Some(BinaryStatus::NoMatch) => {
                problems.push(format!("the release has no bin/{}", app.name));
                (manifest.map(|m| m.is_static), Vec::new())
            }
            Some(BinaryStatus::Unchecked) | None => (manifest.map(|m| m.is_static), Vec::new()),
        };
        Self {
            name: app.name.clone(),
            version,
            go_version,
            is_static,
            vcs_revision: manifest.and_then(|m| m.build.vcs_revision.clone()),
            ldd_missing,
            health: app
                .health
                .as_ref()
                .and_then(|h| h.word())
                .map(str::to_string),
            health_output: app
                .health
                .as_ref()
                .and_then(|h| h.output())
                .map(str::to_string),
            state_version,
            previous,
            problems,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::app::{AppManifest, AppState, BuildSection, HealthRead};

    fn manifest(name: &str, version: &str, go: &str) -> AppManifest {
        AppManifest {
            format_version: 1,
            name: name.into(),
            version: version.into(),
            os: "linux".into(),
            arch: "amd64".into(),
            tarball: String::new(),
            size: 0,
            sha256: String::new(),
            file_count: 0,
            tree_digest: String::new(),
            binary: format!("bin/{name}"),
            files: vec![],
            is_static: true,
            needed: vec![],
            created: String::new(),
            builder: String::new(),
            build: BuildSection {
                go_version: go.into(),
                vcs_revision: Some("0123456789abcdef".into()),
                ..BuildSection::default()
            },
            signature: None,
        }
    }

    fn installed(link: &str, state: Option<&str>) -> InstalledApp {
        let mut app = InstalledApp::new("svc".into());
        app.link = AppLink::Release(link.into());
        app.state = AppStateRead::Parsed(AppState {
            current: state.map(str::to_string),
            previous: Some("1.0.0".into()),
            ..AppState::default()
        });
        app.manifest = ManifestRead::Parsed(Box::new(manifest("svc", link, "go1.22.10")));
        app.binary = Some(BinaryStatus::NotDynamic);
        app
    }

    #[test]
    fn a_healthy_app_has_no_problems() {
        let mut app = installed("1.1.0", Some("1.1.0"));
        app.health = Some(HealthRead::Ok);
        let r = AppReport::of(&app);
        assert_eq!(r.version.as_deref(), Some("1.1.0"));
        assert_eq!(r.go_version.as_deref(), Some("go1.22.10"));
        assert_eq!(r.is_static, Some(true));
        assert_eq!(r.vcs_revision.as_deref(), Some("0123456789abcdef"));
        assert_eq!(r.health.as_deref(), Some("ok"));
        assert_eq!(r.previous.as_deref(), Some("1.0.0"));
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        let json = serde_json::to_value(&r).unwrap();
        for key in [
            "name",
            "version",
            "go_version",
            "static",
            "vcs_revision",
            "ldd_missing",
            "health",
        ] {
            assert!(json.get(key).is_some(), "{key} in {json}");
        }
    }

    #[test]
    fn the_link_wins_and_a_disagreeing_state_is_said() {
        let mut app = installed("1.1.0", Some("1.2.0"));
        app.binary = Some(BinaryStatus::Gaps(vec!["libssl.so.3".into()]));
        app.health = Some(HealthRead::Failed("HTTP 503".into()));
        let r = AppReport::of(&app);
        assert_eq!(r.version.as_deref(), Some("1.1.0"));
        assert_eq!(r.state_version.as_deref(), Some("1.2.0"));
        assert_eq!(
            r.problems,
            ["current links to 1.1.0, the state file says 1.2.0"]
        );
        assert_eq!(r.is_static, Some(false));
        assert_eq!(r.ldd_missing, ["libssl.so.3"]);
        assert_eq!(r.health.as_deref(), Some("failed"));
        assert_eq!(r.health_output.as_deref(), Some("HTTP 503"));
    }

    #[test]
    fn a_bare_directory_says_everything_it_lacks() {
        let r = AppReport::of(&InstalledApp::new("svc".into()));
        assert_eq!(r.version, None);
        assert_eq!(r.is_static, None);
        assert_eq!(r.health, None);
        assert_eq!(
            r.problems,
            [
                "no state file",
                "no current link",
                "the release has no .offgo-app.toml"
            ]
        );
    }
}
