//! The helper run by a real `sh`, as root would run it: what it does with good inputs, and that
//! it refuses everything else before touching a file.

use std::process::Command;

use super::*;
use crate::core::remote::call::RemoteCall;
use crate::core::remote::ops;

use crate::core::remote::test_sh::paths_in;

/// Runs the helper for `paths` with `args` and `stdin`: (status, stdout, stderr).
fn run(paths: &RemotePaths, args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let name_and_args: Vec<&str> = std::iter::once("offgo-helper")
        .chain(args.iter().copied())
        .collect();
    let out =
        crate::core::remote::test_sh::sh_with_stdin(&helper_text(paths), &name_and_args, stdin);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn call_stdin(call: &RemoteCall) -> Vec<u8> {
    call.helper_inputs().unwrap()
}

#[test]
fn the_helper_is_valid_sh_and_its_digest_follows_the_paths() {
    let p = RemotePaths::default();
    let out = Command::new("sh")
        .arg("-n")
        .arg("-c")
        .arg(helper_text(&p))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(helper_digest(&p), helper_digest(&RemotePaths::default()));
    let other = RemotePaths {
        go_root: "/opt/go".into(),
        ..RemotePaths::default()
    };
    assert_ne!(helper_digest(&p), helper_digest(&other));
    assert!(helper_text(&p).starts_with("#!/bin/sh\n"));
}

#[test]
fn an_audit_append_through_the_helper_chains_like_the_script() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let head = "{\"ts\":\"1\",\"actor\":\"a\",\"host\":\"h\",\"action\":\"push\",\"target\":\"go1.22.10\",\"result\":\"ok\",\"detail\":\"d\",";
    for _ in 0..2 {
        let call = ops::audit_append_script(&p, head, false);
        let (status, out, err) = run(&p, &["audit-append"], &call_stdin(&call));
        assert_eq!(status, 0, "{out}{err}");
    }
    let log = std::fs::read_to_string(&p.audit_log).unwrap();
    assert_eq!(log.lines().count(), 2);
    let check = crate::core::audit::chain::verify_chain(log.as_bytes(), false);
    assert_eq!(check.broken, None);
}

#[test]
fn an_upload_streams_after_the_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let call = ops::receive_call(
        &p,
        "tarball",
        "go1.22.10",
        "go1.22.10.linux-amd64.tar.gz",
        false,
    );
    let mut stdin = call_stdin(&call);
    stdin.extend_from_slice(b"first line\nsecond=line\n.\nbytes");
    let (status, out, err) = run(&p, &["receive"], &stdin);
    assert_eq!(status, 0, "{out}{err}");
    let got = std::fs::read(ops::incoming_tarball(&p, "go1.22.10.linux-amd64.tar.gz")).unwrap();
    assert_eq!(got, b"first line\nsecond=line\n.\nbytes");
}

