//! The probe's Go application part: where apps live, the health commands the inventory gives
//! it (quoted into the script), and the reading of its `app*` lines into
//! [`InstalledApp`]s. probe.sh lists the app directories itself; a name it prints is checked
//! again here, as is every value, since the host wrote them.

use std::collections::BTreeMap;

use super::paths::RemotePaths;
use super::probe::{BinaryStatus, ProbeParseError};
use super::quote::sh_quote;
use crate::core::app::{
    first_line, valid_app_name, AppLink, AppStateRead, HealthRead, InstalledApp, ManifestRead,
    MAX_APPS,
};

/// Where a host's apps live (DESIGN.md): `/opt/offgo/apps/<name>/` beside the Go releases,
/// their state in `<state_dir>/apps/<name>.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    pub dir: String,
    pub state_dir: String,
}

impl AppPaths {
    /// The directories push writes ([`RemotePaths::apps_dir`], [`RemotePaths::apps_state_dir`]).
    pub fn of(paths: &RemotePaths) -> Self {
        Self {
            dir: paths.apps_dir(),
            state_dir: paths.apps_state_dir(),
        }
    }
}

/// The probe's app inputs: each configured app's `health` command (name, command).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppProbe {
    pub health: Vec<(String, String)>,
}

/// Seconds a health command may take in a probe (it runs once, no retry: a push is where
/// `health_timeout` and retries apply).
pub const HEALTH_SECONDS: u32 = 5;

/// The script lines that give probe.sh its app inputs: the two directories and
/// `app_health_cmd NAME`, which sets `$health_cmd` for an app that has one. Names and commands
/// are quoted; a name `app build` would refuse cannot be an installed app and is left out.
pub fn app_inputs(paths: &RemotePaths, apps: &AppProbe) -> String {
    let dirs = AppPaths::of(paths);
    let mut out = format!(
        "apps_dir={}\napps_state_dir={}\nhealth_seconds={HEALTH_SECONDS}\napp_health_cmd() {{\n  case $1 in\n",
        sh_quote(&dirs.dir),
        sh_quote(&dirs.state_dir)
    );
    for (name, command) in &apps.health {
        if valid_app_name(name) {
            out.push_str(&format!(
                "    {}) health_cmd={} ;;\n",
                sh_quote(name),
                sh_quote(command)
            ));
        }
    }
    out.push_str("    *) return 1 ;;\n  esac\n}\n");
    out
}

/// The apps of one probe output as they are read, line by line.
#[derive(Debug, Default)]
pub(super) struct AppLines {
    apps: Vec<InstalledApp>,
    health: BTreeMap<String, HealthRead>,
}

fn fail<T>(reason: impl Into<String>) -> Result<T, ProbeParseError> {
    Err(ProbeParseError {
        reason: reason.into(),
    })
}

impl AppLines {
    /// Takes one `app*` line; `Ok(false)` when the key is not an app key.
    pub(super) fn take(&mut self, key: &str, value: &str) -> Result<bool, ProbeParseError> {
        match key {
            "app" => {
                if !valid_app_name(value) {
                    return fail(format!("app name not one offgo makes: {value:?}"));
                }
                if self.apps.len() >= MAX_APPS {
                    return fail(format!("more than {MAX_APPS} apps"));
                }
                if self.apps.iter().any(|a| a.name == value) {
                    return fail(format!("app {value} listed twice"));
                }
                self.apps.push(InstalledApp::new(value.to_string()));
            }
            "app_health" => {
                let (name, word) = value.split_once(' ').unwrap_or((value, ""));
                let read = match word {
                    "ok" => HealthRead::Ok,
                    "failed" => HealthRead::Failed(String::new()),
                    "not_run" => HealthRead::NotRun(String::new()),
                    _ => return fail(format!("unknown app_health {value:?}")),
                };
                self.health.insert(name.to_string(), read);
            }
            "app_health_output" => {
                let (name, said) = value.split_once(' ').unwrap_or((value, ""));
                let said = first_line(said);
                match self.health.get_mut(name) {
                    Some(HealthRead::Failed(s) | HealthRead::NotRun(s)) => *s = said,
                    Some(HealthRead::Ok) => {}
                    None => return fail(format!("app_health_output before app_health: {name:?}")),
                }
            }
            "app_link" => self.current(key)?.link = AppLink::of_target(value),
            "app_state" => self.current(key)?.state = AppStateRead::parse(value),
            "app_state_unreadable" => self.current(key)?.state = AppStateRead::Unreadable,
            "app_manifest" => self.current(key)?.manifest = ManifestRead::parse(value),
            "app_manifest_unreadable" => self.current(key)?.manifest = ManifestRead::Unreadable,
            "app_bin" => self.current(key)?.binary = Some(BinaryStatus::Ok),
            "app_bin_static" => self.current(key)?.binary = Some(BinaryStatus::NotDynamic),
            "app_bin_missing" => self.current(key)?.binary = Some(BinaryStatus::NoMatch),
            "app_gap" => {
                let app = self.current(key)?;
                // `<binary>\t\t<lib> => not found`: the binary's path is offgo's own (no tab).
                let Some((_, ldd_line)) = value.split_once('\t') else {
                    return fail(format!("app_gap without a tab: {value:?}"));
                };
                let lib = ldd_line
                    .split(" => ")
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                match &mut app.binary {
                    Some(BinaryStatus::Gaps(libs)) => libs.push(lib),
                    Some(status @ BinaryStatus::Ok) => *status = BinaryStatus::Gaps(vec![lib]),
                    _ => return fail("app_gap for a binary not listed as dynamic"),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn current(&mut self, key: &str) -> Result<&mut InstalledApp, ProbeParseError> {
        match self.apps.last_mut() {
            Some(app) => Ok(app),
            None => fail(format!("{key} before any app")),
        }
    }

    /// The apps, each with its health answer (a health line for an app not listed is dropped:
    /// the directory went away between the two).
    pub(super) fn finish(mut self) -> Vec<InstalledApp> {
        for app in &mut self.apps {
            app.health = self.health.remove(&app.name);
        }
        self.apps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apps_live_beside_the_releases_and_their_state_beside_offgos() {
        let dirs = AppPaths::of(&RemotePaths::default());
        assert_eq!(dirs.dir, "/opt/offgo/apps");
        assert_eq!(dirs.state_dir, "/var/lib/offgo/apps");
    }

    #[test]
    fn health_commands_are_quoted_and_bad_names_left_out() {
        let inputs = app_inputs(
            &RemotePaths::default(),
            &AppProbe {
                health: vec![
                    (
                        "svc".into(),
                        "curl -fsS 'http://127.0.0.1:8080/health'".into(),
                    ),
                    ("x'; reboot; '".into(), "true".into()),
                ],
            },
        );
        assert!(inputs.contains(
            r#"    'svc') health_cmd='curl -fsS '\''http://127.0.0.1:8080/health'\''' ;;"#
        ));
        assert!(!inputs.contains("reboot"));
        assert!(inputs.contains("apps_dir='/opt/offgo/apps'"));
    }
}
