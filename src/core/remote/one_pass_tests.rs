//! The one-pass upload (receive.sh with `go-tarball`, then install.sh) run by a real `sh` with
//! real tar, gzip and sha256sum on a local tree laid out as a host's: the tree unpacked as the
//! bytes arrive is used only once its hash is the bundle's, the tarball is not read again, and
//! anything unusual falls back to reading the tarball as before.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use crate::core::remote::ops::{self, key_values, value, values, InstallInputs};
use crate::core::remote::paths::RemotePaths;

const VERSION: &str = "go1.22.10";
const TARBALL: &str = "go1.22.10.linux-amd64.tar.gz";

struct Host {
    dir: tempfile::TempDir,
    paths: RemotePaths,
}

/// A small Go release: its tarball, the sha256sums list a bundle holds, and their digests.
struct Release {
    tarball: Vec<u8>,
    sums: Vec<u8>,
}

fn host() -> Host {
    let dir = tempfile::tempdir().unwrap();
    let paths = crate::core::remote::test_sh::paths_in(dir.path());
    Host { dir, paths }
}

fn release(dir: &Path) -> Release {
    use std::os::unix::fs::PermissionsExt;
    let src = dir.join("src");
    let bin = src.join("go/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let files: [(&str, &str); 2] = [
        (
            "go/bin/go",
            "#!/bin/sh\necho 'go version go1.22.10 linux/amd64'\n",
        ),
        ("go/VERSION", "go1.22.10\ntime 2024-12-03\n"),
    ];
    let mut sums = String::new();
    for (name, text) in files {
        std::fs::write(src.join(name), text).unwrap();
        sums.push_str(&format!(
            "{}  {name}\n",
            hex::encode(Sha256::digest(text.as_bytes()))
        ));
    }
    std::fs::set_permissions(bin.join("go"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new("tar")
        .arg("-czf")
        .arg("-")
        .arg("-C")
        .arg(&src)
        .arg("go")
        .output()
        .unwrap();
    assert!(out.status.success());
    Release {
        tarball: out.stdout,
        sums: sums.into_bytes(),
    }
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Runs `script` with `sh -c`, `stdin` fed to it: (success, key=value pairs, all output).
fn sh(script: &str, stdin: &[u8]) -> (bool, Vec<(String, String)>, String) {
    let out = crate::core::remote::test_sh::sh_with_stdin(script, &[], stdin);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), key_values(&out.stdout), text)
}

impl Host {
    fn stream_dir(&self) -> PathBuf {
        PathBuf::from(format!(
            "{}/.offgo-stream-{VERSION}",
            self.paths.releases_dir
        ))
    }

    fn tarball(&self) -> PathBuf {
        PathBuf::from(ops::incoming_tarball(&self.paths, TARBALL))
    }

    /// The upload as push sends it without become: the script, the bytes on its stdin.
    fn receive(&self, bytes: &[u8], append: bool) -> Vec<(String, String)> {
        let call = ops::receive_call(&self.paths, "go-tarball", VERSION, TARBALL, append);
        let (ok, pairs, text) = sh(&call.script(), bytes);
        assert!(ok, "{text}");
        pairs
    }

    /// install.sh as push runs it; `streamed`: this push sent the tarball whole into receive.
    fn install(&self, release: &Release, streamed: bool) -> (bool, Vec<(String, String)>, String) {
        sh(&self.install_script(release, streamed), b"")
    }

    /// install.sh's script as push sends it, the signed list already uploaded.
    fn install_script(&self, release: &Release, streamed: bool) -> String {
        let sums = ops::incoming_sums(&self.paths, VERSION);
        std::fs::write(&sums, &release.sums).unwrap();
        let inputs = InstallInputs {
            version: VERSION,
            tarball_name: TARBALL,
            sha256: &sha(&release.tarball),
            tree_digest: &sha(&release.sums),
            adopt_version: "",
            previous_target: "",
            state_json: "{\"current\":\"go1.22.10\",\"previous\":null,\"history\":[]}",
            prune: &[],
            go_env: &[],
            shims: "",
            streamed,
        };
        ops::install_script(&self.paths, &inputs).script()
    }

    fn active(&self) -> Option<PathBuf> {
        std::fs::read_link(&self.paths.go_root).ok()
    }
}

#[test]
fn a_whole_upload_is_unpacked_as_it_arrives_and_the_tarball_is_not_read_again() {
    let host = host();
    let release = release(host.dir.path());
    let said = host.receive(&release.tarball, false);
    assert_eq!(value(&said, "unpacked"), Some("1"), "{said:?}");
    assert_eq!(std::fs::read(host.tarball()).unwrap(), release.tarball);
    // Nothing but the owner may look into the tree before install has proven it.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(host.stream_dir()).unwrap().permissions();
    assert_eq!(mode.mode() & 0o777, 0o700);
    // Were the tarball read again, this would fail its sha256: it is not.
    std::fs::write(host.tarball(), vec![0u8; release.tarball.len()]).unwrap();

    let (ok, pairs, text) = host.install(&release, true);
    assert!(ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), Some("1"), "{text}");
    // The steps the contract and the fault points name, in order, and the switch after them.
    let steps = values(&pairs, "step");
    let at = |s: &str| steps.iter().position(|x| *x == s).unwrap();
    assert!(at("check_tarball") < at("extract") && at("extract") < at("check_tree"));
    assert!(at("check_tree") < at("check_go_version") && at("check_go_version") < at("switch"));
    assert_eq!(
        host.active(),
        Some(PathBuf::from(host.paths.release_go_dir(VERSION)))
    );
    assert!(!host.stream_dir().exists() && !host.tarball().exists());
}

