//! Real Go module files for module-cache tests, made without network: a module proxy written on
//! disk (`@v/list`, `.info`, `.mod`, `.zip` as the module reference lays them out), a module
//! that needs it, and the cached release's `go` filling a download cache from that proxy only
//! (`GOPROXY=file://…`, `GOTOOLCHAIN=local`, no sum database).
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

/// Adds `example.com/greet` at `version` to the file proxy at `root`; `Hello()` returns
/// `says`.
pub fn publish_greet(root: &Path, version: &str, says: &str) {
    publish(root, "example.com/greet", version, says);
}

/// Adds `module` (its last element the package name, lower-cased) at `version` to the file
/// proxy at `root`, under the proxy's case encoding (`Shout` → `!shout`).
pub fn publish(root: &Path, module: &str, version: &str, says: &str) {
    let encoded: String = module
        .chars()
        .flat_map(|c| {
            if c.is_ascii_uppercase() {
                vec!['!', c.to_ascii_lowercase()]
            } else {
                vec![c]
            }
        })
        .collect();
    let package = module.rsplit('/').next().unwrap().to_ascii_lowercase();
    let v = root.join(&encoded).join("@v");
    std::fs::create_dir_all(&v).unwrap();
    let list = v.join("list");
    let mut versions = std::fs::read_to_string(&list).unwrap_or_default();
    versions.push_str(&format!("{version}\n"));
    std::fs::write(&list, versions).unwrap();
    std::fs::write(
        v.join(format!("{version}.info")),
        format!("{{\"Version\":\"{version}\",\"Time\":\"2026-01-01T00:00:00Z\"}}\n"),
    )
    .unwrap();
    let gomod = format!("module {module}\n\ngo 1.22\n");
    std::fs::write(v.join(format!("{version}.mod")), &gomod).unwrap();
    let zip = v.join(format!("{version}.zip"));
    let source = format!("package {package}\n\nfunc Hello() string {{ return {says:?} }}\n");
    let script = format!(
        "import zipfile\nz=zipfile.ZipFile({zip:?},'w')\n\
         z.writestr('{module}@{version}/go.mod', {gomod:?})\n\
         z.writestr('{module}@{version}/{package}.go', {source:?})\n\
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

/// `go.mod` and `app.go` of a module that needs `example.com/greet` at `version`. A library:
/// `go build` compiles it and its dependency, which is what shows where modules come from; a
/// program would add ~25 s of compiling the standard library into a cold build cache.
pub fn consumer_files(version: &str) -> [(&'static str, String); 2] {
    [
        (
            "go.mod",
            format!("module example.com/app\n\ngo 1.22\n\nrequire example.com/greet {version}\n"),
        ),
        (
            "app.go",
            "package app\n\nimport \"example.com/greet\"\n\n// Greeting is the dependency's greeting.\nfunc Greeting() string { return greet.Hello() }\n"
                .to_string(),
        ),
    ]
}

pub fn write_consumer(dir: &Path, version: &str) {
    std::fs::create_dir_all(dir).unwrap();
    for (name, text) in consumer_files(version) {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

/// The cached 1.22.10 release's `go` with only the file proxy at `proxy` and a private cache.
pub fn go(
    go: &Path,
    dir: &Path,
    args: &[&str],
    home: &Path,
    proxy: &Path,
    modcache: &Path,
) -> Output {
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
