//! The probe parser (`parse_probe_output`): any bytes give facts or an error, never a panic;
//! a probe output generated from facts, with every value framed as `kv` frames it, parses
//! back to exactly those facts, whatever the values hold.

use offgo::core::app::{first_line, AppLink, AppStateRead, HealthRead, InstalledApp, ManifestRead};
use offgo::core::remote::probe::{
    parse_probe_output, AuditLogRead, BinaryCheck, BinaryStatus, GoRootKind, OffgoState,
    ProbeFacts, ProbeOutput, ProbeReply, StateRead,
};
use proptest::prelude::*;

use crate::support::{budget, hostile, hostile_bytes, kv_line, mutation};

/// Every key the parser knows, to build outputs that reach past the header.
const KEYS: &[&str] = &[
    "arch",
    "helper_sha256",
    "fingerprint",
    "unchanged",
    "go_root_kind",
    "go_root_target",
    "go_version_output",
    "go_version_file",
    "state_json",
    "state_unreadable",
    "free_kb",
    "auditd",
    "bin",
    "bin_static",
    "bin_missing",
    "gap",
    "audit",
    "audit_lines",
    "audit_truncated",
    "audit_size",
    "app",
    "app_link",
    "app_state",
    "app_state_unreadable",
    "app_manifest",
    "app_manifest_unreadable",
    "app_bin",
    "app_bin_static",
    "app_bin_missing",
    "app_gap",
    "app_health",
    "app_health_output",
];

/// A generated probe output and what it must parse to.
#[derive(Clone)]
struct Sample {
    output: Vec<u8>,
    expected: ProbeReply,
}

/// The output as text, so a failing case can be read.
impl std::fmt::Debug for Sample {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sample")
            .field("output", &String::from_utf8_lossy(&self.output))
            .field("expected", &self.expected)
            .finish()
    }
}

fn go_root_kind() -> impl Strategy<Value = GoRootKind> {
    prop_oneof![
        hostile().prop_map(|target| GoRootKind::Symlink { target }),
        Just(GoRootKind::Directory),
        Just(GoRootKind::Other),
        Just(GoRootKind::Missing),
    ]
}

/// state.json as offgo writes it: its versions are Go versions (anything else is invalid).
fn offgo_state() -> impl Strategy<Value = OffgoState> {
    let version = || {
        proptest::option::of(
            (1u32..30, 0u32..30).prop_map(|(minor, patch)| format!("go1.{minor}.{patch}")),
        )
    };
    (
        version(),
        version(),
        proptest::collection::vec(hostile().prop_map(serde_json::Value::String), 0..3),
    )
        .prop_map(|(current, previous, history)| OffgoState {
            current,
            previous,
            history,
            go_env: None,
        })
}

/// The state and the `state_*` line that reports it (none when absent).
fn state() -> impl Strategy<Value = (StateRead, Option<String>)> {
    prop_oneof![
        Just((StateRead::Absent, None)),
        Just((
            StateRead::Unreadable,
            Some(kv_line("state_unreadable", "1"))
        )),
        offgo_state().prop_map(|s| {
            let json = serde_json::to_string(&s).unwrap();
            (StateRead::Parsed(s), Some(kv_line("state_json", &json)))
        }),
        // Whatever a host's state.json holds reaches the state reader whole: it parses, or
        // is kept raw as invalid, never lost or cut by the framing.
        hostile().prop_map(|raw| {
            let read = offgo::core::remote::probe::parse_state(&raw);
            (read, Some(kv_line("state_json", &raw)))
        }),
    ]
}

/// A library name as the parser keeps it from `\tNAME => not found`.
fn library() -> impl Strategy<Value = String> {
    hostile()
        .prop_map(|s| s.trim().to_string())
        .prop_filter("` => ` ends the name", |s| !s.contains(" => "))
}

fn binary() -> impl Strategy<Value = BinaryCheck> {
    let status = prop_oneof![
        Just(BinaryStatus::Ok),
        Just(BinaryStatus::NotDynamic),
        Just(BinaryStatus::NoMatch),
        Just(BinaryStatus::Unchecked),
        proptest::collection::vec(library(), 1..3).prop_map(BinaryStatus::Gaps),
    ];
    (hostile(), status).prop_map(|(path, status)| BinaryCheck { path, status })
}