/// Each refusal: exit 2, `refused=` saying why, and nothing created under the paths.
#[test]
fn the_helper_refuses_anything_but_its_verbs_and_checked_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let receive = |version: &str, name: &str| {
        format!("file=tarball\nversion={version}\ntarball_name={name}\nappend=0\n.\nx")
    };
    let cases: Vec<(Vec<&str>, String, &str)> = vec![
        (vec![], String::new(), "one verb"),
        (vec!["install", "extra"], String::new(), "one verb"),
        (vec!["sh"], ".\n".into(), "unknown verb"),
        (vec!["receive"], receive("../../etc", "x.tar.gz"), "version is not a Go version"),
        (vec!["receive"], receive("go1.22.10", "../../etc/passwd"), "tarball_name is not a plain file name"),
        (vec!["receive"], receive("go1.22.10", ".hidden"), "tarball_name is not a plain file name"),
        (vec!["receive"], "file=tarball\nversion=go1.22.10\n.\n".into(), "receive needs tarball_name"),
        (vec!["receive"], "file=/etc/shadow\n.\n".into(), "file must be sums, tarball or go-tarball"),
        (vec!["receive"], "file=tarball\n".into(), "did not end with a line ."),
        (vec!["verify"], "expected=go1.22.10\ngo_root=/\n.\n".into(), "verify takes no input go_root"),
        (vec!["verify"], "expected=go1.22.10\tx\n.\n".into(), "control character"),
        (vec!["switch"], "version=go1.21.13\nstate_json=x\n.\n".into(), "state_json is not offgo's state"),
        (
            vec!["install"],
            format!(
                "version=go1.22.10\ntarball_name=go.tar.gz\nsha256={h}\ntree_digest={h}\nadopt_version=\n\
                 previous_target=/bin\nstate_json={{\"current\":\"go1.22.10\"}}\nprune=\n.\n",
                h = "a".repeat(64)
            ),
            "previous_target is neither",
        ),
        (
            vec!["install"],
            format!(
                "version=go1.22.10\ntarball_name=go.tar.gz\nsha256={h}\ntree_digest={h}\nadopt_version=\n\
                 previous_target=\nstate_json={{\"current\":\"go1.22.10\"}}\nprune=go1.1 ../x\n.\n",
                h = "a".repeat(64)
            ),
            "prune names something other than a release",
        ),
        (vec!["install"], "sha256=zz\n.\n".into(), "sha256 is not 64 hex digits"),
        (vec!["audit-append"], "record_head=anything\nretry=0\n.\n".into(), "not the head of an audit line"),
        // The Go environment policy: a Go variable's name, a value nothing reads as more than text.
        (vec!["go-env"], "shims=\ngo_env=GOPROXY=off'; rm -rf /\n.\n".into(), "holds a quote"),
        (vec!["go-env"], "shims=\ngo_env=GOFLAGS=$(id)\n.\n".into(), "a dollar sign"),
        (vec!["go-env"], "shims=\ngo_env=GOFLAGS=`id`\n.\n".into(), "a backquote"),
        (vec!["go-env"], "shims=\ngo_env=GOPROXY=caf\u{e9}\n.\n".into(), "outside printable ASCII"),
        (vec!["go-env"], "shims=\ngo_env=GOPROXY= off\n.\n".into(), "blank"),
        (vec!["go-env"], "shims=\ngo_env=PATH=/tmp\n.\n".into(), "other than a Go environment variable"),
        (vec!["go-env"], "shims=\ngo_env=GOPROXY\n.\n".into(), "not NAME=VALUE"),
        (vec!["go-env"], "shims=\ngo_env=GOPROXY=off\ngo_env=GOPROXY=direct\n.\n".into(), "names GOPROXY twice"),
        (vec!["go-env"], "shims=go1.2*\n.\n".into(), "shims names something other"),
        (vec!["go-env"], "shims=../../bin/sh\n.\n".into(), "shims names something other"),
        (vec!["go-env"], "go_env=GOPROXY=off\n.\n".into(), "go-env needs shims"),
        (vec!["verify"], "expected=go1.22.10\ngo_env_sha256=x\nprofile_sha256=\n.\n".into(), "go_env_sha256 is not 64 hex"),
    ];
    for (args, stdin, why) in cases {
        let (status, out, err) = run(&p, &args, stdin.as_bytes());
        assert_eq!(status, 2, "{args:?} {stdin:?}: {out}{err}");
        assert!(
            out.starts_with("refused=") && out.contains(why),
            "{args:?} {stdin:?}: {out}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{args:?} {stdin:?} touched the host"
        );
    }
}

