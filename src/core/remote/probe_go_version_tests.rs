//! `go version` answered by the service view's `go env` (one Go process less per probe), and run
//! whenever that answer could be anything but the installed release's: the real probe script,
//! this machine's `sh`, a real Go release behind a `go` that says when `go version` itself ran.

use super::*;
use crate::core::goenv::{GoEnvPolicy, ViewRead};

/// A Go root whose `bin/go` runs the real release's `go` for everything but `go version`,
/// which it answers with a marked line; its VERSION file says `version_file`.
fn go_root(dir: &std::path::Path, version_file: &str) -> RemotePaths {
    let real = crate::fleet::release_tree("1.22.10").expect("the go1.22.10 release");
    let root = dir.join("go");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::write(root.join("VERSION"), format!("{version_file}\ntime x\n")).unwrap();
    let go = root.join("bin/go");
    std::fs::write(
        &go,
        format!(
            "#!/bin/sh\ncase $1 in version) echo 'go version go1.22.10 linux/amd64 (go version ran)'; exit 0 ;; esac\n\
             exec '{}' \"$@\"\n",
            real.join("bin/go").display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = |name: &str| dir.join(name).display().to_string();
    RemotePaths {
        go_root: root.display().to_string(),
        releases_dir: path("releases"),
        state_dir: path("state"),
        audit_log: path("audit.log"),
        profile_script: path("profile.sh"),
        athens_storage: None,
        host_tools: Default::default(),
    }
}

fn probe(paths: &RemotePaths, vars: &[String]) -> ProbeFacts {
    let script = probe_script(paths, &[], vars, None);
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .env("HOME", paths.state_dir.as_str())
        .output()
        .unwrap();
    match parse_probe_output(&out.stdout).unwrap() {
        ProbeReply::Full(parsed) => parsed.facts,
        other => panic!("full probe expected, got {other:?}"),
    }
}

fn service_keys(facts: &ProbeFacts) -> Vec<String> {
    match &facts.go_env.service {
        Some(ViewRead::Read(map)) => map.keys().cloned().collect(),
        other => panic!("service view not read: {other:?}"),
    }
}

#[test]
fn go_env_answers_go_version_only_for_the_release_the_version_file_names() {
    let vars = GoEnvPolicy::default().reported();

    // GOVERSION is the VERSION file's line: `go version` is not run, its line is Go's own
    // format, and the service view holds only what the inventory asked for.
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&go_root(dir.path(), "go1.22.10"), &vars);
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    assert_eq!(
        facts.go_version_output.as_deref(),
        Some(format!("go version go1.22.10 linux/{arch}").as_str())
    );
    assert_eq!(facts.go_version().as_deref(), Some("go1.22.10"));
    assert_eq!(
        service_keys(&facts),
        vars,
        "no key the probe added for itself"
    );

    // The VERSION file names another release (a custom build, a toolchain switch, a tree
    // edited by hand): `go version` itself answers.
    let dir = tempfile::tempdir().unwrap();
    let facts = probe(&go_root(dir.path(), "go1.22.9"), &vars);
    assert_eq!(
        facts.go_version_output.as_deref(),
        Some("go version go1.22.10 linux/amd64 (go version ran)")
    );
    assert_eq!(service_keys(&facts), vars);

    // No variables asked (no `go env` at all): `go version` runs.
    let facts = probe(&go_root(dir.path(), "go1.22.10"), &[]);
    assert_eq!(
        facts.go_version_output.as_deref(),
        Some("go version go1.22.10 linux/amd64 (go version ran)")
    );
    assert_eq!(facts.go_env.service, None);

    // An inventory that asks for GOVERSION itself keeps it in the view.
    let mut asked = vars.clone();
    asked.push("GOVERSION".into());
    asked.sort();
    let facts = probe(&go_root(dir.path(), "go1.22.10"), &asked);
    assert_eq!(service_keys(&facts), asked);
    assert!(facts
        .go_version_output
        .as_deref()
        .is_some_and(|l| !l.contains("ran")));
}