/// The lines probe.sh prints for one checked binary.
fn binary_lines(check: &BinaryCheck) -> String {
    let path = &check.path;
    match &check.status {
        BinaryStatus::Ok => kv_line("bin", path),
        BinaryStatus::NotDynamic => kv_line("bin_static", path),
        BinaryStatus::NoMatch => kv_line("bin_missing", path),
        BinaryStatus::Unchecked => kv_line("bin_unchecked", path),
        BinaryStatus::Gaps(libs) => {
            let mut out = kv_line("bin", path);
            for lib in libs {
                out.push_str(&kv_line("gap", &format!("{path}\t\t{lib} => not found")));
            }
            out
        }
    }
}

/// One installed app as the probe reads it, its health lines and its block of lines.
fn app(name: String) -> impl Strategy<Value = (InstalledApp, Vec<String>, String)> {
    let binary = prop_oneof![
        Just(None),
        Just(Some(BinaryStatus::Ok)),
        Just(Some(BinaryStatus::NotDynamic)),
        Just(Some(BinaryStatus::NoMatch)),
        proptest::collection::vec(library(), 1..3).prop_map(|l| Some(BinaryStatus::Gaps(l))),
    ];
    let health = prop_oneof![
        Just(None),
        Just(Some((HealthRead::Ok, None))),
        hostile().prop_map(|said| Some((HealthRead::Failed(first_line(&said)), Some(said)))),
    ];
    (
        proptest::option::of(hostile()),
        proptest::option::of(prop_oneof![
            hostile(),
            Just(r#"{"current":"1.2.0","previous":"1.1.0","history":[]}"#.to_string())
        ]),
        proptest::option::of(hostile()),
        binary,
        health,
    )
        .prop_map(move |(link, state, manifest, binary, health)| {
            let mut read = InstalledApp::new(name.clone());
            let mut block = kv_line("app", &name);
            if let Some(target) = link {
                read.link = AppLink::of_target(&target);
                block.push_str(&kv_line("app_link", &target));
            }
            if let Some(text) = state {
                read.state = AppStateRead::parse(&text);
                block.push_str(&kv_line("app_state", &text));
            }
            if let Some(text) = manifest {
                read.manifest = ManifestRead::parse(&text);
                block.push_str(&kv_line("app_manifest", &text));
            }
            let path = format!("/opt/offgo/apps/{name}/current/bin/{name}");
            match &binary {
                None => {}
                Some(BinaryStatus::NotDynamic) => block.push_str(&kv_line("app_bin_static", &path)),
                Some(BinaryStatus::NoMatch) => block.push_str(&kv_line("app_bin_missing", &path)),
                Some(BinaryStatus::Gaps(libs)) => {
                    block.push_str(&kv_line("app_bin", &path));
                    for lib in libs {
                        block.push_str(&kv_line(
                            "app_gap",
                            &format!("{path}\t\t{lib} => not found"),
                        ));
                    }
                }
                Some(_) => block.push_str(&kv_line("app_bin", &path)),
            }
            read.binary = binary;
            let mut health_lines = Vec::new();
            if let Some((verdict, said)) = health {
                let word = if verdict == HealthRead::Ok {
                    "ok"
                } else {
                    "failed"
                };
                health_lines.push(kv_line("app_health", &format!("{name} {word}")));
                if let Some(said) = said {
                    health_lines.push(kv_line("app_health_output", &format!("{name} {said}")));
                }
                read.health = Some(verdict);
            }
            (read, health_lines, block)
        })
}

/// A few apps with distinct names offgo would make.
fn apps() -> impl Strategy<Value = (Vec<InstalledApp>, (Vec<String>, String))> {
    proptest::collection::btree_set("[a-z0-9][a-z0-9_-]{0,8}", 0..3).prop_flat_map(|names| {
        names
            .into_iter()
            .map(app)
            .collect::<Vec<_>>()
            .prop_map(|apps| {
                let mut reads = Vec::new();
                let mut health = Vec::new();
                let mut blocks = String::new();
                for (read, h, block) in apps {
                    reads.push(read);
                    // Each app's two health lines stay in order: one unordered entry.
                    health.push(h.concat());
                    blocks.push_str(&block);
                }
                (reads, (health, blocks))
            })
    })
}

/// Audit log bytes: anything, including the lines that frame it.
fn audit_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            2 => hostile_bytes(),
            1 => proptest::sample::select(vec![
                b"\naudit_end\n".to_vec(),
                b"audit_end\n".to_vec(),
                b"probe_end=1\n".to_vec(),
                b"\n".to_vec(),
            ]),
        ],
        0..6,
    )
    .prop_map(|parts| parts.concat())
}

