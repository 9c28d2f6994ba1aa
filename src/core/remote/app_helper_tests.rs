//! The app verbs through the helper, run by a real `sh` as the helper runs them under become:
//! a whole install from uploaded files, a verify that names a changed file, a switch, and the
//! inputs it refuses before touching anything.

use std::process::Command;

use super::app_ops::{self, AppInstallInputs};
use super::helper::helper_text;
use super::ops::{key_values, value};
use super::RemotePaths;

use super::test_sh::paths_in;

fn helper(paths: &RemotePaths, verb: &str, stdin: &[u8]) -> (i32, Vec<(String, String)>, String) {
    let out = super::test_sh::sh_with_stdin(&helper_text(paths), &["offgo-helper", verb], stdin);
    (
        out.status.code().unwrap_or(-1),
        key_values(&out.stdout),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(bytes))
}

/// A tarball of `bin/svc` and `etc/svc.conf`, its sums and a manifest stand-in.
fn bundle(dir: &std::path::Path, body: &str) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("bin")).unwrap();
    std::fs::create_dir_all(tree.join("etc")).unwrap();
    std::fs::write(tree.join("bin/svc"), body).unwrap();
    std::fs::write(tree.join("etc/svc.conf"), "port = 1\n").unwrap();
    let tarball = dir.join("svc.tar.gz");
    let ok = Command::new("tar")
        .args([
            "-czf",
            tarball.to_str().unwrap(),
            "-C",
            tree.to_str().unwrap(),
            "bin",
            "etc",
        ])
        .status()
        .unwrap();
    assert!(ok.success());
    let sums = format!(
        "{}  bin/svc\n{}  etc/svc.conf\n",
        sha256(body.as_bytes()),
        sha256(b"port = 1\n")
    );
    (
        std::fs::read(&tarball).unwrap(),
        sums.into_bytes(),
        b"name = \"svc\"\nsha256 = \"x\"\n".to_vec(),
    )
}

fn install(p: &RemotePaths, dir: &std::path::Path, version: &str, body: &str) -> (i32, String) {
    let (tarball, sums, manifest) = bundle(dir, body);
    let name = format!("svc-{version}.linux-amd64.tar.gz");
    for (file, bytes) in [
        ("sums", &sums),
        ("manifest", &manifest),
        ("tarball", &tarball),
    ] {
        let call = app_ops::receive_call(p, file, "svc", version, &name, false);
        let mut stdin = call.helper_inputs().unwrap();
        stdin.extend_from_slice(bytes);
        let (status, _, out) = helper(p, "app-receive", &stdin);
        assert_eq!(status, 0, "{out}");
    }
    let state = format!("{{\"name\":\"svc\",\"current\":\"{version}\"}}");
    let call = app_ops::install_call(
        p,
        &AppInstallInputs {
            name: "svc",
            version,
            tarball_name: &name,
            sha256: &sha256(&tarball),
            tree_digest: &sha256(&sums),
            manifest_sha256: &sha256(&manifest),
            state_json: &state,
            prune: &[],
        },
    );
    let (status, _, out) = helper(p, "app-install", &call.helper_inputs().unwrap());
    (status, out)
}

#[test]
fn an_app_installs_verifies_and_switches_through_the_helper() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let (status, out) = install(&p, &dir.path().join("b1"), "1.0.0", "one");
    assert_eq!(status, 0, "{out}");
    let (status, out) = install(&p, &dir.path().join("b2"), "2.0.0", "two");
    assert_eq!(status, 0, "{out}");
    let current = dir.path().join("opt/offgo/apps/svc/current");
    assert_eq!(
        std::fs::read_link(&current).unwrap(),
        dir.path().join("opt/offgo/apps/svc/releases/2.0.0")
    );
    assert_eq!(
        std::fs::read_to_string(current.join("bin/svc")).unwrap(),
        "two"
    );
    let release = dir.path().join("opt/offgo/apps/svc/releases/2.0.0");
    assert!(release.join(".offgo-app.toml").is_file());
    let state = std::fs::read_to_string(dir.path().join("var/lib/offgo/apps/svc.json")).unwrap();
    assert_eq!(state.trim(), "{\"name\":\"svc\",\"current\":\"2.0.0\"}");

    let verify = app_ops::verify_call(&p, "svc").helper_inputs().unwrap();
    let (status, pairs, out) = helper(&p, "app-verify", &verify);
    assert_eq!(status, 0, "{out}");
    assert_eq!(value(&pairs, "ok"), Some("1"), "{out}");
    // A changed file is named.
    std::fs::write(release.join("bin/svc"), "tw0").unwrap();
    let (_, pairs, out) = helper(&p, "app-verify", &verify);
    assert_eq!(value(&pairs, "ok"), Some("0"), "{out}");
    assert!(
        value(&pairs, "detail").unwrap().contains("bin/svc: FAILED"),
        "{out}"
    );

    let switch = app_ops::switch_call(
        &p,
        "svc",
        "1.0.0",
        "{\"name\":\"svc\",\"current\":\"1.0.0\"}",
    );
    let (status, pairs, out) = helper(&p, "app-switch", &switch.helper_inputs().unwrap());
    assert_eq!(status, 0, "{out}");
    assert_eq!(
        value(&pairs, "previous_target"),
        Some(release.to_str().unwrap())
    );
    assert!(std::fs::read_link(&current)
        .unwrap()
        .ends_with("releases/1.0.0"));

    let pre = app_ops::preflight_call(&p, "svc", "none", "none", true);
    let (status, pairs, out) = helper(&p, "app-preflight", &pre.helper_inputs().unwrap());
    assert_eq!(status, 0, "{out}");
    let mut releases: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "release")
        .map(|(_, v)| v.as_str())
        .collect();
    releases.sort();
    assert_eq!(releases, ["1.0.0", "2.0.0"], "{out}");
}

#[test]
fn the_helper_refuses_app_inputs_that_could_leave_the_apps_directory() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    for (verb, stdin, why) in [
        ("app-verify", "name=../etc\n.\n", "name is not an app name"),
        (
            "app-switch",
            "name=svc\nversion=../../x\nstate_json={\"name\":1}\n.\n",
            "version is not an app version",
        ),
        (
            "app-switch",
            "name=svc\nversion=1.0\nstate_json={\"current\":\"go1\"}\n.\n",
            "not an app's state",
        ),
        (
            "app-receive",
            "file=/etc/passwd\nname=svc\nversion=1\ntarball_name=x\nappend=0\n.\n",
            "file must be",
        ),
        (
            "app-install",
            "name=svc\nprune=../..\n.\n",
            "prune names something other",
        ),
    ] {
        let (status, _, out) = helper(&p, verb, stdin.as_bytes());
        assert_eq!(status, 2, "{verb} {stdin:?}: {out}");
        assert!(out.contains(why), "{verb} {stdin:?}: {out}");
    }
    assert!(!dir.path().join("opt").exists(), "nothing was created");
}

#[test]
fn every_app_script_is_valid_sh() {
    let p = RemotePaths::default();
    for call in [
        app_ops::preflight_call(&p, "svc", "1.0", "svc-1.0.linux-amd64.tar.gz", true),
        app_ops::receive_call(&p, "sums", "svc", "1.0", "x.tar.gz", false),
        app_ops::switch_call(&p, "svc", "1.0", "{}"),
        app_ops::verify_call(&p, "svc"),
    ] {
        let out = Command::new("sh")
            .arg("-n")
            .arg("-c")
            .arg(call.script())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
