//! The framing every offgo script's output follows (scripts/prelude.sh): one `key=value` line per
//! value, the value escaped by `kv` so that it never holds a newline. Decoding here is the only
//! way a value comes back: whatever bytes a host put in a value, they stay inside that value.

/// The shell functions every script body is prefixed with (`kv KEY VALUE`).
pub const PRELUDE: &str = include_str!("scripts/prelude.sh");

/// Undoes `kv`'s escaping: `\\` → `\`, `\n` → newline. Any other
/// backslash is kept as it is (a host can't produce one through `kv`, but a value is data either
/// way).
pub fn decode_value(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

/// One line of script output as `(key, decoded value)`; `None` for a line without `=`.
pub fn split_pair(line: &str) -> Option<(&str, String)> {
    let (key, value) = line.split_once('=')?;
    Some((key, decode_value(value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// What `kv` prints for `value`, run by the real `sh`.
    fn kv_in_sh(value: &str) -> String {
        let script = format!("{PRELUDE}\nkv k \"$1\"\n");
        let out = Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg("sh")
            .arg(value)
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn a_value_with_newlines_stays_one_line_and_decodes_back() {
        for value in [
            "plain",
            "",
            "x\nfake=1\nprobe_end=1",
            "back\\slash\\n not a newline",
            "cr\r\nlf",
            "trailing\\",
            "\u{1b}]0;title\u{7}\u{1b}[2J",
        ] {
            let printed = kv_in_sh(value);
            let line = printed.strip_suffix('\n').unwrap();
            assert!(!line.contains('\n'), "{printed:?}");
            let (key, decoded) = split_pair(line).unwrap();
            assert_eq!(key, "k");
            assert_eq!(decoded, value);
        }
    }

    #[test]
    fn unknown_escapes_are_kept() {
        assert_eq!(decode_value("a\\tb\\"), "a\\tb\\");
    }
}