/// The audit log as read, and the lines that carry it.
fn audit() -> impl Strategy<Value = (AuditLogRead, String, Vec<u8>)> {
    prop_oneof![
        Just((AuditLogRead::Missing, kv_line("audit", "missing"), vec![])),
        Just((
            AuditLogRead::Unreadable,
            kv_line("audit", "unreadable"),
            vec![]
        )),
        (
            audit_bytes(),
            proptest::option::of(0usize..1_000_000),
            any::<bool>()
        )
            .prop_map(|(bytes, lines, truncated)| {
                let mut head = String::new();
                if let Some(n) = lines {
                    head.push_str(&kv_line("audit_lines", &n.to_string()));
                }
                if truncated {
                    head.push_str(&kv_line("audit_truncated", "1"));
                }
                head.push_str(&kv_line("audit_size", &bytes.len().to_string()));
                head.push_str("audit_begin\n");
                let mut block = bytes.clone();
                block.extend_from_slice(b"\naudit_end\n");
                let lines = lines.unwrap_or_else(|| bytes.iter().filter(|&&b| b == b'\n').count());
                let read = AuditLogRead::Present {
                    bytes,
                    lines,
                    truncated,
                };
                (read, head, block)
            }),
    ]
}

/// Keys a newer probe might print: ignored, whatever their values.
fn unknown_keys() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        ("[a-z_]{1,12}", hostile())
            .prop_filter("not a key the parser knows", |(k, _)| {
                !KEYS.contains(&k.as_str()) && k != "probe_end"
            })
            .prop_map(|(k, v)| kv_line(&k, &v)),
        0..3,
    )
}

/// Everything a full probe reports, before it is printed.
#[derive(Debug, Clone)]
struct Parts {
    fingerprint: String,
    facts: ProbeFacts,
    state_line: Option<String>,
    audit: (AuditLogRead, String, Vec<u8>),
    unknown: Vec<String>,
    /// The apps' lines: health lines (order-free) and each app's block.
    app_lines: (Vec<String>, String),
}

fn parts() -> impl Strategy<Value = Parts> {
    (
        (hostile(), hostile(), go_root_kind()),
        (
            proptest::option::of(hostile()),
            proptest::option::of(hostile()),
        ),
        state(),
        (proptest::option::of(0..=u64::MAX / 1024), any::<bool>()),
        proptest::collection::vec(binary(), 0..4),
        audit(),
        unknown_keys(),
        apps(),
    )
        .prop_map(
            |(
                (fingerprint, arch, go_root_kind),
                (go_version_output, go_version_file),
                (state, state_line),
                (free_kb, auditd_running),
                binaries,
                audit,
                unknown,
                (apps, app_lines),
            )| Parts {
                fingerprint,
                facts: ProbeFacts {
                    arch,
                    go_root_kind,
                    go_version_output,
                    go_version_file,
                    state,
                    free_bytes: free_kb.map(|kb| kb * 1024),
                    auditd_running,
                    binaries,
                    go_env: Default::default(),
                    helper_sha256: None,
                    go_shims: Vec::new(),
                    apps,
                    athens_bundle: None,
                },
                state_line,
                audit,
                unknown,
                app_lines,
            },
        )
}

