//! Headless output: tables for people, JSON for scripts, progress on a terminal's stderr.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::cli::out::{errln, outln};
use crate::core::engine::HostReport;
use crate::core::export::{Field, HostLine};
use crate::core::text::safe;

/// `value` as JSON, every string in it made safe (host text carries no terminal control).
pub fn json<T: Serialize>(value: &T) {
    let value = serde_json::to_value(value).map(|mut v| {
        crate::core::text::safe_json(&mut v);
        v
    });
    match value.and_then(|v| serde_json::to_string_pretty(&v)) {
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
        (None, Some(o)) => format!("managed ({})", cell(o.current.as_deref().unwrap_or("?"))),
        (None, None) if r.go_version.is_some() || unrecognised(r).is_some() => "by hand".into(),
        (None, None) => "no go".into(),
    }
}

/// The Go version, `unrecognised` when the host printed something else, `-` when no Go.
fn go_cell(r: &HostReport) -> String {
    match (&r.go_version, unrecognised(r)) {
        (Some(v), _) => cell(v),
        (None, Some(_)) => "unrecognised".into(),
        (None, None) => "-".into(),
    }
}

fn unrecognised(r: &HostReport) -> Option<&str> {
    r.facts.as_ref()?.unrecognised_version()
}

pub fn scan_table(reports: &[HostReport]) {
    let header = [
        "HOST", "ADDRESS", "GO", "LDD GAPS", "AUDIT", "STATE", "LATENCY",
    ];
    let rows: Vec<[String; 7]> = reports
        .iter()
        .map(|r| {
            [
                cell(&r.name),
                cell(&format!("{}:{}", r.address, r.port)),
                go_cell(r),
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
                s.push_str(&pad(cell, w));
                s.push_str("  ");
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
            safe(&r.name),
            state_cell(r),
            safe(r.error.as_deref().unwrap_or(""))
        ));
        if let Some(hint) = &r.hint {
            out.push_str(&format!("  hint: {}\n", safe(hint)));
        }
    }
    for r in reports.iter().filter(|r| r.error.is_none()) {
        if let Some(raw) = unrecognised(r) {
            out.push_str(&format!(
                "\n{}: go version unrecognised: {}\n",
                safe(&r.name),
                safe(raw)
            ));
        }
        for gap in &r.ldd_gaps {
            out.push_str(&format!(
                "\n{}: {} needs {}\n",
                safe(&r.name),
                safe(&gap.binary),
                safe(&gap.missing.join(", "))
            ));
        }
        if let Some(detail) = r
            .audit
            .detail
            .as_ref()
            .filter(|_| r.audit.status != crate::core::audit::AuditStatus::Ok)
        {
            out.push_str(&format!(
                "\n{}: audit {}: {}\n",
                safe(&r.name),
                r.audit.status.as_str(),
                safe(detail)
            ));
        }
        for app in &r.apps {
            out.push_str(&app_findings(&r.name, app));
        }
    }
    super::out::stdout(&out);
}

/// What is wrong with one app of a host, a line each (nothing for a healthy app): a failed
/// health check, missing libraries, what does not add up.
fn app_findings(host: &str, app: &crate::core::app::AppReport) -> String {
    let head = format!(
        "{}: app {} {}",
        safe(host),
        safe(&app.name),
        safe(app.version.as_deref().unwrap_or("(no version)"))
    );
    let mut out = String::new();
    if app.health.as_deref() == Some("failed") || app.health_output.is_some() {
        let word = app.health.as_deref().unwrap_or("not run");
        let said = app.health_output.as_deref().unwrap_or("");
        out.push_str(&format!("\n{head}: health {word}: {}\n", safe(said)));
    }
    if !app.ldd_missing.is_empty() {
        out.push_str(&format!(
            "\n{head} needs {}\n",
            safe(&app.ldd_missing.join(", "))
        ));
    }
    for problem in &app.problems {
        out.push_str(&format!("\n{head}: {}\n", safe(problem)));
    }
    out
}

/// The console's table columns as CSV (see [`crate::core::export`]): one line per host, every
/// field safe, formulas defused.
pub fn scan_csv(reports: &[HostReport]) {
    let lines: Vec<HostLine> = reports.iter().map(HostLine::from_report).collect();
    match crate::core::export::csv(&lines, &Field::SCAN) {
        Ok(bytes) => super::out::stdout(&String::from_utf8_lossy(&bytes)),
        Err(e) => errln!("offgo-tui: {e}"),
    }
}

/// A table cell of host text: [`safe`], and short enough to keep the table readable.
fn cell(text: &str) -> String {
    crate::core::text::safe_max(text, 80)
}

/// `cell` left-aligned in `width` columns (by hand: a format width over 65535 panics).
fn pad(cell: &str, width: usize) -> String {
    let fill = width.saturating_sub(cell.chars().count());
    format!("{cell}{}", " ".repeat(fill))
}

/// Results of push, verify or rollback, one line per host, then each failure in full.
/// Everything from a host is shown through [`safe`].
pub fn outcome_table(outcomes: &[crate::core::engine::HostOutcome]) {
    let mut out = String::new();
    let width = outcomes
        .iter()
        .map(|o| safe(&o.name).chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    for o in outcomes {
        let change = match (&o.from, &o.to) {
            (Some(from), Some(to)) => format!("{} -> {}", safe(from), safe(to)),
            (None, Some(to)) => format!("none -> {}", safe(to)),
            (Some(from), None) => safe(from),
            (None, None) => String::new(),
        };
        let verdict = if o.ok {
            "ok".to_string()
        } else {
            format!("FAILED at {}", safe(o.step.as_deref().unwrap_or("?")))
        };
        let name = pad(&safe(&o.name), width);
        out.push_str(&format!("{name}  {}  {change}\n", pad(&verdict, 24)));
    }
    for o in outcomes {
        if let Some(checks) = &o.checks {
            for c in checks.iter().filter(|c| !c.ok) {
                let detail: Vec<String> = c.detail.lines().map(safe).collect();
                out.push_str(&format!(
                    "\n{}: check {} failed:\n  {}\n",
                    safe(&o.name),
                    safe(&c.check),
                    detail.join("\n  ")
                ));
            }
        }
        if let Some(error) = o.error.as_ref().filter(|_| o.checks.is_none()) {
            out.push_str(&format!(
                "\n{}: {}: {}\n",
                safe(&o.name),
                safe(o.step.as_deref().unwrap_or("")),
                safe(error)
            ));
            if let Some(hint) = &o.hint {
                out.push_str(&format!("  hint: {}\n", safe(hint)));
            }
            if let Some(output) = o.output.as_ref().filter(|s| !s.trim().is_empty()) {
                let tail: Vec<&str> = output.lines().rev().take(15).collect();
                for line in tail.iter().rev() {
                    out.push_str(&format!("  | {}\n", safe(line)));
                }
            }
        }
        for note in &o.notes {
            out.push_str(&format!("{}: {}\n", safe(&o.name), safe(note)));
        }
    }
    super::out::stdout(&out);
}