#[test]
fn without_become_a_call_is_the_script_run_by_sh() {
    let p = RemotePaths::default();
    let call = ops::verify_script(&p, "go1.22.10", ("", ""), &[]);
    let (command, stdin) = call
        .render(&crate::core::remote::privilege::Become::default())
        .unwrap();
    assert_eq!(command, "sh -s");
    assert_eq!(stdin, call.script().into_bytes());
    let sudo = crate::core::remote::privilege::Become {
        method: crate::core::remote::privilege::BecomeMethod::Sudo,
        ..Default::default()
    };
    let (command, stdin) = call.render(&sudo).unwrap();
    assert_eq!(
        command,
        "sudo -n -u 'root' /usr/local/libexec/offgo-helper verify"
    );
    assert_eq!(
        stdin,
        b"expected=go1.22.10\ngo_env_sha256=\nprofile_sha256=\nproven_digests=\n.\n"
    );
    let bad = ops::switch_script(&p, "go1.22.10", "{\"current\":\n}", &[], "");
    assert!(bad.render(&sudo).unwrap_err().contains("state_json"));
}

/// The helper runs as root but never runs a Go tree's binary as root: `go version` runs as
/// nobody (uid 65534), with no Go env file.
#[test]
fn the_helper_runs_go_version_as_nobody() {
    use std::os::unix::fs::PermissionsExt;
    if is_root() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let p = paths_in(dir.path());
        let bin = dir.path().join("opt/offgo/releases/go1.22.10/go/bin");
        std::fs::create_dir_all(&bin).unwrap();
        for d in ["opt", "opt/offgo", "opt/offgo/releases"] {
            let _ = std::fs::set_permissions(
                dir.path().join(d),
                std::fs::Permissions::from_mode(0o755),
            );
        }
        std::fs::write(
            bin.join("go"),
            "#!/bin/sh\necho \"go version go1.22.10 linux/amd64 uid=$(id -u) goenv=$GOENV\"\n",
        )
        .unwrap();
        std::fs::set_permissions(bin.join("go"), std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::create_dir_all(dir.path().join("usr/local")).unwrap();
        std::os::unix::fs::symlink(bin.parent().unwrap(), &p.go_root).unwrap();
        let call = ops::verify_script(&p, "go1.22.10", ("", ""), &[]);
        let (_, out, err) = run(&p, &["verify"], &call_stdin(&call));
        assert!(out.contains("uid=65534 goenv=off"), "{out}{err}");
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `go-env` through the helper on a release laid out as offgo leaves one: go.env becomes the
/// official lines then offgo's block, the login profile exports the policy, state.json records
/// both digests and the shims appear; an empty policy puts everything back.
#[test]
fn the_go_env_verb_overlays_records_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let official = "# official\nGOPROXY=https://proxy.golang.org,direct\nGOTOOLCHAIN=auto\n";
    for v in ["go1.22.10", "go1.21.13"] {
        let go = std::path::PathBuf::from(p.release_go_dir(v));
        std::fs::create_dir_all(go.join("bin")).unwrap();
        std::fs::write(go.join("go.env"), official).unwrap();
        std::fs::write(go.join("bin/go"), "#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(go.join("bin/go"), std::fs::Permissions::from_mode(0o755))
            .unwrap();
        let sum = hex::encode(Sha256::digest(official.as_bytes()));
        std::fs::write(go.join("../sha256sums"), format!("{sum}  go/go.env\n")).unwrap();
    }
    std::fs::create_dir_all(dir.path().join("usr/local")).unwrap();
    std::os::unix::fs::symlink(p.release_go_dir("go1.22.10"), &p.go_root).unwrap();
    std::fs::create_dir_all(&p.state_dir).unwrap();
    std::fs::write(
        p.state_file(),
        "{\"current\":\"go1.22.10\",\"previous\":null,\"history\":[]}\n",
    )
    .unwrap();

    let policy = vec!["GOPRIVATE=*.corp".to_string(), "GOPROXY=off".to_string()];
    let call = ops::go_env_script(&p, &policy, "all");
    let (status, out, err) = run(&p, &["go-env"], &call_stdin(&call));
    assert_eq!(status, 0, "{out}{err}");
    let go_env = std::fs::read_to_string(format!("{}/go.env", p.go_root)).unwrap();
    // offgo's block first (go reads go.env first-wins), then the official lines unchanged.
    assert!(
        go_env.ends_with(&format!(
            "GOPRIVATE=*.corp\nGOPROXY=off\n# end of offgo go_env policy\n{official}"
        )),
        "{go_env}"
    );
    let digest = hex::encode(Sha256::digest(go_env.as_bytes()));
    let state: crate::core::remote::probe::OffgoState =
        serde_json::from_str(&std::fs::read_to_string(p.state_file()).unwrap()).unwrap();
    let record = state.go_env.expect("a go_env record");
    assert_eq!(record.go_env_sha256, digest);
    assert_eq!(record.policy["GOPRIVATE"], "*.corp");
    let profile = std::fs::read_to_string(p.env_profile()).unwrap();
    assert!(profile.contains("export GOPRIVATE='*.corp'\n"), "{profile}");
    assert_eq!(
        record.profile_sha256,
        hex::encode(Sha256::digest(profile.as_bytes()))
    );
    let shim = std::fs::read_to_string(format!("{}/go1.21.13", p.shim_dir())).expect(&out);
    assert!(
        shim.contains(&format!("GOROOT='{}'", p.release_go_dir("go1.21.13"))),
        "{shim}"
    );
    assert!(
        out.contains("go_shim=go1.21.13\n") && out.contains("go_shim=go1.22.10\n"),
        "{out}"
    );

    // No policy, no shims: go.env is the release's own again, the profile and the shims go.
    let call = ops::go_env_script(&p, &[], "");
    let (status, out, err) = run(&p, &["go-env"], &call_stdin(&call));
    assert_eq!(status, 0, "{out}{err}");
    assert_eq!(
        std::fs::read_to_string(format!("{}/go.env", p.go_root)).unwrap(),
        official
    );
    assert!(!std::path::Path::new(&p.env_profile()).exists());
    assert!(!std::path::Path::new(&format!("{}/go1.21.13", p.shim_dir())).exists());
    assert_eq!(
        std::fs::read_to_string(p.state_file()).unwrap(),
        "{\"current\":\"go1.22.10\",\"previous\":null,\"history\":[]}\n"
    );
}

/// The module-cache verbs take module-cache ids only, and prune nothing but module caches.
#[test]
fn the_helper_refuses_module_cache_inputs_that_are_not_ids() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let state = "state_json={\"current\":\"modcache-0123456789ab\"}";
    let h = "a".repeat(64);
    let cases: Vec<(&str, String, &str)> = vec![
        ("modcache-switch", format!("id=modcache-../../etc\n{state}\n.\n"), "id is not a module-cache id"),
        ("modcache-switch", format!("id=go1.22.10\n{state}\n.\n"), "id is not a module-cache id"),
        ("modcache-preflight", "id=/etc\ncheck_lock=1\nhash_part=0\n.\n".into(), "id is not a module-cache id"),
        (
            "modcache-install",
            format!("id=modcache-0123456789ab\nsha256={h}\ntree_digest={h}\n{state}\nprune=go1.21.13\n.\n"),
            "prune names something other than a module cache",
        ),
        ("modcache-verify", "id=modcache-0123456789ab\n.\n".into(), "modcache-verify takes no input id"),
        ("modcache-switch", "id=modcache-0123456789ab\n.\n".into(), "modcache-switch needs state_json"),
    ];
    for (verb, stdin, why) in cases {
        let (status, out, err) = run(&p, &[verb], stdin.as_bytes());
        assert_eq!(status, 2, "{verb} {stdin:?}: {out}{err}");
        assert!(
            out.starts_with("refused=") && out.contains(why),
            "{verb} {stdin:?}: {out}"
        );
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{verb} touched the host"
        );
    }
}

