//! host_tools.sh run by the real `sh` with the real tools CI installs (openssl, igzip, zstd,
//! unpigz, next to the contract's sha256sum and gzip): a faster tool is picked only after a
//! known answer, every decoder unpacks the same tree or fails saying so, and the fast tree check
//! passes only what `sha256sum -c` passes.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use sha2::{Digest, Sha256};

use crate::core::remote::call::HOST_TOOLS;
use crate::core::remote::frame::PRELUDE;

const DECODERS: [&str; 4] = ["igzip", "zstd", "unpigz", "gzip"];

/// `sh -c INPUTS PRELUDE HOST_TOOLS BODY` in `cwd`, with `path` as PATH when given: INPUTS
/// (`host_tools=…`) come first, as a verb's inputs do.
fn run(inputs: &str, body: &str, cwd: &Path, path: Option<&str>, args: &[&str]) -> Output {
    let script = format!("{inputs}\n{PRELUDE}{HOST_TOOLS}{body}");
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .current_dir(cwd);
    if let Some(path) = path {
        cmd.env("PATH", path);
    }
    cmd.output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn which(tool: &str) -> PathBuf {
    let out = Command::new("sh")
        .args(["-c", "command -v \"$1\"", "sh", tool])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{tool} is not installed: scripts/test installs it (package of {tool})"
    );
    PathBuf::from(String::from_utf8(out.stdout).unwrap().trim())
}

/// A directory of links to the real tools (and whatever `extra` writes there), for a PATH that
/// holds exactly these.
fn tool_dir(dir: &Path, real: &[&str], fakes: &[(&str, &str)]) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in real {
        std::os::unix::fs::symlink(which(tool), bin.join(tool)).unwrap();
    }
    for (name, text) in fakes {
        let f = bin.join(name);
        std::fs::write(&f, format!("#!/bin/sh\n{text}\n")).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    bin.display().to_string()
}

/// What every script needs besides the tools under test.
const BASE: [&str; 14] = [
    "sh", "printf", "cat", "cut", "sed", "grep", "tr", "xargs", "wc", "tar", "mktemp", "rm", "seq",
    "cksum",
];

fn base_with(tools: &[&str]) -> Vec<&'static str> {
    let mut all: Vec<&'static str> = BASE.to_vec();
    for t in tools {
        all.push(Box::leak(t.to_string().into_boxed_str()));
    }
    all
}

const PICKED: &str = "offgo_pick_tools\necho \"$offgo_sha $offgo_gz\"\n";

#[test]
fn the_fastest_tools_are_picked_only_after_their_known_answer() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing is picked (no known answers run) until a verb or a function asks.
    let out = run(
        "",
        "echo \"[$offgo_sha$offgo_gz]\"\n",
        dir.path(),
        None,
        &[],
    );
    assert_eq!(stdout(&out), "[]\n");
    // The real ones, all present: OpenSSL and ISA-L's igzip.
    let out = run("", PICKED, dir.path(), None, &[]);
    assert_eq!(stdout(&out), "openssl igzip\n");
    // host_tools=contract: the contract's tools only.
    let out = run("host_tools=contract", PICKED, dir.path(), None, &[]);
    assert_eq!(stdout(&out), "sha256sum gzip\n");

    // An openssl whose SHA-256 is wrong, an igzip that mangles a digit and a zstd that drops the
    // last newline are passed over: unpigz next.
    let path = tool_dir(
        dir.path(),
        &base_with(&["gzip", "sha256sum", "unpigz", "head"]),
        &[
            ("openssl", "echo 0000 '*stdin'"),
            ("igzip", "gzip -dc | tr 7 8"),
            ("zstd", "gzip -dc | head -c -1"),
        ],
    );
    let out = run("", PICKED, dir.path(), Some(&path), &[]);
    assert_eq!(stdout(&out), "sha256sum unpigz\n", "{out:?}");

    // Nothing but the contract's tools.
    let bare = tempfile::tempdir().unwrap();
    let path = tool_dir(bare.path(), &base_with(&["gzip", "sha256sum"]), &[]);
    let out = run("", PICKED, bare.path(), Some(&path), &[]);
    assert_eq!(stdout(&out), "sha256sum gzip\n", "{out:?}");
}

