//! `offgo-tui app build` on real Go binaries built in the test with the cached Go release: the
//! manifest's build info is what `go version -m` prints; the bundle's tree checks with
//! `sha256sum -c`; a cgo binary (dynamically linked) is refused unless `--allow-dynamic`, naming
//! its libraries; a binary that is not Go is refused; `--file` keeps a key's mode.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const MAIN: &str = r#"package main

import (
	"fmt"
	"net/http"
	"os"
)

var version = "dev"

func main() {
	addr := "127.0.0.1:8080"
	if len(os.Args) > 1 {
		addr = os.Args[1]
	}
	http.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, version) })
	fmt.Println(http.ListenAndServe(addr, nil))
}
"#;

const CGO_MAIN: &str = r#"package main

// int answer(void) { return 42; }
import "C"
import "fmt"

func main() { fmt.Println(C.answer()) }
"#;

/// The Go of the cached 1.22.10 release, offline: no proxy, no toolchain download.
fn go(dir: &Path, args: &[&str], cgo: bool, home: &Path) -> std::process::Output {
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let out = Command::new(go)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home)
        .env("GOCACHE", home.join("gocache"))
        .env("GOPATH", home.join("gopath"))
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", if cgo { "1" } else { "0" })
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "go {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A module in a git work tree, committed, so the binary carries vcs.revision.
fn module(dir: &Path, main: &str) -> String {
    std::fs::write(dir.join("go.mod"), "module example.com/svc\n\ngo 1.22\n").unwrap();
    std::fs::write(dir.join("main.go"), main).unwrap();
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "v1"]);
    git(&["rev-parse", "HEAD"])
}

fn build_service(work: &Path, version: &str) -> (PathBuf, String) {
    let src = work.join("src");
    std::fs::create_dir_all(&src).unwrap();
    let revision = module(&src, MAIN);
    let binary = work.join("svc");
    go(
        &src,
        &[
            "build",
            "-trimpath",
            "-ldflags",
            &format!("-X main.version={version}"),
            "-o",
            binary.to_str().unwrap(),
            ".",
        ],
        false,
        work,
    );
    (binary, revision)
}

