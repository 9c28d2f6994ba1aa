//! The remote side of push, rollback, verification and audit: each a POSIX `sh` script with its
//! inputs quoted ahead of a fixed body, printing `key=value` lines the jump host reads back.

use super::call::{RemoteCall, Verb};
use super::paths::RemotePaths;
use super::quote::sh_quote;

/// Exit status of the lock script when another operator holds the lock.
pub const LOCK_BUSY_STATUS: i32 = 75;

/// Builds `name='value'` lines, then appends `body`.
pub struct Script {
    text: String,
}

impl Script {
    pub fn new() -> Self {
        Self {
            text: String::with_capacity(8192),
        }
    }

    pub fn set(mut self, name: &str, value: &str) -> Self {
        self.text.push_str(name);
        self.text.push('=');
        self.text.push_str(&sh_quote(value));
        self.text.push('\n');
        self
    }

    pub(super) fn with_paths(self, paths: &RemotePaths) -> Self {
        self.set("go_root", &paths.go_root)
            .set("releases_dir", &paths.releases_dir)
            .set("state_dir", &paths.state_dir)
            .set("state_file", &paths.state_file())
            .set("audit_log", &paths.audit_log)
            .set("profile_script", &paths.profile_script)
            .set("incoming", &paths.incoming_dir())
            .set("lock", &paths.lock_file())
            .set("apps_dir", &paths.apps_dir())
            .set("apps_state_dir", &paths.apps_state_dir())
            .set("env_profile", &paths.env_profile())
            .set("shim_dir", &paths.shim_dir())
            .set("modcache_dir", &paths.modcache_dir())
            .set("modcache_state", &paths.modcache_state())
            .set(
                "athens_storage",
                paths.athens_storage.as_deref().unwrap_or(""),
            )
            .set("athens_state", &paths.athens_state())
            .set("host_tools", paths.host_tools.as_str())
    }

    /// The inputs, then the framing functions (`kv`) and the host's tools (`digest_of`,
    /// `untar_gz`, `sums_ok_fast`…), then `body`.
    pub fn body(mut self, body: &str) -> String {
        self.text.push_str(super::frame::PRELUDE);
        self.text.push_str(super::call::HOST_TOOLS);
        self.text.push_str(body);
        self.text
    }
}

impl Default for Script {
    fn default() -> Self {
        Self::new()
    }
}

/// Where an upload of `tarball_name` lands on the host.
pub fn incoming_tarball(paths: &RemotePaths, tarball_name: &str) -> String {
    format!("{}/{tarball_name}", paths.incoming_dir())
}

/// The `.part` file an upload streams into until it is complete.
pub fn incoming_part(paths: &RemotePaths, tarball_name: &str) -> String {
    format!("{}.part", incoming_tarball(paths, tarball_name))
}

pub fn incoming_sums(paths: &RemotePaths, version: &str) -> String {
    format!("{}/{version}.sha256sums", paths.incoming_dir())
}

pub fn lock_script(paths: &RemotePaths, owner: &str) -> RemoteCall {
    RemoteCall::new(Verb::Lock, paths).input("owner", owner)
}

/// `under_lock`: run while this operator holds the host lock (so don't report it as busy, and
/// hash a partial upload to decide whether to resume it).
pub fn preflight_script(
    paths: &RemotePaths,
    version: &str,
    tarball_name: &str,
    under_lock: bool,
) -> RemoteCall {
    RemoteCall::new(Verb::Preflight, paths)
        .input("version", version)
        .input("tarball_name", tarball_name)
        .input("check_lock", if under_lock { "0" } else { "1" })
        .input("hash_part", if under_lock { "1" } else { "0" })
        .derived("part", &incoming_part(paths, tarball_name))
        .derived("tarball", &incoming_tarball(paths, tarball_name))
}