/// A Go tarball through the helper is unpacked as it arrives, into a directory named by its
/// version; a `go-tarball` that names anything but a Go version is refused before it is read.
#[test]
fn the_helper_unpacks_a_go_tarball_named_by_a_go_version_only() {
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let src = dir.path().join("src/go");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("VERSION"), "go1.22.10\n").unwrap();
    let tarball = Command::new("tar")
        .args(["-czf", "-", "-C"])
        .arg(src.parent().unwrap())
        .arg("go")
        .output()
        .unwrap()
        .stdout;
    let name = "go1.22.10.linux-amd64.tar.gz";
    let call = ops::receive_call(&p, "go-tarball", "go1.22.10", name, false);
    let mut stdin = call_stdin(&call);
    stdin.extend_from_slice(&tarball);
    let (status, out, err) = run(&p, &["receive"], &stdin);
    assert_eq!(status, 0, "{out}{err}");
    assert!(out.contains("unpacked=1\n"), "{out}");
    let stream = format!("{}/.offgo-stream-go1.22.10", p.releases_dir);
    assert_eq!(
        std::fs::read_to_string(format!("{stream}/sha256")).unwrap(),
        format!("{}\n", hex::encode(Sha256::digest(&tarball)))
    );
    assert!(std::path::Path::new(&format!("{stream}/tree/go/VERSION")).exists());

    let call = ops::receive_call(&p, "go-tarball", "modcache-0123456789ab", name, false);
    let (status, out, _) = run(&p, &["receive"], &call_stdin(&call));
    assert_eq!(status, 2, "{out}");
    assert!(out.contains("not a Go version"), "{out}");
}