/// The key lines whose order does not matter, as probe.sh would print them.
fn unordered_lines(p: &Parts) -> Vec<String> {
    let f = &p.facts;
    let free_kb = f
        .free_bytes
        .map(|b| (b / 1024).to_string())
        .unwrap_or_default();
    let mut lines = vec![
        kv_line("fingerprint", &p.fingerprint),
        kv_line("arch", &f.arch),
        kv_line(
            "auditd",
            if f.auditd_running {
                "running"
            } else {
                "not_running"
            },
        ),
        kv_line("free_kb", &free_kb),
    ];
    let (kind, target) = match &f.go_root_kind {
        GoRootKind::Symlink { target } => ("symlink", Some(target)),
        GoRootKind::Directory => ("dir", None),
        GoRootKind::Other => ("other", None),
        GoRootKind::Missing => ("missing", None),
    };
    lines.push(kv_line("go_root_kind", kind));
    lines.extend(target.map(|t| kv_line("go_root_target", t)));
    lines.extend(
        f.go_version_output
            .as_ref()
            .map(|v| kv_line("go_version_output", v)),
    );
    lines.extend(
        f.go_version_file
            .as_ref()
            .map(|v| kv_line("go_version_file", v)),
    );
    lines.extend(p.state_line.clone());
    lines.extend(p.unknown.iter().cloned());
    lines.extend(p.app_lines.0.iter().cloned());
    lines
}

/// A full probe output, its order-free lines in any order, then the binaries (each gap follows
/// its binary), the audit log and the end line.
fn full_sample() -> impl Strategy<Value = Sample> {
    parts().prop_flat_map(|p| {
        Just(unordered_lines(&p))
            .prop_shuffle()
            .prop_map(move |lines| {
                let mut text = String::from("offgo_probe=1\n");
                text.push_str(&lines.concat());
                for check in &p.facts.binaries {
                    text.push_str(&binary_lines(check));
                }
                text.push_str(&p.app_lines.1);
                let (audit_log, audit_head, audit_block) = p.audit.clone();
                text.push_str(&audit_head);
                let mut output = text.into_bytes();
                output.extend_from_slice(&audit_block);
                output.extend_from_slice(b"probe_end=1\n");
                Sample {
                    output,
                    expected: ProbeReply::Full(ProbeOutput {
                        fingerprint: p.fingerprint.clone(),
                        facts: p.facts.clone(),
                        audit_log,
                    }),
                }
            })
    })
}

fn unchanged_sample() -> impl Strategy<Value = Sample> {
    (hostile(), unknown_keys()).prop_map(|(fingerprint, unknown)| {
        let mut output = String::from("offgo_probe=1\n");
        output.push_str(&kv_line("fingerprint", &fingerprint));
        output.push_str(&unknown.concat());
        output.push_str("unchanged=1\nprobe_end=1\n");
        Sample {
            output: output.into_bytes(),
            expected: ProbeReply::Unchanged { fingerprint },
        }
    })
}

fn sample() -> impl Strategy<Value = Sample> {
    prop_oneof![4 => full_sample(), 1 => unchanged_sample()]
}

