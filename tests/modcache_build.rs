//! `offgo-tui modcache build` on a real module download cache: made by the real `go` from a
//! module proxy the test writes on disk (no network: `GOPROXY=file://…` only, no sum database,
//! `GOTOOLCHAIN=local`). The bundle's tree, unpacked and served as `GOPROXY=file://…`, builds a
//! module that needs it, in a fresh module cache; the same build fails without it.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::*;
use serde_json::Value;

/// The Go of the cached 1.22.10 release with only a file proxy and a private cache.
fn go(dir: &Path, args: &[&str], home: &Path, proxy: &Path, modcache: &Path) -> Output {
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    Command::new(go)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("HOME", home)
        .env("GOCACHE", home.join("gocache"))
        .env("GOMODCACHE", modcache)
        .env("GOTOOLCHAIN", "local")
        .env("GOPROXY", format!("file://{}", proxy.display()))
        .env("GOSUMDB", "off")
        .env("GOFLAGS", "-mod=mod")
        .env("CGO_ENABLED", "0")
        .output()
        .unwrap()
}

/// A module proxy on disk serving example.com/greet v1.0.0 (list, info, mod, zip).
fn file_proxy(root: &Path) {
    let v = root.join("example.com/greet/@v");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("list"), "v1.0.0\n").unwrap();
    std::fs::write(
        v.join("v1.0.0.info"),
        "{\"Version\":\"v1.0.0\",\"Time\":\"2026-01-01T00:00:00Z\"}\n",
    )
    .unwrap();
    let gomod = "module example.com/greet\n\ngo 1.22\n";
    std::fs::write(v.join("v1.0.0.mod"), gomod).unwrap();
    let zip = v.join("v1.0.0.zip");
    let script = format!(
        "import zipfile\nz=zipfile.ZipFile({zip:?},'w')\n\
         z.writestr('example.com/greet@v1.0.0/go.mod', {gomod:?})\n\
         z.writestr('example.com/greet@v1.0.0/greet.go', 'package greet\\n\\nfunc Hello() string {{ return \"hello from the gap\" }}\\n')\n\
         z.close()\n",
        zip = zip.to_str().unwrap(),
    );
    let out = Command::new("python3")
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A module that needs example.com/greet.
fn consumer(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("go.mod"),
        "module example.com/app\n\ngo 1.22\n\nrequire example.com/greet v1.0.0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("main.go"),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello()) }\n",
    )
    .unwrap();
}

fn build_bundle(state: &Path, cache: &Path, out: &Path) -> (i32, Value, String) {
    let o = offgo(
        state,
        &[
            "modcache",
            "build",
            cache.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ],
    );
    (
        o.status.code().unwrap_or(-1),
        serde_json::from_slice(&o.stdout).unwrap_or(Value::Null),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

#[test]
fn a_bundle_of_a_real_module_cache_serves_an_offline_build_and_without_it_the_build_fails() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let proxy = w.join("proxy");
    file_proxy(&proxy);
    let app = w.join("app");
    consumer(&app);
    // The connected side: go fills its download cache from the (file) proxy.
    let cache = w.join("modcache");
    let out = go(&app, &["mod", "download", "all"], w, &proxy, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let download = cache.join("cache/download");
    assert!(download.join("example.com/greet/@v/v1.0.0.zip").is_file());

    let state = tempfile::tempdir().unwrap();
    let bundles = w.join("bundles");
    let (code, report, stderr) = build_bundle(state.path(), &download, &bundles);
    assert_eq!(code, 0, "{report:#} {stderr}");
    let id = report["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 12);
    assert_eq!(report["modules"], 1);
    assert_eq!(report["versions"], 1);
    for suffix in ["tar.gz", "sha256sums", "offgo.toml"] {
        assert!(
            bundles.join(format!("modcache-{id}.{suffix}")).is_file(),
            "{suffix}"
        );
    }
    // The same cache makes the same bundle name.
    let (_, again, _) = build_bundle(state.path(), &download, &w.join("again"));
    assert_eq!(again["id"], id.as_str());

    // The gap's side: unpack, check with coreutils, serve it as the only proxy.
    let served = w.join("served");
    std::fs::create_dir(&served).unwrap();
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(bundles.join(format!("modcache-{id}.tar.gz")))
        .arg("-C")
        .arg(&served)
        .status()
        .unwrap();
    assert!(tar.success());
    let check = Command::new("sha256sum")
        .args(["-c", "--strict", "--quiet"])
        .arg(bundles.join(format!("modcache-{id}.sha256sums")))
        .current_dir(&served)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    assert!(
        !served.join("example.com/greet/@v/v1.0.0.lock").exists(),
        "go's lock files are not carried"
    );
    let fresh = w.join("fresh-cache");
    let run = go(&app, &["run", "."], w, &served, &fresh);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&run.stdout).trim(),
        "hello from the gap"
    );

    // Without the bundle (an empty proxy), the same build fails, saying what is missing.
    let empty = w.join("empty");
    std::fs::create_dir(&empty).unwrap();
    let none = go(&app, &["run", "."], w, &empty, &w.join("fresh-2"));
    assert!(!none.status.success());
    assert!(
        String::from_utf8_lossy(&none.stderr).contains("example.com/greet"),
        "{}",
        String::from_utf8_lossy(&none.stderr)
    );
}

#[test]
fn what_is_not_a_download_cache_or_holds_a_symlink_is_refused() {
    let work = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    let (code, report, _) = build_bundle(state.path(), work.path(), &out);
    assert_eq!(code, 2, "{report:#}");
    assert!(report["error"]
        .as_str()
        .unwrap()
        .contains("not a module download cache"));

    let cache = work.path().join("cache");
    let v = cache.join("example.com/x/@v");
    std::fs::create_dir_all(&v).unwrap();
    std::fs::write(v.join("v1.0.0.zip"), "zip").unwrap();
    let (code, report, _) = build_bundle(state.path(), &cache, &out);
    assert_eq!(code, 1, "{report:#}");
    assert!(report["error"]
        .as_str()
        .unwrap()
        .contains("no v1.0.0.mod next to it"));

    std::fs::write(v.join("v1.0.0.mod"), "module example.com/x\n").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", v.join("v1.0.0.info")).unwrap();
    let (code, report, _) = build_bundle(state.path(), &cache, &out);
    assert_eq!(code, 1, "{report:#}");
    assert!(report["error"].as_str().unwrap().contains("symlink"));
    let left: Vec<PathBuf> = std::fs::read_dir(&out)
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "nothing written: {left:?}");
}
