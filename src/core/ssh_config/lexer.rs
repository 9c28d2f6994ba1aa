//! One line of an ssh config: its keyword and arguments, as OpenSSH splits them.

/// A line that says something: not blank, not a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// Lower-cased: keywords are case-insensitive.
    pub keyword: String,
    /// The keyword as written, for messages.
    pub written: String,
    pub args: Vec<String>,
    /// 1-based column of the keyword.
    pub column: usize,
}

/// Splits `text`. `Ok(None)`: blank or a comment. `Err`: what is wrong (an unterminated quote).
///
/// `keyword value`, `keyword=value` and `keyword = value` are the same; arguments are separated
/// by whitespace unless double- or single-quoted; an unquoted argument starting with `#` ends the
/// line (a trailing comment), as in OpenSSH 8.x and later.
pub fn tokenize(text: &str) -> Result<Option<Line>, String> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return Ok(None);
    }
    let column = text[..text.len() - trimmed.len()].chars().count() + 1;
    let end = trimmed
        .find(|c: char| c.is_whitespace() || c == '=')
        .unwrap_or(trimmed.len());
    let written = trimmed[..end].to_owned();
    let mut rest = trimmed[end..].trim_start();
    if let Some(after) = rest.strip_prefix('=') {
        rest = after.trim_start();
    }
    Ok(Some(Line {
        keyword: written.to_ascii_lowercase(),
        written,
        args: arguments(rest)?,
        column,
    }))
}

fn arguments(text: &str) -> Result<Vec<String>, String> {
    let mut args = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let Some(&first) = chars.peek() else {
            return Ok(args);
        };
        if first == '#' {
            return Ok(args);
        }
        let mut arg = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            match c {
                '"' | '\'' => {
                    let closed = loop {
                        match chars.next() {
                            Some(q) if q == c => break true,
                            Some('\\')
                                if chars.peek() == Some(&c) || chars.peek() == Some(&'\\') =>
                            {
                                arg.extend(chars.next());
                            }
                            Some(other) => arg.push(other),
                            None => break false,
                        }
                    };
                    if !closed {
                        return Err(format!("unterminated {c} quote"));
                    }
                }
                '\\' if matches!(chars.peek(), Some('"' | '\'' | '\\' | ' ')) => {
                    arg.extend(chars.next());
                }
                _ => arg.push(c),
            }
        }
        args.push(arg);
    }
}
