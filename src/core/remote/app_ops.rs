//! The remote side of app push, rollback and verification: the app verbs as calls (run by the
//! login user's `sh`, or through the helper under become), and the two operator commands of
//! `[apps.NAME]` (`restart`, `health`) as scripts the login user runs, never with privilege.

use super::call::{RemoteCall, Verb};
use super::paths::RemotePaths;
use super::quote::sh_quote;

/// Where app `name`'s upload of `tarball_name` lands.
pub fn incoming_tarball(paths: &RemotePaths, tarball_name: &str) -> String {
    format!("{}/incoming/{tarball_name}", paths.apps_state_dir())
}

pub fn incoming_part(paths: &RemotePaths, tarball_name: &str) -> String {
    format!("{}.part", incoming_tarball(paths, tarball_name))
}

pub fn incoming_sums(paths: &RemotePaths, name: &str, version: &str) -> String {
    format!(
        "{}/incoming/{name}-{version}.sha256sums",
        paths.apps_state_dir()
    )
}

pub fn incoming_manifest(paths: &RemotePaths, name: &str, version: &str) -> String {
    format!(
        "{}/incoming/{name}-{version}.offgo-app.toml",
        paths.apps_state_dir()
    )
}

/// `<apps_dir>/<name>/current`.
pub fn current_link(paths: &RemotePaths, name: &str) -> String {
    format!("{}/{name}/current", paths.apps_dir())
}

/// `<apps_dir>/<name>/releases/<version>`.
pub fn release_dir(paths: &RemotePaths, name: &str, version: &str) -> String {
    format!("{}/{name}/releases/{version}", paths.apps_dir())
}

/// `<apps_state_dir>/<name>.json`.
pub fn state_file(paths: &RemotePaths, name: &str) -> String {
    format!("{}/{name}.json", paths.apps_state_dir())
}

/// `version` "none" and `tarball_name` "none" read an app's state for a rollback or a verify.
pub fn preflight_call(
    paths: &RemotePaths,
    name: &str,
    version: &str,
    tarball_name: &str,
    under_lock: bool,
) -> RemoteCall {
    RemoteCall::new(Verb::AppPreflight, paths)
        .input("name", name)
        .input("version", version)
        .input("tarball_name", tarball_name)
        .input("check_lock", if under_lock { "0" } else { "1" })
        .input("hash_part", if under_lock { "1" } else { "0" })
}

/// `file`: `sums`, `manifest` or `tarball`.
pub fn receive_call(
    paths: &RemotePaths,
    file: &str,
    name: &str,
    version: &str,
    tarball_name: &str,
    append: bool,
) -> RemoteCall {
    RemoteCall::new(Verb::AppReceive, paths)
        .input("file", file)
        .input("name", name)
        .input("version", version)
        .input("tarball_name", tarball_name)
        .input("append", if append { "1" } else { "0" })
}

/// What app-install needs.
pub struct AppInstallInputs<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub tarball_name: &'a str,
    pub sha256: &'a str,
    pub tree_digest: &'a str,
    pub manifest_sha256: &'a str,
    pub state_json: &'a str,
    pub prune: &'a [String],
}

pub fn install_call(paths: &RemotePaths, i: &AppInstallInputs<'_>) -> RemoteCall {
    RemoteCall::new(Verb::AppInstall, paths)
        .input("name", i.name)
        .input("version", i.version)
        .input("tarball_name", i.tarball_name)
        .input("sha256", i.sha256)
        .input("tree_digest", i.tree_digest)
        .input("manifest_sha256", i.manifest_sha256)
        .input("state_json", i.state_json)
        .input("prune", &i.prune.join(" "))
}

pub fn switch_call(paths: &RemotePaths, name: &str, version: &str, state_json: &str) -> RemoteCall {
    RemoteCall::new(Verb::AppSwitch, paths)
        .input("name", name)
        .input("version", version)
        .input("state_json", state_json)
}

pub fn verify_call(paths: &RemotePaths, name: &str) -> RemoteCall {
    RemoteCall::new(Verb::AppVerify, paths).input("name", name)
}

/// Bytes of a command's output kept for the report (its tail: the end says why it failed).
pub const SERVICE_OUTPUT_TAIL: usize = 2000;

/// What the operator's commands see: the app, its version and its `current` directory.
fn service_env(paths: &RemotePaths, name: &str, version: &str) -> String {
    format!(
        "OFFGO_APP={}; OFFGO_APP_VERSION={}; OFFGO_APP_DIR={}\nexport OFFGO_APP OFFGO_APP_VERSION OFFGO_APP_DIR\n",
        sh_quote(name),
        sh_quote(version),
        sh_quote(&current_link(paths, name)),
    )
}

