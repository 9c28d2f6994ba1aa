//! The probe: one POSIX `sh` script run over one SSH exec, and the parser of its `key=value`
//! output. Parsing never panics: anything it does not understand is a [`ProbeParseError`], which
//! the engine reports as `command_failed` with the raw output kept.

use serde::Deserialize;

pub use super::go_version::GoVersion;
use super::paths::RemotePaths;
use super::quote::{sh_quote, sh_quote_all};

const PROBE_BODY: &str = include_str!("probe.sh");

/// Largest audit-log tail a probe fetches; the chain is checked within it.
pub const AUDIT_FETCH_CAP: u64 = 16 * 1024 * 1024;

/// The complete script for one host, its inputs quoted ahead of the fixed body. With the
/// fingerprint of the host's last probe, an unchanged host answers [`ProbeReply::Unchanged`].
pub fn probe_script(
    paths: &RemotePaths,
    check_binaries: &[String],
    known_fingerprint: Option<&str>,
) -> String {
    let mut script = String::with_capacity(PROBE_BODY.len() + 512);
    for (name, value) in [
        ("go_root", paths.go_root.as_str()),
        ("releases_dir", paths.releases_dir.as_str()),
        ("audit_log", paths.audit_log.as_str()),
    ] {
        script.push_str(&format!("{name}={}\n", sh_quote(value)));
    }
    script.push_str(&format!("state_file={}\n", sh_quote(&paths.state_file())));
    script.push_str(&format!("audit_cap={AUDIT_FETCH_CAP}\n"));
    script.push_str(&format!(
        "known_fingerprint={}\n",
        sh_quote(known_fingerprint.unwrap_or(""))
    ));
    script.push_str("set --");
    if !check_binaries.is_empty() {
        script.push(' ');
        script.push_str(&sh_quote_all(check_binaries.iter().map(String::as_str)));
    }
    script.push('\n');
    script.push_str(super::frame::PRELUDE);
    script.push_str(PROBE_BODY);
    script
}

/// What `go_root` is on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoRootKind {
    /// offgo-managed: a symlink to a release directory.
    Symlink {
        target: String,
    },
    /// Installed by hand before offgo.
    Directory,
    /// Exists but is neither (a file, a dangling link's target…).
    Other,
    Missing,
}

/// `state.json` (DESIGN.md): `{"current": …, "previous": …, "history": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
pub struct OffgoState {
    #[serde(default)]
    pub current: Option<String>,
    #[serde(default)]
    pub previous: Option<String>,
    #[serde(default)]
    pub history: Vec<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateRead {
    Absent,
    Unreadable,
    Invalid { raw: String, error: String },
    Parsed(OffgoState),
}

/// One binary matched by a `check_binaries` glob.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BinaryCheck {
    pub path: String,
    pub status: BinaryStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BinaryStatus {
    /// Dynamic, every library found.
    Ok,
    /// Dynamic, with these libraries not found.
    Gaps(Vec<String>),
    /// Static or not an ELF executable: ldd has nothing to say, which is not a gap.
    NotDynamic,
    /// The glob matched nothing (the path is the glob itself).
    NoMatch,
    /// Not checked: its name holds a line break (a host-made name, shown escaped).
    Unchecked,
}

/// The audit log as the probe read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditLogRead {
    Missing,
    Unreadable,
    Present {
        bytes: Vec<u8>,
        /// Total lines in the file (the bytes may be only its tail).
        lines: usize,
        /// Only the last [`AUDIT_FETCH_CAP`] bytes were fetched.
        truncated: bool,
    },
}

/// Everything a probe learnt, less the audit log (kept apart: it can be large).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFacts {
    pub arch: String,
    pub go_root_kind: GoRootKind,
    /// First line of `$go_root/bin/go version`, when the binary exists.
    pub go_version_output: Option<String>,
    /// First line of `$go_root/VERSION`.
    pub go_version_file: Option<String>,
    pub state: StateRead,
    pub free_bytes: Option<u64>,
    pub auditd_running: bool,
    pub binaries: Vec<BinaryCheck>,
}

impl ProbeFacts {
    /// The installed Go version (`go1.22.10`): what `go version` says, else the VERSION file.
    pub fn go_version(&self) -> Option<String> {
        if matches!(self.go_root_kind, GoRootKind::Missing) {
            return None;
        }
        let from_binary = self
            .go_version_output
            .as_deref()
            .and_then(version_from_go_version);
        from_binary.or_else(|| {
            GoVersion::from_version_file(self.go_version_file.as_deref()?).map(|v| v.to_string())
        })
    }

