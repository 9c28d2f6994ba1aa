//! The remote side of a module-cache push, rollback and verification (DESIGN.md, "Module-cache
//! bundles"): the calls of the `modcache-*` verbs, for a host's paths. The upload itself is the
//! Go bundle's (`receive`), under the id's name in incoming/.

use super::call::{RemoteCall, Verb};
use super::ops::{incoming_part, incoming_sums, incoming_tarball};
use super::paths::RemotePaths;

/// The tarball's name in incoming/: `modcache-<12 hex>.tar.gz`.
pub fn tarball_name(id: &str) -> String {
    format!("{id}.tar.gz")
}

/// `id`: the bundle's, or `none` for a rollback's read. `under_lock`: as for a Go push.
pub fn preflight_call(paths: &RemotePaths, id: &str, under_lock: bool) -> RemoteCall {
    let name = tarball_name(id);
    RemoteCall::new(Verb::ModcachePreflight, paths)
        .input("id", id)
        .input("check_lock", if under_lock { "0" } else { "1" })
        .input("hash_part", if under_lock { "1" } else { "0" })
        .derived("part", &incoming_part(paths, &name))
        .derived("tarball", &incoming_tarball(paths, &name))
}

/// What modcache-install needs beyond the paths.
pub struct ModcacheInstall<'a> {
    pub id: &'a str,
    pub sha256: &'a str,
    pub tree_digest: &'a str,
    pub state_json: &'a str,
    /// Installed caches to remove after a successful switch.
    pub prune: &'a [String],
}

pub fn install_call(paths: &RemotePaths, inputs: &ModcacheInstall<'_>) -> RemoteCall {
    let name = tarball_name(inputs.id);
    RemoteCall::new(Verb::ModcacheInstall, paths)
        .input("id", inputs.id)
        .input("sha256", inputs.sha256)
        .input("tree_digest", inputs.tree_digest)
        .input("state_json", inputs.state_json)
        .input("prune", &inputs.prune.join(" "))
        .derived("tarball", &incoming_tarball(paths, &name))
        .derived("sums", &incoming_sums(paths, inputs.id))
}

pub fn switch_call(paths: &RemotePaths, id: &str, state_json: &str) -> RemoteCall {
    RemoteCall::new(Verb::ModcacheSwitch, paths)
        .input("id", id)
        .input("state_json", state_json)
}

pub fn verify_call(paths: &RemotePaths) -> RemoteCall {
    RemoteCall::new(Verb::ModcacheVerify, paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_modcache_script_is_valid_sh() {
        let p = RemotePaths::default();
        let install = ModcacheInstall {
            id: "modcache-0123456789ab",
            sha256: "ab",
            tree_digest: "cd",
            state_json: "{}",
            prune: &[],
        };
        for call in [
            preflight_call(&p, "none", false),
            install_call(&p, &install),
            switch_call(&p, "modcache-0123456789ab", "{}"),
            verify_call(&p),
        ] {
            let script = call.script();
            let out = std::process::Command::new("sh")
                .arg("-n")
                .arg("-c")
                .arg(&script)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert_eq!(p.modcache_dir(), "/opt/offgo/modcache");
    }
}
