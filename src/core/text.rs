//! Host text made safe to show. Everything a host says (a `go version` line, a file name, a
//! symlink target, an error message) is data: before it reaches a terminal, a JSON document or
//! a console cell it goes through [`safe`] (or [`safe_lines`]), which shows every character that
//! a terminal would act on as an escape (`\x1b`, `\n`, `\u{202e}`) and bounds the length, saying
//! how long the original was. Escaping is one-to-one (a backslash is shown as `\\`), so a host
//! cannot make text that looks like an escape it did not send.

/// The longest one value is shown (characters, escapes included) before it is cut.
pub const SHOWN_MAX: usize = 1024;
/// The longest a multi-line text (a script's output, raw probe output) is shown.
pub const SHOWN_LINES_MAX: usize = 64 * 1024;

/// `text` escaped and cut to [`SHOWN_MAX`]: one line, no character a terminal interprets.
pub fn safe(text: &str) -> String {
    safe_max(text, SHOWN_MAX)
}

/// `text` escaped, at most `max` characters plus the cut mark (a cut text ends with
/// `… (N bytes)`, N the original length).
pub fn safe_max(text: &str, max: usize) -> String {
    if text.len() <= max && plain(text.as_bytes(), false) {
        return text.to_string();
    }
    let mut shown = Shown::new(max, text.len());
    for c in text.chars() {
        if !shown.push(c, false) {
            break;
        }
    }
    shown.finish()
}

/// Like [`safe_max`] for text of several lines: each line escaped, the line breaks kept (a
/// `\r` is shown, not obeyed).
pub fn safe_lines(text: &str, max: usize) -> String {
    if text.len() <= max && plain(text.as_bytes(), true) {
        return text.to_string();
    }
    let mut shown = Shown::new(max, text.len());
    for c in text.chars() {
        if !shown.push(c, true) {
            break;
        }
    }
    shown.finish()
}

/// Printable ASCII but the backslash (and `\n` when lines are kept): shown as it is, one
/// character per byte. The common case, checked a byte at a time without decoding, because a
/// fleet's probe reports pass through here on every refresh.
fn plain(bytes: &[u8], keep_newline: bool) -> bool {
    bytes
        .iter()
        .all(|&b| (0x20..0x7f).contains(&b) && b != b'\\' || keep_newline && b == b'\n')
}

/// The end of a command's output (raw bytes, not necessarily UTF-8) as [`safe_lines`] shows
/// it: at most `max` characters, escapes included, of its last bytes, so a host that prints
/// megabytes leaves a bounded tail. A cut output starts with a line saying how much there was.
pub fn safe_tail(bytes: &[u8], max: usize) -> String {
    let mut start = bytes.len().saturating_sub(max);
    // Start on a character, not inside one.
    while start < bytes.len() && start > 0 && bytes[start] & 0xC0 == 0x80 {
        start += 1;
    }
    let text = String::from_utf8_lossy(&bytes[start..]);
    // Escaping can make the tail up to four times longer: escape it all, keep the end.
    let escaped = safe_lines(&text, usize::MAX);
    let count = escaped.chars().count();
    let skip = count.saturating_sub(max);
    if start == 0 && skip == 0 {
        return escaped;
    }
    let kept: String = escaped.chars().skip(skip).collect();
    format!("… ({} bytes in all; the last shown)\n{kept}", bytes.len())
}

/// Raw bytes (not necessarily UTF-8) as [`safe`] text: a byte that is not UTF-8 shows as `\xNN`.
pub fn safe_bytes(bytes: &[u8]) -> String {
    let mut shown = Shown::new(SHOWN_MAX, bytes.len());
    'chunks: for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if !shown.push(c, false) {
                break 'chunks;
            }
        }
        for b in chunk.invalid() {
            if !shown.push_raw(&format!("\\x{b:02x}")) {
                break 'chunks;
            }
        }
    }
    shown.finish()
}

/// Escaped text being built, up to `max` characters.
struct Shown {
    out: String,
    count: usize,
    max: usize,
    total_bytes: usize,
    cut: bool,
}

impl Shown {
    fn new(max: usize, total_bytes: usize) -> Self {
        Self {
            out: String::with_capacity(total_bytes.min(max) + 24),
            count: 0,
            max,
            total_bytes,
            cut: false,
        }
    }

    /// Adds `c` (escaped unless it is a kept line break); false once the text is full.
    fn push(&mut self, c: char, keep_newline: bool) -> bool {
        if !is_escaped(c) || (keep_newline && c == '\n') {
            let mut buf = [0u8; 4];
            return self.push_raw(c.encode_utf8(&mut buf));
        }
        let escaped = match c {
            '\\' => "\\\\".to_string(),
            '\n' => "\\n".to_string(),
            '\r' => "\\r".to_string(),
            '\t' => "\\t".to_string(),
            c if (c as u32) < 0x80 => format!("\\x{:02x}", c as u32),
            c => format!("\\u{{{:x}}}", c as u32),
        };
        self.push_raw(&escaped)
    }

    /// Adds text that is already safe, whole or not at all.
    fn push_raw(&mut self, piece: &str) -> bool {
        let n = piece.chars().count();
        if self.count + n > self.max {
            self.cut = true;
            return false;
        }
        self.out.push_str(piece);
        self.count += n;
        true
    }

    fn finish(mut self) -> String {
        if self.cut {
            self.out
                .push_str(&format!("… ({} bytes)", self.total_bytes));
        }
        self.out
    }
}

/// Whether `c` is shown as an escape: C0 and C1 controls, DEL, the backslash, and the
/// invisible format characters that reorder or hide text (bidi overrides and isolates,
/// zero-width characters, line and paragraph separators, tags).
pub fn is_escaped(c: char) -> bool {
    c == '\\' || c.is_control() || is_format(c)
}

fn is_format(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD
            | 0x0600..=0x0605
            | 0x061C
            | 0x06DD
            | 0x070F
            | 0x0890..=0x0891
            | 0x08E2
            | 0x115F..=0x1160
            | 0x17B4..=0x17B5
            | 0x180B..=0x180F
            | 0x200B..=0x200F
            | 0x2028..=0x202E
            | 0x2060..=0x206F
            | 0x3164
            | 0xFE00..=0xFE0F
            | 0xFEFF
            | 0xFFA0
            | 0xFFF0..=0xFFFB
            | 0x110BD
            | 0x110CD
            | 0x13430..=0x1343F
            | 0x1BCA0..=0x1BCA3
            | 0x1D173..=0x1D17A
            | 0xE0000..=0xE0FFF
    )
}

/// Every string in `value` (keys too) made [`safe`], so a JSON document stays valid and
/// carries no byte that `jq -r` would hand a terminal raw.
pub fn safe_json(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::String(s) if s.chars().any(is_escaped) || s.len() > SHOWN_MAX => {
            *s = safe(s);
        }
        Value::Array(items) => items.iter_mut().for_each(safe_json),
        Value::Object(map) => {
            if map
                .keys()
                .any(|k| k.chars().any(is_escaped) || k.len() > SHOWN_MAX)
            {
                let old = std::mem::take(map);
                for (k, mut v) in old {
                    safe_json(&mut v);
                    map.insert(safe(&k), v);
                }
            } else {
                map.values_mut().for_each(safe_json);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
