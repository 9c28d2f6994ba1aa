//! What the push picker lists, from real bundles built on disk: newest first, each judged by
//! the inventory's signature policy the way `offgo-tui push` judges it, broken ones listed
//! with their error. Also the full round trip: a listed bundle opens with `open_trusted`.

// Shared with tests/bundle.rs, which uses the helpers this file does not.
#[allow(dead_code)]
#[path = "support/tarballs.rs"]
mod tarballs;

use std::path::{Path, PathBuf};

use clap::Parser;
use offgo::cli::bundle::{execute, BundleCommand};
use offgo::core::bundle::{self, SignatureStatus};
use offgo::core::inventory::BundleSettings;
use offgo::tui::testing::{bundles as picker, BundleChoice};
use tarballs::{release_tree, write_tarball};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: BundleCommand,
}

fn run(args: &[&str]) -> u8 {
    let cli = Cli::try_parse_from(std::iter::once("bundle").chain(args.iter().copied())).unwrap();
    execute(cli.command, false).exit
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// Builds a small bundle of `version` in `dir`, signed with `key` if given.
fn build(dir: &Path, version: &str, key: Option<&Path>) -> PathBuf {
    let tarball = write_tarball(
        dir,
        &format!("{version}.linux-amd64.tar.gz"),
        &release_tree(version),
    );
    let mut args = vec!["build", s(&tarball)];
    if let Some(key) = key {
        args.extend(["--sign", s(key)]);
    }
    assert_eq!(run(&args), 0);
    dir.join(format!("{version}.linux-amd64.offgo.toml"))
}

fn versions(choices: &[BundleChoice]) -> Vec<String> {
    choices
        .iter()
        .map(|c| match (&c.info, &c.refused) {
            (Some(i), None) => i.version.clone(),
            (Some(i), Some(_)) => format!("{} (refused)", i.version),
            (None, _) => format!("{} (broken)", c.name),
        })
        .collect()
}

#[test]
fn lists_newest_first_with_what_the_picker_shows() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "go1.21.13", None);
    let manifest = build(dir.path(), "go1.22.10", None);
    build(dir.path(), "go1.9.2", None);
    let choices = picker::list(dir.path(), &BundleSettings::default());
    assert_eq!(versions(&choices), ["go1.22.10", "go1.21.13", "go1.9.2"]);
    let opened = bundle::Bundle::open(&manifest).unwrap();
    let info = choices[0].info.as_ref().unwrap();
    assert_eq!(info.manifest, manifest);
    assert_eq!(info.arch, "amd64");
    assert_eq!(info.size, opened.size());
    assert_eq!(info.sha256, opened.sha256());
    assert_eq!(info.sha256_prefix(), &opened.sha256()[..12]);
    assert_eq!(info.file_count, opened.file_count());
    assert_eq!(info.signature, SignatureStatus::Unsigned);
    assert!(choices.iter().all(BundleChoice::selectable));
    // What the picker offers, push accepts.
    let push =
        offgo::core::bundle::open_trusted(&info.manifest, &BundleSettings::default()).unwrap();
    assert_eq!(push.bundle.go_version(), "go1.22.10");
}

