use super::*;
use crate::core::audit::testlog::{entry, HostLog};

fn whole(log: &HostLog, want: &[RecordedEntry]) -> Judgement {
    judge(&log.bytes(), log.lines.len(), false, want)
}

fn status(j: &Judgement) -> Option<AuditStatus> {
    j.problem.as_ref().map(|p| p.0)
}

fn why(j: &Judgement) -> &str {
    j.problem.as_ref().map_or("", |p| p.1.as_str())
}

#[test]
fn every_recorded_line_in_order_is_ok() {
    let log = HostLog::new(&["push", "verify", "rollback"]);
    let j = whole(&log, &log.recorded());
    assert_eq!(j.problem, None);
    assert_eq!((j.entries, j.last_action.as_deref()), (3, Some("rollback")));
}

#[test]
fn lines_the_jump_host_did_not_write_may_sit_between() {
    let log = HostLog::new(&["push", "other-push", "verify", "other-verify"]);
    let mut want = log.recorded();
    want.remove(3);
    want.remove(1);
    assert_eq!(whole(&log, &want).problem, None);
}

#[test]
fn an_edited_middle_line_is_tampered_naming_the_line() {
    let mut log = HostLog::new(&["push", "verify", "rollback"]);
    let want = log.recorded();
    log.lines[1] = log.lines[1].replacen("\"ok\"", "\"OK\"", 1);
    let j = whole(&log, &want);
    assert_eq!(status(&j), Some(AuditStatus::Tampered));
    assert_eq!(why(&j), "line 3: prev does not match the hash of line 2");
}

#[test]
fn a_deleted_or_reordered_middle_line_is_tampered() {
    let log = HostLog::new(&["push", "verify", "rollback"]);
    let want = log.recorded();
    let mut cut = log.clone();
    cut.lines.remove(1);
    assert_eq!(status(&whole(&cut, &want)), Some(AuditStatus::Tampered));
    let mut swapped = log.clone();
    swapped.lines.swap(1, 2);
    assert_eq!(status(&whole(&swapped, &want)), Some(AuditStatus::Tampered));
    let mut first = log.clone();
    first.lines.remove(0);
    assert_eq!(
        why(&whole(&first, &want)),
        "line 1: first line's prev is not 64 zeros"
    );
}

#[test]
fn a_deleted_last_line_is_diverged_naming_the_jump_host_line() {
    let mut log = HostLog::new(&["push", "verify", "rollback"]);
    let want = log.recorded();
    log.lines.pop();
    let j = whole(&log, &want);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(
        why(&j).contains("jump host log line 3 (rollback at"),
        "{j:?}"
    );
    assert!(why(&j).contains("after its line 2"), "{j:?}");
}

#[test]
fn a_push_onto_a_shortened_log_stays_diverged() {
    // The case: the last line deleted, then a push appends onto the shortened log.
    let mut log = HostLog::new(&["push", "verify"]);
    let mut want = log.recorded();
    log.lines.pop();
    log.push("push");
    want.push(entry(log.lines.last().unwrap(), 3, false));
    let j = whole(&log, &want);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(why(&j).contains("jump host log line 2 (verify"), "{j:?}");
}

#[test]
fn an_edited_or_reordered_log_with_a_rebuilt_chain_is_diverged() {
    let log = HostLog::new(&["push", "verify", "rollback"]);
    let want = log.recorded();
    let mut edited = log.clone();
    edited.lines[0] = edited.lines[0].replacen("\"ok\"", "\"failed\"", 1);
    edited.rechain();
    let j = whole(&edited, &want);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(why(&j).contains("jump host log line 1 (push"), "{j:?}");
    let mut reordered = log.clone();
    reordered.lines.swap(0, 1);
    reordered.rechain();
    let j = whole(&reordered, &want);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(why(&j).contains("line 2 (verify"), "{j:?}");
}

#[test]
fn tampering_wins_over_divergence() {
    let mut log = HostLog::new(&["push", "verify", "rollback"]);
    let want = log.recorded();
    log.lines.pop();
    log.lines[0] = log.lines[0].replacen("push", "PUSH", 1);
    assert_eq!(status(&whole(&log, &want)), Some(AuditStatus::Tampered));
}

#[test]
fn after_an_acceptance_the_log_is_judged_from_it() {
    let mut log = HostLog::new(&["push", "verify", "rollback"]);
    let mut want = log.recorded();
    log.lines[0] = log.lines[0].replacen("\"ok\"", "\"OK\"", 1);
    assert_eq!(status(&whole(&log, &want)), Some(AuditStatus::Tampered));
    log.push("audit-accept");
    want.push(entry(log.lines.last().unwrap(), 4, true));
    log.push("push");
    want.push(entry(log.lines.last().unwrap(), 5, false));
    let current = &want[3..];
    assert_eq!(whole(&log, current).problem, None);
    // Tampering after the acceptance is found again.
    let mut later = log.clone();
    later.push("verify");
    later.lines[4] = later.lines[4].replacen("\"ok\"", "\"OK\"", 1);
    assert_eq!(
        why(&whole(&later, current)),
        "line 6: prev does not match the hash of line 5"
    );
    // The acceptance itself removed (and the chain rebuilt) is diverged.
    let mut gone = log.clone();
    gone.lines.remove(3);
    gone.rechain();
    let j = whole(&gone, current);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(why(&j).contains("acceptance"), "{j:?}");
}

#[test]
fn a_tail_compares_what_it_can_and_numbers_lines_in_the_file() {
    // 10 lines, one per second; only the bytes from the middle of line 5 on are fetched.
    let log = HostLog::new(&["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"]);
    let want = log.recorded();
    let bytes = log.bytes();
    let cut_at = log.lines[..4].iter().map(|l| l.len() + 1).sum::<usize>() + 10;
    let tail = |b: &[u8]| b[cut_at..].to_vec();
    let j = judge(&tail(&bytes), 10, true, &want);
    assert_eq!((j.problem, j.entries), (None, 10));
    // The last line removed: newer than the tail's first line, so it must be there.
    let mut short = log.clone();
    short.lines.pop();
    let j = judge(&tail(&short.bytes()), 9, true, &want);
    assert_eq!(status(&j), Some(AuditStatus::Diverged));
    assert!(why(&j).contains("jump host log line 10 (j"), "{j:?}");
    // A broken link inside the tail names the file's line number.
    let mut edited = log.clone();
    edited.lines[7] = edited.lines[7].replacen("\"ok\"", "\"OK\"", 1);
    let j = judge(&tail(&edited.bytes()), 10, true, &want);
    assert_eq!(why(&j), "line 9: prev does not match the hash of line 8");
}
