use proptest::prelude::*;

use super::*;
use crate::core::audit::AuditSummary;
use crate::core::engine::{ArtifactKind, LddGap};
use crate::core::remote::probe::{GoRootKind, ProbeFacts, StateRead};
use crate::core::ssh::ErrorKind;

const MIB: u64 = 1024 * 1024;

fn bundle(arch: &str) -> PushFacts<'_> {
    PushFacts {
        kind: ArtifactKind::GoRelease,
        version: "go1.23.4",
        arch,
        size: 70 * MIB,
        sha256: "ab",
        file_count: 1,
        unpacked_size: Some(250 * MIB),
    }
}

fn healthy(free: u64) -> HostReport {
    HostReport {
        name: "web-01".into(),
        address: "10.0.3.11".into(),
        port: 22,
        reachable: true,
        error_kind: None,
        error: None,
        go_version: Some("go1.22.10".into()),
        go_root: "/usr/local/go".into(),
        ldd_gaps: Vec::new(),
        audit: AuditSummary {
            status: AuditStatus::Ok,
            entries: 3,
            last_action: Some("push".into()),
            detail: None,
        },
        offgo: None,
        arch: Some("x86_64".into()),
        latency_ms: Some(10),
        via: Vec::new(),
        privilege: None,
        athens: None,
        hint: None,
        facts: Some(ProbeFacts {
            arch: "x86_64".into(),
            go_root_kind: GoRootKind::Directory,
            go_version_output: None,
            go_version_file: None,
            state: StateRead::Absent,
            free_bytes: Some(free),
            auditd_running: false,
            binaries: Vec::new(),
            go_env: Default::default(),
            helper_sha256: None,
            go_shims: Vec::new(),
            apps: Vec::new(),
            athens_bundle: None,
        }),
        raw_output: None,
        go_env: None,
        go_env_drift: Vec::new(),
        go_shims: Vec::new(),
        apps: Vec::new(),
    }
}

fn kinds(w: &[Warning]) -> Vec<WarningKind> {
    w.iter().map(|w| w.kind).collect()
}

#[test]
fn a_healthy_host_with_room_predicts_nothing() {
    assert_eq!(predict(Some(&healthy(10 << 30)), &bundle("amd64")), vec![]);
}

#[test]
fn never_probed_says_so() {
    let w = predict(None, &bundle("amd64"));
    assert_eq!(kinds(&w), vec![WarningKind::NotProbed]);
    assert!(w[0].detail.contains("not probed yet"));
    assert!(!w[0].kind.fails());
}

#[test]
fn unreachable_and_probe_failures_say_the_error_and_nothing_else() {
    let mut r = healthy(1);
    r.reachable = false;
    r.error_kind = Some(ErrorKind::Refused);
    r.error = Some("127.0.0.1:2201 refused the connection".into());
    r.facts = None;
    r.ldd_gaps = vec![LddGap {
        binary: "/opt/app/bin/x".into(),
        missing: vec!["liby.so".into()],
    }];
    let w = predict(Some(&r), &bundle("amd64"));
    assert_eq!(kinds(&w), vec![WarningKind::Unreachable]);
    assert_eq!(
        w[0].detail,
        "unreachable: 127.0.0.1:2201 refused the connection"
    );
    r.reachable = true;
    r.error_kind = Some(ErrorKind::CommandFailed);
    let w = predict(Some(&r), &bundle("amd64"));
    assert_eq!(kinds(&w), vec![WarningKind::ProbeFailed]);
    assert!(w[0].kind.fails());
}

#[test]
fn free_space_is_judged_like_the_preflight() {
    // 250 MiB tree, 70 MiB upload.
    let w = predict(Some(&healthy(20 * MIB)), &bundle("amd64"));
    assert_eq!(kinds(&w), vec![WarningKind::DiskSpace]);
    assert_eq!(w[0].detail, "disk full: releases need 250 MiB, 20 MiB free");
    let w = predict(Some(&healthy(300 * MIB)), &bundle("amd64"));
    assert_eq!(
        w[0].detail,
        "disk tight: 300 MiB free, 320 MiB needed if incoming/ shares the filesystem"
    );
    assert!(predict(Some(&healthy(320 * MIB)), &bundle("amd64")).is_empty());
    let mut unknown = healthy(0);
    unknown.facts.as_mut().unwrap().free_bytes = None;
    assert!(predict(Some(&unknown), &bundle("amd64")).is_empty());
    // Without the manifest's figure the tree is guessed as the preflight guesses it.
    let guess = PushFacts {
        unpacked_size: None,
        ..bundle("amd64")
    };
    let w = predict(Some(&healthy(349 * MIB)), &guess);
    assert_eq!(
        w[0].detail,
        "disk full: releases need 350 MiB, 349 MiB free"
    );
}