/// What install.sh needs beyond the paths.
pub struct InstallInputs<'a> {
    pub version: &'a str,
    pub tarball_name: &'a str,
    pub sha256: &'a str,
    /// The manifest's digest of the sha256sums list (the signature covers it): the host checks
    /// the uploaded list against it before using it, and records it next to the list.
    pub tree_digest: &'a str,
    /// Version name under which the Go go_root runs now (a directory, or a link's target
    /// outside releases/) is adopted into releases/; empty for none.
    pub adopt_version: &'a str,
    /// What go_root pointed at before, proven to run Go (for switching back), or empty.
    pub previous_target: &'a str,
    pub state_json: &'a str,
    /// Release directory names to remove after a successful switch.
    pub prune: &'a [String],
    /// The Go environment policy, `NAME=VALUE` each ([`GoEnvPolicy::lines`]); empty for none.
    ///
    /// [`GoEnvPolicy::lines`]: crate::core::goenv::GoEnvPolicy::lines
    pub go_env: &'a [String],
    /// `go_shims` as the helper takes it ([`crate::core::goenv::GoShims::input`]).
    pub shims: &'a str,
    /// This push sent the tarball whole into a receiver that unpacked it as it arrived
    /// (receive.sh's one pass): install may use that tree once its hash is the bundle's. Else
    /// install reads the tarball again, whatever an earlier run left unpacked.
    pub streamed: bool,
}

pub fn install_script(paths: &RemotePaths, inputs: &InstallInputs<'_>) -> RemoteCall {
    RemoteCall::new(Verb::Install, paths)
        .input("version", inputs.version)
        .input("tarball_name", inputs.tarball_name)
        .input("sha256", inputs.sha256)
        .input("tree_digest", inputs.tree_digest)
        .input("adopt_version", inputs.adopt_version)
        .input("previous_target", inputs.previous_target)
        .input("state_json", inputs.state_json)
        .input("prune", &inputs.prune.join(" "))
        .input("shims", inputs.shims)
        .list("go_env", inputs.go_env)
        .input("streamed", if inputs.streamed { "1" } else { "0" })
        .derived("tarball", &incoming_tarball(paths, inputs.tarball_name))
        .derived("sums", &incoming_sums(paths, inputs.version))
        .derived("profile", &profile_content(&paths.go_root))
}

/// Prints `tree_digest=` of the tree go_root runs now, as a bundle would list it (see
/// `bundle::sums`): a push whose bundle has that digest has nothing to do.
pub fn current_tree_script(paths: &RemotePaths) -> RemoteCall {
    RemoteCall::new(Verb::CurrentTree, paths)
}

/// The switch of a rollback; the policy (`go_env`, `shims`) goes into the release switched to.
pub fn switch_script(
    paths: &RemotePaths,
    version: &str,
    state_json: &str,
    go_env: &[String],
    shims: &str,
) -> RemoteCall {
    RemoteCall::new(Verb::Switch, paths)
        .input("version", version)
        .input("state_json", state_json)
        .input("shims", shims)
        .list("go_env", go_env)
        .derived("target", &paths.release_go_dir(version))
        .derived("profile", &profile_content(&paths.go_root))
}

/// `recorded`: the go.env and login-profile digests state.json's `go_env` record holds (empty
/// strings for none), which verify.sh tells offgo's writing from an edit by.
///
/// `proven`: the tree digests a rollout's push just proved on this host (its bundle's, or a
/// set's members'): an active release recorded with one of them is not read again. Empty for
/// a plain `verify`, which reads every file.
pub fn verify_script(
    paths: &RemotePaths,
    expected_version: &str,
    recorded: (&str, &str),
    proven: &[String],
) -> RemoteCall {
    RemoteCall::new(Verb::Verify, paths)
        .input("expected", expected_version)
        .input("go_env_sha256", recorded.0)
        .input("profile_sha256", recorded.1)
        .input("proven_digests", &proven.join(" "))
        .derived("profile", &profile_content(&paths.go_root))
}

/// The Go environment policy alone (`offgo-tui go-env apply`): the active release's go.env
/// overlay, the login profile, state.json's record and the go_shims.
pub fn go_env_script(paths: &RemotePaths, go_env: &[String], shims: &str) -> RemoteCall {
    RemoteCall::new(Verb::GoEnv, paths)
        .input("shims", shims)
        .list("go_env", go_env)
}

