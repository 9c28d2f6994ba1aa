//! The script output framing: `kv` in the real prelude, run by the real `sh`, and the one
//! decoder every output parser goes through (`ops::key_values`, which pre-flight, install,
//! switch and verify results are read with).

use std::process::Command;

use offgo::core::remote::frame::PRELUDE;
use offgo::core::remote::ops::{key_values, value, values};
use offgo::core::remote::probe::{parse_probe_output, GoRootKind, ProbeReply};
use proptest::prelude::*;

use crate::support::{budget, hostile, hostile_bytes, kv_line};

fn key() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,15}"
}

/// Runs `body` after the real prelude in `sh`, with `args` as `$1…`; its stdout.
fn sh(body: &str, args: &[String]) -> Vec<u8> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("{PRELUDE}\n{body}"))
        .arg("sh")
        .args(args)
        .output()
        .expect("sh runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Strings an argument can carry (no NUL).
fn argument() -> impl Strategy<Value = String> {
    hostile().prop_map(|s| s.replace('\0', ""))
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_bytes_decode_without_panicking_and_no_key_holds_a_line_break(raw in hostile_bytes()) {
        let pairs = key_values(&raw);
        for (key, _) in &pairs {
            prop_assert!(!key.contains('\n') && !key.contains('='), "{key:?}");
        }
        let _ = value(&pairs, "done");
        let _ = values(&pairs, "release");
    }

    #[test]
    fn framed_pairs_decode_to_the_same_pairs_in_order(
        pairs in proptest::collection::vec((key(), hostile()), 0..12),
        noise in proptest::collection::vec("[^=\n]{0,20}", 0..3),
    ) {
        // Lines without `=` (stray output) are skipped wherever they are.
        let mut output = noise.iter().map(|n| format!("{n}\n")).collect::<String>();
        for (k, v) in &pairs {
            output.push_str(&kv_line(k, v));
        }
        let decoded = key_values(output.as_bytes());
        prop_assert_eq!(&decoded, &pairs, "output: {:?}", output);
        for (k, _) in &pairs {
            let all: Vec<&str> =
                pairs.iter().filter(|(pk, _)| pk == k).map(|(_, v)| v.as_str()).collect();
            prop_assert_eq!(value(&decoded, k), all.first().copied());
            prop_assert_eq!(values(&decoded, k), all);
        }
    }
}

proptest! {
    // A process per case: few cases, each carrying several strings.
    #![proptest_config(budget(48))]

    #[test]
    fn the_real_kv_in_sh_prints_one_line_per_value_that_decodes_back(
        strings in proptest::collection::vec(argument(), 1..8),
    ) {
        let printed = sh(r#"for v in "$@"; do kv k "$v"; done"#, &strings);
        let expected: String = strings.iter().map(|s| kv_line("k", s)).collect();
        prop_assert_eq!(String::from_utf8_lossy(&printed), expected);
        let decoded: Vec<String> = key_values(&printed).into_iter().map(|(_, v)| v).collect();
        prop_assert_eq!(decoded, strings);
    }

    /// The probe's framing end to end: a symlink target printed by the real `kv` holding
    /// probe lines is one value to the parser, whatever it holds.
    #[test]
    fn a_value_printed_by_the_real_kv_cannot_forge_probe_keys(target in argument()) {
        let printed = sh(
            "echo offgo_probe=1; kv go_root_kind symlink; kv go_root_target \"$1\"; \
             kv audit missing; echo probe_end=1",
            std::slice::from_ref(&target),
        );
        match parse_probe_output(&printed) {
            Ok(ProbeReply::Full(out)) => {
                prop_assert_eq!(out.facts.go_root_kind, GoRootKind::Symlink { target });
                prop_assert!(out.facts.binaries.is_empty());
            }
            other => prop_assert!(false, "{other:?} from {:?}", String::from_utf8_lossy(&printed)),
        }
    }
}

// Regressions: inputs the properties above found, kept as plain tests.

/// `str::lines` took a value's trailing `\r` for half of a CRLF line end.
#[test]
fn a_carriage_return_ending_a_value_is_kept() {
    let printed = sh(r#"kv why "$1""#, &["disk full\r".to_string()]);
    assert_eq!(
        key_values(&printed),
        [("why".to_string(), "disk full\r".to_string())]
    );
}
