//! What app-preflight says of a host: its arch, tools, space, the app's current link, state and
//! installed releases, and a partial upload to resume.

use super::app_release::AppRelease;
use super::app_state::AppState;
use super::outcome::StepError;
use crate::core::bundle::goarch_matches_uname;
use crate::core::remote::ops::{key_values, value, values};

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AppPreflight {
    pub arch: String,
    pub missing_tools: Vec<String>,
    pub not_writable: Vec<String>,
    pub releases_free: Option<u64>,
    pub incoming_free: Option<u64>,
    /// What `current` points at (absent: never installed).
    pub current_target: Option<String>,
    /// `current` exists but is no link.
    pub current_other: bool,
    /// The raw state line, as the host has it (restored as it was by a switch back).
    pub state_json: Option<String>,
    pub state: Option<AppState>,
    /// Installed releases, newest first, each with its bundle's sha256 (empty if unknown).
    pub releases: Vec<(String, String)>,
    pub part_size: Option<u64>,
    pub part_sha256: Option<String>,
    pub tarball_size: Option<u64>,
    pub busy: Option<String>,
}

fn kib(v: Option<&str>) -> Option<u64> {
    v.and_then(|s| s.trim().parse::<u64>().ok())
        .and_then(|k| k.checked_mul(1024))
}

impl AppPreflight {
    pub fn parse(output: &[u8], name: &str) -> Option<Self> {
        let pairs = key_values(output);
        if value(&pairs, "offgo_app_preflight") != Some("1")
            || value(&pairs, "preflight_end") != Some("1")
        {
            return None;
        }
        let owned = |k: &str| value(&pairs, k).map(str::to_string);
        let number = |k: &str| value(&pairs, k).and_then(|v| v.trim().parse::<u64>().ok());
        let mut releases = Vec::new();
        for (k, v) in &pairs {
            match k.as_str() {
                "release" => releases.push((v.clone(), String::new())),
                "release_sha256" => {
                    if let Some(last) = releases.last_mut() {
                        last.1 = v.clone();
                    }
                }
                _ => {}
            }
        }
        let state_json = owned("state_json").map(|s| s.trim().to_string());
        Some(Self {
            arch: owned("arch").unwrap_or_default(),
            missing_tools: values(&pairs, "missing_tool")
                .iter()
                .map(|s| s.to_string())
                .collect(),
            not_writable: values(&pairs, "not_writable")
                .iter()
                .map(|s| s.to_string())
                .collect(),
            releases_free: kib(value(&pairs, "releases_free_kb")),
            incoming_free: kib(value(&pairs, "incoming_free_kb")),
            current_target: owned("current_target"),
            current_other: value(&pairs, "current_other").is_some(),
            state: state_json.as_deref().and_then(|s| AppState::parse(s, name)),
            state_json,
            releases,
            part_size: number("part_size"),
            part_sha256: owned("part_sha256"),
            tarball_size: number("tarball_size"),
            busy: owned("busy"),
        })
    }

    pub fn current_version(&self) -> Option<String> {
        self.state.as_ref().map(|s| s.current.clone())
    }

    pub fn has_release(&self, version: &str) -> bool {
        self.releases.iter().any(|(v, _)| v == version)
    }

    pub fn release_sha256(&self, version: &str) -> Option<&str> {
        self.releases
            .iter()
            .find(|(v, _)| v == version)
            .map(|(_, s)| s.as_str())
            .filter(|s| !s.is_empty())
    }

    /// Everything that refuses a push before anything changes.
    pub fn check(&self, app: &AppRelease) -> Result<(), StepError> {
        let refuse = |why: String, hint: &str| Err(StepError::refused("preflight", why, hint));
        if let Some(owner) = &self.busy {
            return refuse(
                format!("host busy: locked by {}", crate::core::text::safe(owner)),
                "another operator is changing this host: wait for them to finish, then retry",
            );
        }
        if !goarch_matches_uname(&app.arch, &self.arch) {
            return refuse(
                format!(
                    "{} is built for {}, the host is {}",
                    app.id,
                    app.arch,
                    crate::core::text::safe(&self.arch)
                ),
                "build the app for the host's architecture (GOARCH) and push that bundle",
            );
        }
        if !self.missing_tools.is_empty() {
            return refuse(
                format!("missing on the host: {}", self.missing_tools.join(", ")),
                "hosts need sh, coreutils, tar, gzip and flock",
            );
        }
        if !self.not_writable.is_empty() {
            return refuse(
                format!(
                    "not writable: {}",
                    crate::core::text::safe(&self.not_writable.join(", "))
                ),
                "run as a user who may write there, or set become in the inventory",
            );
        }
        if self.current_other {
            return refuse(
                format!("{}'s current is not a link offgo made", app.name),
                "move the hand-installed current aside, then push again",
            );
        }
        Ok(())
    }

    /// Free space for the rest of the upload and the extracted tree.
    pub fn check_space(&self, app: &AppRelease, resume_from: u64) -> Result<(), StepError> {
        let need = app.size.saturating_sub(resume_from) + app.unpacked_estimate();
        match self.releases_free {
            Some(free) if free < need => Err(StepError::refused(
                "preflight",
                format!(
                    "not enough space: {} free under the apps directory, {} needed",
                    crate::core::units::human_bytes(free),
                    crate::core::units::human_bytes(need)
                ),
                "free space on the host, then push again",
            )),
            _ => Ok(()),
        }
    }
}