/// verify's `proven_digests` (a rollout's verification right after its own push): a release
/// recorded with a proven digest is not read again and says so; a plain verify reads every file
/// and finds the one changed; a digest list that is not digests is refused before anything runs.
#[test]
fn verify_skips_reading_only_a_tree_the_push_just_proved() {
    use sha2::{Digest, Sha256};
    let dir = tempfile::tempdir().unwrap();
    let p = paths_in(dir.path());
    let release = dir.path().join("opt/offgo/releases/go1.22.10");
    let bin = release.join("go/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let go = "#!/bin/sh\necho 'go version go1.22.10 linux/amd64'\n";
    std::fs::write(bin.join("go"), go).unwrap();
    let sums = format!("{}  go/bin/go\n", hex::encode(Sha256::digest(go)));
    let digest = hex::encode(Sha256::digest(&sums));
    std::fs::write(release.join("sha256sums"), &sums).unwrap();
    std::fs::write(release.join("tree_digest"), format!("{digest}\n")).unwrap();
    std::fs::create_dir_all(dir.path().join("usr/local")).unwrap();
    std::os::unix::fs::symlink(release.join("go"), &p.go_root).unwrap();
    // Changed after the push proved it (not by offgo): only a full read can tell.
    std::fs::write(bin.join("go"), format!("{go}# changed\n")).unwrap();
    let tree = |proven: &[String]| {
        let call = ops::verify_script(&p, "go1.22.10", ("", ""), proven);
        let out = Command::new("sh")
            .arg("-c")
            .arg(call.script())
            .output()
            .unwrap();
        let pairs = ops::key_values(&out.stdout);
        let at = pairs.iter().position(|(k, v)| k == "check" && v == "tree");
        let at = at.expect("a tree check");
        (pairs[at + 1].1.clone(), pairs[at + 2].1.clone())
    };
    let (ok, detail) = tree(&["0".repeat(64), digest.clone()]);
    assert_eq!(ok, "1", "{detail}");
    assert!(detail.contains("by this rollout's push"), "{detail}");
    let (ok, detail) = tree(&[]);
    assert_eq!(ok, "0", "a plain verify reads the files: {detail}");
    let (ok, detail) = tree(&["1".repeat(64)]);
    assert_eq!(ok, "0", "another digest proves nothing here: {detail}");

    let mut stdin = call_stdin(&ops::verify_script(&p, "go1.22.10", ("", ""), &[]));
    let text = String::from_utf8(stdin.clone()).unwrap();
    stdin = text
        .replace("proven_digests=\n", "proven_digests=abc; rm -rf /\n")
        .into_bytes();
    let (status, _, err) = run(&p, &["verify"], &stdin);
    assert_ne!(status, 0);
    assert!(err.contains("proven_digests"), "{err}");
}