/// The append of one audit entry; `retry` when an earlier try of the same entry may have
/// written it before its link dropped (then it is not written twice).
pub fn audit_append_script(paths: &RemotePaths, record_head: &str, retry: bool) -> RemoteCall {
    RemoteCall::new(Verb::AuditAppend, paths)
        .input("record_head", record_head)
        .input("retry", if retry { "1" } else { "0" })
}

/// An upload through the helper (`receive`): the signed file list (`sums`) or the tarball,
/// appended to its `.part` when `append`; a Go tarball (`go-tarball`) sent whole is also hashed
/// and unpacked as it arrives (receive.sh). Without become the sums and other tarballs go
/// through a plain `cat`, a Go tarball through this script ([`RemoteCall::script`]).
pub fn receive_call(
    paths: &RemotePaths,
    file: &str,
    version: &str,
    tarball_name: &str,
    append: bool,
) -> RemoteCall {
    RemoteCall::new(Verb::Receive, paths)
        .input("file", file)
        .input("version", version)
        .input("tarball_name", tarball_name)
        .input("append", if append { "1" } else { "0" })
        .derived("tarball", &incoming_tarball(paths, tarball_name))
        .derived("part", &incoming_part(paths, tarball_name))
        .derived("sums", &incoming_sums(paths, version))
}

/// The env profile offgo writes (DESIGN.md): `GOROOT` is go_root, `PATH` gains its bin.
pub fn profile_content(go_root: &str) -> String {
    let bin = format!("{go_root}/bin");
    format!(
        "# Written by offgo: the active Go release. Do not edit; offgo verifies this file.\n\
         export GOROOT={root}\n\
         case \":$PATH:\" in\n  *:{bin_q}:*) ;;\n  *) PATH=\"$PATH:\"{bin_q} ;;\nesac\nexport PATH\n",
        root = sh_quote(go_root),
        bin_q = sh_quote(&bin),
    )
}

/// `key=value` lines, in order (keys may repeat), values decoded as `kv` framed them
/// (frame.rs). Lines without `=` are skipped. Lines end at `\n` only: a `\r` is value data
/// (`str::lines` would drop one at the end of a value).
pub fn key_values(output: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(output)
        .split('\n')
        .filter_map(|l| super::frame::split_pair(l).map(|(k, v)| (k.to_string(), v)))
        .collect()
}