fn app_build(state: &Path, args: &[&str]) -> (i32, Value, String) {
    let mut all = vec!["app", "build", "--json"];
    all.extend(args);
    let out = offgo(state, &all);
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `go version -m`'s `build` lines: key → value as Go prints them (unquoted here).
fn go_version_m(binary: &Path, home: &Path) -> Vec<(String, String)> {
    let out = go(
        home,
        &["version", "-m", binary.to_str().unwrap()],
        false,
        home,
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("build\t"))
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

#[test]
fn the_manifest_carries_the_build_info_go_version_m_prints_and_the_tree_checks() {
    let work = tempfile::tempdir().unwrap();
    let (binary, revision) = build_service(work.path(), "1.4.0");
    std::fs::write(
        work.path().join("svc.toml"),
        "listen = \"127.0.0.1:8080\"\n",
    )
    .unwrap();
    let key = work.path().join("key.pem");
    std::fs::write(&key, "not a real key\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let keys = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let k = offgo(
        state.path(),
        &["bundle", "keygen", keys.path().to_str().unwrap()],
    );
    assert!(k.status.success());
    let out_dir = work.path().join("out");
    let (code, report, stderr) = app_build(
        state.path(),
        &[
            binary.to_str().unwrap(),
            "--name",
            "svc",
            "--version",
            "1.4.0",
            "--file",
            &format!("{}:etc/svc.toml", work.path().join("svc.toml").display()),
            "--file",
            &format!("{}:etc/tls/key.pem", key.display()),
            "--out",
            out_dir.to_str().unwrap(),
            "--sign",
            keys.path().join("offgo-bundle.key").to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{report:#} {stderr}");
    assert_eq!(report["static"], true);
    assert_eq!(report["arch"], "amd64");
    assert_eq!(report["signed"], true);
    let build = &report["build"];
    assert_eq!(build["go_version"], "go1.22.10");
    assert_eq!(build["module"], "example.com/svc");
    assert_eq!(build["vcs_revision"], revision.as_str());
    // Go leaves -ldflags out of the build info of a -trimpath build; so does the manifest.
    assert_eq!(build["ldflags"], Value::Null);
    // Every build setting the manifest records is what `go version -m` prints.
    let settings = go_version_m(&binary, work.path());
    for (key, field) in [
        ("-ldflags", "ldflags"),
        ("CGO_ENABLED", "cgo_enabled"),
        ("GOOS", "goos"),
        ("GOARCH", "goarch"),
        ("vcs.revision", "vcs_revision"),
        ("vcs.time", "vcs_time"),
        ("vcs.modified", "vcs_modified"),
    ] {
        let want = settings
            .iter()
            .find(|(k, _)| k == key)
            .map_or(Value::Null, |(_, v)| Value::from(v.as_str()));
        assert_eq!(build[field], want, "{key}: {settings:?}");
    }

    // The names DESIGN.md gives, and a tree that coreutils checks.
    let manifest = out_dir.join("svc-1.4.0.linux-amd64.offgo-app.toml");
    assert!(manifest.is_file());
    let tree = work.path().join("tree");
    std::fs::create_dir(&tree).unwrap();
    let tar = Command::new("tar")
        .args(["-xzf"])
        .arg(out_dir.join("svc-1.4.0.linux-amd64.tar.gz"))
        .arg("-C")
        .arg(&tree)
        .status()
        .unwrap();
    assert!(tar.success());
    let check = Command::new("sha256sum")
        .args(["-c", "--strict"])
        .arg(out_dir.join("svc-1.4.0.linux-amd64.sha256sums"))
        .current_dir(&tree)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let mode = |p: &str| {
        std::fs::metadata(tree.join(p))
            .unwrap()
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode("bin/svc"), 0o755);
    assert_eq!(mode("etc/tls/key.pem"), 0o600, "a key keeps its mode");
    // The signature covers the manifest: it checks, and fails after an edit.
    let loaded = offgo::core::app::load_manifest(&manifest).unwrap();
    assert_eq!(loaded.signature_ok(), Some(true));
    let mut edited = loaded.clone();
    edited.version = "1.4.1".into();
    assert_eq!(edited.signature_ok(), Some(false));
}

#[test]
fn a_dynamically_linked_binary_is_refused_naming_its_libraries_unless_allowed() {
    let work = tempfile::tempdir().unwrap();
    let src = work.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    module(&src, CGO_MAIN);
    let binary = work.path().join("cgo");
    // Without -trimpath the build info keeps -ldflags.
    go(
        &src,
        &[
            "build",
            "-ldflags",
            "-X main.v=2 -s",
            "-o",
            binary.to_str().unwrap(),
            ".",
        ],
        true,
        work.path(),
    );
    let state = tempfile::tempdir().unwrap();
    let out_dir = work.path().join("out");
    let args = [
        binary.to_str().unwrap(),
        "--name",
        "cgo",
        "--version",
        "1",
        "--out",
        out_dir.to_str().unwrap(),
    ];
    let out = offgo(state.path(), &[&["app", "build"][..], &args[..]].concat());
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dynamically linked"), "{stderr}");
    assert!(stderr.contains("libc.so.6"), "{stderr}");
    assert!(
        std::fs::read_dir(&out_dir).map_or(0, |d| d.count()) == 0,
        "nothing written"
    );
    let (code, report, _) = app_build(state.path(), &[&args[..], &["--allow-dynamic"]].concat());
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["static"], false);
    assert!(report["needed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l == "libc.so.6"));
    assert_eq!(report["build"]["cgo_enabled"], "1");
    assert_eq!(report["build"]["ldflags"], "-X main.v=2 -s");
}

#[test]
fn what_is_not_a_go_binary_or_not_a_safe_name_is_refused() {
    let state = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["app", "build", "/bin/true", "--name", "t", "--version", "1"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no Go build information"));
    for (name, version, file) in [
        ("../etc", "1", None),
        ("svc", "1/2", None),
        ("svc", "1", Some("/etc/hosts:../x")),
        ("svc", "1", Some("/etc/hosts:/etc/x")),
    ] {
        let mut args = vec![
            "app",
            "build",
            "/bin/true",
            "--name",
            name,
            "--version",
            version,
        ];
        if let Some(f) = file {
            args.extend(["--file", f]);
        }
        let out = offgo(state.path(), &args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
