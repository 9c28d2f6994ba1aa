//! The parser of the probe's `key=value` output. It never panics: anything it does not
//! understand is a [`ProbeParseError`], which the engine reports as `command_failed` with the
//! raw output kept.

use crate::core::goenv::parse_view;

use super::probe::{
    AuditLogRead, BinaryCheck, BinaryStatus, GoRootKind, GoVersion, OffgoState, ProbeFacts,
    ProbeOutput, ProbeReply, StateRead,
};

/// `go version go1.22.10 linux/amd64` → `go1.22.10`; `go version devel go1.23-abc …` → `devel`;
/// anything not in Go's version grammar → `None` ([`GoVersion`]).
pub fn version_from_go_version(line: &str) -> Option<String> {
    GoVersion::from_go_version_output(line).map(|v| v.to_string())
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
        go_env: Default::default(),
        helper_sha256: None,
        go_shims: Vec::new(),
        apps: Vec::new(),
        athens_bundle: None,
    };
    let mut apps = super::probe_apps::AppLines::default();
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
    let mut service_extra = String::new();
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
            "helper_sha256" => facts.helper_sha256 = Some(value.to_string()),
            "go_shim" => facts.go_shims.push(value.to_string()),
            // Host data: only a module-cache id is taken as one.
            "athens_bundle" => {
                facts.athens_bundle = Some(value.to_string()).filter(|v| is_modcache_id(v))
            }
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
            "go_env_service" => facts.go_env.service = Some(parse_view(value)),
            "go_env_login" => facts.go_env.login = Some(parse_view(value)),
            "go_env_service_extra" => service_extra = value.to_string(),
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
            _ => {
                apps.take(key, value)?;
            }
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
    drop_service_extra(&mut facts.go_env, &service_extra);
    facts.apps = apps.finish();
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
#[path = "probe_parse_tests.rs"]
mod tests;

/// `modcache-<12 hex>`, as `modcache build` names a bundle.
pub fn is_modcache_id(text: &str) -> bool {
    text.strip_prefix("modcache-").is_some_and(|hex| {
        hex.len() == 12 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    })
}

/// The keys probe.sh asks the service view's `go env` for besides the inventory's, to learn
/// what `go version` would print without running it: not part of the view.
const SERVICE_EXTRA: [&str; 3] = ["GOHOSTARCH", "GOHOSTOS", "GOVERSION"];

/// Drops from the service view the keys the probe named in `go_env_service_extra` (only those
/// it may add).
fn drop_service_extra(read: &mut crate::core::goenv::GoEnvRead, extra: &str) {
    if let Some(crate::core::goenv::ViewRead::Read(map)) = read.service.as_mut() {
        for key in extra.split(' ').filter(|k| SERVICE_EXTRA.contains(k)) {
            map.remove(key);
        }
    }
}
