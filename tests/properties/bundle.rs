//! The bundle sidecars: the manifest (`.offgo.toml`) and the `.sha256sums` list. Any bytes are
//! read without a panic and refused with the file named; what offgo writes reads back the same.

use std::path::Path;
use std::time::{Duration, UNIX_EPOCH};

use base64::Engine as _;
use ed25519_dalek::{Signer, SigningKey};
use offgo::core::bundle::sums::{self, FileSum, SumsFile};
use offgo::core::bundle::{signed_message, Manifest, ManifestSignature, ReleaseName};
use proptest::prelude::*;

use crate::support::{budget, hostile, hostile_bytes, mutation};

/// `go1.22`, `go1.22.10`, `go1.23rc1`, `go1.21beta2`: the names Go publishes.
fn version() -> impl Strategy<Value = String> {
    prop_oneof![
        "go1\\.[0-9]{1,2}",
        "go1\\.[0-9]{1,2}\\.[0-9]{1,2}",
        "go1\\.[0-9]{1,2}(rc|beta)[0-9]{1,2}",
    ]
}

/// Mostly sizes TOML can hold (up to i64::MAX), sometimes ones it cannot.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![8 => 1..=i64::MAX as u64, 1 => (i64::MAX as u64)..=u64::MAX]
}

fn manifest() -> impl Strategy<Value = Manifest> {
    (
        (version(), "[a-z0-9]{1,8}", "[a-z0-9]{1,8}"),
        (count(), count(), proptest::option::of(count())),
        (any::<[u8; 32]>(), any::<[u8; 32]>()),
        0..253_402_300_799u64,
        hostile().prop_filter("a builder is named", |b| !b.trim().is_empty()),
        proptest::option::of(any::<[u8; 32]>()),
    )
        .prop_map(
            |(
                (go_version, os, arch),
                (size, file_count, unpacked_size),
                (sha, tree),
                secs,
                builder,
                seed,
            )| {
                let created =
                    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(secs));
                let mut m = Manifest {
                    format_version: offgo::core::bundle::FORMAT_VERSION,
                    tarball: format!("{go_version}.{os}-{arch}.tar.gz"),
                    go_version,
                    os,
                    arch,
                    size,
                    sha256: hex::encode(sha),
                    file_count,
                    tree_digest: hex::encode(tree),
                    unpacked_size,
                    created: created.to_string(),
                    builder,
                    signature: None,
                };
                m.signature = seed.map(|seed| sign(&m, &SigningKey::from_bytes(&seed)));
                m
            },
        )
}

fn sign(m: &Manifest, key: &SigningKey) -> ManifestSignature {
    let b64 = base64::engine::general_purpose::STANDARD;
    ManifestSignature {
        algorithm: "ed25519".into(),
        public_key: b64.encode(key.verifying_key().as_bytes()),
        value: b64.encode(key.sign(&signed_message(m)).to_bytes()),
    }
}

/// Where a manifest for `m` must be saved to be accepted.
fn manifest_file(dir: &Path, m: &Manifest) -> std::path::PathBuf {
    let release = ReleaseName::from_tarball_name(&m.tarball).unwrap();
    dir.join(release.manifest_name())
}

/// Loads `bytes` as a manifest; an error must name the file.
fn load_manifest(bytes: &[u8]) -> Result<Manifest, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("go1.22.10.linux-amd64.offgo.toml");
    std::fs::write(&path, bytes).unwrap();
    Manifest::load(&path).map_err(|e| {
        let message = e.to_string();
        assert!(
            message.contains("go1.22.10.linux-amd64.offgo.toml"),
            "{message}"
        );
        message
    })
}