#[test]
fn the_signature_policy_decides_what_can_be_picked() {
    let dir = tempfile::tempdir().unwrap();
    let pair = bundle::keygen(&dir.path().join("keys"), "test").unwrap();
    let stranger = bundle::keygen(&dir.path().join("stranger"), "test").unwrap();
    build(dir.path(), "go1.22.10", Some(&pair.private_path));
    build(dir.path(), "go1.22.9", Some(&stranger.private_path));
    build(dir.path(), "go1.21.13", None);
    let settings = BundleSettings {
        dir: Some(dir.path().to_path_buf()),
        require_signed: true,
        trusted_keys: vec![pair.public_path.clone()],
    };
    let choices = picker::list(dir.path(), &settings);
    assert_eq!(
        versions(&choices),
        ["go1.22.10", "go1.22.9 (refused)", "go1.21.13 (refused)"]
    );
    assert_eq!(
        choices[0].info.as_ref().unwrap().signature,
        SignatureStatus::Signed {
            key: pair.public_key,
            trusted: true
        }
    );
    let untrusted = choices[1].refused.as_deref().unwrap();
    assert!(
        untrusted.starts_with("manifest go1.22.9.linux-amd64.offgo.toml: signed by key"),
        "paths inside the bundles directory are shown relative to it: {untrusted}"
    );
    let unsigned = choices[2].refused.as_deref().unwrap();
    assert!(unsigned.contains("not signed"), "{unsigned}");
    // The same verdicts as `push`.
    for choice in &choices {
        let manifest = &choice.info.as_ref().unwrap().manifest;
        let push = offgo::core::bundle::open_trusted(manifest, &settings);
        assert_eq!(push.is_ok(), choice.selectable(), "{}", choice.name);
    }
    // Without require_signed, unsigned is fine, but a key outside trusted_keys still is not.
    let lenient = BundleSettings {
        require_signed: false,
        ..settings
    };
    assert_eq!(
        versions(&picker::list(dir.path(), &lenient)),
        ["go1.22.10", "go1.22.9 (refused)", "go1.21.13"]
    );
    // A trusted key file that cannot be read refuses every bundle, saying why.
    let broken = BundleSettings {
        trusted_keys: vec![dir.path().join("missing.pub")],
        ..BundleSettings::default()
    };
    let choices = picker::list(dir.path(), &broken);
    assert!(choices.iter().all(|c| !c.selectable()));
    assert!(choices[0]
        .refused
        .as_deref()
        .unwrap()
        .contains("missing.pub"));
}

#[test]
fn broken_bundles_and_unreadable_directories_are_listed_with_their_error() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "go1.22.10", None);
    std::fs::write(
        dir.path().join("go1.30.0.linux-amd64.offgo.toml"),
        "not = [valid",
    )
    .unwrap();
    let tarball =
        build(dir.path(), "go1.21.13", None).with_file_name("go1.21.13.linux-amd64.tar.gz");
    std::fs::write(&tarball, b"cut short").unwrap();
    let choices = picker::list(dir.path(), &BundleSettings::default());
    assert_eq!(
        versions(&choices),
        [
            "go1.30.0.linux-amd64.offgo.toml (broken)",
            "go1.22.10",
            "go1.21.13.linux-amd64.offgo.toml (broken)"
        ]
    );
    let short = choices[2].refused.as_deref().unwrap();
    assert!(short.contains("bytes but the manifest says"), "{short}");
    assert!(!short.contains(s(dir.path())), "{short}");

    let gone = dir.path().join("nowhere");
    let choices = picker::list(&gone, &BundleSettings::default());
    assert_eq!(choices.len(), 1);
    assert!(!choices[0].selectable());
    assert!(choices[0].refused.as_deref().unwrap().contains("nowhere"));
}

#[test]
fn the_bundles_directory_falls_back_to_the_inventory_s() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offgo.toml");
    std::fs::write(&path, "[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n").unwrap();
    let inventory = offgo::core::inventory::load(&path).unwrap();
    assert_eq!(picker::bundles_dir(&inventory), dir.path());
    std::fs::write(
        &path,
        "[bundles]\ndir = \"b\"\n[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n",
    )
    .unwrap();
    let inventory = offgo::core::inventory::load(&path).unwrap();
    assert_eq!(picker::bundles_dir(&inventory), dir.path().join("b"));
}

/// Builds a small bundle of `version` for `arch` in `dir`.
fn build_arch(dir: &Path, version: &str, arch: &str) {
    let name = format!("{version}.linux-{arch}.tar.gz");
    let tarball = write_tarball(dir, &name, &release_tree(version));
    assert_eq!(run(&["build", s(&tarball)]), 0);
}