/// A stream that unpacks to the same files but is not the bundle's tarball byte for byte (one
/// more, empty gzip member): its tree is dropped, the tarball itself is read and refused at
/// check_tarball, nothing switched, nothing left.
#[test]
fn a_stream_that_is_not_the_bundles_tarball_fails_at_check_tarball_and_leaves_nothing() {
    let host = host();
    let release = release(host.dir.path());
    let mut tampered = release.tarball.clone();
    let empty = Command::new("gzip")
        .arg("-c")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    tampered.extend_from_slice(&empty.stdout);
    let said = host.receive(&tampered, false);
    assert_eq!(
        value(&said, "unpacked"),
        Some("1"),
        "it did unpack: {said:?}"
    );

    let (ok, pairs, text) = host.install(&release, true);
    assert!(!ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");
    assert_eq!(value(&pairs, "fail"), Some("check_tarball"), "{text}");
    assert!(!values(&pairs, "step").contains(&"extract"), "{text}");
    assert_eq!(host.active(), None, "nothing switched");
    assert!(!host.stream_dir().exists(), "the unpacked tree is gone");
    assert!(!host.tarball().exists(), "the upload is removed");
    let left: Vec<_> = std::fs::read_dir(&host.paths.releases_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A resumed upload, a garbled hash, or a link in place of the tree: the tarball is read
/// again as before, and nothing a link points at is touched.
#[test]
fn a_resumed_upload_or_an_odd_leftover_falls_back_to_reading_the_tarball() {
    let release = release(tempfile::tempdir().unwrap().path());
    let half = release.tarball.len() / 2;

    let resumed = host();
    let cut = &release.tarball[..half];
    let part = ops::incoming_part(&resumed.paths, TARBALL);
    std::fs::create_dir_all(Path::new(&part).parent().unwrap()).unwrap();
    std::fs::write(&part, cut).unwrap();
    // What the cut stream unpacked of its start is still there when the rest arrives.
    std::fs::create_dir_all(resumed.stream_dir().join("tree/go")).unwrap();
    let said = resumed.receive(&release.tarball[half..], true);
    assert_eq!(value(&said, "unpacked"), None);
    assert!(!resumed.stream_dir().exists());
    let (ok, pairs, text) = resumed.install(&release, false);
    assert!(ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");

    let garbled = host();
    garbled.receive(&release.tarball, false);
    std::fs::write(garbled.stream_dir().join("sha256"), "not a digest\n").unwrap();
    let (ok, pairs, text) = garbled.install(&release, true);
    assert!(ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");

    // A link in place of the tree, to a tree whose hash says it is the bundle's.
    let linked = host();
    linked.receive(&release.tarball, false);
    let elsewhere = linked.dir.path().join("elsewhere");
    std::fs::rename(linked.stream_dir(), &elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, linked.stream_dir()).unwrap();
    let (ok, pairs, text) = linked.install(&release, true);
    assert!(ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");
    assert!(elsewhere.join("tree/go/bin/go").exists(), "not followed");
    assert!(!linked.stream_dir().exists() && !linked.stream_dir().is_symlink());
}

/// A tree with the bundle's hash that this push did not send (left by an earlier, cut push, or
/// planted by someone who can write the releases): never used. The tarball is read, and here
/// (zeros) refused.
#[test]
fn an_unpacked_tree_this_push_did_not_send_is_never_used() {
    let host = host();
    let release = release(host.dir.path());
    host.receive(&release.tarball, false);
    std::fs::write(host.tarball(), vec![0u8; release.tarball.len()]).unwrap();
    let (ok, pairs, text) = host.install(&release, false);
    assert!(!ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");
    assert_eq!(value(&pairs, "fail"), Some("check_tarball"), "{text}");
    assert!(!host.stream_dir().exists(), "the unused tree is gone");
    assert_eq!(host.active(), None, "nothing switched");
}

/// A gzip decoder that writes every byte and then fails (exit 3) is not taken at tar's word:
/// receive leaves no tree for install to use, and install, reading the tarball with the same
/// decoder, fails at extract naming it. Nothing is switched.
#[test]
fn a_decoder_that_fails_after_its_output_leaves_no_tree_to_use() {
    use std::os::unix::fs::PermissionsExt;
    let host = host();
    let release = release(host.dir.path());
    let bin = host.dir.path().join("fake-bin");
    std::fs::create_dir(&bin).unwrap();
    let igzip = bin.join("igzip");
    std::fs::write(&igzip, "#!/bin/sh\ngzip -dc\nexit 3\n").unwrap();
    std::fs::set_permissions(&igzip, std::fs::Permissions::from_mode(0o755)).unwrap();
    let shadowed = |script: String| format!("PATH='{}':\"$PATH\"\n{script}", bin.display());

    let call = ops::receive_call(&host.paths, "go-tarball", VERSION, TARBALL, false);
    let (ok, said, text) = sh(&shadowed(call.script()), &release.tarball);
    assert!(ok, "{text}");
    assert_eq!(value(&said, "unpacked"), None, "{text}");
    assert_eq!(std::fs::read(host.tarball()).unwrap(), release.tarball);

    let (ok, pairs, text) = sh(&shadowed(host.install_script(&release, true)), b"");
    assert!(!ok, "{text}");
    assert_eq!(value(&pairs, "one_pass"), None, "{text}");
    assert_eq!(value(&pairs, "fail"), Some("extract"), "{text}");
    assert!(
        text.contains("igzip could not decode") && text.contains("exit 3"),
        "{text}"
    );
    assert_eq!(host.active(), None, "nothing switched");
}