#[test]
fn digests_are_the_same_whichever_tool_takes_them() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("f");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(&file, &bytes).unwrap();
    let want = hex::encode(Sha256::digest(&bytes));
    for mode in ["auto", "contract"] {
        let out = run(
            &format!("host_tools={mode}"),
            "digest_of \"$1\"; echo; sha256_stdin < \"$1\"\n",
            dir.path(),
            None,
            &[file.to_str().unwrap()],
        );
        let text = stdout(&out);
        let mut lines = text.lines();
        assert_eq!(lines.next(), Some(want.as_str()), "{mode}");
        assert!(
            lines.next().unwrap().starts_with(&format!("{want} ")),
            "{mode}"
        );
    }
}

/// A tarball of `files` (name, content) made by the real tar and gzip.
fn tarball(dir: &Path, files: &[(&str, Vec<u8>)]) -> PathBuf {
    let src = dir.join("src");
    for (name, bytes) in files {
        let p = src.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let tb = dir.join("t.tar.gz");
    let ok = Command::new("tar")
        .arg("-czf")
        .arg(&tb)
        .arg("-C")
        .arg(&src)
        .arg(".")
        .status()
        .unwrap();
    assert!(ok.success());
    tb
}

/// untar_gz with `decoder` forced: (status, offgo_out).
fn untar_with(decoder: &str, path: Option<&str>, tb: &Path, into: &Path) -> (bool, String) {
    std::fs::create_dir_all(into).unwrap();
    let out = run(
        "",
        &format!(
            "offgo_sha=sha256sum offgo_gz={decoder}\n\
             untar_gz \"$1\" \"$2\" --no-same-owner; r=$?; printf '%s' \"$offgo_out\"; exit $r\n"
        ),
        tb.parent().unwrap(),
        path,
        &[tb.to_str().unwrap(), into.to_str().unwrap()],
    );
    (out.status.success(), stdout(&out))
}

#[test]
fn every_decoder_unpacks_the_same_tree_and_a_failing_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let big: Vec<u8> = (0..2_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let tb = tarball(
        dir.path(),
        &[
            ("go/VERSION", b"go1.22.10\n".to_vec()),
            ("go/bin/big", big.clone()),
        ],
    );
    for decoder in DECODERS {
        let into = dir.path().join(format!("x-{decoder}"));
        let (ok, out) = untar_with(decoder, None, &tb, &into);
        assert!(ok, "{decoder}: {out}");
        assert_eq!(
            std::fs::read(into.join("go/bin/big")).unwrap(),
            big,
            "{decoder}"
        );
        assert_eq!(
            std::fs::read(into.join("go/VERSION")).unwrap(),
            b"go1.22.10\n"
        );
    }

    // Megabytes of zeros after the archive's end blocks (as a large blocking factor leaves):
    // tar stops reading early, and no decoder is failed for the bytes it could not hand over.
    let plain = Command::new("tar")
        .arg("-cf")
        .arg("-")
        .arg("-C")
        .arg(dir.path().join("src"))
        .arg(".")
        .output()
        .unwrap();
    let mut padded = plain.stdout;
    padded.extend(std::iter::repeat_n(0u8, 3 << 20));
    let padded_tb = dir.path().join("padded.tar.gz");
    let gz = crate::core::remote::test_sh::sh_with_stdin("gzip -c", &[], &padded);
    std::fs::write(&padded_tb, gz.stdout).unwrap();
    for decoder in DECODERS {
        let into = dir.path().join(format!("p-{decoder}"));
        let (ok, out) = untar_with(decoder, None, &padded_tb, &into);
        assert!(ok, "{decoder}: {out}");
        assert_eq!(
            std::fs::read(into.join("go/bin/big")).unwrap(),
            big,
            "{decoder}"
        );
    }

    // Cut short: every decoder fails, and the error says which one could not decode.
    let whole = std::fs::read(&tb).unwrap();
    let cut = dir.path().join("cut.tar.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    for decoder in DECODERS {
        let (ok, out) = untar_with(
            decoder,
            None,
            &cut,
            &dir.path().join(format!("c-{decoder}")),
        );
        assert!(!ok, "{decoder} unpacked half a tarball: {out}");
        if decoder != "gzip" {
            assert!(
                out.contains(&format!("{decoder} could not decode")),
                "{decoder}: {out}"
            );
        }
    }

    // A decoder that writes every byte and then fails is not taken at tar's word.
    let fake = tempfile::tempdir().unwrap();
    let path = tool_dir(
        fake.path(),
        &base_with(&["gzip"]),
        &[("zstd", "gzip -dc; exit 3")],
    );
    let (ok, out) = untar_with("zstd", Some(&path), &tb, &dir.path().join("f"));
    assert!(!ok);
    assert!(
        out.contains("zstd could not decode") && out.contains("exit 3"),
        "{out}"
    );
}

/// A tree of files and its list, in sha256sum's format.
fn tree(dir: &Path, names: &[&str]) -> String {
    let mut list = String::new();
    for (i, name) in names.iter().enumerate() {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let bytes = format!("file {i}: {name}\n").repeat(i + 1);
        std::fs::write(&p, &bytes).unwrap();
        list.push_str(&format!(
            "{}  {name}\n",
            hex::encode(Sha256::digest(bytes.as_bytes()))
        ));
    }
    list
}

/// (sums_ok_fast's verdict, sha256sum -c's) for `list` in `dir`, with `skip`.
fn verdicts(dir: &Path, list: &str, skip: &str, mode: &str) -> (bool, bool) {
    std::fs::write(dir.join("LIST"), list).unwrap();
    let fast = run(
        &format!("host_tools={mode}"),
        "sums_ok_fast LIST \"$1\"\n",
        dir,
        None,
        &[skip],
    );
    let filtered: String = list
        .lines()
        .filter(|l| skip.is_empty() || !l.ends_with("  go/go.env"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("LIST.c"), filtered).unwrap();
    let slow = Command::new("sha256sum")
        .args(["-c", "--quiet", "--strict", "LIST.c"])
        .current_dir(dir)
        .output()
        .unwrap();
    (fast.status.success(), slow.status.success())
}

#[test]
fn the_fast_tree_check_passes_only_what_sha256sum_passes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // `!`: how Go escapes capitals in module paths (a release's testdata, every module cache).
    let names = [
        "go/VERSION",
        "go/bin/go",
        "go/src/a.go",
        "go/go.env",
        "go/lib/x_y-1.2+3@v.txt",
        "go/src/rsc.io_!q!u!o!t!e_v1.5.2.txt",
    ];
    let list = tree(d, &names);

    assert_eq!(verdicts(d, &list, "", "auto"), (true, true), "all match");
    // host_tools=contract: never the fast path; sha256sum -c judges.
    assert_eq!(verdicts(d, &list, "", "contract"), (false, true));
    // An empty list, and blank or odd lines: sha256sum's to judge.
    assert!(!verdicts(d, "", "", "auto").0);
    assert!(!verdicts(d, &format!("{list}\n"), "", "auto").0);
    let starred = list.replacen("  go/VERSION", " *go/VERSION", 1);
    assert!(!verdicts(d, &starred, "", "auto").0);

    // go.env changed: fails, unless its line is skipped (the go_env check judges it).
    std::fs::write(d.join("go/go.env"), "GOTOOLCHAIN=auto\n").unwrap();
    assert_eq!(verdicts(d, &list, "", "auto"), (false, false));
    assert_eq!(verdicts(d, &list, "  go/go\\.env$", "auto"), (true, true));

    // A changed byte, a missing file, a file replaced by a directory.
    std::fs::write(
        d.join("go/src/a.go"),
        "file 2: go/src/a.gO\nfile 2: go/src/a.go\nfile 2: go/src/a.go\n",
    )
    .unwrap();
    assert_eq!(verdicts(d, &list, "  go/go\\.env$", "auto"), (false, false));
    let d2 = tempfile::tempdir().unwrap();
    let list2 = tree(d2.path(), &names);
    std::fs::remove_file(d2.path().join("go/bin/go")).unwrap();
    assert_eq!(verdicts(d2.path(), &list2, "", "auto"), (false, false));
    std::fs::create_dir(d2.path().join("go/bin/go")).unwrap();
    assert_eq!(verdicts(d2.path(), &list2, "", "auto"), (false, false));

    // Names openssl could misread go to sha256sum, right or wrong.
    let d3 = tempfile::tempdir().unwrap();
    for odd in ["-r", "go/with space", "go/back\\slash", "go/x*y"] {
        let list3 = tree(d3.path(), &["go/ok", odd]);
        let (fast, _) = verdicts(d3.path(), &list3, "", "auto");
        assert!(!fast, "{odd} went through openssl");
    }
}
