//! The build information the Go linker embeds in every binary since Go 1.18, read from the
//! binary's bytes the way `go version -m` reads it, so the jump host needs no `go` command.
//!
//! Layout (Go's `debug/buildinfo`): a 32-byte header at the start of the `.go.buildinfo`
//! section — the magic `\xff Go buildinf:`, the pointer size, a flags byte (bit 1: the strings
//! follow inline) — then the Go version and the module info as varint-length-prefixed strings.
//! The module info is wrapped in 16 sentinel bytes at each end and holds `go version -m`'s
//! lines: `path`, `mod`, `dep`, `=>` and `build KEY=VALUE` (a value Go quoted when it holds
//! spaces, tabs, quotes or line breaks).

/// The magic at the start of the build info.
pub const MAGIC: &[u8] = b"\xff Go buildinf:";

/// What the binary says of its build.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuildInfo {
    /// `go1.22.10`.
    pub go_version: String,
    /// The main package's import path (`path`).
    pub path: Option<String>,
    /// The main module: path and version (`(devel)` for a build from a work tree).
    pub module: Option<(String, String)>,
    /// `build` settings, in the binary's order: `-ldflags`, `CGO_ENABLED`, `GOOS`, `GOARCH`,
    /// `vcs.revision`, `vcs.time`, `vcs.modified`, …
    pub settings: Vec<(String, String)>,
    /// The module info as `go version -m` prints it, less its first line.
    pub text: String,
}

impl BuildInfo {
    pub fn setting(&self, key: &str) -> Option<&str> {
        self.settings
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Why the build info could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BuildInfoError {
    #[error("no Go build information in it: not a Go binary, or one stripped of it")]
    Missing,
    #[error(
        "its build information is in the layout of Go before 1.18 (pointers into the binary), \
         which offgo does not read: rebuild it with Go 1.18 or later"
    )]
    PreGo118,
    #[error("its Go build information is damaged: {0}")]
    Damaged(&'static str),
}

/// Reads the build info from `data`, the bytes of the `.go.buildinfo` section (or of the
/// whole file, searched at 16-byte alignment, as Go does when there is no such section).
pub fn parse(data: &[u8]) -> Result<BuildInfo, BuildInfoError> {
    let start = find_magic(data).ok_or(BuildInfoError::Missing)?;
    let header = data
        .get(start..start + 32)
        .ok_or(BuildInfoError::Damaged("the header is cut short"))?;
    let flags = header[15];
    if flags & 0x2 == 0 {
        return Err(BuildInfoError::PreGo118);
    }
    let mut rest = &data[start + 32..];
    let version = read_string(&mut rest)?;
    let module = read_string(&mut rest)?;
    let module = strip_sentinels(&module);
    let mut info = BuildInfo {
        go_version: version,
        text: module.to_string(),
        ..BuildInfo::default()
    };
    for line in module.lines() {
        let mut fields = line.split('\t');
        match (fields.next(), fields.next()) {
            (Some("path"), Some(path)) => info.path = Some(path.to_string()),
            (Some("mod"), Some(path)) => {
                let version = fields.next().unwrap_or("").to_string();
                info.module = Some((path.to_string(), version));
            }
            (Some("build"), Some(setting)) => {
                if let Some((key, value)) = setting.split_once('=') {
                    info.settings.push((key.to_string(), unquote(value)));
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn find_magic(data: &[u8]) -> Option<usize> {
    (0..data.len().saturating_sub(MAGIC.len()))
        .step_by(16)
        .find(|&i| data[i..].starts_with(MAGIC))
}

fn read_string(rest: &mut &[u8]) -> Result<String, BuildInfoError> {
    let (len, used) = uvarint(rest).ok_or(BuildInfoError::Damaged("a length is not a varint"))?;
    let len = usize::try_from(len).map_err(|_| BuildInfoError::Damaged("a length is too large"))?;
    let bytes = rest
        .get(
            used..used
                .checked_add(len)
                .ok_or(BuildInfoError::Damaged("a length overflows"))?,
        )
        .ok_or(BuildInfoError::Damaged("a string runs past the end"))?;
    *rest = &rest[used + len..];
    Ok(String::from_utf8_lossy(bytes).into_owned())
}

fn uvarint(bytes: &[u8]) -> Option<(u64, usize)> {
    let mut value: u64 = 0;
    for (i, &b) in bytes.iter().enumerate().take(10) {
        value |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// The module info less Go's 16-byte sentinels (present when the text ends in a newline
/// followed by them).
fn strip_sentinels(text: &str) -> &str {
    let bytes = text.as_bytes();
    if bytes.len() >= 33 && bytes[bytes.len() - 17] == b'\n' {
        text.get(16..text.len() - 16).unwrap_or(text)
    } else {
        text
    }
}

/// A value as Go's `strconv.Quote` wrote it, back to its text; an unquoted value as it is.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_string();
    };
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\u{7}'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('v') => out.push('\u{b}'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                if let Ok(b) = u8::from_str_radix(&hex, 16) {
                    out.push(char::from(b));
                }
            }
            Some('u') => push_code(&mut out, chars.by_ref().take(4).collect()),
            Some('U') => push_code(&mut out, chars.by_ref().take(8).collect()),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

fn push_code(out: &mut String, hex: String) {
    if let Some(c) = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let b = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(b);
                return;
            }
            out.push(b | 0x80);
        }
    }

    fn blob(version: &str, module: &str) -> Vec<u8> {
        let mut data = vec![0u8; 48];
        let mut b = MAGIC.to_vec();
        b.push(8);
        b.push(2);
        b.resize(32, 0);
        data.extend(b);
        varint(version.len(), &mut data);
        data.extend(version.as_bytes());
        let wrapped = format!("{}{module}{}", "0".repeat(16), "1".repeat(16));
        varint(wrapped.len(), &mut data);
        data.extend(wrapped.as_bytes());
        data
    }

    #[test]
    fn reads_what_go_version_m_prints() {
        let module = "path\texample.com/svc\nmod\texample.com/svc\t(devel)\t\n\
                      build\t-ldflags=\"-X main.version=1.2.3\"\nbuild\tCGO_ENABLED=0\n\
                      build\tvcs.revision=abc123\nbuild\tvcs.modified=true\n";
        let info = parse(&blob("go1.22.10", module)).unwrap();
        assert_eq!(info.go_version, "go1.22.10");
        assert_eq!(info.path.as_deref(), Some("example.com/svc"));
        assert_eq!(
            info.module,
            Some(("example.com/svc".into(), "(devel)".into()))
        );
        assert_eq!(info.setting("-ldflags"), Some("-X main.version=1.2.3"));
        assert_eq!(info.setting("CGO_ENABLED"), Some("0"));
        assert_eq!(info.setting("vcs.modified"), Some("true"));
    }

    #[test]
    fn not_go_old_go_and_damage_are_told_apart() {
        assert_eq!(parse(b"\x7fELF nothing here"), Err(BuildInfoError::Missing));
        let mut old = blob("go1.17", "");
        old[48 + 15] = 0;
        assert_eq!(parse(&old), Err(BuildInfoError::PreGo118));
        let mut cut = blob("go1.22.10", "path\tx\n");
        cut.truncate(48 + 32 + 3);
        assert!(matches!(parse(&cut), Err(BuildInfoError::Damaged(_))));
    }

    #[test]
    fn go_quoting_is_undone() {
        assert_eq!(unquote(r#""a b\t\"c\"\\ \u00e9""#), "a b\t\"c\"\\ é");
        assert_eq!(unquote("plain"), "plain");
    }
}
