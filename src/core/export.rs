//! The host table as a file: CSV for spreadsheets, JSON for scripts. Both faces write it (the
//! console's `E` and `scan --format csv`), from lines they build with the labels they show.
//!
//! Every field is host text made safe: no control or format character survives (one that does
//! is escaped as [`crate::core::text::safe`] shows it, so no field holds a line break, tab or
//! carriage return), and a CSV field that a spreadsheet would run as a formula (starting with
//! `=`, `+`, `-` or `@`) gets a leading apostrophe, which spreadsheets take as "this is text".

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::core::engine::HostReport;
use crate::core::text::{is_escaped, safe};

/// One host, one line of the export: what the table shows, unknown values left empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct HostLine {
    pub name: String,
    pub address: String,
    /// The Go version, `none` when the host has none; empty when the host was not read.
    pub go: Option<String>,
    /// Binaries with missing shared libraries; empty when the host was not read.
    pub ldd_gaps: Option<usize>,
    pub audit: Option<String>,
    /// `ok`, an error kind (`timeout`, `auth`…), `probing` or `unknown` (never probed).
    pub state: String,
    /// The console's last operation on the host (`push ok go1.22.10`); empty headless.
    pub operation: Option<String>,
    pub latency_ms: Option<u64>,
    pub error: Option<String>,
}

/// A column of the export, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    Address,
    Go,
    LddGaps,
    Audit,
    State,
    Operation,
    LatencyMs,
    Error,
}

impl Field {
    /// What the console exports: every column of its table, and the error.
    pub const CONSOLE: [Field; 9] = [
        Field::Name,
        Field::Address,
        Field::Go,
        Field::LddGaps,
        Field::Audit,
        Field::State,
        Field::Operation,
        Field::LatencyMs,
        Field::Error,
    ];
    /// What `scan --format csv` writes: the console's columns but the operation, which a scan
    /// has none of.
    pub const SCAN: [Field; 8] = [
        Field::Name,
        Field::Address,
        Field::Go,
        Field::LddGaps,
        Field::Audit,
        Field::State,
        Field::LatencyMs,
        Field::Error,
    ];

    pub fn header(self) -> &'static str {
        match self {
            Field::Name => "name",
            Field::Address => "address",
            Field::Go => "go",
            Field::LddGaps => "ldd_gaps",
            Field::Audit => "audit",
            Field::State => "state",
            Field::Operation => "operation",
            Field::LatencyMs => "latency_ms",
            Field::Error => "error",
        }
    }

    /// The field's text; empty for a value not known.
    fn text(self, line: &HostLine) -> String {
        let opt = |s: &Option<String>| s.clone().unwrap_or_default();
        let num = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
        match self {
            Field::Name => line.name.clone(),
            Field::Address => line.address.clone(),
            Field::Go => opt(&line.go),
            Field::LddGaps => num(line.ldd_gaps.map(|n| n as u64)),
            Field::Audit => opt(&line.audit),
            Field::State => line.state.clone(),
            Field::Operation => opt(&line.operation),
            Field::LatencyMs => num(line.latency_ms),
            Field::Error => opt(&line.error),
        }
    }
}

impl HostLine {
    /// A probe report as the console's table would show it, for the headless scan.
    pub fn from_report(report: &HostReport) -> Self {
        let read = report.reachable && report.error_kind.is_none();
        let go = match (&report.go_version, read) {
            (Some(v), true) => Some(safe(v)),
            (None, true)
                if report
                    .facts
                    .as_ref()
                    .is_some_and(|f| f.unrecognised_version().is_some()) =>
            {
                None
            }
            (None, true) => Some("none".to_string()),
            (_, false) => None,
        };
        let address = address_label(&report.address, report.port);
        Self {
            name: safe(&report.name),
            address: safe(&address),
            go,
            ldd_gaps: read.then_some(report.ldd_gaps.len()),
            audit: read.then(|| report.audit.status.as_str().to_string()),
            state: match report.error_kind {
                Some(kind) => kind.as_str().to_string(),
                None if report.reachable => "ok".to_string(),
                None => "failed".to_string(),
            },
            operation: None,
            latency_ms: report.latency_ms,
            error: report.error.as_deref().map(safe),
        }
    }
}

