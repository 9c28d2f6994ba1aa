//! `src/core` is the domain: it must never import the terminal or either face. This reads
//! every source file under src/core and fails on any such import.

use std::path::Path;

const FORBIDDEN: [&str; 7] = [
    "ratatui",
    "crossterm",
    "tui_input",
    "crate::tui",
    "crate::cli",
    "offgo::tui",
    "offgo::cli",
];

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn offending_lines(source: &str) -> Vec<String> {
    source
        .lines()
        .filter(|line| {
            let code = line.split("//").next().unwrap_or("");
            FORBIDDEN.iter().any(|word| code.contains(word))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn core_knows_nothing_of_the_terminal_or_the_faces() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src/core"),
        &mut files,
    );
    assert!(
        files.len() > 10,
        "src/core should hold the domain; found {} files",
        files.len()
    );
    let mut offences = Vec::new();
    for file in files {
        for line in offending_lines(&std::fs::read_to_string(&file).unwrap()) {
            offences.push(format!("{}: {}", file.display(), line.trim()));
        }
    }
    assert!(
        offences.is_empty(),
        "src/core imports UI code:\n{}",
        offences.join("\n")
    );
}

#[test]
fn the_check_itself_catches_an_import() {
    assert_eq!(
        offending_lines("use ratatui::widgets::Table;\n// crossterm in a comment is fine").len(),
        1
    );
    assert_eq!(offending_lines("use crate::tui::model::Model;").len(), 1);
}

/// Lines of `source` that name one of `words` outside comments.
fn naming(source: &str, words: &[&str]) -> Vec<String> {
    source
        .lines()
        .filter(|line| {
            let code = line.split("//").next().unwrap_or("");
            words.iter().any(|word| code.contains(word))
        })
        .map(str::to_string)
        .collect()
}

/// The console and the demo drive the core, never the headless face: what both faces need
/// (bundle trust, rollout sessions, exit codes, the inventory) lives in core.
#[test]
fn the_console_never_imports_the_headless_face() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/tui"), &mut files);
    files.push(root.join("src/demo.rs"));
    let mut offences = Vec::new();
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        for line in naming(&source, &["crate::cli", "offgo::cli"]) {
            offences.push(format!("{}: {}", file.display(), line.trim()));
        }
    }
    assert!(
        offences.is_empty(),
        "the console imports the CLI:\n{}",
        offences.join("\n")
    );
    assert_eq!(
        naming("use crate::cli::push::open_trusted;", &["crate::cli"]).len(),
        1
    );
}
