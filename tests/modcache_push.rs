//! Module-cache bundles on real hosts (DESIGN.md, "Module-cache bundles"): `push`, `verify
//! --modcache`, `rollback --modcache` and `rollout` of a bundle made from a real module cache,
//! as a non-root login whose only right is offgo's helper (become sudo). The proof is a build on
//! the host with its network cut (`unshare --net` inside the host: its own empty network
//! namespace, the host's mount namespace kept, and a connect to the host's own sshd port shown
//! to fail in the same namespace), whose dependencies come only from the pushed cache:
//! `GOTOOLCHAIN=local GOPROXY=file:///opt/offgo/modcache/current GOFLAGS=-mod=mod GOSUMDB=off`.
//! GOSUMDB=off: the sum database is out of reach in the gap, and what it would vouch for is
//! vouched for by the bundle's signed tree digest, checked file by file on the host
//! (`GONOSUMDB=example.com` would do the same for a listed module path only).

mod common;
#[path = "support/modules.rs"]
mod modules;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::*;
use offgo::core::remote::quote::sh_quote;
use serde_json::Value;

const DEPLOY: &str = "deploy";
const ATHENS_STORAGE: &str = "/opt/athens/storage";

/// One module-cache bundle built on the jump host from `example.com/greet` at `versions` (the
/// n-th saying "hello from the gap n") and `extra` modules: (manifest, id). The download cache
/// it came from stays at `<work>/<name>-cache/cache/download`.
fn modcache_bundle(
    work: &Path,
    name: &str,
    versions: &[&str],
    extra: &[(&str, &str)],
) -> (PathBuf, String) {
    let go = release_tree("1.22.10").unwrap().join("bin/go");
    let proxy = work.join(format!("{name}-proxy"));
    let mut wanted = Vec::new();
    for (i, v) in versions.iter().enumerate() {
        modules::publish_greet(&proxy, v, &format!("hello from the gap {}", i + 1));
        wanted.push(format!("example.com/greet@{v}"));
    }
    for (module, v) in extra {
        modules::publish(&proxy, module, v, "HELLO");
        wanted.push(format!("{module}@{v}"));
    }
    let cache = work.join(format!("{name}-cache"));
    let mut args = vec!["mod", "download"];
    args.extend(wanted.iter().map(String::as_str));
    let out = modules::go(&go, work, &args, work, &proxy, &cache);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let state = tempfile::tempdir().unwrap();
    let out_dir = work.join(format!("{name}-bundle"));
    let out = offgo(
        state.path(),
        &[
            "modcache",
            "build",
            cache.join("cache/download").to_str().unwrap(),
            "--out",
            out_dir.to_str().unwrap(),
            "--json",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = format!("modcache-{}", report["id"].as_str().unwrap());
    (out_dir.join(format!("{id}.offgo.toml")), id)
}

fn json_of(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}):\n{}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `offgo-tui ARGS --hosts HOST --inventory INV --json`: (the one host's object, exit code).
fn run(state: &Path, inventory: &Path, host: &str, args: &[&str]) -> (Value, i32) {
    let mut all = args.to_vec();
    all.extend([
        "--hosts",
        host,
        "--inventory",
        inventory.to_str().unwrap(),
        "--json",
    ]);
    let out = offgo(state, &all);
    let hosts = json_of(&out);
    (hosts[0].clone(), out.status.code().unwrap_or(-1))
}

/// Runs `script` on the host inside a new, empty network namespace (`unshare --net`: the
/// host's mount namespace, so its files, are kept). The script first proves the cut: a connect
/// to the host's own sshd port, which listens on the machine's loopback, must fail there.
fn offline(host: &HostHandle, script: &str) -> Output {
    let proof = format!(
        "if bash -c 'exec 3<>/dev/tcp/127.0.0.1/{port}' 2>/dev/null; then \
         echo 'NETWORK REACHABLE: the cut did not hold' >&2; exit 99; fi; \
         ip -o link | grep -v ': lo:' && {{ echo 'an interface besides lo' >&2; exit 98; }}; ",
        port = host.port()
    );
    exec(
        host,
        &format!(
            "unshare --net sh -c {}",
            sh_quote(&format!("{proof}{script}"))
        ),
    )
}

/// `go build ./...` of the consumer module at /opt/work/app with a fresh module cache
/// (`fresh`), its dependencies only from the cache offgo serves; then which greet it built and
/// what that greet says.
fn offline_build(host: &HostHandle, fresh: &str) -> Output {
    offline(
        host,
        &format!(
            "cd /opt/work/app && rm -f go.sum && env -i PATH=/usr/bin:/bin HOME=/opt/work/home \
             GOCACHE=/opt/work/gocache GOMODCACHE=/opt/work/{fresh} GOTOOLCHAIN=local \
             GOPROXY=file:///opt/offgo/modcache/current GOSUMDB=off GOFLAGS=-mod=mod \
             CGO_ENABLED=0 sh -c 'go=/usr/local/go/bin/go; $go build ./... && $go list -m example.com/greet && \
             cat \"$($go list -f {{{{.Dir}}}} example.com/greet)/greet.go\"'"
        ),
    )
}

fn put_consumer(host: &HostHandle, version: &str) {
    for (name, text) in modules::consumer_files(version) {
        host.write_file(&format!("/opt/work/app/{name}"), text.as_bytes())
            .unwrap();
    }
}

fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn a_pushed_module_cache_builds_offline_verifies_rolls_back_and_rolls_out() {
    let work = tempfile::tempdir().unwrap();
    let w = work.path();
    let (bundle_a, id_a) = modcache_bundle(w, "a", &["v1.0.0"], &[]);
    let (bundle_b, id_b) = modcache_bundle(
        w,
        "b",
        &["v1.0.0", "v1.1.0"],
        &[("example.com/Shout", "v0.1.0")],
    );
    assert_ne!(id_a, id_b);

    let dropin = SudoersDropIn::unique();
    ensure_login_user(DEPLOY).unwrap();
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("mc-01").go_managed("1.22.10"))
            .host(HostSpec::new("athens-01").group("athens")),
    );
    fleet.open_to_other_logins().unwrap();
    let inv = inventory(
        &fleet,
        &InventoryOptions::new()
            .login(DEPLOY)
            .default_line(format!("sudoers_file = \"{}\"", dropin.path().display())),
    );
    // The site's Athens host: its disk-storage root, set on its group.
    let text = std::fs::read_to_string(&inv).unwrap().replace(
        "[groups.athens]\n",
        &format!("[groups.athens]\nathens_storage = \"{ATHENS_STORAGE}\"\n"),
    );
    std::fs::write(&inv, text).unwrap();
    let state = tempfile::tempdir().unwrap();
    let st = state.path();
    let (installed, code) = run(
        st,
        &inv,
        "all",
        &["privileges", "install", "--login", "root"],
    );
    assert_eq!(code, 0, "{installed:#}");
    let h = host(&fleet, "mc-01");
    put_consumer(h, "v1.0.0");
    // Outside the cut, the same connect the offline proof makes goes through.
    sh(
        h,
        &format!("bash -c 'exec 3<>/dev/tcp/127.0.0.1/{}'", h.port()),
    );

    // Before the push: no cache is served, and the offline build fails naming what it lacks.
    let before = offline_build(h, "fresh-0");
    assert_eq!(before.status.code(), Some(1), "{}", said(&before));
    assert!(
        said(&before).contains("example.com/greet"),
        "{}",
        said(&before)
    );

    // The push, as deploy through the helper.
    let (pushed, code) = run(
        st,
        &inv,
        "mc-01",
        &["push", "--bundle", bundle_a.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{pushed:#}");
    assert_eq!(pushed["to"], id_a.as_str());
    assert_eq!(
        sh(h, "readlink /opt/offgo/modcache/current"),
        format!("/opt/offgo/modcache/{id_a}")
    );
    assert_eq!(
        sh(
            h,
            &format!("stat -c %U /opt/offgo/modcache/{id_a}/example.com/greet/@v/v1.0.0.zip")
        ),
        "root"
    );
    let recorded: Value = serde_json::from_str(&sh(h, "cat /var/lib/offgo/modcache.json")).unwrap();
    assert_eq!(recorded["current"], id_a.as_str());
    assert!(recorded["previous"].is_null());
    // The Go release is untouched.
    assert_eq!(
        sh(h, "readlink /usr/local/go"),
        "/opt/offgo/releases/go1.22.10/go"
    );
    let host_log = sh(h, "cat /var/log/offgo/audit.log");
    assert!(
        host_log.contains(&format!(
            "\"action\":\"push\",\"target\":\"{id_a}\",\"result\":\"ok\""
        )),
        "{host_log}"
    );
    let local_log = std::fs::read_to_string(st.join("offgo/audit.log")).unwrap();
    assert!(
        local_log.contains(&format!("\"target\":\"{id_a}\"")),
        "{local_log}"
    );

    // The same build, network still cut, now builds from the pushed cache alone.
    let built = offline_build(h, "fresh-1");
    assert!(built.status.success(), "{}", said(&built));
    let said_built = String::from_utf8_lossy(&built.stdout);
    assert!(
        said_built.starts_with(
            "example.com/greet v1.0.0
"
        ),
        "{said_built}"
    );
    assert!(said_built.contains("hello from the gap 1"), "{said_built}");

    // verify checks the tree against the bundle's sums; a file added to it is caught.
    let (verified, code) = run(st, &inv, "mc-01", &["verify", "--modcache"]);
    assert_eq!(code, 0, "{verified:#}");
    let checks = verified["checks"].as_array().unwrap();
    assert!(
        checks
            .iter()
            .any(|c| c["check"] == "modcache_tree" && c["ok"] == true),
        "{verified:#}"
    );
    sh(h, &format!("mkdir -p /opt/offgo/modcache/{id_a}/evil.example/x/@v && echo v9.9.9 > /opt/offgo/modcache/{id_a}/evil.example/x/@v/list"));
    let (tampered, code) = run(st, &inv, "mc-01", &["verify", "--modcache"]);
    assert_eq!(code, 1, "{tampered:#}");
    assert_eq!(tampered["step"], "modcache_tree", "{tampered:#}");
    // A push of the same bundle repairs it.
    let (repaired, code) = run(
        st,
        &inv,
        "mc-01",
        &["push", "--bundle", bundle_a.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{repaired:#}");
    assert!(!h
        .local_path(&format!("/opt/offgo/modcache/{id_a}/evil.example"))
        .exists());
    let (again, code) = run(
        st,
        &inv,
        "mc-01",
        &["push", "--bundle", bundle_a.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{again:#}");
    assert!(
        again["notes"].to_string().contains("nothing to do"),
        "{again:#}"
    );

    // A second bundle, given by its tarball, then rollback to the first.
    let tarball_b = bundle_b.with_file_name(format!("{id_b}.tar.gz"));
    let (pushed, code) = run(
        st,
        &inv,
        "mc-01",
        &["push", "--bundle", tarball_b.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{pushed:#}");
    assert_eq!(
        (pushed["from"].as_str(), pushed["to"].as_str()),
        (Some(id_a.as_str()), Some(id_b.as_str()))
    );
    put_consumer(h, "v1.1.0");
    let built = offline_build(h, "fresh-2");
    assert!(built.status.success(), "{}", said(&built));
    let said_built = String::from_utf8_lossy(&built.stdout);
    assert!(
        said_built.starts_with(
            "example.com/greet v1.1.0
"
        ),
        "{said_built}"
    );
    assert!(said_built.contains("hello from the gap 2"), "{said_built}");
    let (back, code) = run(st, &inv, "mc-01", &["rollback", "--modcache"]);
    assert_eq!(code, 0, "{back:#}");
    assert_eq!(
        (back["from"].as_str(), back["to"].as_str()),
        (Some(id_b.as_str()), Some(id_a.as_str()))
    );
    let recorded: Value = serde_json::from_str(&sh(h, "cat /var/lib/offgo/modcache.json")).unwrap();
    assert_eq!(
        (recorded["current"].as_str(), recorded["previous"].as_str()),
        (Some(id_a.as_str()), Some(id_b.as_str()))
    );
    // v1.1.0 is not in the first bundle: served again, it can't build the newer module.
    let lacking = offline_build(h, "fresh-3");
    assert_eq!(lacking.status.code(), Some(1), "{}", said(&lacking));
    assert!(said(&lacking).contains("v1.1.0"), "{}", said(&lacking));

    // A rollout of the second bundle: its kind comes from the manifest, as for push.
    let out = offgo(
        st,
        &[
            "rollout",
            "--bundle",
            bundle_b.to_str().unwrap(),
            "--hosts",
            "mc-01",
            "--inventory",
            inv.to_str().unwrap(),
            "--json",
        ],
    );
    let lines = String::from_utf8_lossy(&out.stdout);
    let summary: Value = serde_json::from_str(lines.lines().last().unwrap_or("null")).unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{lines}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(summary["halted"], false, "{lines}");
    assert_eq!(
        sh(h, "readlink /opt/offgo/modcache/current"),
        format!("/opt/offgo/modcache/{id_b}")
    );

    athens_preload(
        st,
        &inv,
        host(&fleet, "athens-01"),
        h,
        &bundle_b,
        &id_b,
        &w.join("b-cache/cache/download"),
    );
}

/// The Athens host: every module version of the bundle lands in Athens' disk-storage layout
/// (pkg/storage/fs: `<module>/<version>/go.mod`, `source.zip`, `<version>.info`, the module path
/// decoded from the cache's `!x`), byte for byte the bundle's; scan and verify report it.
fn athens_preload(
    st: &Path,
    inv: &Path,
    athens: &HostHandle,
    builder: &HostHandle,
    bundle: &Path,
    id: &str,
    cache: &Path,
) {
    let scan = |what: &str| -> Value {
        let out = offgo(
            st,
            &[
                "scan",
                "--hosts",
                "athens-01",
                "--inventory",
                inv.to_str().unwrap(),
                "--json",
            ],
        );
        json_of(&out)[0][what].clone()
    };
    assert_eq!(
        scan("athens"),
        serde_json::json!({"storage": ATHENS_STORAGE, "bundle": null})
    );
    // Athens refuses to start without its root; offgo refuses to invent one, at pre-flight.
    let (missing, code) = run(
        st,
        inv,
        "athens-01",
        &["push", "--bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(code, 1, "{missing:#}");
    assert_eq!(missing["step"], "preflight", "{missing:#}");
    assert_eq!(
        missing["error"],
        format!("athens_storage {ATHENS_STORAGE} is not a directory on the host"),
        "{missing:#}"
    );
    assert!(
        !athens.local_path("/opt/offgo/modcache/current").exists(),
        "nothing changed"
    );

    sh(athens, &format!("mkdir -p {ATHENS_STORAGE}"));
    // Before the preload, a build through the Athens host's reader fails: not found.
    let reader = Reader::start(athens);
    let before = proxied_build(builder, reader.port, "before");
    assert!(!before.status.success(), "{}", said(&before));
    assert!(said(&before).contains("404 Not Found"), "{}", said(&before));
    let (pushed, code) = run(
        st,
        inv,
        "athens-01",
        &["push", "--bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{pushed:#}");
    assert!(
        pushed["notes"]
            .to_string()
            .contains("3 module version(s) written, 0 already there"),
        "{pushed:#}"
    );
    assert!(
        pushed["notes"]
            .to_string()
            .contains("host tools: openssl for SHA-256, igzip for gunzip"),
        "{pushed:#}"
    );
    for (module, encoded, version) in [
        ("example.com/greet", "example.com/greet", "v1.0.0"),
        ("example.com/greet", "example.com/greet", "v1.1.0"),
        ("example.com/Shout", "example.com/!shout", "v0.1.0"),
    ] {
        for (ours, theirs) in [
            (format!("{version}.mod"), "go.mod".to_string()),
            (format!("{version}.zip"), "source.zip".to_string()),
            (format!("{version}.info"), format!("{version}.info")),
        ] {
            let want = std::fs::read(cache.join(encoded).join("@v").join(&ours)).unwrap();
            let path = format!("{ATHENS_STORAGE}/{module}/{version}/{theirs}");
            assert_eq!(athens.read_file(&path).unwrap(), want, "{path}");
        }
        let listed = sh(
            athens,
            &format!("ls -A {ATHENS_STORAGE}/{module}/{version}"),
        );
        assert_eq!(listed.lines().count(), 3, "{listed}");
    }
    assert_eq!(
        scan("athens"),
        serde_json::json!({"storage": ATHENS_STORAGE, "bundle": id})
    );
    // After it, the same build on the other host gets the module through the reader alone.
    let after = proxied_build(builder, reader.port, "after");
    assert!(after.status.success(), "{}", said(&after));
    let said_after = String::from_utf8_lossy(&after.stdout);
    assert!(
        said_after.starts_with("example.com/Shout v0.1.0\n"),
        "{said_after}"
    );
    drop(reader);
    let log = sh(athens, "cat /var/log/offgo/audit.log");
    assert!(
        log.contains(&format!("Athens at {ATHENS_STORAGE} preloaded")),
        "{log}"
    );

    let (verified, code) = run(st, inv, "athens-01", &["verify", "--modcache"]);
    assert_eq!(code, 0, "{verified:#}");
    let athens_check = verified["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "athens")
        .cloned();
    assert_eq!(
        athens_check.as_ref().map(|c| c["ok"].clone()),
        Some(Value::Bool(true)),
        "{verified:#}"
    );
    athens
        .flip_byte(&format!(
            "{ATHENS_STORAGE}/example.com/Shout/v0.1.0/source.zip"
        ))
        .unwrap();
    let (tampered, code) = run(st, inv, "athens-01", &["verify", "--modcache"]);
    assert_eq!(code, 1, "{tampered:#}");
    assert_eq!(tampered["step"], "athens", "{tampered:#}");
    assert!(
        tampered["error"]
            .as_str()
            .unwrap()
            .contains("example.com/Shout/v0.1.0/source.zip"),
        "{tampered:#}"
    );
    // A push repairs the one version, whole, and leaves the others.
    let (repaired, code) = run(
        st,
        inv,
        "athens-01",
        &["push", "--bundle", bundle.to_str().unwrap()],
    );
    assert_eq!(code, 0, "{repaired:#}");
    assert!(
        repaired["notes"]
            .to_string()
            .contains("1 module version(s) written, 2 already there"),
        "{repaired:#}"
    );
    let (verified, code) = run(st, inv, "athens-01", &["verify", "--modcache"]);
    assert_eq!(code, 0, "{verified:#}");
}

/// tests/support/athens_reader.py on a host's loopback port: a stand-in that reads Athens'
/// disk storage as Athens' pkg/storage/fs does — not Athens (see docs/modcache.md). Stopped by
/// its pid on drop.
struct Reader<'a> {
    host: &'a HostHandle,
    pid: String,
    port: u16,
}

impl<'a> Reader<'a> {
    fn start(host: &'a HostHandle) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        host.write_file(
            "/opt/work/athens_reader.py",
            include_bytes!("support/athens_reader.py"),
        )
        .unwrap();
        // Detached whole (its own session, stdio to a log): the SSH command returns at once.
        let pid = sh(
            host,
            &format!(
                "setsid python3 /opt/work/athens_reader.py {ATHENS_STORAGE} {port} \
                 </dev/null >/opt/work/athens_reader.log 2>&1 & echo $!"
            ),
        );
        let reader = Self { host, pid, port };
        // Ready when it accepts a connection (bounded: a reader that never listens fails here).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                std::time::Instant::now() < deadline,
                "the reader never listened: {}",
                sh(host, "cat /opt/work/athens_reader.log")
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        reader
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        let _ = self.host.exec(&format!("kill {}", self.pid));
    }
}

/// On `host`, `go build ./...` of a module that needs example.com/Shout v0.1.0, with the reader
/// on `port` as its only source: `GOPROXY` names only it, `GOSUMDB=off`, `GOTOOLCHAIN=local`,
/// `GOVCS=*:off` (no direct fetch from a repository), a fresh module cache (`label`). The build
/// then can reach nothing but that port for modules; the failure before the preload proves the
/// modules come from there.
fn proxied_build(host: &HostHandle, port: u16, label: &str) -> Output {
    host.write_file(
        "/opt/work/shout-app/go.mod",
        b"module example.com/shoutapp\n\ngo 1.22\n\nrequire example.com/Shout v0.1.0\n",
    )
    .unwrap();
    host.write_file(
        "/opt/work/shout-app/app.go",
        b"package app\n\nimport \"example.com/Shout\"\n\n// Greeting is the dependency's.\nfunc Greeting() string { return shout.Hello() }\n",
    )
    .unwrap();
    exec(
        host,
        &format!(
            "cd /opt/work/shout-app && rm -f go.sum && env -i PATH=/usr/bin:/bin \
             HOME=/opt/work/home GOCACHE=/opt/work/gocache GOMODCACHE=/opt/work/athens-{label} \
             GOTOOLCHAIN=local GOPROXY=http://127.0.0.1:{port} GOSUMDB=off GOVCS='*:off' \
             GOFLAGS=-mod=mod CGO_ENABLED=0 sh -c \
             'go=/usr/local/go/bin/go; $go build ./... && $go list -m example.com/Shout'"
        ),
    )
}
