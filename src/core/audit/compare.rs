//! Judging a host's audit log against what the jump host recorded for it: the host's own chain
//! must be unbroken, and every recorded entry must be in it, in order. Lines the jump host did
//! not record (another jump host's, say) may sit between them.

use super::index::RecordedEntry;
use super::record::{entry_hash, line_hash, AuditRecord, GENESIS};
use super::status::AuditStatus;

/// What the comparison found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Lines in the host's log.
    pub entries: usize,
    pub last_action: Option<String>,
    /// `tampered` or `diverged`, and why (naming the host's line or the jump host's entry).
    pub problem: Option<(AuditStatus, String)>,
}

/// Judges the host's log `bytes` (the whole file, or with `truncated` only its tail; the file has
/// `total_lines`) against `want`, the jump host's entries from its last acceptance on.
///
/// After an acceptance the host's log is judged from the accepted entry on: what came before it
/// was accepted as it was. In a tail, entries older than the tail's first whole line cannot be
/// compared (nor can the chain before it): only the newer ones must be there.
pub fn judge(
    bytes: &[u8],
    total_lines: usize,
    truncated: bool,
    want: &[RecordedEntry],
) -> Judgement {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if truncated && !lines.is_empty() {
        // The tail starts mid-line.
        lines.remove(0);
    }
    let first_number = if truncated {
        total_lines.saturating_sub(lines.len()) + 1
    } else {
        1
    };
    let number = |i: usize| first_number + i;
    let records: Vec<Result<AuditRecord, String>> = lines
        .iter()
        .map(|l| serde_json::from_slice::<AuditRecord>(l).map_err(|e| e.to_string()))
        .collect();
    let mut judgement = Judgement {
        entries: if truncated { total_lines } else { lines.len() },
        last_action: records
            .last()
            .and_then(|r| r.as_ref().ok())
            .map(|r| r.action.clone()),
        problem: None,
    };
    let hashes: Vec<Option<String>> = if want.is_empty() {
        Vec::new()
    } else {
        records
            .iter()
            .map(|r| r.as_ref().ok().map(entry_hash))
            .collect()
    };
    let find = |from: usize, hash: &str| {
        (from..hashes.len()).find(|&i| hashes[i].as_deref() == Some(hash))
    };

    // Where judging starts, and whether that line's `prev` is taken on trust.
    let baseline = want.first().filter(|e| e.accepted);
    let mut baseline_missing = None;
    let (start, trust_first, before_tail) = match baseline {
        Some(b) => match find(0, &b.hash) {
            Some(at) => (at, true, false),
            None if truncated => (0, true, true),
            None => {
                baseline_missing = Some(b);
                (0, false, false)
            }
        },
        None => (0, truncated, truncated),
    };

    if let Some((i, why)) = chain_break(&lines, &records, start, trust_first) {
        let why = match why {
            Break::NotARecord(e) => format!("not an audit record: {e}"),
            Break::Prev if number(i) == 1 => "first line's prev is not 64 zeros".into(),
            Break::Prev => format!("prev does not match the hash of line {}", number(i) - 1),
        };
        judgement.problem = Some((AuditStatus::Tampered, format!("line {}: {why}", number(i))));
        return judgement;
    }
    if let Some(b) = baseline_missing {
        judgement.problem = Some((
            AuditStatus::Diverged,
            format!(
                "the acceptance the jump host recorded ({}) is not in the host's log",
                b.describe()
            ),
        ));
        return judgement;
    }

    // In a tail without the baseline, entries no newer than its first line may lie before it.
    let tail_starts = before_tail
        .then(|| records.get(start).and_then(|r| r.as_ref().ok()))
        .flatten()
        .map(|r| r.ts.as_str());
    let mut at = start;
    let mut last_found: Option<usize> = None;
    for entry in want {
        if before_tail && tail_starts.is_none_or(|t| entry.ts.as_str() <= t) {
            continue;
        }
        match find(at, &entry.hash) {
            Some(i) => {
                last_found = Some(i);
                at = i + 1;
            }
            None => {
                let place = match last_found {
                    Some(i) => format!(" after its line {}", number(i)),
                    None => String::new(),
                };
                judgement.problem = Some((
                    AuditStatus::Diverged,
                    format!(
                        "the entry the jump host recorded at {} is not in the host's log{place} \
                         (removed, edited, or the log replaced)",
                        entry.describe()
                    ),
                ));
                return judgement;
            }
        }
    }
    judgement
}

enum Break {
    NotARecord(String),
    Prev,
}

/// The first line from `start` on that is not a record or does not chain to the line before.
fn chain_break(
    lines: &[&[u8]],
    records: &[Result<AuditRecord, String>],
    start: usize,
    trust_first: bool,
) -> Option<(usize, Break)> {
    let mut expected = (!trust_first).then(|| GENESIS.to_string());
    for i in start..lines.len() {
        match &records[i] {
            Err(e) => return Some((i, Break::NotARecord(e.clone()))),
            Ok(r) => {
                if expected.as_ref().is_some_and(|e| &r.prev != e) {
                    return Some((i, Break::Prev));
                }
            }
        }
        expected = Some(line_hash(lines[i]));
    }
    None
}

#[cfg(test)]
#[path = "compare_tests.rs"]
mod tests;