/// The `restart` command, run once with `sh -c` from `/`, stdin from /dev/null and its output
/// to a file, so a service it starts holds nothing of the SSH session open. Prints `exit=` and
/// `output=` (the tail), then `restart_end=1`.
pub fn restart_script(paths: &RemotePaths, name: &str, version: &str, command: &str) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str(&service_env(paths, name, version));
    s.push_str(&format!("offgo_cmd={}\n", sh_quote(command)));
    s.push_str(super::frame::PRELUDE);
    s.push_str(&format!(
        r#"offgo_out=$(mktemp 2>/dev/null) || offgo_out=/tmp/offgo-restart.$$
(cd / && sh -c "$offgo_cmd") </dev/null >"$offgo_out" 2>&1
kv exit "$?"
kv output "$(tail -c {SERVICE_OUTPUT_TAIL} "$offgo_out")"
rm -f "$offgo_out"
echo restart_end=1
"#
    ));
    s
}

/// The `health` command, retried every 0.2 s until it exits 0 or `timeout_secs` have passed
/// (0: once). Each try is bounded by the timeout too (`timeout`, where the host has it), so a
/// hanging check cannot hold the push. Prints `exit=`, `attempts=`, `output=` (the last try's
/// tail), then `health_end=1`.
pub fn health_script(
    paths: &RemotePaths,
    name: &str,
    version: &str,
    command: &str,
    timeout_secs: u64,
) -> String {
    let mut s = String::with_capacity(2048);
    s.push_str(&service_env(paths, name, version));
    s.push_str(&format!("offgo_cmd={}\n", sh_quote(command)));
    s.push_str(&format!("offgo_wait={timeout_secs}\n"));
    s.push_str(super::frame::PRELUDE);
    s.push_str(&format!(
        r#"offgo_each=$offgo_wait
[ "$offgo_each" -ge 1 ] || offgo_each=10
offgo_out=$(mktemp 2>/dev/null) || offgo_out=/tmp/offgo-health.$$
offgo_deadline=$(( $(date +%s) + offgo_wait ))
offgo_n=0
while :; do
  offgo_n=$((offgo_n + 1))
  if command -v timeout >/dev/null 2>&1; then
    (cd / && timeout "$offgo_each" sh -c "$offgo_cmd") </dev/null >"$offgo_out" 2>&1
  else
    (cd / && sh -c "$offgo_cmd") </dev/null >"$offgo_out" 2>&1
  fi
  offgo_rc=$?
  [ "$offgo_rc" -eq 0 ] && break
  [ "$(date +%s)" -lt "$offgo_deadline" ] || break
  sleep 0.2 2>/dev/null || sleep 1
done
kv exit "$offgo_rc"
kv attempts "$offgo_n"
kv output "$(tail -c {SERVICE_OUTPUT_TAIL} "$offgo_out")"
rm -f "$offgo_out"
echo health_end=1
"#
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::remote::ops::{key_values, value};
    use std::process::Command;

    fn sh(script: &str) -> Vec<(String, String)> {
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        key_values(&out.stdout)
    }

    #[test]
    fn apps_live_next_to_the_go_releases_and_under_the_state_dir() {
        let p = RemotePaths::default();
        assert_eq!(p.apps_dir(), "/opt/offgo/apps");
        assert_eq!(p.apps_state_dir(), "/var/lib/offgo/apps");
        assert_eq!(current_link(&p, "svc"), "/opt/offgo/apps/svc/current");
        assert_eq!(state_file(&p, "svc"), "/var/lib/offgo/apps/svc.json");
    }

    #[test]
    fn the_operator_commands_see_the_app_and_their_output_is_framed() {
        let p = RemotePaths::default();
        let pairs = sh(&restart_script(
            &p,
            "svc",
            "1.0.0",
            "echo \"$OFFGO_APP $OFFGO_APP_VERSION $OFFGO_APP_DIR\"; printf 'x\\nexit=0\\n'; exit 3",
        ));
        assert_eq!(value(&pairs, "exit"), Some("3"));
        assert_eq!(
            value(&pairs, "output"),
            Some("svc 1.0.0 /opt/offgo/apps/svc/current\nx\nexit=0")
        );
        assert_eq!(value(&pairs, "restart_end"), Some("1"));
    }

    #[test]
    fn health_is_retried_until_it_passes_or_the_time_is_up() {
        let dir = tempfile::tempdir().unwrap();
        let flag = dir.path().join("tries");
        let p = RemotePaths::default();
        // Fails twice, then passes.
        let cmd = format!(
            "echo x >> {f}; [ $(wc -l < {f}) -ge 3 ] || {{ echo not yet; exit 1; }}; echo ok",
            f = sh_quote(&flag.display().to_string())
        );
        let pairs = sh(&health_script(&p, "svc", "1.0.0", &cmd, 10));
        assert_eq!(value(&pairs, "exit"), Some("0"));
        assert_eq!(value(&pairs, "attempts"), Some("3"));
        assert_eq!(value(&pairs, "output"), Some("ok"));
        // Once, when there is no time to wait.
        let pairs = sh(&health_script(&p, "svc", "1.0.0", "echo down; exit 7", 0));
        assert_eq!(value(&pairs, "exit"), Some("7"));
        assert_eq!(value(&pairs, "attempts"), Some("1"));
        assert_eq!(value(&pairs, "output"), Some("down"));
    }
}