/// `address`, or `address:port` when the port is not 22 (`[v6]:port` for an IPv6 address), as
/// the console's table and the export show it.
pub fn address_label(address: &str, port: u16) -> String {
    if port == 22 {
        address.to_string()
    } else if address.contains(':') {
        format!("[{address}]:{port}")
    } else {
        format!("{address}:{port}")
    }
}

/// CSV or JSON, as the file name says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Json,
}

impl Format {
    /// JSON for a name ending in `.json` (any case), else CSV.
    pub fn for_path(path: &Path) -> Self {
        match path.extension() {
            Some(ext) if ext.eq_ignore_ascii_case("json") => Format::Json,
            _ => Format::Csv,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Json => "JSON",
        }
    }
}

/// Text with no character a terminal or a viewer would act on. Text the console already made
/// safe passes unchanged (its backslashes are its own escapes, not escaped twice).
fn clean(text: &str) -> String {
    if text.chars().any(|c| c != '\\' && is_escaped(c)) {
        safe(text)
    } else {
        text.to_string()
    }
}

/// A CSV field a spreadsheet would take for a formula, made plain text with a leading `'`.
fn defuse(text: String) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@') => format!("'{text}"),
        _ => text,
    }
}

/// `lines` as CSV: a header of `fields`, then one record per line, every field quoted where
/// CSV needs it (commas, quotes, line breaks).
pub fn csv(lines: &[HostLine], fields: &[Field]) -> Result<Vec<u8>, String> {
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Necessary)
        .from_writer(Vec::new());
    let encode = |e: csv::Error| format!("cannot encode CSV: {e}");
    out.write_record(fields.iter().map(|f| f.header()))
        .map_err(encode)?;
    for line in lines {
        out.write_record(fields.iter().map(|f| defuse(clean(&f.text(line)))))
            .map_err(encode)?;
    }
    out.into_inner()
        .map_err(|e| format!("cannot encode CSV: {}", e.error()))
}

/// `lines` as one JSON array of objects, pretty printed, ending in a newline.
pub fn json(lines: &[HostLine]) -> Result<Vec<u8>, String> {
    let cleaned: Vec<HostLine> = lines
        .iter()
        .map(|l| HostLine {
            name: clean(&l.name),
            address: clean(&l.address),
            go: l.go.as_deref().map(clean),
            ldd_gaps: l.ldd_gaps,
            audit: l.audit.as_deref().map(clean),
            state: clean(&l.state),
            operation: l.operation.as_deref().map(clean),
            latency_ms: l.latency_ms,
            error: l.error.as_deref().map(clean),
        })
        .collect();
    let mut text =
        serde_json::to_vec_pretty(&cleaned).map_err(|e| format!("cannot encode JSON: {e}"))?;
    text.push(b'\n');
    Ok(text)
}

/// `lines` in `format` (the console's columns for CSV).
pub fn encode(format: Format, lines: &[HostLine]) -> Result<Vec<u8>, String> {
    match format {
        Format::Csv => csv(lines, &Field::CONSOLE),
        Format::Json => json(lines),
    }
}

/// Why a file was not written, naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WriteError {
    #[error("{}: already exists; not overwritten (choose another name)", .0.display())]
    Exists(PathBuf),
    #[error("{}: {error}", .path.display())]
    Io { path: PathBuf, error: String },
}

/// Writes `bytes` to `path`, which must not exist: into a temporary file in the same
/// directory, synced, then linked to its name only if nothing has that name (so a file that
/// appears meanwhile is not overwritten either). The file is whole or absent.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let io = |e: std::io::Error| WriteError::Io {
        path: path.to_path_buf(),
        error: e.to_string(),
    };
    if path.exists() {
        return Err(WriteError::Exists(path.to_path_buf()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut temp = tempfile::Builder::new()
        .prefix(".offgo-export-")
        .tempfile_in(dir)
        .map_err(io)?;
    temp.write_all(bytes).map_err(io)?;
    temp.as_file().sync_all().map_err(io)?;
    temp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            WriteError::Exists(path.to_path_buf())
        } else {
            io(e.error)
        }
    })?;
    Ok(())
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
