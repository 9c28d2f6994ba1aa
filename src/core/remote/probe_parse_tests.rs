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