    /// What the host said its Go version was, when that is not a Go version (`go version`'s
    /// line, else the VERSION file's): to be shown as "unrecognised", escaped.
    pub fn unrecognised_version(&self) -> Option<&str> {
        if matches!(self.go_root_kind, GoRootKind::Missing) || self.go_version().is_some() {
            return None;
        }
        self.go_version_output
            .as_deref()
            .or(self.go_version_file.as_deref())
    }

    /// `go version` ran and printed a version.
    pub fn go_runs(&self) -> bool {
        self.go_version_output
            .as_deref()
            .and_then(version_from_go_version)
            .is_some()
    }
}

/// `go version go1.22.10 linux/amd64` → `go1.22.10`; `go version devel go1.23-abc …` → `devel`;
/// anything not in Go's version grammar → `None` ([`GoVersion`]).
pub fn version_from_go_version(line: &str) -> Option<String> {
    GoVersion::from_go_version_output(line).map(|v| v.to_string())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeOutput {
    /// What the host's probe-relevant files looked like (see probe.sh).
    pub fingerprint: String,
    pub facts: ProbeFacts,
    pub audit_log: AuditLogRead,
}

/// A probe's answer: everything, or "nothing changed since `fingerprint`" (free space and auditd
/// are then those of the last full probe, which the jump host repeats every few minutes).
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // one per probe, short-lived: boxing buys nothing
pub enum ProbeReply {
    Full(ProbeOutput),
    Unchanged { fingerprint: String },
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("probe output not understood: {reason}")]
pub struct ProbeParseError {
    pub reason: String,
}

fn fail<T>(reason: impl Into<String>) -> Result<T, ProbeParseError> {
    Err(ProbeParseError {
        reason: reason.into(),
    })
}

/// Parses the probe's stdout.
pub fn parse_probe_output(raw: &[u8]) -> Result<ProbeReply, ProbeParseError> {
    let mut facts = ProbeFacts {
        arch: String::new(),
        go_root_kind: GoRootKind::Missing,
        go_version_output: None,
        go_version_file: None,
        state: StateRead::Absent,
        free_bytes: None,
        auditd_running: false,
        binaries: Vec::new(),
    };
    let mut audit_log = None;
    let mut audit_size: Option<usize> = None;
    // Absent when the script sent the whole log: its lines are counted here.
    let mut audit_lines: Option<usize> = None;
    let mut audit_truncated = false;
    let mut saw_header = false;
    let mut finished = false;
    let mut go_root_kind: Option<&str> = None;
    let mut go_root_target = String::new();
    let mut fingerprint = String::new();
    let mut unchanged = false;
    let mut rest = raw;

    while !rest.is_empty() {
        let (line, after) = split_line(rest);
        rest = after;
        let line = String::from_utf8_lossy(line);
        if !saw_header {
            if line == "offgo_probe=1" {
                saw_header = true;
                continue;
            }
            return fail(
                "it does not start with `offgo_probe=1` (is a login script printing text?)",
            );
        }
        if line == "audit_begin" {
            let Some(size) = audit_size else {
                return fail("audit_begin without audit_size");
            };
            if rest.len() < size {
                return fail(format!(
                    "audit log cut short: {} of {size} bytes",
                    rest.len()
                ));
            }
            let (bytes, after) = rest.split_at(size);
            let Some(after) = after.strip_prefix(b"\naudit_end\n") else {
                return fail("audit log not followed by audit_end");
            };
            rest = after;
            let lines =
                audit_lines.unwrap_or_else(|| bytes.iter().filter(|&&b| b == b'\n').count());
            audit_log = Some(AuditLogRead::Present {
                bytes: bytes.to_vec(),
                lines,
                truncated: audit_truncated,
            });
            continue;
        }
        let Some((key, value)) = super::frame::split_pair(&line) else {
            return fail(format!("line without `=`: {line:?}"));
        };
        let value = value.as_str();
        match key {
            "arch" => facts.arch = value.to_string(),
            "fingerprint" => fingerprint = value.to_string(),
            "unchanged" => unchanged = value == "1",
            "go_root_kind" => {
                go_root_kind = Some(match value {
                    "symlink" => "symlink",
                    "dir" => "dir",
                    "other" => "other",
                    "missing" => "missing",
                    _ => return fail(format!("unknown go_root_kind {value:?}")),
                })
            }
            "go_root_target" => go_root_target = value.to_string(),
            "go_version_output" => facts.go_version_output = Some(value.to_string()),
            "go_version_file" => facts.go_version_file = Some(value.to_string()),
            "state_json" => facts.state = parse_state(value),
            "state_unreadable" => facts.state = StateRead::Unreadable,
            // A figure too big for bytes is no figure: unknown, like an unreadable `df`.
            "free_kb" => {
                facts.free_bytes = value
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .and_then(|kb| kb.checked_mul(1024))
            }
            "auditd" => facts.auditd_running = value == "running",
            "bin" => facts.binaries.push(BinaryCheck {
                path: value.into(),
                status: BinaryStatus::Ok,
            }),
            "bin_static" => facts.binaries.push(BinaryCheck {
                path: value.into(),
                status: BinaryStatus::NotDynamic,
            }),
            "bin_missing" => facts.binaries.push(BinaryCheck {
                path: value.into(),
                status: BinaryStatus::NoMatch,
            }),
            "bin_unchecked" => facts.binaries.push(BinaryCheck {
                path: value.into(),
                status: BinaryStatus::Unchecked,
            }),
            "gap" => add_gap(&mut facts.binaries, value)?,
            "audit" => {
                audit_log = Some(match value {
                    "missing" => AuditLogRead::Missing,
                    _ => AuditLogRead::Unreadable,
                })
            }
            "audit_lines" => audit_lines = Some(parse_number(key, value)?),
            "audit_truncated" => audit_truncated = value == "1",
            "audit_size" => audit_size = Some(parse_number(key, value)?),
            "probe_end" => {
                finished = true;
                break;
            }
            // Keys from a newer probe are ignored, so old consoles keep working.
            _ => {}
        }
    }
    if !saw_header {
        return fail("no output");
    }
    if !finished {
        return fail("output ends before `probe_end=1` (truncated)");
    }
    if unchanged {
        return Ok(ProbeReply::Unchanged { fingerprint });
    }
    facts.go_root_kind = match go_root_kind {
        Some("symlink") => GoRootKind::Symlink {
            target: go_root_target,
        },
        Some("dir") => GoRootKind::Directory,
        Some("other") => GoRootKind::Other,
        Some(_) => GoRootKind::Missing,
        None => return fail("go_root_kind missing"),
    };
    let Some(audit_log) = audit_log else {
        return fail("audit log status missing");
    };
    Ok(ProbeReply::Full(ProbeOutput {
        fingerprint,
        facts,
        audit_log,
    }))
}

fn split_line(buf: &[u8]) -> (&[u8], &[u8]) {
    match buf.iter().position(|&b| b == b'\n') {
        Some(i) => (&buf[..i], &buf[i + 1..]),
        None => (buf, &[]),
    }
}

fn parse_number(key: &str, value: &str) -> Result<usize, ProbeParseError> {
    match value.trim().parse() {
        Ok(n) => Ok(n),
        Err(_) => fail(format!("{key} is not a number: {value:?}")),
    }
}

/// `state.json` as read from a host: valid JSON whose `current` and `previous` are Go versions
/// (they name release directories), else [`StateRead::Invalid`].
pub fn parse_state(value: &str) -> StateRead {
    let invalid = |error: String| StateRead::Invalid {
        raw: value.to_string(),
        error,
    };
    let state = match serde_json::from_str::<OffgoState>(value) {
        Ok(state) => state,
        Err(e) => return invalid(e.to_string()),
    };
    for (key, version) in [("current", &state.current), ("previous", &state.previous)] {
        if let Some(v) = version.as_deref().filter(|v| GoVersion::parse(v).is_none()) {
            return invalid(format!(
                "{key} is not a Go version: {}",
                crate::core::text::safe(v)
            ));
        }
    }
    StateRead::Parsed(state)
}

/// `gap=<binary>\t<ldd line>`, the ldd line being `\tlibfoo.so.1 => not found`. A binary's
/// name may hold tabs itself, so the value is not split at its first tab: the gap belongs to
/// the latest listed binary whose name and a tab start it (probe.sh prints a binary's gaps
/// right after its `bin` line).
fn add_gap(binaries: &mut [BinaryCheck], value: &str) -> Result<(), ProbeParseError> {
    if !value.contains('\t') {
        return fail(format!("gap without a tab: {value:?}"));
    }
    let found = binaries.iter_mut().rev().find_map(|b| {
        let ldd_line = value.strip_prefix(b.path.as_str())?.strip_prefix('\t')?;
        Some((b, ldd_line))
    });
    let Some((check, ldd_line)) = found else {
        return fail(format!("gap for a binary not listed: {value:?}"));
    };
    let lib = ldd_line
        .split(" => ")
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    match &mut check.status {
        BinaryStatus::Gaps(libs) => libs.push(lib),
        status => *status = BinaryStatus::Gaps(vec![lib]),
    }
    Ok(())
}

#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
