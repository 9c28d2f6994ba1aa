//! Host audit logs for tests: chained lines, what the jump host recorded for them, and edits.

use super::index::RecordedEntry;
use super::record::{entry_hash, line_hash, AuditRecord, GENESIS};

#[derive(Debug, Clone)]
pub struct HostLog {
    pub lines: Vec<String>,
}

pub fn record(action: &str, second: usize) -> AuditRecord {
    AuditRecord {
        ts: format!("2026-11-22T04:00:{second:02}Z"),
        actor: "ops@jump".into(),
        host: "web-01".into(),
        action: action.into(),
        target: "go1.22.10".into(),
        result: "ok".into(),
        detail: String::new(),
        prev: String::new(),
    }
}

impl HostLog {
    /// A chained log of `actions`, one second apart.
    pub fn new(actions: &[&str]) -> Self {
        let mut log = Self { lines: Vec::new() };
        for a in actions {
            log.push(a);
        }
        log
    }

    /// Appends `action` chained to the last line, as audit_append.sh does.
    pub fn push(&mut self, action: &str) {
        let mut r = record(action, self.lines.len());
        r.prev = self
            .lines
            .last()
            .map_or(GENESIS.to_string(), |l| line_hash(l.as_bytes()));
        self.lines.push(r.to_line());
    }

    /// Rebuilds every `prev` so the chain is intact again (what a careful forger does).
    pub fn rechain(&mut self) {
        let mut prev = GENESIS.to_string();
        for line in &mut self.lines {
            let mut r: AuditRecord = serde_json::from_str(line).unwrap();
            r.prev = prev;
            *line = r.to_line();
            prev = line_hash(line.as_bytes());
        }
    }

    pub fn bytes(&self) -> Vec<u8> {
        self.lines
            .iter()
            .flat_map(|l| format!("{l}\n").into_bytes())
            .collect()
    }

    /// The jump host's entries for every line (jump host line numbers 1, 2, …).
    pub fn recorded(&self) -> Vec<RecordedEntry> {
        self.lines
            .iter()
            .enumerate()
            .map(|(i, l)| entry(l, i + 1, false))
            .collect()
    }
}

pub fn entry(line: &str, jump_line: usize, accepted: bool) -> RecordedEntry {
    let r: AuditRecord = serde_json::from_str(line).unwrap();
    RecordedEntry {
        hash: entry_hash(&r),
        jump_line,
        ts: r.ts,
        action: r.action,
        accepted,
    }
}