#[test]
fn audit_trouble_but_not_a_missing_log() {
    for (status, warned) in [
        (AuditStatus::Ok, false),
        (AuditStatus::Missing, false),
        (AuditStatus::Tampered, true),
        (AuditStatus::Diverged, true),
        (AuditStatus::Unreadable, true),
    ] {
        let mut r = healthy(10 << 30);
        r.audit.status = status;
        r.audit.detail = Some("line 7: prev does not match".into());
        let w = predict(Some(&r), &bundle("amd64"));
        assert_eq!(!w.is_empty(), warned, "{status:?}");
        if warned {
            assert_eq!(
                w[0].detail,
                format!("audit log {}: line 7: prev does not match", status.as_str())
            );
        }
    }
}

#[test]
fn a_module_cache_fits_every_architecture() {
    let mut r = healthy(10 << 30);
    r.arch = Some("aarch64".into());
    let cache = PushFacts {
        kind: ArtifactKind::Modcache,
        arch: "",
        ..bundle("")
    };
    assert!(predict(Some(&r), &cache).is_empty());
}

#[test]
fn wrong_arch_and_existing_gaps_are_named() {
    let mut r = healthy(10 << 30);
    r.arch = Some("aarch64".into());
    r.ldd_gaps = vec![LddGap {
        binary: "/opt/app/bin/invoicer".into(),
        missing: vec!["libledger.so.1".into(), "libz.so.1".into()],
    }];
    let w = predict(Some(&r), &bundle("amd64"));
    assert_eq!(kinds(&w), vec![WarningKind::Arch, WarningKind::LddGap]);
    assert_eq!(
        w[0].detail,
        "architecture: the bundle is amd64 but the host is aarch64"
    );
    assert!(w[1].detail.starts_with(
        "ldd gap already there: /opt/app/bin/invoicer needs libledger.so.1, libz.so.1"
    ));
    assert!(!w[1].kind.fails());
    assert!(predict(Some(&r), &bundle("arm64"))
        .iter()
        .all(|w| w.kind != WarningKind::Arch));
}

proptest! {
    /// Whatever the probe says, the prediction never panics, a failed probe predicts exactly
    /// one thing, and the disk warning appears exactly when the tree does not fit.
    #[test]
    fn prediction_is_total_and_consistent(
        free in proptest::option::of(any::<u64>()),
        size in any::<u64>(),
        unpacked in proptest::option::of(any::<u64>()),
        arch in "[a-z0-9_]{0,8}",
        failed in any::<bool>(),
        gaps in 0usize..4,
    ) {
        let b = PushFacts { size, unpacked_size: unpacked, ..bundle("amd64") };
        let mut r = healthy(0);
        r.facts.as_mut().unwrap().free_bytes = free;
        r.arch = Some(arch);
        r.ldd_gaps = (0..gaps)
            .map(|i| LddGap { binary: format!("/b{i}"), missing: vec!["l".into()] })
            .collect();
        if failed {
            r.error_kind = Some(ErrorKind::Timeout);
            r.reachable = false;
        }
        let w = predict(Some(&r), &b);
        if failed {
            prop_assert_eq!(kinds(&w), vec![WarningKind::Unreachable]);
        } else {
            let disk = w.iter().any(|w| w.kind == WarningKind::DiskSpace);
            let tight = free.is_some_and(|f| f < b.unpacked_estimate().saturating_add(size));
            prop_assert_eq!(disk, tight);
            prop_assert_eq!(w.iter().filter(|w| w.kind == WarningKind::LddGap).count(), gaps);
        }
    }
}

#[test]
fn a_set_without_the_host_s_arch_predicts_the_pre_flight_refusal_once() {
    let mut report = healthy(10 << 30);
    report.arch = Some("riscv64".into());
    let warnings = predict_missing_arch(&report, &bundle("amd64, arm64"));
    assert_eq!(kinds(&warnings), vec![WarningKind::Arch]);
    assert_eq!(
        warnings[0].detail,
        "architecture: the bundle set has no bundle for riscv64 (it holds amd64, arm64): refused at pre-flight"
    );
    // Other trouble is still predicted, as for any member of the set.
    report.facts.as_mut().unwrap().free_bytes = Some(MIB);
    let full = predict_missing_arch(&report, &bundle("amd64, arm64"));
    assert_eq!(
        kinds(&full),
        vec![WarningKind::Arch, WarningKind::DiskSpace]
    );
}
