//! Property tests for what the engine makes of script output (issue 9, item 9): pre-flight and
//! verify output, whatever a host printed, becomes typed results without a panic, and so do
//! the decisions taken on them (the checks, free space, state.json, pruning). Framed pre-flight
//! output round-trips to the values it was printed from. The framing itself and the probe are
//! covered in tests/properties.

use proptest::prelude::*;

use super::go_release::GoRelease;
use super::host_state::{new_state, prune_list};
use super::preflight::Preflight;
use super::verify::parse_checks;
use crate::core::remote::probe::{GoRootKind, OffgoState};

/// `cases`, unless `PROPTEST_CASES` says otherwise (as in tests/properties).
fn budget(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Any text, heavy in what framings treat specially.
fn hostile() -> impl Strategy<Value = String> {
    let special = proptest::sample::select(vec![
        "\n",
        "\r",
        "\\",
        "\\n",
        "=",
        "\t",
        "|",
        " ",
        "\u{1b}[2J",
        "\ndone=1\n",
        "\nrelease=x",
    ]);
    proptest::collection::vec(
        prop_oneof![
            any::<char>().prop_map(String::from),
            special.prop_map(String::from)
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

/// What `kv KEY VALUE` prints (scripts/prelude.sh).
fn kv(key: &str, value: &str) -> String {
    format!(
        "{key}={}\n",
        value.replace('\\', "\\\\").replace('\n', "\\n")
    )
}

const PREFLIGHT_KEYS: &[&str] = &[
    "offgo_preflight",
    "preflight_end",
    "arch",
    "missing_tool",
    "not_writable",
    "releases_free_kb",
    "incoming_free_kb",
    "incoming_same_fs",
    "go_root_kind",
    "go_root_target",
    "go_root_kb",
    "go_version_output",
    "go_version_file",
    "state_json",
    "release",
    "part_size",
    "part_sha256",
    "tarball_size",
    "busy",
];

/// Values a number key may get from a host: any number, too big, negative, or not one.
fn any_value() -> impl Strategy<Value = String> {
    prop_oneof![
        hostile(),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("99999999999999999999999".to_string()),
        Just("{\"current\":\"go1.22.10\",\"history\":[1,2]}".to_string()),
    ]
}

/// Lines of pre-flight keys with any values, between the two lines that make it complete.
fn preflight_soup() -> impl Strategy<Value = Vec<u8>> {
    let line = prop_oneof![
        8 => (proptest::sample::select(PREFLIGHT_KEYS), any_value()).prop_map(|(k, v)| kv(k, &v)),
        1 => hostile(),
    ];
    proptest::collection::vec(line, 0..24).prop_map(|lines| {
        format!("offgo_preflight=1\n{}preflight_end=1\n", lines.concat()).into_bytes()
    })
}

fn bundle() -> impl Strategy<Value = GoRelease> {
    (
        "go1\\.[0-9]{1,2}\\.[0-9]{1,2}",
        proptest::sample::select(vec!["amd64", "arm64", "386", "armv6l", "riscv64"]),
        any::<u64>(),
        proptest::option::of(any::<u64>()),
    )
        .prop_map(|(version, arch, size, unpacked_size)| GoRelease {
            tarball_name: format!("{version}.linux-{arch}.tar.gz"),
            tarball: format!("/b/{version}.linux-{arch}.tar.gz").into(),
            sums: format!("/b/{version}.linux-{arch}.sha256sums").into(),
            version,
            arch: arch.to_string(),
            size,
            sha256: "ab".repeat(32),
            tree_digest: "cd".repeat(32),
            file_count: 1,
            unpacked_size,
        })
}

/// A pre-flight result a host could report (no `go version`, so `go_version` is unset).
fn preflight() -> impl Strategy<Value = Preflight> {
    let kib = || proptest::option::of((0..=u64::MAX / 1024).prop_map(|k| k * 1024));
    let go_root = prop_oneof![
        hostile().prop_map(|target| GoRootKind::Symlink { target }),
        Just(GoRootKind::Directory),
        Just(GoRootKind::Other),
        Just(GoRootKind::Missing),
    ];
    // state.json's versions must be Go versions: anything else makes the state invalid
    // (unrecognised), which the parser reports as no state; so round-trips use versions.
    let version = || {
        proptest::option::of(
            (1u32..30, 0u32..30).prop_map(|(minor, patch)| format!("go1.{minor}.{patch}")),
        )
    };
    let state = proptest::option::of((version(), version())).prop_map(|s| {
        s.map(|(current, previous)| OffgoState {
            current,
            previous,
            history: vec![],
            go_env: None,
        })
    });
    let list = || proptest::collection::vec(hostile(), 0..4);
    (
        (hostile(), list(), list(), kib(), kib(), any::<bool>()),
        (go_root, kib(), state, list()),
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(hostile()),
            proptest::option::of(any::<u64>()),
            proptest::option::of(hostile()),
        ),
    )
        .prop_map(
            |(
                (arch, missing_tools, not_writable, releases_free, incoming_free, same_fs),
                (go_root, go_root_bytes, state, releases),
                (part_size, part_sha256, tarball_size, busy),
            )| Preflight {
                arch,
                missing_tools,
                not_writable,
                releases_free,
                incoming_free,
                incoming_same_fs: same_fs,
                go_root,
                go_root_bytes,
                go_version: None,
                state,
                releases,
                part_size,
                part_sha256,
                tarball_size,
                busy,
            },
        )
}

/// What preflight.sh prints for `p`, every value through `kv`.
fn preflight_output(p: &Preflight) -> String {
    let mut out = kv("offgo_preflight", "1") + &kv("arch", &p.arch);
    let many = |key: &str, values: &[String]| values.iter().map(|v| kv(key, v)).collect::<String>();
    let kb = |key: &str, bytes: Option<u64>| bytes.map(|b| kv(key, &(b / 1024).to_string()));
    out += &many("missing_tool", &p.missing_tools);
    out += &many("not_writable", &p.not_writable);
    out.extend(kb("releases_free_kb", p.releases_free));
    out.extend(kb("incoming_free_kb", p.incoming_free));
    out += &kv(
        "incoming_same_fs",
        if p.incoming_same_fs { "1" } else { "0" },
    );
    match &p.go_root {
        GoRootKind::Symlink { target } => {
            out += &kv("go_root_kind", "symlink");
            out += &kv("go_root_target", target);
        }
        GoRootKind::Directory => out += &kv("go_root_kind", "dir"),
        GoRootKind::Other => out += &kv("go_root_kind", "other"),
        GoRootKind::Missing => out += &kv("go_root_kind", "missing"),
    }
    out.extend(kb("go_root_kb", p.go_root_bytes));
    if let Some(state) = &p.state {
        out += &kv("state_json", &serde_json::to_string(state).unwrap());
    }
    out += &many("release", &p.releases);
    out.extend(p.part_size.map(|n| kv("part_size", &n.to_string())));
    out.extend(p.part_sha256.as_ref().map(|v| kv("part_sha256", v)));
    out.extend(p.tarball_size.map(|n| kv("tarball_size", &n.to_string())));
    out.extend(p.busy.as_ref().map(|v| kv("busy", v)));
    out + &kv("preflight_end", "1")
}

/// Everything the push and rollback steps decide from a pre-flight: no input makes it panic.
fn decide(pre: &Preflight, bundle: &GoRelease, resume_from: u64) {
    let _ = pre.current_version();
    let _ = pre.check(bundle);
    let _ = pre.check_space(bundle, resume_from);
    let current = pre.current_version();
    let _ = prune_list(&pre.releases, &bundle.version, current.as_deref(), 3);
    let state = new_state(pre, &bundle.version, current.as_deref(), "push", "ops@jump");
    assert!(
        serde_json::from_str::<OffgoState>(&state).is_ok(),
        "{state}"
    );
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_preflight_output_is_understood_or_refused_without_panicking(
        raw in prop_oneof![preflight_soup(), proptest::collection::vec(any::<u8>(), 0..256)],
        bundle in bundle(),
        resume_from in any::<u64>(),
    ) {
        if let Ok(pre) = Preflight::parse(&raw) {
            decide(&pre, &bundle, resume_from);
        }
    }

    #[test]
    fn framed_preflight_output_parses_back(pre in preflight(), bundle in bundle()) {
        let output = preflight_output(&pre);
        prop_assert_eq!(Preflight::parse(output.as_bytes()), Ok(pre.clone()), "{:?}", output);
        decide(&pre, &bundle, 0);
    }

    #[test]
    fn any_verify_output_gives_one_check_per_check_line(
        lines in proptest::collection::vec(
            prop_oneof![
                (proptest::sample::select(vec!["check", "ok", "detail", "verify_end"]), hostile())
                    .prop_map(|(k, v)| kv(k, &v)),
                hostile(),
            ],
            0..16,
        ),
    ) {
        let raw = lines.concat();
        let checks = parse_checks(raw.as_bytes());
        let check_lines = raw.split('\n').filter(|l| l.starts_with("check=")).count();
        prop_assert_eq!(checks.len(), check_lines);
    }
}

// Regressions: inputs the properties above found, kept as plain tests.

fn small_bundle() -> GoRelease {
    GoRelease {
        version: "go1.22.10".into(),
        arch: "amd64".into(),
        tarball: "/b/go1.22.10.linux-amd64.tar.gz".into(),
        tarball_name: "go1.22.10.linux-amd64.tar.gz".into(),
        size: 70 << 20,
        sha256: "ab".repeat(32),
        sums: "/b/go1.22.10.linux-amd64.sha256sums".into(),
        tree_digest: "cd".repeat(32),
        file_count: 1,
        unpacked_size: Some(250 << 20),
    }
}

/// `releases_free_kb` times 1024 overflowed (a panic in debug builds, a wrapped figure in
/// release).
#[test]
fn a_free_space_figure_too_big_for_bytes_is_unknown() {
    let out = "offgo_preflight=1\nreleases_free_kb=18446744073709551615\npreflight_end=1\n";
    assert_eq!(
        Preflight::parse(out.as_bytes()).unwrap().releases_free,
        None
    );
}

/// The space needed for a hand-installed tree of absurd size overflowed; wrapped, it would
/// have read as "little needed".
#[test]
fn an_absurd_go_root_size_is_refused_as_too_big_not_wrapped() {
    let out = "offgo_preflight=1\nreleases_free_kb=1048576\nincoming_same_fs=1\n\
               go_root_kind=dir\ngo_root_kb=18014398509481983\npreflight_end=1\n";
    let pre = Preflight::parse(out.as_bytes()).unwrap();
    let e = pre.check_space(&small_bundle(), 0).unwrap_err();
    assert!(
        e.error.message.starts_with("disk full"),
        "{}",
        e.error.message
    );
}
