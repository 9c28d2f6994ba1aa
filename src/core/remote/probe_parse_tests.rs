//! Probe-parser tests on recorded outputs, including garbage. The first sample was recorded
//! from the real script run by `sh`; the others are edited from it.

use super::*;

const HEALTHY: &str = "offgo_probe=1
fingerprint=1234 567
arch=x86_64
go_root_kind=symlink
go_root_target=/opt/offgo/releases/go1.22.10/go
go_version_output=go version go1.22.10 linux/amd64
go_version_file=go1.22.10
state_json={  \"current\": \"go1.22.10\",  \"previous\": \"go1.21.13\",  \"history\": [] }
free_kb=79019364
auditd=running
bin=/opt/app/bin/healthy
bin_static=/opt/app/bin/script.sh
bin_missing=/srv/*/bin/*
audit_lines=2
audit_size=25
audit_begin
{\"ts\":\"x\"}
line2 \u{1} weird

audit_end
probe_end=1
";

fn parse(text: &str) -> Result<ProbeOutput, ProbeParseError> {
    match parse_probe_output(text.as_bytes())? {
        ProbeReply::Full(out) => Ok(out),
        other => panic!("expected a full probe, got {other:?}"),
    }
}

#[test]
fn healthy_host() {
    let out = parse(HEALTHY).unwrap();
    let f = &out.facts;
    assert_eq!(out.fingerprint, "1234 567");
    assert_eq!(f.arch, "x86_64");
    assert_eq!(
        f.go_root_kind,
        GoRootKind::Symlink {
            target: "/opt/offgo/releases/go1.22.10/go".into()
        }
    );
    assert_eq!(f.go_version().as_deref(), Some("go1.22.10"));
    assert!(f.go_runs());
    assert_eq!(
        f.state,
        StateRead::Parsed(OffgoState {
            current: Some("go1.22.10".into()),
            previous: Some("go1.21.13".into()),
            history: vec![],
            go_env: None,
        })
    );
    assert_eq!(f.free_bytes, Some(79019364 * 1024));
    assert!(f.auditd_running);
    assert_eq!(
        f.binaries,
        vec![
            BinaryCheck {
                path: "/opt/app/bin/healthy".into(),
                status: BinaryStatus::Ok
            },
            BinaryCheck {
                path: "/opt/app/bin/script.sh".into(),
                status: BinaryStatus::NotDynamic
            },
            BinaryCheck {
                path: "/srv/*/bin/*".into(),
                status: BinaryStatus::NoMatch
            },
        ]
    );
    assert_eq!(
        out.audit_log,
        AuditLogRead::Present {
            bytes: b"{\"ts\":\"x\"}\nline2 \x01 weird\n".to_vec(),
            lines: 2,
            truncated: false
        }
    );
}

#[test]
fn ldd_gaps_are_collected_per_binary() {
    let text = HEALTHY.replace(
        "bin=/opt/app/bin/healthy\n",
        "bin=/opt/app/bin/healthy\nbin=/opt/app/bin/report\ngap=/opt/app/bin/report\t\tlibofgo.so.1 => not found\n\
         gap=/opt/app/bin/report\t\tlibssl.so.9 => not found\n",
    );
    let out = parse(&text).unwrap();
    assert_eq!(
        out.facts.binaries[1],
        BinaryCheck {
            path: "/opt/app/bin/report".into(),
            status: BinaryStatus::Gaps(vec!["libofgo.so.1".into(), "libssl.so.9".into()])
        }
    );
    assert_eq!(out.facts.binaries[0].status, BinaryStatus::Ok);
}

#[test]
fn hand_installed_go_and_no_state() {
    let text = HEALTHY
        .replace("go_root_kind=symlink\ngo_root_target=/opt/offgo/releases/go1.22.10/go\n", "go_root_kind=dir\n")
        .replace("state_json={  \"current\": \"go1.22.10\",  \"previous\": \"go1.21.13\",  \"history\": [] }\n", "");
    let out = parse(&text).unwrap();
    assert_eq!(out.facts.go_root_kind, GoRootKind::Directory);
    assert_eq!(out.facts.state, StateRead::Absent);
}

#[test]
fn go_absent() {
    let text = "offgo_probe=1\narch=aarch64\ngo_root_kind=missing\nfree_kb=\nauditd=not_running\naudit=missing\nprobe_end=1\n";
    let out = parse(text).unwrap();
    assert_eq!(out.facts.go_version(), None);
    assert_eq!(out.facts.free_bytes, None);
    assert_eq!(out.audit_log, AuditLogRead::Missing);
}

#[test]
fn broken_go_binary_falls_back_to_version_file() {
    let text = HEALTHY.replace(
        "go_version_output=go version go1.22.10 linux/amd64",
        "go_version_output=/usr/local/go/bin/go: cannot execute binary file: Exec format error",
    );
    let f = parse(&text).unwrap().facts;
    assert!(!f.go_runs());
    assert_eq!(f.go_version().as_deref(), Some("go1.22.10"));
}

#[test]
fn invalid_state_json_is_kept_not_fatal() {
    let text = HEALTHY.replace("state_json={  \"current\"", "state_json={ current");
    assert!(matches!(
        parse(&text).unwrap().facts.state,
        StateRead::Invalid { .. }
    ));
}

#[test]
fn audit_bytes_that_look_like_keys_stay_audit_bytes() {
    let evil = "probe_end=1\naudit=missing\n";
    let text = HEALTHY
        .replace("audit_size=25", &format!("audit_size={}", evil.len()))
        .replace("{\"ts\":\"x\"}\nline2 \u{1} weird\n", evil);
    let out = parse(&text).unwrap();
    assert_eq!(
        out.audit_log,
        AuditLogRead::Present {
            bytes: evil.as_bytes().to_vec(),
            lines: 2,
            truncated: false
        }
    );
}

#[test]
fn garbage_is_an_error_never_a_panic() {
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "no output"),
        ("Welcome to prod!\n".into(), "does not start"),
        (HEALTHY[..HEALTHY.len() - 12].into(), "truncated"),
        (
            HEALTHY.replace("audit_size=25", "audit_size=9999"),
            "cut short",
        ),
        (
            HEALTHY.replace("audit_size=25", "audit_size=x"),
            "not a number",
        ),
        (
            HEALTHY.replace("audit_size=25", "audit_size=3"),
            "audit_end",
        ),
        (
            HEALTHY.replace("audit_size=25\n", ""),
            "audit_begin without",
        ),
        (
            HEALTHY.replace("go_root_kind=symlink", "go_root_kind=weird"),
            "unknown go_root_kind",
        ),
        (
            HEALTHY.replace("go_root_kind=symlink\n", ""),
            "go_root_kind missing",
        ),
        (
            HEALTHY.replace("arch=x86_64", "no equals sign here"),
            "without `=`",
        ),
        (
            HEALTHY.replace("bin_static=", "gap=/x\tlib\nbin_static="),
            "not listed",
        ),
        (
            HEALTHY.replace("bin_static=", "gap=/opt/app/bin/healthy\nbin_static="),
            "without a tab",
        ),
    ];
    for (text, expected) in cases {
        let err = parse(&text).expect_err(expected);
        assert!(
            err.reason.contains(expected),
            "{expected:?} not in {:?}",
            err.reason
        );
    }
    // Arbitrary bytes, cut at every length: never a panic.
    let bytes = HEALTHY.as_bytes();
    for n in 0..bytes.len() {
        let _ = parse_probe_output(&bytes[..n]);
    }
    let _ = parse_probe_output(&[0xff, 0xfe, b'\n', 0, 0]);
}

#[test]
fn unknown_keys_from_a_newer_probe_are_ignored() {
    let text = HEALTHY.replace("auditd=running\n", "auditd=running\nselinux=enforcing\n");
    assert!(parse(&text).is_ok());
}

#[test]
fn version_parsing() {
    assert_eq!(
        version_from_go_version("go version go1.21.13 linux/amd64").as_deref(),
        Some("go1.21.13")
    );
    assert_eq!(
        version_from_go_version("go version devel go1.23-abc linux/amd64").as_deref(),
        Some("devel")
    );
    assert_eq!(version_from_go_version("bash: go: command not found"), None);
    assert_eq!(version_from_go_version("go version"), None);
}

#[test]
fn unchanged_reply_parses() {
    // What the script prints when its fingerprint matches: nothing else is read.
    let text = "offgo_probe=1\nfingerprint=99 12\nunchanged=1\nprobe_end=1\n";
    assert_eq!(
        parse_probe_output(text.as_bytes()).unwrap(),
        ProbeReply::Unchanged {
            fingerprint: "99 12".into(),
        }
    );
}

/// The app lines of a probe with no Go and no audit log.
fn with_apps(lines: &str) -> Result<ProbeOutput, ProbeParseError> {
    parse(&format!(
        "offgo_probe=1\ngo_root_kind=missing\n{lines}audit=missing\nprobe_end=1\n"
    ))
}

#[test]
fn app_lines_belong_to_the_app_above_them_and_health_to_its_name() {
    use crate::core::app::{AppLink, HealthRead};
    let out = with_apps(
        "app_health=svc failed\napp_health_output=svc HTTP 503\napp_health=gone ok\n\
         app=svc\napp_link=releases/1.2.0\napp_bin=/opt/offgo/apps/svc/current/bin/svc\n\
         app_gap=/opt/offgo/apps/svc/current/bin/svc\t\tlibssl.so.3 => not found\n\
         app=cli\napp_bin_static=/opt/offgo/apps/cli/current/bin/cli\n",
    )
    .unwrap();
    let apps = &out.facts.apps;
    assert_eq!(apps.len(), 2);
    assert_eq!(apps[0].link, AppLink::Release("1.2.0".into()));
    assert_eq!(
        apps[0].binary,
        Some(BinaryStatus::Gaps(vec!["libssl.so.3".into()]))
    );
    assert_eq!(apps[0].health, Some(HealthRead::Failed("HTTP 503".into())));
    assert_eq!(apps[1].binary, Some(BinaryStatus::NotDynamic));
    assert_eq!(apps[1].health, None);
    assert!(out.facts.binaries.is_empty(), "apps are not check_binaries");
}

#[test]
fn bad_app_lines_are_errors_never_panics() {
    for (lines, why) in [
        ("app=Bad Name\n", "app name"),
        ("app=../etc\n", "app name"),
        ("app_link=x\n", "before any app"),
        ("app=a\napp=a\n", "twice"),
        ("app_health=a maybe\n", "unknown app_health"),
        ("app_health_output=a x\n", "before app_health"),
        (
            "app=a\napp_gap=/x\t\tlib => not found\n",
            "not listed as dynamic",
        ),
        ("app=a\napp_bin=/x\napp_gap=no tab\n", "without a tab"),
    ] {
        let error = with_apps(lines).unwrap_err();
        assert!(error.reason.contains(why), "{lines:?}: {error}");
    }
    let many: String = (0..=crate::core::app::MAX_APPS)
        .map(|i| format!("app=a{i}\n"))
        .collect();
    assert!(with_apps(&many).unwrap_err().reason.contains("more than"));
}

#[test]
fn a_huge_health_line_is_cut_and_huge_files_are_invalid() {
    use crate::core::app::{AppStateRead, HealthRead, ManifestRead};
    let out = with_apps(&format!(
        "app_health=a failed\napp_health_output=a {}\napp=a\napp_state={}\napp_manifest={}\n",
        "\u{1b}[2J".repeat(10_000),
        "x".repeat(20_000),
        "y".repeat(70_000)
    ))
    .unwrap();
    let app = &out.facts.apps[0];
    let Some(HealthRead::Failed(said)) = &app.health else {
        panic!("{:?}", app.health)
    };
    assert_eq!(said.chars().count(), crate::core::app::MAX_HEALTH_OUTPUT);
    assert!(matches!(app.state, AppStateRead::Invalid { .. }));
    assert!(matches!(app.manifest, ManifestRead::Invalid { .. }));
}

/// go_env_service_extra drops from the service view only the keys the probe may add for
/// itself (GOVERSION, GOHOSTOS, GOHOSTARCH), never one of the inventory's.
#[test]
fn service_extra_drops_only_the_probe_s_own_keys() {
    let out = "offgo_probe=1\ngo_root_kind=dir\n\
        go_env_service={\\n\t\"GOPROXY\": \"off\",\\n\t\"GOVERSION\": \"go1.22.10\"\\n}\n\
        go_env_service_extra=GOVERSION GOPROXY\naudit=missing\nprobe_end=1\n";
    let ProbeReply::Full(p) = parse_probe_output(out.as_bytes()).unwrap() else {
        panic!("full probe expected")
    };
    let Some(crate::core::goenv::ViewRead::Read(map)) = &p.facts.go_env.service else {
        panic!("{:?}", p.facts.go_env.service)
    };
    assert_eq!(map.keys().collect::<Vec<_>>(), ["GOPROXY"]);
}
