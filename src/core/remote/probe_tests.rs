//! The real probe script run by this machine's `sh` against scratch trees, and parsed: every
//! inventory value quoted, each binary's ldd verdict, the audit log's tail, forged keys.

use super::*;
use crate::core::remote::probe_apps::{AppPaths, AppProbe};

#[test]
fn script_quotes_every_inventory_value() {
    let paths = RemotePaths {
        go_root: "/usr/local/go'; touch /tmp/pwned; '".into(),
        ..RemotePaths::default()
    };
    let script = probe_script(
        &paths,
        &["/opt/it's here/*".to_string(), "$(reboot)".to_string()],
        &[],
        Some("1 2'"),
    );
    assert!(script.contains(r#"known_fingerprint='1 2'\''"#));
    assert!(script.contains(r#"go_root='/usr/local/go'\''; touch /tmp/pwned; '\'''"#));
    assert!(script.contains(r#"set -- '/opt/it'\''s here/*' '$(reboot)'"#));
}

/// Runs the real script with `sh` on this machine against a scratch tree, and parses it.
#[test]
fn the_real_script_runs_and_parses_locally() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::copy("/bin/ls", root.join("bin/dynamic")).unwrap();
    std::fs::write(root.join("bin/with space.sh"), "#!/bin/sh\n").unwrap();
    std::fs::create_dir_all(root.join("log")).unwrap();
    std::fs::write(root.join("log/audit.log"), "a\nb\n").unwrap();
    let paths = RemotePaths {
        go_root: root.join("go").display().to_string(),
        releases_dir: root.join("releases/deeper").display().to_string(),
        state_dir: root.join("state").display().to_string(),
        audit_log: root.join("log/audit.log").display().to_string(),
        profile_script: root.join("profile.sh").display().to_string(),
        athens_storage: None,
        host_tools: Default::default(),
    };
    let script = probe_script(&paths, &[format!("{}/bin/*", root.display())], &[], None);
    let run = |script: &str| -> Vec<u8> {
        let mut child = std::process::Command::new("sh")
            .arg("-s")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(script.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap().stdout
    };
    let ProbeReply::Full(parsed) = parse_probe_output(&run(&script)).unwrap() else {
        panic!("full probe expected")
    };
    assert_eq!(parsed.facts.go_root_kind, GoRootKind::Missing);
    assert!(
        parsed.facts.free_bytes.unwrap() > 0,
        "free space of the nearest existing parent"
    );
    let statuses: Vec<_> = parsed
        .facts
        .binaries
        .iter()
        .map(|b| (b.path.rsplit('/').next().unwrap(), &b.status))
        .collect();
    assert_eq!(
        statuses,
        vec![
            ("dynamic", &BinaryStatus::Ok),
            ("with space.sh", &BinaryStatus::NotDynamic)
        ]
    );
    assert_eq!(
        parsed.audit_log,
        AuditLogRead::Present {
            bytes: b"a\nb\n".to_vec(),
            lines: 2,
            truncated: false
        }
    );

    // The same host again, with the fingerprint it just gave: unchanged.
    let bins = [format!("{}/bin/*", root.display())];
    let again = probe_script(&paths, &bins, &[], Some(&parsed.fingerprint));
    match parse_probe_output(&run(&again)).unwrap() {
        ProbeReply::Unchanged { fingerprint, .. } => assert_eq!(fingerprint, parsed.fingerprint),
        other => panic!("expected unchanged, got {other:?}"),
    }
    // Any change to what the probe reads means a full probe: the audit log grows…
    std::fs::write(root.join("log/audit.log"), "a\nb\nc\n").unwrap();
    let ProbeReply::Full(grown) = parse_probe_output(&run(&again)).unwrap() else {
        panic!("a grown audit log is a change")
    };
    let latest = probe_script(&paths, &bins, &[], Some(&grown.fingerprint));
    assert!(matches!(
        parse_probe_output(&run(&latest)).unwrap(),
        ProbeReply::Unchanged { .. }
    ));
    // …or a new binary appears.
    std::fs::write(root.join("bin/new"), "#!/bin/sh\n").unwrap();
    assert!(matches!(
        parse_probe_output(&run(&latest)).unwrap(),
        ProbeReply::Full(_)
    ));
}

/// Runs a probe script with this machine's `sh`; it must give a full probe.
fn run_full(script: &str) -> ProbeOutput {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap();
    match parse_probe_output(&out.stdout).unwrap() {
        ProbeReply::Full(parsed) => parsed,
        other => panic!("full probe expected, got {other:?}"),
    }
}

/// Every remote path inside `dir`, the audit log named `audit`.
fn paths_in(dir: &std::path::Path, audit: &str) -> RemotePaths {
    let path = |name: &str| dir.join(name).display().to_string();
    RemotePaths {
        go_root: path("go"),
        releases_dir: path("releases"),
        state_dir: path("state"),
        audit_log: path(audit),
        profile_script: path("profile.sh"),
        athens_storage: None,
        host_tools: Default::default(),
    }
}

/// Both ways of asking ldd give each binary its own verdict: the host's loaders directly (read
/// from glibc's ldd script), and ldd itself, run once for all binaries (any other ldd; with a
/// single file it prints no `FILE:` header, with several it heads each). Names with spaces,
/// colons or a leading dash keep their own verdicts.
#[test]
fn each_binary_gets_its_own_ldd_verdict_either_way() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let paths = paths_in(dir.path(), "audit.log");
    let direct = probe_script(&paths, &[], &[], None);
    assert!(direct.contains("for l in /usr/bin/ldd /bin/ldd; do"));
    let verdicts = |globs: &[String], via_ldd: bool| -> Vec<(String, BinaryStatus)> {
        let mut script = probe_script(&paths, globs, &[], None);
        if via_ldd {
            script = script.replace("for l in /usr/bin/ldd /bin/ldd; do", "for l in; do");
        }
        let parsed = run_full(&script);
        let mut found: Vec<_> = parsed
            .facts
            .binaries
            .into_iter()
            .map(|b| (b.path.rsplit('/').next().unwrap().to_string(), b.status))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    };
    std::fs::copy("/bin/ls", bin.join("-dash: dynamic")).unwrap();
    let only = [bin.join("-dash: dynamic").display().to_string()];
    std::fs::write(bin.join("a script"), "#!/bin/sh\n").unwrap();
    std::fs::copy("/bin/ls", bin.join("z")).unwrap();
    // `gappy` needs libgone.so.1, which is then removed: ldd says `not found`.
    let lib = dir.path().join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(lib.join("gone.c"), "int gone(void){return 0;}\n").unwrap();
    std::fs::write(
        lib.join("main.c"),
        "int gone(void); int main(void){return gone();}\n",
    )
    .unwrap();
    let gcc = |args: &[&str]| {
        let ok = std::process::Command::new("gcc")
            .current_dir(&lib)
            .args(args)
            .status()
            .expect("gcc (scripts/test installs it)");
        assert!(ok.success());
    };
    gcc(&[
        "-shared",
        "-fPIC",
        "-o",
        "libgone.so.1",
        "gone.c",
        "-Wl,-soname,libgone.so.1",
    ]);
    let gappy = bin.join("gappy").display().to_string();
    gcc(&["-o", &gappy, "main.c", "-L.", "-l:libgone.so.1"]);
    std::fs::remove_file(lib.join("libgone.so.1")).unwrap();
    let all = [
        format!("{}/*", bin.display()),
        dir.path().join("absent").display().to_string(),
    ];
    for via_ldd in [false, true] {
        assert_eq!(
            verdicts(&only, via_ldd),
            vec![("-dash: dynamic".to_string(), BinaryStatus::Ok)],
            "via ldd: {via_ldd}"
        );
        assert_eq!(
            verdicts(&all, via_ldd),
            vec![
                ("-dash: dynamic".to_string(), BinaryStatus::Ok),
                ("a script".to_string(), BinaryStatus::NotDynamic),
                ("absent".to_string(), BinaryStatus::NoMatch),
                (
                    "gappy".to_string(),
                    BinaryStatus::Gaps(vec!["libgone.so.1".to_string()])
                ),
                ("z".to_string(), BinaryStatus::Ok),
            ],
            "via ldd: {via_ldd}"
        );
    }
}

/// The audit log as the real script reads it: whole (its size from the fingerprint's `stat`, its
/// lines counted here), cut to the last `audit_cap` bytes of a longer log (lines counted on the
/// host), and under a name `stat` must quote (size and lines from `wc`).
#[test]
fn the_audit_log_is_read_whole_cut_or_counted_on_the_host() {
    let dir = tempfile::tempdir().unwrap();
    let read = |name: &str, cap: Option<u64>| -> AuditLogRead {
        let paths = paths_in(dir.path(), name);
        let mut script = probe_script(&paths, &[], &[], None);
        if let Some(cap) = cap {
            script = script.replace(
                &format!("audit_cap={AUDIT_FETCH_CAP}\n"),
                &format!("audit_cap={cap}\n"),
            );
        }
        let parsed = run_full(&script);
        parsed.audit_log
    };
    let log = b"one\ntwo\nthree\n";
    std::fs::write(dir.path().join("audit.log"), log).unwrap();
    std::fs::write(dir.path().join("it's audit.log"), log).unwrap();
    let whole = AuditLogRead::Present {
        bytes: log.to_vec(),
        lines: 3,
        truncated: false,
    };
    assert_eq!(read("audit.log", None), whole);
    assert_eq!(read("it's audit.log", None), whole);
    let cut = AuditLogRead::Present {
        bytes: b"three\n".to_vec(),
        lines: 3,
        truncated: true,
    };
    assert_eq!(read("audit.log", Some(6)), cut);
    assert_eq!(read("it's audit.log", Some(6)), cut);
}

/// Host content cannot forge probe keys: a symlink target, a `go version` line, a VERSION file,
/// a state.json and a checked file's name, each holding newlines and fake `gap=`, `audit=`,
/// `probe_end=1` lines, stay inside their own values (the real script, run by `sh`).
#[test]
fn host_content_with_newlines_cannot_forge_keys() {
    let dir = tempfile::tempdir().unwrap();
    let paths = paths_in(dir.path(), "audit.log");
    let forged = "\nbin=/fake\ngap=/fake\tlibx.so => not found\naudit=missing\nprobe_end=1\n";
    let releases = dir.path().join("releases");
    let target = releases.join(format!("go1.22.10{forged}x"));
    std::fs::create_dir_all(target.join("bin")).unwrap();
    std::os::unix::fs::symlink(&target, &paths.go_root).unwrap();
    std::fs::write(
        target.join("bin/go"),
        format!("#!/bin/sh\nprintf 'go version go1.22.10\\\\x%s' '{forged}'\n"),
    )
    .unwrap();
    std::fs::set_permissions(
        target.join("bin/go"),
        std::os::unix::fs::PermissionsExt::from_mode(0o755),
    )
    .unwrap();
    std::fs::write(target.join("VERSION"), format!("go1.22.10\\{forged}")).unwrap();
    std::fs::create_dir_all(&paths.state_dir).unwrap();
    std::fs::write(
        paths.state_file(),
        format!("{{\"current\": \"go1.22.10\",{forged}}}"),
    )
    .unwrap();
    let apps = dir.path().join("apps");
    std::fs::create_dir_all(&apps).unwrap();
    let name_forged = forged.replace('/', "");
    std::fs::write(apps.join(format!("tool{name_forged}")), "#!/bin/sh\n").unwrap();
    std::fs::write(apps.join("plain"), "#!/bin/sh\n").unwrap();
    // An audit log whose tail is a hash-chain break: a forged `audit=missing` must not hide it.
    std::fs::write(&paths.audit_log, "{\"ts\":\"x\"}\n").unwrap();

    let parsed = run_full(&probe_script(
        &paths,
        &[format!("{}/*", apps.display())],
        &[],
        None,
    ));
    let f = &parsed.facts;
    assert_eq!(
        f.go_root_kind,
        GoRootKind::Symlink {
            target: target.display().to_string()
        },
        "the target, newlines and all"
    );
    assert_eq!(
        f.go_version_output.as_deref(),
        Some("go version go1.22.10\\x"),
        "only the first line of go version's output"
    );
    assert_eq!(f.go_version_file.as_deref(), Some("go1.22.10\\"));
    assert!(
        matches!(&f.state, StateRead::Invalid { raw, .. } if raw.contains("probe_end=1")),
        "{:?}",
        f.state
    );
    let mut bins: Vec<_> = f
        .binaries
        .iter()
        .map(|b| {
            (
                b.path.rsplit('/').next().unwrap().to_string(),
                b.status.clone(),
            )
        })
        .collect();
    bins.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(
        bins,
        vec![
            ("plain".to_string(), BinaryStatus::NotDynamic),
            (format!("tool{name_forged}"), BinaryStatus::Unchecked),
        ],
        "no /fake binary, no forged gap; the newline name is flagged, not split"
    );
    assert!(
        matches!(parsed.audit_log, AuditLogRead::Present { ref bytes, .. } if bytes == b"{\"ts\":\"x\"}\n"),
        "the real audit log, not a forged `audit=missing`"
    );
}

/// An app manifest as `app build` writes it, for `name` at `version`.
fn app_manifest(name: &str, version: &str) -> String {
    use crate::core::app::{AppManifest, BuildSection};
    let manifest = AppManifest {
        format_version: 1,
        name: name.into(),
        version: version.into(),
        os: "linux".into(),
        arch: "amd64".into(),
        tarball: format!("{name}-{version}.linux-amd64.tar.gz"),
        size: 1,
        sha256: "00".repeat(32),
        file_count: 1,
        tree_digest: "11".repeat(32),
        binary: format!("bin/{name}"),
        files: vec![],
        is_static: true,
        needed: vec![],
        created: "2026-11-30T00:00:00Z".into(),
        builder: "t@jump".into(),
        build: BuildSection {
            go_version: "go1.22.10".into(),
            path: Some("example.com/svc".into()),
            vcs_revision: Some("abc123".into()),
            ..BuildSection::default()
        },
        signature: None,
    };
    toml::to_string(&manifest).unwrap()
}

/// Lays out `<apps>/<name>/releases/<version>/` (manifest, `bin/<name>` copied from `binary`),
/// `current` linking to it, and the state file.
fn install_app(paths: &RemotePaths, name: &str, version: &str, binary: &str, state: &str) {
    let dirs = AppPaths::of(paths);
    let release = format!("{}/{name}/releases/{version}", dirs.dir);
    std::fs::create_dir_all(format!("{release}/bin")).unwrap();
    std::fs::copy(binary, format!("{release}/bin/{name}")).unwrap();
    std::fs::write(
        format!("{release}/.offgo-app.toml"),
        app_manifest(name, version),
    )
    .unwrap();
    let link = format!("{}/{name}/current", dirs.dir);
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(format!("releases/{version}"), &link).unwrap();
    std::fs::create_dir_all(&dirs.state_dir).unwrap();
    std::fs::write(format!("{}/{name}.json", dirs.state_dir), state).unwrap();
}

/// The real script on a scratch app layout: each app's link, state, manifest, ldd verdict and
/// health (ok, failed with its first line, no answer in time); a directory whose name offgo
/// would never make is not an app; a health verdict that flips makes the next probe a full one.
#[test]
fn the_real_script_reports_installed_apps_and_their_health() {
    use crate::core::app::{AppLink, AppStateRead, HealthRead, ManifestRead};
    let dir = tempfile::tempdir().unwrap();
    let paths = paths_in(dir.path(), "audit.log");
    let state = |current: &str| {
        format!(r#"{{"name":"x","current":"{current}","previous":null,"history":[]}}"#)
    };
    install_app(&paths, "api", "1.1.0", "/bin/ls", &state("1.1.0"));
    // The state says 2.0.0, the link another: both are reported.
    install_app(&paths, "worker", "2.0.0", "/bin/ls", &state("2.0.0"));
    let dirs = AppPaths::of(&paths);
    std::fs::create_dir_all(format!("{}/worker/releases/1.9.0", dirs.dir)).unwrap();
    std::fs::remove_file(format!("{}/worker/current", dirs.dir)).unwrap();
    std::os::unix::fs::symlink("releases/1.9.0", format!("{}/worker/current", dirs.dir)).unwrap();
    // A script as the binary (ldd: not dynamic), a manifest with a forged key, a hostile state.
    install_app(
        &paths,
        "tool",
        "0.1",
        "/bin/sh",
        "{\"current\": \"../x\nprobe_end=1\"}",
    );
    std::fs::write(format!("{}/tool/current/bin/tool", dirs.dir), "#!/bin/sh\n").unwrap();
    std::fs::write(
        format!("{}/tool/current/.offgo-app.toml", dirs.dir),
        "format_version = 1\nevil = \"\nprobe_end=1\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(format!("{}/Not An App", dirs.dir)).unwrap();
    std::fs::create_dir_all(format!("{}/.hidden", dirs.dir)).unwrap();

    let flag = dir.path().join("healthy");
    std::fs::write(&flag, "").unwrap();
    let apps = AppProbe {
        health: vec![
            (
                "api".into(),
                format!(
                    "test -e '{}' || {{ echo 'HTTP 503\nsecond line'; exit 3; }}",
                    flag.display()
                ),
            ),
            ("worker".into(), "sleep 30".into()),
        ],
    };
    let script = |known: Option<&str>| {
        probe_script_with_apps(&paths, &[], &[], known, &apps)
            .replace("health_seconds=5\n", "health_seconds=1\n")
    };
    let parsed = run_full(&script(None));
    let by_name = |name: &str| {
        parsed
            .facts
            .apps
            .iter()
            .find(|a| a.name == name)
            .unwrap_or_else(|| panic!("{name} missing: {:?}", parsed.facts.apps))
            .clone()
    };
    let names: Vec<&str> = parsed.facts.apps.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["api", "tool", "worker"],
        "offgo's names only, in order"
    );

    let api = by_name("api");
    assert_eq!(api.link, AppLink::Release("1.1.0".into()));
    assert_eq!(api.version(), Some("1.1.0"));
    assert!(matches!(&api.state, AppStateRead::Parsed(s) if s.current.as_deref() == Some("1.1.0")));
    let manifest = api.manifest().expect("the manifest parses");
    assert_eq!(manifest.build.go_version, "go1.22.10");
    assert_eq!(api.binary, Some(BinaryStatus::Ok));
    assert_eq!(api.health, Some(HealthRead::Ok));

    let worker = by_name("worker");
    assert_eq!(worker.link, AppLink::Release("1.9.0".into()));
    assert_eq!(worker.state_current(), Some("2.0.0"));
    assert_eq!(
        worker.binary,
        Some(BinaryStatus::NoMatch),
        "1.9.0 has no binary"
    );
    assert!(
        matches!(&worker.health, Some(HealthRead::Failed(s)) if s.starts_with("no answer within 1s")),
        "{:?}",
        worker.health
    );

    let tool = by_name("tool");
    assert_eq!(tool.binary, Some(BinaryStatus::NotDynamic));
    assert!(
        matches!(tool.state, AppStateRead::Invalid { .. }),
        "{:?}",
        tool.state
    );
    assert!(
        matches!(tool.manifest, ManifestRead::Invalid { .. }),
        "{:?}",
        tool.manifest
    );
    assert_eq!(tool.health, None, "no health command configured");

    // Unchanged while the verdicts hold; the api going down is a change, with its first line.
    let again = script(Some(&parsed.fingerprint));
    assert!(matches!(
        parse_probe_output(&run_sh(&again)).unwrap(),
        ProbeReply::Unchanged { .. }
    ));
    std::fs::remove_file(&flag).unwrap();
    let down = run_full(&again);
    let api = down.facts.apps.iter().find(|a| a.name == "api").unwrap();
    assert_eq!(api.health, Some(HealthRead::Failed("HTTP 503".into())));

    // A host without `timeout` cannot bound a health command: it is not run, and says so.
    let unbounded = run_full(&script(None).replace("&& have_timeout=1", "&& have_timeout="));
    let api = unbounded
        .facts
        .apps
        .iter()
        .find(|a| a.name == "api")
        .unwrap();
    assert!(
        matches!(&api.health, Some(HealthRead::NotRun(why)) if why.contains("no `timeout`")),
        "{:?}",
        api.health
    );
}

fn run_sh(script: &str) -> Vec<u8> {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap()
        .stdout
}
