//! Verifying a hash chain of audit lines. A broken chain is reported with the line where it
//! breaks; it is never repaired.

use super::record::{line_hash, AuditRecord, GENESIS};

/// What a chain check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCheck {
    /// Lines read.
    pub entries: usize,
    /// The last line's bytes (without newline), if any.
    pub last_line: Option<String>,
    pub last_action: Option<String>,
    /// The first problem: 1-based line number within the checked bytes, and why.
    pub broken: Option<(usize, String)>,
}

/// Checks `bytes` (JSON lines). With `partial`, the bytes are only the tail of the log: the
/// first (possibly cut) line is skipped and the first whole line's `prev` is taken on trust.
pub fn verify_chain(bytes: &[u8], partial: bool) -> ChainCheck {
    let mut check = ChainCheck {
        entries: 0,
        last_line: None,
        last_action: None,
        broken: None,
    };
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    let mut first_line_number = 1;
    if partial && !lines.is_empty() {
        lines.remove(0);
        first_line_number = 2;
    }
    let mut expected_prev: Option<String> = if partial {
        None
    } else {
        Some(GENESIS.to_string())
    };
    for (i, line) in lines.iter().enumerate() {
        let number = first_line_number + i;
        check.entries += 1;
        let text = String::from_utf8_lossy(line);
        let record = match serde_json::from_slice::<AuditRecord>(line) {
            Ok(r) => r,
            Err(e) => {
                check
                    .broken
                    .get_or_insert((number, format!("not an audit record: {e}")));
                expected_prev = Some(line_hash(line));
                check.last_line = Some(text.into_owned());
                check.last_action = None;
                continue;
            }
        };
        if let Some(expected) = &expected_prev {
            if &record.prev != expected {
                let why = if number == 1 {
                    "first line's prev is not 64 zeros".to_string()
                } else {
                    format!("prev does not match the hash of line {}", number - 1)
                };
                check.broken.get_or_insert((number, why));
            }
        }
        expected_prev = Some(line_hash(line));
        check.last_action = Some(record.action.clone());
        check.last_line = Some(text.into_owned());
    }
    check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(action: &str, prev: &str) -> AuditRecord {
        AuditRecord {
            ts: "2026-11-22T04:00:00Z".into(),
            actor: "ops@jump".into(),
            host: "web-01".into(),
            action: action.into(),
            target: "go1.22.10".into(),
            result: "ok".into(),
            detail: String::new(),
            prev: prev.into(),
        }
    }

    /// A valid chain of `actions`.
    pub fn chain(actions: &[&str]) -> String {
        let mut prev = GENESIS.to_string();
        let mut out = String::new();
        for a in actions {
            let line = record(a, &prev).to_line();
            prev = line_hash(line.as_bytes());
            out.push_str(&line);
            out.push('\n');
        }
        out
    }

    #[test]
    fn a_valid_chain_verifies() {
        let c = verify_chain(chain(&["push", "verify", "rollback"]).as_bytes(), false);
        assert_eq!(c.entries, 3);
        assert_eq!(c.broken, None);
        assert_eq!(c.last_action.as_deref(), Some("rollback"));
    }

    #[test]
    fn an_empty_log_is_fine() {
        let c = verify_chain(b"", false);
        assert_eq!((c.entries, c.broken), (0, None));
    }

    #[test]
    fn an_edited_line_breaks_the_next_link() {
        let text = chain(&["push", "verify", "rollback"]).replacen(
            "\"result\":\"ok\"",
            "\"result\":\"OK\"",
            1,
        );
        let c = verify_chain(text.as_bytes(), false);
        assert_eq!(
            c.broken,
            Some((2, "prev does not match the hash of line 1".into()))
        );
    }

    #[test]
    fn a_deleted_line_is_found() {
        let text = chain(&["push", "verify", "rollback"]);
        let lines: Vec<&str> = text.lines().collect();
        let cut = format!("{}\n{}\n", lines[0], lines[2]);
        assert_eq!(
            verify_chain(cut.as_bytes(), false).broken.map(|b| b.0),
            Some(2)
        );
    }

    #[test]
    fn a_deleted_first_line_is_found() {
        let text = chain(&["push", "verify"]);
        let second = text.lines().nth(1).unwrap().to_string() + "\n";
        assert_eq!(
            verify_chain(second.as_bytes(), false).broken,
            Some((1, "first line's prev is not 64 zeros".into()))
        );
    }

    #[test]
    fn garbage_and_extra_keys_are_tampering() {
        let text = chain(&["push"]) + "not json\n";
        assert_eq!(
            verify_chain(text.as_bytes(), false).broken.map(|b| b.0),
            Some(2)
        );
        let extra = chain(&["push"]).replace("\"prev\"", "\"sneaky\":1,\"prev\"");
        assert!(verify_chain(extra.as_bytes(), false).broken.is_some());
    }

    #[test]
    fn a_partial_tail_trusts_its_first_whole_line() {
        let text = chain(&["push", "verify", "rollback", "push"]);
        let tail = &text[text.len() - (text.len() / 2)..];
        let c = verify_chain(tail.as_bytes(), true);
        assert_eq!(c.broken, None);
        assert_eq!(c.last_action.as_deref(), Some("push"));
    }
}
