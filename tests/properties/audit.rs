//! The audit chain: any bytes are checked without a panic; a chain written from any records
//! verifies, and any single-byte edit or deleted line is caught by the chain check together
//! with the last line (the one the jump host also holds).

use offgo::core::audit::chain::verify_chain;
use offgo::core::audit::local::last_line;
use offgo::core::audit::record::{line_hash, AuditRecord, GENESIS};
use offgo::core::audit::LocalAuditLog;
use proptest::prelude::*;

use crate::support::{budget, hostile, hostile_bytes};

fn record() -> impl Strategy<Value = AuditRecord> {
    (
        (
            hostile(),
            hostile(),
            proptest::sample::select(vec!["web-01", "web-02", "db-01"]),
        ),
        (hostile(), hostile(), hostile(), hostile()),
    )
        .prop_map(
            |((ts, actor, host), (action, target, result, detail))| AuditRecord {
                ts,
                actor,
                host: host.to_string(),
                action,
                target,
                result,
                detail,
                prev: String::new(),
            },
        )
}

/// The lines of a log holding `records`, each chained to the one before.
fn chain(records: &[AuditRecord]) -> Vec<String> {
    let mut prev = GENESIS.to_string();
    records
        .iter()
        .map(|r| {
            let line = AuditRecord {
                prev: prev.clone(),
                ..r.clone()
            }
            .to_line();
            prev = line_hash(line.as_bytes());
            line
        })
        .collect()
}

fn log_bytes(lines: &[String]) -> Vec<u8> {
    lines
        .iter()
        .flat_map(|l| format!("{l}\n").into_bytes())
        .collect()
}

/// Tampering shows: the chain breaks, or the log no longer ends with the line it ended with.
fn tampering_shows(bytes: &[u8], original_last: &str) -> bool {
    let check = verify_chain(bytes, false);
    check.broken.is_some() || check.last_line.as_deref() != Some(original_last)
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_bytes_are_checked_without_panicking(raw in hostile_bytes(), partial in any::<bool>()) {
        let check = verify_chain(&raw, partial);
        if let Some((line, _)) = &check.broken {
            let first = if partial { 2 } else { 1 };
            prop_assert!(*line >= first && *line < first + check.entries, "{check:?}");
        }
        let _ = last_line(&raw);
    }

    #[test]
    fn a_chain_of_any_records_verifies(records in proptest::collection::vec(record(), 0..6)) {
        let lines = chain(&records);
        let check = verify_chain(&log_bytes(&lines), false);
        prop_assert_eq!(check.broken, None);
        prop_assert_eq!(check.entries, records.len());
        prop_assert_eq!(check.last_line.as_ref(), lines.last());
        prop_assert_eq!(check.last_action.as_ref(), records.last().map(|r| &r.action));
    }

    /// The probe fetches only a log's tail: from any cut, the whole lines after it verify.
    #[test]
    fn any_tail_of_a_chain_verifies_as_partial(
        records in proptest::collection::vec(record(), 1..6),
        cut in any::<usize>(),
    ) {
        let bytes = log_bytes(&chain(&records));
        let tail = &bytes[cut % bytes.len()..];
        prop_assert_eq!(verify_chain(tail, true).broken, None);
    }

    #[test]
    fn any_single_byte_edit_is_caught(
        records in proptest::collection::vec(record(), 1..6),
        at in any::<usize>(),
        byte in any::<u8>(),
    ) {
        let lines = chain(&records);
        let mut bytes = log_bytes(&lines);
        let at = at % bytes.len();
        prop_assume!(bytes[at] != byte);
        bytes[at] = byte;
        prop_assert!(tampering_shows(&bytes, lines.last().unwrap()), "{:?}", String::from_utf8_lossy(&bytes));
    }

    /// In a tail, only the first (possibly cut) line is taken on trust: an edit in any whole
    /// line before the last breaks the chain.
    #[test]
    fn an_edit_inside_a_tail_is_caught(
        records in proptest::collection::vec(record(), 3..7),
        cut in any::<usize>(),
        at in any::<usize>(),
        byte in any::<u8>(),
    ) {
        // Cut inside the first line: the tail holds a partial line, then whole ones.
        let lines = chain(&records);
        let bytes = log_bytes(&lines);
        let mut tail = bytes[cut % (lines[0].len() + 1)..].to_vec();
        let whole_from = tail.iter().position(|&b| b == b'\n').unwrap() + 1;
        let last_from = tail.len() - lines.last().unwrap().len() - 1;
        let at = whole_from + at % (last_from - whole_from);
        prop_assume!(tail[at] != byte);
        tail[at] = byte;
        prop_assert!(verify_chain(&tail, true).broken.is_some(), "{:?}", String::from_utf8_lossy(&tail));
    }

    #[test]
    fn any_deleted_line_is_caught(
        records in proptest::collection::vec(record(), 1..6),
        which in any::<usize>(),
    ) {
        let mut lines = chain(&records);
        let last = lines.last().unwrap().clone();
        lines.remove(which % lines.len());
        prop_assert!(tampering_shows(&log_bytes(&lines), &last));
    }

    #[test]
    fn a_host_index_of_any_bytes_loads_without_panicking(raw in hostile_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index");
        std::fs::write(&path, &raw).unwrap();
        let _ = offgo::core::audit::index::read(&path);
    }
}

proptest! {
    // Each append syncs a file: fewer cases.
    #![proptest_config(budget(32))]

    /// The jump host's writer: what `append` wrote is one chain, one entry per record.
    #[test]
    fn appended_records_chain_and_are_recorded_per_host(
        records in proptest::collection::vec(record(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let log = LocalAuditLog::new(dir.path().join("audit.log"));
        let mut written = Vec::new();
        for r in &records {
            written.push((r.host.clone(), log.append(r.clone()).unwrap()));
        }
        let check = log.verify().unwrap();
        prop_assert_eq!(check.broken, None);
        prop_assert_eq!(check.entries, records.len());
        let text = std::fs::read_to_string(log.path()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        let appended: Vec<&str> = written.iter().map(|(_, l)| l.as_str()).collect();
        prop_assert_eq!(lines, appended);
    }
}
