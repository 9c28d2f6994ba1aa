//! Malformed TOML: the parser's own message and position, plus the key it happened under.

use std::collections::HashMap;

use super::error::{InventoryError, Position};
use super::field::Doc;

pub(super) fn syntax_error(doc: &Doc<'_>, error: &toml::de::Error) -> InventoryError {
    let mut err = InventoryError::new(error.message().trim()).in_file(doc.file);
    if let Some(span) = error.span() {
        err = err.at(Position::of_offset(doc.text, span.start));
        if let Some(key) = enclosing_key(doc.text, span.start) {
            err = err.key(key);
        }
    }
    let header = error
        .span()
        .and_then(|span| text_line(doc.text, span.start))
        .is_some_and(|line| line.trim_start().starts_with('['));
    let hint = if error.message().contains("duplicate key") && header {
        "each table may appear only once: merge the two blocks into one"
    } else if error.message().contains("duplicate key") {
        "each key may appear only once in a table: remove or rename one of them"
    } else {
        "fix the TOML syntax here: strings need quotes, lists use [ ], one `key = value` per line"
    };
    err.hint(hint)
}

/// The line that holds byte `offset`.
fn text_line(text: &str, offset: usize) -> Option<&str> {
    let line_no = text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    text.lines().nth(line_no)
}

/// The dotted key an error at `offset` belongs to, e.g. `hosts[1].port`, read from the table
/// headers above it. A document that failed to parse has no tree to ask, so this reads lines;
/// it is a best effort (a header-like line inside a multi-line string can mislead it), which is
/// fine for pointing an operator at the right block.
fn enclosing_key(text: &str, offset: usize) -> Option<String> {
    let bytes = text.as_bytes();
    let line_no = bytes[..offset.min(bytes.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count();
    let mut table: Option<String> = None;
    let mut arrays: HashMap<&str, usize> = HashMap::new();
    // The broken line is read too: when it is a header (a table defined twice, an unclosed
    // `[groups.web`), the key is the header's own, not the table above it.
    for (i, line) in text.lines().take(line_no + 1).enumerate() {
        let line = line.trim();
        let header = if let Some(name) = line.strip_prefix("[[").and_then(|r| r.split("]]").next())
        {
            let index = arrays.entry(name.trim()).or_insert(0);
            *index += 1;
            Some(format!("{}[{}]", name.trim(), *index - 1))
        } else {
            line.strip_prefix('[')
                .and_then(|r| r.split(']').next())
                .map(|name| name.trim().to_owned())
        };
        match header {
            Some(name) if i == line_no => return Some(name).filter(|n| !n.is_empty()),
            Some(name) => table = Some(name),
            None => {}
        }
    }
    let line = text.lines().nth(line_no).unwrap_or("").trim();
    let key = line.split_once('=').map(|(k, _)| k.trim()).filter(|k| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || "_-.".contains(c))
    });
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (t, k) => t.or(k.map(str::to_owned)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key_at(text: &str, needle: &str) -> Option<String> {
        enclosing_key(text, text.find(needle).unwrap_or(text.len()))
    }

    #[test]
    fn names_the_table_and_key_of_the_broken_line() {
        let text = "[defaults]\nuser = \"a\"\n[[hosts]]\nname = \"a\"\n[[hosts]]\nport = 22 22\n";
        assert_eq!(key_at(text, "22 22").as_deref(), Some("hosts[1].port"));
        assert_eq!(key_at(text, "\"a\"\n[[").as_deref(), Some("defaults.user"));
    }

    #[test]
    fn top_level_keys_and_broken_headers() {
        assert_eq!(key_at("x = = 1\n", "= 1").as_deref(), Some("x"));
        assert_eq!(
            key_at("[defaults]\n[groups.web\n", "[groups").as_deref(),
            Some("groups.web")
        );
        assert_eq!(
            key_at("[[hosts]]\n[[hosts]]\n[hosts]\n", "[hosts]\n").as_deref(),
            Some("hosts")
        );
        assert_eq!(key_at("\"unclosed\n", "unclosed"), None);
    }
}
