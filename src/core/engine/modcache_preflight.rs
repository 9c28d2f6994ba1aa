//! Pre-flight of a module-cache push or rollback (modcache-preflight): what the host has under
//! the module-cache directory, read before anything changes, and the refusals it leads to.

use super::modcache_bundle::ModcacheBundle;
use super::outcome::StepError;
use super::preflight::Preflight;
use super::step::OpRun;
use crate::core::remote::modcache_ops;
use crate::core::remote::ops::{key_values, value};
use crate::core::remote::probe::OffgoState;
use crate::core::ssh::HostLink;

/// What modcache-preflight said: the Go pre-flight's keys, with modcache.json as `state`.
pub(super) struct ModcachePreflight {
    pub pre: Preflight,
    /// The id `current` points at now, if any.
    pub serving: Option<String>,
    /// The tree digest recorded for the bundle's id when it is installed.
    pub installed_digest: Option<String>,
    /// `athens_storage` hosts: the root is missing (or not a directory), else its free bytes.
    pub athens_missing: bool,
    pub athens_free: Option<u64>,
}

impl ModcachePreflight {
    pub fn current(&self) -> Option<String> {
        self.pre
            .state
            .as_ref()
            .and_then(|s| s.current.clone())
            .or_else(|| self.serving.clone())
    }

    /// Busy, missing tools, paths offgo may not write: refused before anything changes.
    pub fn check(&self) -> Result<(), StepError> {
        let pre = &self.pre;
        if let Some(owner) = &pre.busy {
            let holder = Some(owner.trim())
                .filter(|o| !o.is_empty())
                .unwrap_or("another offgo");
            return Err(StepError::refused(
                "preflight",
                format!("host busy: locked by {holder}"),
                "wait for the other operator, then retry",
            ));
        }
        if !pre.missing_tools.is_empty() {
            return Err(StepError::refused(
                "preflight",
                format!("the host lacks {}", pre.missing_tools.join(", ")),
                "install them from the host's own package media (tar, gzip, coreutils, findutils, util-linux)",
            ));
        }
        if !pre.not_writable.is_empty() {
            return Err(StepError::refused(
                "preflight",
                format!("not writable: {}", pre.not_writable.join(", ")),
                "connect as a user who may write there, or set become in the inventory",
            ));
        }
        Ok(())
    }

    /// An Athens host: its storage root is there, with room for a copy of the bundle's tree.
    pub fn check_athens(
        &self,
        storage: Option<&str>,
        bundle: &ModcacheBundle,
    ) -> Result<(), StepError> {
        let Some(storage) = storage else {
            return Ok(());
        };
        if self.athens_missing {
            return Err(StepError::refused(
                "preflight",
                format!("athens_storage {storage} is not a directory on the host"),
                "create Athens' disk-storage root (ATHENS_DISK_STORAGE_ROOT) or fix athens_storage in the inventory, then push again; nothing was changed",
            ));
        }
        let need = bundle.unpacked_estimate();
        if self.athens_free.is_some_and(|free| free < need) {
            return Err(StepError::refused(
                "preflight",
                format!(
                    "disk full: Athens' storage {storage} needs {} MiB, {} MiB free",
                    need.div_ceil(1 << 20),
                    self.athens_free.unwrap_or(0) >> 20
                ),
                "free space in Athens' storage, then push again; nothing was changed",
            ));
        }
        Ok(())
    }
}

pub(super) fn read_preflight(
    run: &OpRun<'_>,
    link: &mut HostLink,
    id: &str,
    under_lock: bool,
) -> Result<ModcachePreflight, StepError> {
    let call = modcache_ops::preflight_call(&link.host().paths, id, under_lock);
    let out = run.call(link, "preflight", &call, !under_lock)?;
    let mut pre = Preflight::parse(&out.stdout).map_err(|e| {
        StepError::refused(
            "preflight",
            e.to_string(),
            "see the host's output: hosts need sh, coreutils, findutils, tar, gzip",
        )
        .with_output(out.combined())
    })?;
    let pairs = key_values(&out.stdout);
    pre.state = value(&pairs, "modcache_state_json")
        .and_then(|json| serde_json::from_str::<OffgoState>(json).ok());
    let serving = value(&pairs, "modcache_current")
        .and_then(|t| t.rsplit('/').next())
        .filter(|id| !id.is_empty())
        .map(String::from);
    Ok(ModcachePreflight {
        pre,
        serving,
        installed_digest: value(&pairs, "installed_digest").map(String::from),
        athens_missing: value(&pairs, "athens_missing") == Some("1"),
        athens_free: value(&pairs, "athens_free_kb")
            .and_then(|k| k.trim().parse::<u64>().ok())
            .and_then(|k| k.checked_mul(1024)),
    })
}
