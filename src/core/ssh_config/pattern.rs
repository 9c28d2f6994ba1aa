//! `Host` pattern lists: `*` and `?` wildcards, `!` negation, compared case-insensitively
//! (OpenSSH lower-cases both the host and the patterns).

/// Whether a `Host` line's patterns select `name`: a matching negated pattern rules the block
/// out whatever else matches; otherwise any matching pattern selects it.
pub fn host_matches(patterns: &[String], name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    let mut selected = false;
    for pattern in patterns {
        let (negated, body) = match pattern.strip_prefix('!') {
            Some(body) => (true, body),
            None => (false, pattern.as_str()),
        };
        if wildcard(body.to_ascii_lowercase().as_bytes(), name.as_bytes()) {
            if negated {
                return false;
            }
            selected = true;
        }
    }
    selected
}

/// A pattern that names exactly one host: no wildcard, no negation.
pub fn is_plain_name(pattern: &str) -> bool {
    !pattern.is_empty() && !pattern.contains(['*', '?', '!'])
}

/// `*` any run (empty too), `?` any one byte; everything else literal.
fn wildcard(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(b'*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == b'?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                // Let the last `*` swallow one more byte and try again from there.
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(patterns: &[&str], name: &str) -> bool {
        let owned: Vec<String> = patterns.iter().map(|s| s.to_string()).collect();
        host_matches(&owned, name)
    }

    #[test]
    fn wildcards_negation_and_case() {
        assert!(m(&["web-*"], "web-01"));
        assert!(m(&["web-0?"], "WEB-01"));
        assert!(!m(&["web-0?"], "web-010"));
        assert!(m(&["*"], "anything"));
        assert!(m(&["db", "web-*"], "db"));
        assert!(!m(&["web-*", "!web-03"], "web-03"));
        assert!(m(&["web-*", "!web-03"], "web-04"));
        // A negation alone selects nothing.
        assert!(!m(&["!web-03"], "web-04"));
        assert!(m(&["*a*b*"], "xxaxxbxx"));
        assert!(!m(&["*a*b"], "xxaxxbxx"));
    }

    #[test]
    fn plain_names() {
        assert!(is_plain_name("web-01.example.com"));
        assert!(!is_plain_name("web-*"));
        assert!(!is_plain_name("!db"));
        assert!(!is_plain_name("db?"));
    }
}
