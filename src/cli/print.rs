//! Headless output: tables for people, JSON for scripts, progress on a terminal's stderr.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::out::{errln, outln};
use crate::core::engine::HostReport;

pub fn json<T: Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => outln!("{text}"),
        Err(e) => errln!("offgo-tui: cannot encode JSON: {e}"),
    }
}

/// `done/total` on stderr while waiting, only when stderr is a terminal.
pub struct Progress {
    total: usize,
    on: bool,
}

impl Progress {
    pub fn new(total: usize) -> Self {
        Self {
            total,
            on: std::io::stderr().is_terminal(),
        }
    }

    pub fn tick(&self, done: usize) {
        if self.on {
            let _ = write!(std::io::stderr(), "\rprobed {done}/{}", self.total);
        }
    }

    pub fn clear(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
        }
    }
}

fn gaps_cell(r: &HostReport) -> String {
    if !r.reachable && r.error_kind.is_some() {
        return "-".into();
    }
    match r.ldd_gaps.iter().map(|g| g.missing.len()).sum::<usize>() {
        0 => "none".into(),
        n => format!("{n} missing in {}", r.ldd_gaps.len()),
    }
}

fn state_cell(r: &HostReport) -> String {
    match (&r.error_kind, &r.offgo) {
        (Some(kind), _) => kind.to_string(),
        (None, Some(o)) => format!("managed ({})", o.current.as_deref().unwrap_or("?")),
        (None, None) => match r.go_version {
            Some(_) => "by hand".into(),
            None => "no go".into(),
        },
    }
}

pub fn scan_table(reports: &[HostReport]) {
    let header = [
        "HOST", "ADDRESS", "GO", "LDD GAPS", "AUDIT", "STATE", "LATENCY",
    ];
    let rows: Vec<[String; 7]> = reports
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                format!("{}:{}", r.address, r.port),
                r.go_version.clone().unwrap_or_else(|| "-".into()),
                gaps_cell(r),
                if r.error_kind.is_some() {
                    "-".into()
                } else {
                    r.audit.status.as_str().into()
                },
                state_cell(r),
                r.latency_ms
                    .map(|ms| format!("{ms} ms"))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                s.push_str(cell);
            } else {
                s.push_str(&format!("{cell:<w$}  "));
            }
        }
        s.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header.map(String::from)));
    for row in &rows {
        out.push_str(&line(row));
    }
    for r in reports.iter().filter(|r| r.error.is_some()) {
        out.push_str(&format!(
            "\n{}: {}: {}\n",
            r.name,
            state_cell(r),
            r.error.as_deref().unwrap_or("")
        ));
        if let Some(hint) = &r.hint {
            out.push_str(&format!("  hint: {hint}\n"));
        }
    }
    for r in reports.iter().filter(|r| r.error.is_none()) {
        for gap in &r.ldd_gaps {
            out.push_str(&format!(
                "\n{}: {} needs {}\n",
                r.name,
                gap.binary,
                gap.missing.join(", ")
            ));
        }
        if let Some(detail) = r
            .audit
            .detail
            .as_ref()
            .filter(|_| r.audit.status != crate::core::audit::AuditStatus::Ok)
        {
            out.push_str(&format!(
                "\n{}: audit {}: {detail}\n",
                r.name,
                r.audit.status.as_str()
            ));
        }
    }
    super::out::stdout(&out);
}

/// Results of push, verify or rollback, one line per host, then each failure in full.
pub fn outcome_table(outcomes: &[crate::core::engine::HostOutcome]) {
    let mut out = String::new();
    let width = outcomes
        .iter()
        .map(|o| o.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    for o in outcomes {
        let change = match (&o.from, &o.to) {
            (Some(from), Some(to)) => format!("{from} -> {to}"),
            (None, Some(to)) => format!("none -> {to}"),
            (Some(from), None) => from.clone(),
            (None, None) => String::new(),
        };
        let verdict = if o.ok {
            "ok".to_string()
        } else {
            format!("FAILED at {}", o.step.as_deref().unwrap_or("?"))
        };
        out.push_str(&format!("{:<width$}  {verdict:<24}  {change}\n", o.name));
    }
    for o in outcomes {
        if let Some(checks) = &o.checks {
            for c in checks.iter().filter(|c| !c.ok) {
                out.push_str(&format!(
                    "\n{}: check {} failed:\n  {}\n",
                    o.name,
                    c.check,
                    c.detail.replace('\n', "\n  ")
                ));
            }
        }
        if let Some(error) = o.error.as_ref().filter(|_| o.checks.is_none()) {
            out.push_str(&format!(
                "\n{}: {}: {error}\n",
                o.name,
                o.step.as_deref().unwrap_or("")
            ));
            if let Some(hint) = &o.hint {
                out.push_str(&format!("  hint: {hint}\n"));
            }
            if let Some(output) = o.output.as_ref().filter(|s| !s.trim().is_empty()) {
                let tail: Vec<&str> = output.lines().rev().take(15).collect();
                for line in tail.iter().rev() {
                    out.push_str(&format!("  | {line}\n"));
                }
            }
        }
        for note in &o.notes {
            out.push_str(&format!("{}: {note}\n", o.name));
        }
    }
    super::out::stdout(&out);
}
