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

/// The console's modules under src/tui, by path (`state::model`), with the source before any
/// `#[cfg(test)]` (unit tests may reach across the console without making a cycle).
fn tui_modules() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/tui");
    let mut files = Vec::new();
    rust_files(&root, &mut files);
    files
        .iter()
        .map(|file| {
            let relative = file.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod") {
                parts.pop();
            }
            let source = std::fs::read_to_string(file).unwrap();
            let code = source
                .split("#[cfg(test)]")
                .next()
                .unwrap_or("")
                .to_string();
            (parts.join("::"), code)
        })
        .collect()
}

/// `a::{b, c::{d, e}}` as `a::b`, `a::c::d`, `a::c::e`.
fn expand(path: &str) -> Vec<String> {
    let Some(open) = path.find('{') else {
        return vec![path.to_string()];
    };
    let close = path.rfind('}').filter(|&c| c > open).unwrap_or(path.len());
    let (prefix, inner) = (&path[..open], &path[open + 1..close]);
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(|p| expand(&format!("{prefix}{}", p.trim())))
        .collect()
}

/// Every path a module's code names: its `use` lines (braces expanded) and inline paths
/// starting at `crate::`, `super::` or `self::`. Comments are left out.
fn named_paths(code: &str) -> Vec<String> {
    let code: String = code
        .lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    let mut at = 0;
    for line in code.split_inclusive('\n') {
        let item = line.trim_start();
        let item = item
            .strip_prefix("pub(crate) ")
            .or_else(|| item.strip_prefix("pub(super) "))
            .or_else(|| item.strip_prefix("pub "))
            .unwrap_or(item);
        if let Some(rest) = item.strip_prefix("use ") {
            let from = at + line.len() - rest.len();
            let end = code[from..].find(';').map_or(code.len(), |e| from + e);
            let used: String = code[from..end]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            paths.extend(expand(&used));
        }
        at += line.len();
    }
    let bytes = code.as_bytes();
    for start in ["crate::", "super::", "self::"] {
        for (at, _) in code.match_indices(start) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let end = code[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                .map_or(code.len(), |e| at + e);
            paths.push(code[at..end].trim_end_matches(':').to_string());
        }
    }
    paths
}

/// The console modules `module` imports, by resolving each named path to the longest module
/// it starts with. Paths to a module's own ancestors are not edges (`mod.rs` declares them).
fn imports(module: &str, code: &str, modules: &[&str]) -> Vec<String> {
    let here: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    let mut found = Vec::new();
    for path in named_paths(code) {
        let mut segments: Vec<&str> = path.split("::").collect();
        let mut base: Vec<&str> = here.clone();
        match segments.first().copied() {
            Some("crate") if segments.get(1) == Some(&"tui") => {
                base.clear();
                segments.drain(..2);
            }
            Some("crate") => continue,
            Some("super") | Some("self") => {
                while segments.first() == Some(&"super") {
                    base.pop();
                    segments.remove(0);
                }
                if segments.first() == Some(&"self") {
                    segments.remove(0);
                }
            }
            _ => {}
        }
        let target = (1..=segments.len())
            .rev()
            .map(|n| [base.clone(), segments[..n].to_vec()].concat().join("::"))
            .find(|candidate| modules.contains(&candidate.as_str()));
        if let Some(target) = target {
            let ancestor = target.is_empty() || module.starts_with(&format!("{target}::"));
            if target != module && !ancestor && !found.contains(&target) {
                found.push(target);
            }
        }
    }
    found
}

/// A cycle in `edges`, as the modules along it, if there is one.
fn find_cycle(edges: &[(String, Vec<String>)]) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &[(String, Vec<String>)],
        path: &mut Vec<String>,
        done: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.iter().any(|d| d == node) {
            return None;
        }
        path.push(node.to_string());
        let next = edges
            .iter()
            .find(|(n, _)| n == node)
            .map(|(_, e)| e.clone());
        for to in next.unwrap_or_default() {
            if let Some(cycle) = visit(&to, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.push(node.to_string());
        None
    }
    let mut done = Vec::new();
    edges
        .iter()
        .find_map(|(node, _)| visit(node, edges, &mut Vec::new(), &mut done))
}

fn tui_import_graph() -> Vec<(String, Vec<String>)> {
    let modules = tui_modules();
    let names: Vec<&str> = modules.iter().map(|(name, _)| name.as_str()).collect();
    modules
        .iter()
        .map(|(name, code)| (name.clone(), imports(name, code, &names)))
        .collect()
}

#[test]
fn the_console_has_no_import_cycle() {
    let graph = tui_import_graph();
    assert!(graph.len() > 20, "src/tui holds {} modules", graph.len());
    assert!(
        graph
            .iter()
            .any(|(name, to)| name == "update" && to.iter().any(|t| t == "state::model")),
        "the import graph is read wrongly: update should import state::model"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!(
            "src/tui has an import cycle: {}\n(the view reports what it measured back as \
             Msg::Measured; shared types go in a module both sides import)",
            cycle.join(" -> ")
        );
    }
}

#[test]
fn the_cycle_check_itself_catches_a_cycle() {
    let modules = [
        "",
        "state",
        "state::model",
        "update",
        "view",
        "view::detail",
    ];
    let model = imports("state::model", "use crate::tui::update::settle;", &modules);
    assert_eq!(model, ["update"]);
    let update = imports(
        "update",
        "use super::{state::model::Model, view};",
        &modules,
    );
    assert_eq!(update, ["state::model", "view"]);
    let detail = imports(
        "view::detail",
        "let _ = super::super::update::x();",
        &modules,
    );
    assert_eq!(detail, ["update"]);
    let graph = vec![
        ("state::model".to_string(), model),
        ("update".to_string(), update),
        ("view".to_string(), Vec::new()),
    ];
    assert!(find_cycle(&graph).is_some());
    assert!(find_cycle(&graph[1..]).is_none());
}

/// The console and the demo drive the core, never the headless face: what both faces need
/// (bundle trust, rollout sessions, exit codes, the inventory) lives in core.
#[test]
fn the_console_does_not_import_the_headless_face() {
    let mut offences = Vec::new();
    let demo =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("src/demo.rs")).unwrap();
    for (name, code) in tui_modules()
        .into_iter()
        .chain([("demo".to_string(), demo)])
    {
        for line in code.lines() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::cli") || code.contains("offgo::cli") {
                offences.push(format!("tui::{name}: {}", line.trim()));
            }
        }
    }
    assert!(
        offences.is_empty(),
        "src/tui imports the CLI (shared logic belongs in core):\n{}",
        offences.join("\n")
    );
}