/// The first value of `key`.
pub fn value<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Every value of `key`.
pub fn values<'a>(pairs: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    pairs
        .iter()
        .filter(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn the_profile_puts_go_on_path_once_in_a_real_shell() {
        let dir = tempfile::tempdir().unwrap();
        let profile = dir.path().join("offgo-go.sh");
        std::fs::write(&profile, profile_content("/usr/local/go")).unwrap();
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                ". {p}; . {p}; printf '%s|%s' \"$GOROOT\" \"$PATH\"",
                p = profile.display()
            ))
            .env("PATH", "/usr/bin:/bin")
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(out.stdout).unwrap(),
            "/usr/local/go|/usr/bin:/bin:/usr/local/go/bin"
        );
    }

    #[test]
    fn key_values_keep_order_and_repeats() {
        let pairs = key_values(b"a=1\nnoise\nrelease=x\nrelease=y\nwhy=a=b\n");
        assert_eq!(value(&pairs, "a"), Some("1"));
        assert_eq!(values(&pairs, "release"), vec!["x", "y"]);
        assert_eq!(value(&pairs, "why"), Some("a=b"));
    }

    /// An install that fails on a path holding a newline and a fake key: the message stays
    /// in `why`, and no `switched_back` can be forged.
    #[test]
    fn install_failures_cannot_forge_keys() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().display().to_string();
        let p = RemotePaths {
            go_root: format!("{root}/go"),
            releases_dir: format!("{root}/releases"),
            state_dir: format!("{root}/state\nswitched_back=/evil\n"),
            audit_log: format!("{root}/audit.log"),
            profile_script: format!("{root}/profile.sh"),
            athens_storage: None,
            host_tools: Default::default(),
        };
        let inputs = InstallInputs {
            version: "go1.22.10",
            tarball_name: "go1.22.10.linux-amd64.tar.gz",
            sha256: "ab",
            tree_digest: "cd",
            adopt_version: "",
            previous_target: "",
            state_json: "{}",
            prune: &[],
            go_env: &[],
            shims: "",
            streamed: false,
        };
        let out = Command::new("sh")
            .arg("-c")
            .arg(install_script(&p, &inputs).script())
            .output()
            .unwrap();
        assert!(!out.status.success());
        let pairs = key_values(&out.stdout);
        assert_eq!(value(&pairs, "fail"), Some("check_tarball"));
        assert!(value(&pairs, "why")
            .unwrap()
            .contains("\nswitched_back=/evil\n"));
        assert_eq!(value(&pairs, "switched_back"), None);
    }

    /// An append cut short after it wrote its line is tried again: the entry is not written
    /// twice, and the chain holds.
    #[test]
    fn the_audit_append_never_writes_an_entry_twice() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log/audit.log");
        let paths = RemotePaths {
            audit_log: log.display().to_string(),
            ..RemotePaths::default()
        };
        let run = |head: &str, retry: bool| {
            let out = Command::new("sh")
                .arg("-c")
                .arg(audit_append_script(&paths, head, retry).script())
                .output()
                .unwrap();
            assert!(out.status.success(), "{out:?}");
        };
        let head = |ts: &str| {
            let record = crate::core::audit::AuditRecord {
                ts: ts.into(),
                actor: "ops@jump".into(),
                host: "web-01".into(),
                action: "push".into(),
                target: "go1.22.10".into(),
                result: "ok".into(),
                detail: String::new(),
                prev: String::new(),
            };
            let line = record.to_line();
            line.strip_suffix("\"prev\":\"\"}").unwrap().to_string()
        };
        run(&head("1"), false);
        run(&head("2"), false);
        // The retry of the entry just written: not written twice.
        run(&head("2"), true);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 2, "{text}");
        // A new operation that makes the same entry in the same second is written.
        run(&head("2"), false);
        let text = std::fs::read_to_string(&log).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        let check = crate::core::audit::chain::verify_chain(text.as_bytes(), false);
        assert_eq!(check.broken, None);
    }

    #[test]
    fn the_probe_knows_the_shim_mark_go_env_writes() {
        let mark = super::super::call::GO_ENV
            .lines()
            .find_map(|l| l.strip_prefix("offgo_shim_mark='"))
            .unwrap()
            .trim_end_matches('\'');
        assert!(include_str!("probe.sh").contains(&format!("'{mark}'")));
    }

    #[test]
    fn every_script_is_valid_sh() {
        let p = RemotePaths::default();
        let inputs = InstallInputs {
            version: "go1.22.10",
            tarball_name: "go1.22.10.linux-amd64.tar.gz",
            sha256: "ab",
            tree_digest: "cd",
            adopt_version: "go1.21.13",
            previous_target: "",
            state_json: "{}",
            prune: &[],
            go_env: &[],
            shims: "",
            streamed: false,
        };
        for script in [
            lock_script(&p, "ops@jump"),
            preflight_script(&p, "go1.22.10", "go1.22.10.linux-amd64.tar.gz", true),
            install_script(&p, &inputs),
            current_tree_script(&p),
            switch_script(&p, "go1.21.13", "{}", &["GOPROXY=off".into()], "all"),
            verify_script(&p, "go1.22.10", ("", ""), &[]),
            go_env_script(&p, &["GOPROXY=off".into()], "go1.21.13"),
            audit_append_script(&p, "{\"ts\":\"x\",", true),
        ]
        .map(|call| call.script())
        {
            let out = Command::new("sh")
                .arg("-n")
                .arg("-c")
                .arg(&script)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{}\n{script}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}
