//! The case budget and the input generators every property shares.

use proptest::prelude::*;
use proptest::test_runner::Config;

/// `cases` runs of a property, unless `PROPTEST_CASES` says otherwise. Failures are not saved
/// to files: a failing input found here becomes a named regression test instead.
pub fn budget(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Characters that have meant something to one of our parsers or to a terminal.
const SPECIALS: &[char] = &[
    '\n', '\r', '\\', '=', '\t', '\0', '\u{1b}', '\u{7}', 'n', ' ', '"', '\'', '$', '`', '#', '[',
    ']', '|', '\u{7f}', '\u{85}', '\u{2028}', '\u{fffd}',
];

/// Whole fragments of the framings: what a hostile host would try to smuggle in.
const SNIPPETS: &[&str] = &[
    "\nprobe_end=1\n",
    "\\n",
    "\\\\",
    "\\",
    "audit_begin",
    "\naudit_begin\n",
    "\naudit_end\n",
    "=1",
    "\ngap=/x\t\tlibx.so => not found",
    "\nbin=/x",
    "offgo_probe=1",
    "\ndone=1\n",
    "\u{1b}]0;title\u{7}\u{1b}[2J",
    "\r\n",
];

/// Any text, heavy in characters and fragments that framings and terminals treat specially.
pub fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            4 => any::<char>().prop_map(String::from),
            4 => proptest::sample::select(SPECIALS).prop_map(String::from),
            1 => proptest::sample::select(SNIPPETS).prop_map(String::from),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// Any bytes, with the same fragments mixed in (and invalid UTF-8 from the random bytes).
pub fn hostile_bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::collection::vec(any::<u8>(), 0..8),
            2 => hostile().prop_map(String::into_bytes),
        ],
        0..16,
    )
    .prop_map(|parts| parts.concat())
}

/// What `kv KEY VALUE` prints (src/core/remote/scripts/prelude.sh): the value with `\` and
/// newline escaped. The `frame` properties check the real shell function prints exactly this.
pub fn kv_line(key: &str, value: &str) -> String {
    let escaped = value.replace('\\', "\\\\").replace('\n', "\\n");
    format!("{key}={escaped}\n")
}

/// One edit of `bytes`: a byte changed, inserted or removed, or the tail cut off.
#[derive(Debug, Clone)]
pub enum Mutation {
    Set(usize, u8),
    Insert(usize, u8),
    Remove(usize),
    Truncate(usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Set(i, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

impl Mutation {
    pub fn apply(&self, mut bytes: Vec<u8>) -> Vec<u8> {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *self {
            Mutation::Set(i, b) if !bytes.is_empty() => {
                let i = at(i, bytes.len());
                bytes[i] = b;
            }
            Mutation::Insert(i, b) => {
                let i = at(i, bytes.len() + 1);
                bytes.insert(i, b);
            }
            Mutation::Remove(i) if !bytes.is_empty() => {
                let i = at(i, bytes.len());
                bytes.remove(i);
            }
            Mutation::Truncate(i) => {
                let i = at(i, bytes.len() + 1);
                bytes.truncate(i);
            }
            _ => {}
        }
        bytes
    }
}
