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

/// The verbs as the login user's `sh` runs them (no become), on a scratch tree: install with
/// an Athens preload, verify, a changed Athens file caught, rollback's switch refused for a
/// cache that is not there.
#[cfg(test)]
mod scripts_tests {
    use std::process::Command;

    use super::*;
    use crate::core::remote::ops::{key_values, value, values};

    fn sha256(bytes: &[u8]) -> String {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(bytes))
    }

    fn run(call: &RemoteCall) -> (bool, Vec<(String, String)>, String) {
        let out = Command::new("sh")
            .arg("-c")
            .arg(call.script())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        (out.status.success(), key_values(&out.stdout), text)
    }

    #[test]
    fn install_preloads_athens_and_verify_checks_both() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        let paths = RemotePaths {
            releases_dir: format!("{root}/opt/offgo/releases"),
            state_dir: format!("{root}/state"),
            audit_log: format!("{root}/log/audit.log"),
            athens_storage: Some(format!("{root}/athens")),
            ..RemotePaths::default()
        };
        std::fs::create_dir_all(format!("{root}/athens")).unwrap();
        // A download cache with an upper-case module path (`!shout`) and a `.mod`-only version.
        let tree = dir.path().join("tree");
        let files = [
            ("example.com/!shout/@v/list", "v0.1.0\n"),
            (
                "example.com/!shout/@v/v0.1.0.info",
                "{\"Version\":\"v0.1.0\"}\n",
            ),
            (
                "example.com/!shout/@v/v0.1.0.mod",
                "module example.com/Shout\n",
            ),
            ("example.com/!shout/@v/v0.1.0.zip", "PK zip bytes"),
            ("example.com/old/@v/v1.0.0.mod", "module example.com/old\n"),
        ];
        let mut sums = String::new();
        for (path, text) in files {
            let file = tree.join(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, text).unwrap();
            sums.push_str(&format!("{}  {path}\n", sha256(text.as_bytes())));
        }
        let id = "modcache-0123456789ab";
        let incoming = format!("{}/incoming", paths.state_dir);
        std::fs::create_dir_all(&incoming).unwrap();
        let tarball = format!("{incoming}/{id}.tar.gz");
        let tar = Command::new("tar")
            .args(["-czf", &tarball, "-C"])
            .arg(&tree)
            .arg("example.com")
            .status()
            .unwrap();
        assert!(tar.success());
        std::fs::write(format!("{incoming}/{id}.sha256sums"), &sums).unwrap();
        let state = format!("{{\"current\":\"{id}\",\"history\":[],\"previous\":null}}");
        let install = ModcacheInstall {
            id,
            sha256: &sha256(&std::fs::read(&tarball).unwrap()),
            tree_digest: &sha256(sums.as_bytes()),
            state_json: &state,
            prune: &[],
        };
        let (ok, pairs, text) = run(&install_call(&paths, &install));
        assert!(ok && value(&pairs, "done") == Some("1"), "{text}");
        assert_eq!(value(&pairs, "athens_written"), Some("2"), "{text}");
        let athens = dir.path().join("athens/example.com");
        assert_eq!(
            std::fs::read_to_string(athens.join("Shout/v0.1.0/source.zip")).unwrap(),
            "PK zip bytes"
        );
        assert!(athens.join("Shout/v0.1.0/go.mod").is_file());
        assert!(athens.join("Shout/v0.1.0/v0.1.0.info").is_file());
        assert!(athens.join("old/v1.0.0/go.mod").is_file());
        assert!(!athens.join("!shout").exists());
        let modcache = format!("{root}/opt/offgo/modcache");
        assert_eq!(
            std::fs::read_link(format!("{modcache}/current")).unwrap(),
            std::path::PathBuf::from(format!("{modcache}/{id}"))
        );

        let (_, pairs, text) = run(&verify_call(&paths));
        let oks: Vec<&str> = values(&pairs, "ok");
        assert_eq!(
            values(&pairs, "check"),
            ["modcache_tree", "modcache_state", "athens"],
            "{text}"
        );
        assert_eq!(oks, ["1", "1", "1"], "{text}");
        std::fs::write(athens.join("old/v1.0.0/go.mod"), "module evil\n").unwrap();
        let (_, pairs, text) = run(&verify_call(&paths));
        assert_eq!(values(&pairs, "ok"), ["1", "1", "0"], "{text}");
        assert!(text.contains("old/v1.0.0/go.mod"), "{text}");

        let (ok, pairs, text) = run(&switch_call(&paths, "modcache-ffffffffffff", &state));
        assert!(!ok, "{text}");
        assert_eq!(value(&pairs, "fail"), Some("check_target"), "{text}");
    }
}