#[test]
fn a_bundle_set_is_listed_with_its_arches_and_a_mixed_one_names_its_files() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "go1.21.13", None);
    let set = dir.path().join("go1.22.10-all");
    std::fs::create_dir(&set).unwrap();
    build_arch(&set, "go1.22.10", "amd64");
    build_arch(&set, "go1.22.10", "arm64");
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    build_arch(&mixed, "go1.22.10", "amd64");
    build_arch(&mixed, "go1.23.4", "arm64");
    // A directory without bundles is no set and not listed.
    std::fs::create_dir(dir.path().join("notes")).unwrap();

    let choices = picker::list(dir.path(), &BundleSettings::default());
    let names: Vec<&str> = choices.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "mixed/",
            "go1.22.10-all/",
            "go1.21.13.linux-amd64.offgo.toml"
        ]
    );
    let set_choice = &choices[1];
    assert!(set_choice.selectable(), "{set_choice:?}");
    let info = set_choice.info.as_ref().unwrap();
    assert_eq!(info.arch, "amd64, arm64");
    assert_eq!(info.version, "go1.22.10");
    assert_eq!(info.manifest, set);
    assert!(info.set.is_some());
    // What the picker hands to push opens as the same set.
    let (artifact, _) = offgo::core::engine::Artifact::open_trusted(
        offgo::core::engine::ArtifactKind::GoRelease,
        &info.manifest,
        &BundleSettings::default(),
    )
    .unwrap();
    assert_eq!(Some(&artifact), info.set.as_deref());

    let refused = choices[0].refused.as_deref().unwrap();
    assert!(
        refused.contains("mixes Go versions")
            && refused.contains("go1.22.10.linux-amd64.offgo.toml is go1.22.10")
            && refused.contains("go1.23.4.linux-arm64.offgo.toml is go1.23.4"),
        "{refused}"
    );
}

/// Packs the cached Go release's `gofmt` (a static Go binary with build info) as app `svc` at
/// `version` into `dir` with the built `offgo-tui app build`.
fn build_app(dir: &Path, version: &str) {
    let gofmt = offgo::fleet::release_tree("1.22.10")
        .unwrap()
        .join("bin/gofmt");
    let state = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_offgo-tui"))
        .args([
            "app",
            "build",
            s(&gofmt),
            "--name",
            "svc",
            "--version",
            version,
        ])
        .args(["--out", s(dir)])
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path())
        .env_remove("OFFGO_INVENTORY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "app build: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn app_bundles_are_listed_after_the_go_bundles_by_their_kind_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    build(dir.path(), "go1.22.10", None);
    build_app(dir.path(), "1.9.0");
    build_app(dir.path(), "1.10.0");
    std::fs::write(
        dir.path().join("bad-1.0.0.linux-amd64.offgo-app.toml"),
        "not = [toml",
    )
    .unwrap();
    let choices = picker::list(dir.path(), &BundleSettings::default());
    assert_eq!(
        versions(&choices),
        [
            "go1.22.10",
            "svc-1.10.0",
            "svc-1.9.0",
            "bad-1.0.0.linux-amd64.offgo-app.toml (broken)"
        ]
    );
    let info = choices[1].info.as_ref().unwrap();
    assert_eq!(info.label(), "app svc 1.10.0");
    assert_eq!(choices[0].info.as_ref().unwrap().label(), "go1.22.10");
    assert_eq!(
        info.push_facts().kind,
        offgo::core::engine::ArtifactKind::App
    );
    let refused = choices[3].refused.as_deref().unwrap();
    assert!(
        refused.contains("bad-1.0.0.linux-amd64.offgo-app.toml"),
        "{refused}"
    );
    // What the picker offers, push accepts, as the same app release.
    let (opened, _) =
        offgo::core::engine::Artifact::open_detected(&info.manifest, &BundleSettings::default())
            .unwrap();
    assert_eq!(opened.id(), "svc-1.10.0");
    assert_eq!(opened.sha256(), info.sha256);
}
