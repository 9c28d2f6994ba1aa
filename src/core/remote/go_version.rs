//! A Go version as a host reports it (`go version`, `$GOROOT/VERSION`, `state.json`), checked
//! against Go's own version grammar. A host's text that does not match is not a version: it is
//! shown as "unrecognised" with its escaped raw text (`core::text`), never used as a name, a
//! path or a comparison.

use std::fmt;

/// `go1.22.10`, `go1.21`, `go1.23rc1`, `go1.22beta2`, or `devel` (a toolchain built from source).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct GoVersion(String);

/// Longest number taken in a version (Go's are one to three digits).
const MAX_DIGITS: usize = 6;

impl GoVersion {
    /// `text` if it is a Go version (Go's grammar: `go1[.N[.P | rcK | betaK]]`, or `devel`).
    pub fn parse(text: &str) -> Option<Self> {
        if text == "devel" {
            return Some(Self(text.to_string()));
        }
        let rest = text.strip_prefix("go")?;
        let (major, rest) = number(rest)?;
        if major != "1" {
            return None;
        }
        if rest.is_empty() {
            return Some(Self(text.to_string()));
        }
        let (_minor, rest) = number(rest.strip_prefix('.')?)?;
        let tail_ok = if rest.is_empty() {
            true
        } else if let Some(patch) = rest.strip_prefix('.') {
            number(patch).is_some_and(|(_, after)| after.is_empty())
        } else if let Some(k) = rest
            .strip_prefix("rc")
            .or_else(|| rest.strip_prefix("beta"))
        {
            number(k).is_some_and(|(n, after)| after.is_empty() && n != "0")
        } else {
            false
        };
        tail_ok.then(|| Self(text.to_string()))
    }

    /// The version in `go version`'s output: `go version go1.22.10 linux/amd64` → `go1.22.10`,
    /// `go version devel go1.23-abc … ` → `devel`.
    pub fn from_go_version_output(line: &str) -> Option<Self> {
        let rest = line.trim().strip_prefix("go version ")?;
        Self::parse(rest.split_whitespace().next()?)
    }

    /// The version in a `$GOROOT/VERSION` file's first line (`go1.22.10`).
    pub fn from_version_file(line: &str) -> Option<Self> {
        Self::parse(line.trim())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for GoVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A decimal number without a leading zero (except `0` itself) at the start of `text`, and
/// what follows it.
fn number(text: &str) -> Option<(&str, &str)> {
    let len = text.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 || len > MAX_DIGITS || (len > 1 && text.starts_with('0')) {
        return None;
    }
    Some(text.split_at(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_release_names_are_versions() {
        for v in [
            "go1",
            "go1.21",
            "go1.21.0",
            "go1.22.10",
            "go1.23rc1",
            "go1.22beta2",
            "go1.9",
            "devel",
        ] {
            assert_eq!(
                GoVersion::parse(v).map(|v| v.to_string()).as_deref(),
                Some(v)
            );
        }
    }

    #[test]
    fn anything_else_is_not() {
        for v in [
            "",
            "go",
            "go2.1",
            "go1.",
            "go1.22.",
            "go1.22.10.1",
            "go1.022",
            "go1.22rc",
            "go1.22rc0",
            "go1.22.1rc1x",
            "1.22.10",
            "go1.22.10\u{1b}]0;pwn\u{7}",
            "go1.22.10/../../etc",
            "go1.2222222222",
            "go1.22 ",
            "devel go1.23",
        ] {
            assert_eq!(GoVersion::parse(v), None, "{v:?}");
        }
    }

    #[test]
    fn go_version_output_and_version_files() {
        let v = |s: &str| GoVersion::from_go_version_output(s).map(|v| v.to_string());
        assert_eq!(
            v("go version go1.22.10 linux/amd64").as_deref(),
            Some("go1.22.10")
        );
        assert_eq!(
            v("go version go1.22.10 X:nocoverageredesign linux/amd64").as_deref(),
            Some("go1.22.10")
        );
        assert_eq!(
            v("go version devel go1.23-abc Tue linux/amd64").as_deref(),
            Some("devel")
        );
        assert_eq!(v("go version go1.21.13\u{1b}[2J linux/amd64"), None);
        assert_eq!(
            v(&format!("go version go1.21.13{}", "x".repeat(1 << 20))),
            None
        );
        assert_eq!(v("bash: go: command not found"), None);
        let f = |s: &str| GoVersion::from_version_file(s).map(|v| v.to_string());
        assert_eq!(f("go1.21.13\n").as_deref(), Some("go1.21.13"));
        assert_eq!(f("devel go1.23-abc"), None);
    }
}