/// Lines of known keys with any values (numbers too big, negative, empty…), after the header.
fn key_soup() -> impl Strategy<Value = Vec<u8>> {
    let value = prop_oneof![
        hostile(),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("99999999999999999999999".to_string()),
        (0usize..64).prop_map(|n| n.to_string()),
    ];
    let line = prop_oneof![
        8 => (proptest::sample::select(KEYS), value)
            .prop_map(|(k, v)| kv_line(k, &v).into_bytes()),
        1 => Just(b"audit_begin\n".to_vec()),
        1 => hostile_bytes(),
    ];
    proptest::collection::vec(line, 0..24).prop_map(|lines| {
        let mut out = b"offgo_probe=1\n".to_vec();
        out.extend(lines.concat());
        out.extend_from_slice(b"probe_end=1\n");
        out
    })
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_bytes_parse_or_fail_without_panicking(raw in hostile_bytes()) {
        let _ = parse_probe_output(&raw);
        let mut with_header = b"offgo_probe=1\n".to_vec();
        with_header.extend_from_slice(&raw);
        let _ = parse_probe_output(&with_header);
    }

    #[test]
    fn any_values_of_known_keys_parse_or_fail_without_panicking(raw in key_soup()) {
        let _ = parse_probe_output(&raw);
    }

    #[test]
    fn an_edited_probe_output_parses_or_fails_without_panicking(
        s in sample(),
        edits in proptest::collection::vec(mutation(), 1..4),
    ) {
        let raw = edits.iter().fold(s.output, |bytes, m| m.apply(bytes));
        let _ = parse_probe_output(&raw);
    }

    #[test]
    fn framed_values_parse_back_to_the_facts(s in sample()) {
        let parsed = parse_probe_output(&s.output);
        prop_assert_eq!(parsed, Ok(s.expected), "output: {:?}", String::from_utf8_lossy(&s.output));
    }

    /// A symlink target full of probe lines changes the target and nothing else.
    #[test]
    fn forged_lines_inside_a_value_create_no_key(
        before in hostile(),
        forged in proptest::collection::vec(
            (proptest::sample::select(KEYS), hostile()).prop_map(|(k, v)| format!("{k}={v}")),
            1..4,
        ),
        after in hostile(),
    ) {
        let target = format!("{before}\n{}\nprobe_end=1\n{after}", forged.join("\n"));
        let output = [
            "offgo_probe=1\n".to_string(),
            kv_line("go_root_kind", "symlink"),
            kv_line("go_root_target", &target),
            kv_line("audit", "missing"),
            "probe_end=1\n".to_string(),
        ]
        .concat();
        let Ok(ProbeReply::Full(out)) = parse_probe_output(output.as_bytes()) else {
            return Err(TestCaseError::fail(format!("not a full probe: {output:?}")));
        };
        let f = out.facts;
        prop_assert_eq!(f.go_root_kind, GoRootKind::Symlink { target });
        prop_assert_eq!(out.fingerprint, "");
        prop_assert_eq!(out.audit_log, AuditLogRead::Missing);
        prop_assert_eq!(
            (f.arch.as_str(), f.go_version_output, f.go_version_file, f.state, f.free_bytes),
            ("", None, None, StateRead::Absent, None)
        );
        prop_assert!(!f.auditd_running && f.binaries.is_empty() && f.apps.is_empty());
    }
}

// Regressions: inputs the properties above found, kept as plain tests.

/// `free_kb` times 1024 overflowed (a panic in debug builds, a wrapped figure in release).
#[test]
fn a_free_space_figure_too_big_for_bytes_is_unknown() {
    let output = "offgo_probe=1\ngo_root_kind=missing\naudit=missing\n\
                  free_kb=18446744073709551615\nprobe_end=1\n";
    let Ok(ProbeReply::Full(out)) = parse_probe_output(output.as_bytes()) else {
        panic!("not a full probe");
    };
    assert_eq!(out.facts.free_bytes, None);
}

/// A binary named with a tab had its gap split at that tab: the probe failed ("gap for a
/// binary not listed"), or the gap went to another binary whose name is the part before it.
#[test]
fn a_gap_of_a_binary_named_with_a_tab_stays_with_that_binary() {
    let output = [
        "offgo_probe=1\n".to_string(),
        kv_line("go_root_kind", "missing"),
        kv_line("bin", "/opt/a"),
        kv_line("bin", "/opt/a\tb"),
        kv_line("gap", "/opt/a\tb\t\tlibx.so.1 => not found"),
        kv_line("bin", "\t"),
        kv_line("gap", "\t\t\tliby.so.2 => not found"),
        kv_line("audit", "missing"),
        "probe_end=1\n".to_string(),
    ]
    .concat();
    let Ok(ProbeReply::Full(out)) = parse_probe_output(output.as_bytes()) else {
        panic!("not a full probe");
    };
    let gaps = |libs: &[&str]| BinaryStatus::Gaps(libs.iter().map(|l| l.to_string()).collect());
    let statuses: Vec<(&str, BinaryStatus)> = out
        .facts
        .binaries
        .iter()
        .map(|b| (b.path.as_str(), b.status.clone()))
        .collect();
    assert_eq!(
        statuses,
        [
            ("/opt/a", BinaryStatus::Ok),
            ("/opt/a\tb", gaps(&["libx.so.1"])),
            ("\t", gaps(&["liby.so.2"])),
        ]
    );
}
