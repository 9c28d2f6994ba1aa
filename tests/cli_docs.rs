//! `offgo-tui completions SHELL` and `offgo-tui man`, through the built binary and the real
//! shells and man tools: each script parses in its shell and completes the real commands and
//! flags; each page renders without a roff warning and documents the commands. zsh, fish and
//! man-db/groff are installed by scripts/test; a missing one fails here rather than passing
//! unseen.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};

use common::offgo;

/// Commands every script and the main page must know.
const COMMANDS: [&str; 9] = [
    "scan",
    "push",
    "verify",
    "rollback",
    "rollout",
    "bundle",
    "audit",
    "completions",
    "man",
];

fn stdout(out: &Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}, stderr: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("UTF-8 output")
}

/// `program args…` with `input` on stdin; fails the test if the program is not installed.
fn run_with(program: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {program} ({e}); scripts/test installs it"));
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("wait")
}

fn script(state: &Path, shell: &str) -> String {
    stdout(&offgo(state, &["completions", shell]))
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_owned()
}

#[test]
fn every_shell_gets_a_script_that_names_the_commands_and_writes_no_log() {
    let state = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let text = script(state.path(), shell);
        // fish spells a long flag `-l hosts`, the others `--hosts`.
        for word in COMMANDS.iter().chain(&["hosts", "inventory", "canary"]) {
            assert!(text.contains(word), "{shell} script lacks {word}");
        }
    }
    // Generated text needs no log file, inventory or state.
    assert_eq!(std::fs::read_dir(state.path()).unwrap().count(), 0);
    let bad = offgo(state.path(), &["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

/// What bash's programmable completion offers for the words typed so far (the last one is
/// being completed).
fn bash_completes(path: &str, words: &[&str]) -> Vec<String> {
    let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source {path}\nCOMP_WORDS=({words})\nCOMP_CWORD={cword}\n\
         _offgo__tui offgo-tui \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        words = words.join(" "),
        cword = words.len() - 1
    );
    let out = stdout(&run_with(
        "bash",
        &["--norc", "--noprofile", "-s"],
        &program,
    ));
    out.lines().map(str::to_owned).collect()
}

#[test]
fn bash_parses_the_script_and_completes_commands_and_flags() {
    let state = tempfile::tempdir().unwrap();
    let path = write(
        state.path(),
        "offgo-tui.bash",
        &script(state.path(), "bash"),
    );
    let check = run_with("bash", &["-n", &path], "");
    assert!(
        check.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert_eq!(
        bash_completes(&path, &["offgo-tui", "ro"]),
        ["rollout", "rollback"]
    );
    // A subcommand's own flags: what clap-rs/clap#6421 breaks for a hyphenated binary.
    assert_eq!(
        bash_completes(&path, &["offgo-tui", "scan", "--ho"]),
        ["--hosts"]
    );
    assert_eq!(
        bash_completes(&path, &["offgo-tui", "bundle", "build", "--sh"]),
        ["--sha256", "--sha256-file"]
    );
    assert_eq!(
        bash_completes(&path, &["offgo-tui", "completions", "f"]),
        ["fish"]
    );
}

#[test]
fn zsh_parses_the_script_and_it_defines_the_completion_function() {
    let state = tempfile::tempdir().unwrap();
    let path = write(state.path(), "_offgo-tui", &script(state.path(), "zsh"));
    let check = run_with("zsh", &["-n", &path], "");
    assert!(
        check.status.success(),
        "zsh -n: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    // Found the way compinit finds it (its `#compdef` line, from $fpath), then loaded for real
    // (`autoload +X` reads the file now and fails on a missing or broken one).
    let program = format!(
        "fpath=({dir} $fpath)\nautoload -Uz compinit && compinit -u -D\n\
         print -r -- \"comps=${{_comps[offgo-tui]}}\"\n\
         autoload +X -Uz _offgo-tui && print -r -- \"loaded=${{+functions[_offgo-tui]}}\"\n",
        dir = state.path().display()
    );
    let out = stdout(&run_with("zsh", &["-f", "-s"], &program));
    assert!(out.contains("comps=_offgo-tui\n"), "{out}");
    assert!(out.contains("loaded=1"), "{out}");
}

#[test]
fn fish_parses_the_script_and_completes_commands_and_flags() {
    let state = tempfile::tempdir().unwrap();
    let path = write(
        state.path(),
        "offgo-tui.fish",
        &script(state.path(), "fish"),
    );
    let check = run_with("fish", &["--no-execute", &path], "");
    assert!(
        check.status.success(),
        "fish --no-execute: {}",
        String::from_utf8_lossy(&check.stderr)
    );
    let completes = |line: &str| -> Vec<String> {
        let program = format!("source {path}\ncomplete -C '{line}'\n");
        let out = stdout(&run_with("fish", &["--no-config", "-c", &program], ""));
        out.lines()
            .map(|l| l.split('\t').next().unwrap_or_default().to_owned())
            .collect()
    };
    let commands = completes("offgo-tui ro");
    assert!(
        commands.contains(&"rollout".to_owned()) && commands.contains(&"rollback".to_owned()),
        "{commands:?}"
    );
    assert!(
        completes("offgo-tui scan --ho").contains(&"--hosts".to_owned()),
        "fish does not offer --hosts"
    );
}

/// groff's warnings (`-ww`) for the page; empty means it renders clean.
fn groff_warnings(page: &str) -> String {
    // -k: the page is UTF-8 (help texts say `…`), read as man-db reads it, through preconv.
    let out = run_with("groff", &["-k", "-man", "-Tutf8", "-ww", "-z"], page);
    assert!(out.status.success(), "groff failed");
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The page as `man -l` shows it; to a pipe, man-db leaves out the bold and underline.
fn man_text(page: &str) -> String {
    let out = Command::new("sh")
        .args(["-c", "MANWIDTH=100 man -l -"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(page.as_bytes())?;
            child.wait_with_output()
        })
        .expect("run man -l");
    stdout(&out)
}

#[test]
fn the_man_page_renders_and_documents_the_commands() {
    let state = tempfile::tempdir().unwrap();
    let page = stdout(&offgo(state.path(), &["man"]));
    assert!(page.contains(".TH offgo-tui 1"), "{page}");
    assert_eq!(groff_warnings(&page), "");
    let text = man_text(&page);
    for section in ["NAME", "SYNOPSIS", "OPTIONS", "--inventory"] {
        assert!(text.contains(section), "no {section} in:\n{text}");
    }
    for command in COMMANDS {
        assert!(
            text.contains(&format!("offgo-tui-{command}(1)")),
            "the page does not list {command}:\n{text}"
        );
    }

    let scan = man_text(&stdout(&offgo(state.path(), &["man", "scan"])));
    assert!(scan.contains("offgo-tui-scan"), "{scan}");
    assert!(
        scan.contains("--hosts") && scan.contains("group:web&!web-03"),
        "{scan}"
    );
    let build = stdout(&offgo(state.path(), &["man", "bundle", "build"]));
    assert!(build.contains(".TH offgo-tui-bundle-build 1"), "{build}");

    let typo = offgo(state.path(), &["man", "bundle", "biuld"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr)
            .contains("`offgo-tui bundle` has no command `biuld`; pages: build, verify, keygen"),
        "{}",
        String::from_utf8_lossy(&typo.stderr)
    );
}

#[test]
fn man_out_writes_one_clean_page_per_command() {
    let state = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    stdout(&offgo(
        state.path(),
        &["man", "--out", dir.path().to_str().unwrap()],
    ));
    let mut pages: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    pages.sort();
    for want in [
        "offgo-tui.1",
        "offgo-tui-scan.1",
        "offgo-tui-rollout.1",
        "offgo-tui-bundle-build.1",
        "offgo-tui-audit-verify.1",
    ] {
        assert!(pages.iter().any(|p| p == want), "{want} not in {pages:?}");
    }
    assert!(!pages.iter().any(|p| p.contains("help")), "{pages:?}");
    for page in &pages {
        let text = std::fs::read_to_string(dir.path().join(page)).unwrap();
        assert_eq!(groff_warnings(&text), "", "{page}");
        let source = format!("\"offgo-tui {}\"", env!("CARGO_PKG_VERSION"));
        assert!(text.contains(&source), "{page} lacks the version");
    }
}
