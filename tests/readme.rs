//! The README tells the truth about the console: its key table is the one the keymap
//! generates, and the picture it shows is in the repository.
//!
//! `OFFGO_UPDATE_README=1 cargo test --test readme` rewrites the key table after a keymap change.

use std::path::PathBuf;

const KEYS_HEADING: &str = "## Keys";

fn readme_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// The byte range of the Markdown table under `## Keys`.
fn key_table_span(readme: &str) -> std::ops::Range<usize> {
    let heading = readme
        .find(&format!("\n{KEYS_HEADING}\n"))
        .unwrap_or_else(|| panic!("README.md has no `{KEYS_HEADING}` section"));
    let section_end = readme[heading + 1..]
        .find("\n## ")
        .map_or(readme.len(), |i| heading + 1 + i);
    let start = readme[heading..section_end]
        .find("\n|")
        .map(|i| heading + i + 1)
        .unwrap_or_else(|| panic!("the `{KEYS_HEADING}` section of README.md has no table"));
    let mut end = start;
    for line in readme[start..].split_inclusive('\n') {
        if !line.starts_with('|') {
            break;
        }
        end += line.len();
    }
    start..end
}

#[test]
fn the_readme_key_table_is_the_generated_one() {
    let path = readme_path();
    let readme = std::fs::read_to_string(&path).unwrap();
    let span = key_table_span(&readme);
    let expected = offgo::tui::key_reference_markdown();
    if std::env::var_os("OFFGO_UPDATE_README").is_some() {
        let mut updated = readme.clone();
        updated.replace_range(span, &expected);
        std::fs::write(&path, updated).unwrap();
        return;
    }
    assert!(
        readme[span.clone()] == expected,
        "README.md's key table differs from the keymap (src/tui/keymap.rs). Run \
         `OFFGO_UPDATE_README=1 cargo test --test readme`, or paste:\n\n{expected}\nREADME has:\n\n{}",
        &readme[span]
    );
}

#[test]
fn the_table_finder_sees_a_stale_table() {
    let stale = "# x\n\n## Keys\n\nSome words.\n\n| Keys | Where | Action |\n| --- | --- | --- |\n| `q` | table | quit |\n\nAfter.\n\n## Next\n";
    let span = key_table_span(stale);
    assert_eq!(
        &stale[span],
        "| Keys | Where | Action |\n| --- | --- | --- |\n| `q` | table | quit |\n"
    );
    assert_ne!(
        offgo::tui::key_reference_markdown(),
        "| Keys | Where | Action |\n| --- | --- | --- |\n| `q` | table | quit |\n"
    );
}

#[test]
fn the_readme_shows_the_console_picture_kept_in_the_repo() {
    let readme = std::fs::read_to_string(readme_path()).unwrap();
    let picture = "docs/console.svg";
    assert!(
        readme.contains(&format!("]({picture})")),
        "README.md shows {picture}"
    );
    let svg = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(picture))
        .unwrap_or_else(|e| panic!("{picture}: {e}; make it with scripts/screenshot"));
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{picture} is an SVG"
    );
    for host in ["web-04", "build-01", "db-02"] {
        assert!(
            svg.contains(host),
            "{picture} shows the demo fleet ({host})"
        );
    }
}