/// A path as bundle build records it: under `go/`, no empty, `.` or `..` component, and none of
/// the characters it refuses (newline, carriage return, backslash, NUL).
fn tree_path() -> impl Strategy<Value = String> {
    let component = proptest::collection::vec(
        prop_oneof![
            any::<char>(),
            proptest::sample::select(vec![' ', '\t', '=', '#', '\u{1b}', '.', '-']),
        ]
        .prop_filter("a character build refuses", |c| {
            !matches!(c, '/' | '\n' | '\r' | '\\' | '\0')
        }),
        1..8,
    )
    .prop_map(|chars| chars.into_iter().collect::<String>())
    .prop_filter("no `.` or `..`", |c| c != "." && c != "..");
    proptest::collection::vec(component, 1..4).prop_map(|parts| format!("go/{}", parts.join("/")))
}

fn tree() -> impl Strategy<Value = Vec<FileSum>> {
    proptest::collection::btree_map(tree_path(), any::<[u8; 32]>(), 0..20)
        .prop_map(|files| {
            files
                .into_iter()
                .map(|(path, sha256)| FileSum { path, sha256 })
                .collect::<Vec<_>>()
        })
        .prop_shuffle()
}

/// Reads `bytes` as a sums file; an error must name the file.
fn read_sums(bytes: &[u8]) -> Result<SumsFile, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("go1.22.10.linux-amd64.sha256sums");
    std::fs::write(&path, bytes).unwrap();
    sums::read(&path).map_err(|e| {
        let message = e.to_string();
        assert!(
            message.contains("go1.22.10.linux-amd64.sha256sums"),
            "{message}"
        );
        message
    })
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_bytes_as_a_manifest_load_or_are_refused_naming_the_file(raw in hostile_bytes()) {
        let _ = load_manifest(&raw);
    }

    #[test]
    fn an_edited_manifest_loads_or_is_refused_naming_the_file(
        m in manifest(),
        edits in proptest::collection::vec(mutation(), 1..4),
    ) {
        if let Ok(text) = m.to_toml() {
            let _ = load_manifest(&edits.iter().fold(text.into_bytes(), |b, e| e.apply(b)));
        }
    }

    /// What `bundle build` writes, `bundle verify` and `push` read back unchanged; a number
    /// TOML cannot hold is refused when writing, never written wrong.
    #[test]
    fn a_written_manifest_reads_back_the_same(m in manifest()) {
        let fits = [Some(m.size), Some(m.file_count), m.unpacked_size]
            .into_iter()
            .flatten()
            .all(|n| n <= i64::MAX as u64);
        match m.to_toml() {
            Ok(text) => {
                let dir = tempfile::tempdir().unwrap();
                let path = manifest_file(dir.path(), &m);
                std::fs::write(&path, &text).unwrap();
                prop_assert_eq!(Manifest::load(&path).map_err(|e| e.to_string()), Ok(m), "{}", text);
            }
            Err(e) => prop_assert!(!fits, "{e}"),
        }
    }

    #[test]
    fn any_bytes_as_a_sums_file_read_or_are_refused_naming_the_file(raw in hostile_bytes()) {
        let _ = read_sums(&raw);
    }

    /// A rendered list reads back with its file count and the digest of its exact bytes.
    #[test]
    fn a_rendered_sums_file_reads_back(mut files in tree()) {
        let bytes = sums::render(&mut files);
        let read = read_sums(&bytes);
        prop_assert_eq!(
            read,
            Ok(SumsFile { file_count: files.len() as u64, tree_digest: sums::tree_digest(&bytes) }),
            "{:?}", String::from_utf8_lossy(&bytes)
        );
    }

    /// A line repeated or moved out of order is refused, whatever the paths.
    #[test]
    fn a_repeated_or_swapped_line_is_refused(
        mut files in tree().prop_filter("two files", |f| f.len() >= 2),
        which in any::<usize>(),
        swap in any::<bool>(),
    ) {
        let bytes = sums::render(&mut files);
        let text = String::from_utf8(bytes).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let i = which % (lines.len() - 1);
        if swap {
            lines.swap(i, i + 1);
        } else {
            lines.insert(i + 1, lines[i]);
        }
        let edited = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
        prop_assert!(read_sums(edited.as_bytes()).is_err(), "{edited:?}");
    }
}
