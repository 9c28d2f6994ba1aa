//! `[go_env]`: Go environment variables mapped to the exact value every host must have.

use std::collections::BTreeMap;

/// Variables every probe of a host with Go reports, policy or not: the ones that decide whether
/// `go` reaches for the internet.
pub const REPORTED: &[&str] = &[
    "GOFLAGS",
    "GOINSECURE",
    "GONOPROXY",
    "GONOSUMDB",
    "GOPRIVATE",
    "GOPROXY",
    "GOSUMDB",
    "GOTOOLCHAIN",
];

/// The policy: variable → wanted value, sorted by name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoEnvPolicy {
    pub vars: BTreeMap<String, String>,
}

/// Why a `[go_env]` entry is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("{0:?} is not a Go environment variable name")]
    BadName(String),
    #[error("the value holds {0}")]
    BadValue(&'static str),
}

impl GoEnvPolicy {
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Adds `name = value`, checked: a name `go env` knows the shape of (`GO…` or `CGO_…`, upper
    /// case), a value that fits on one line of a profile and of `go.env`.
    pub fn insert(&mut self, name: &str, value: &str) -> Result<(), PolicyError> {
        if !valid_name(name) {
            return Err(PolicyError::BadName(name.to_string()));
        }
        if let Some(why) = value_problem(value) {
            return Err(PolicyError::BadValue(why));
        }
        self.vars.insert(name.to_string(), value.to_string());
        Ok(())
    }

    /// `NAME=VALUE` per variable, sorted by name: the `go_env` input of the host's scripts.
    pub fn lines(&self) -> Vec<String> {
        self.vars.iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    /// `NAME=VALUE NAME=VALUE`, for audit lines and messages.
    pub fn describe(&self) -> String {
        if self.vars.is_empty() {
            return "no policy".into();
        }
        self.lines().join(" ")
    }

    /// The variables a probe asks `go env` for: the policy's and [`REPORTED`], sorted, once.
    pub fn reported(&self) -> Vec<String> {
        let mut names: Vec<String> = REPORTED.iter().map(|s| s.to_string()).collect();
        names.extend(self.vars.keys().cloned());
        names.sort();
        names.dedup();
        names
    }
}

/// The longest value offgo writes into a profile and go.env.
pub const VALUE_MAX: usize = 4096;

/// Why `value` can't be written as offgo writes policy values, or `None` when it can. A value
/// goes into `$GOROOT/go.env` as `NAME=VALUE` (read literally, one line), into the login profile
/// between single quotes, into state.json between double quotes, and through the helper's stdin:
/// so printable ASCII only, without `'`, `"`, `\`, `` ` `` or `$` (nothing a shell or JSON would
/// read as more than text), and no blank at either end (go.env would keep it, a reader would not
/// see it). The helper checks the same grammar again (scripts/helper_inputs.sh).
pub fn value_problem(value: &str) -> Option<&'static str> {
    if value.len() > VALUE_MAX {
        return Some("more than 4096 bytes");
    }
    if value.bytes().any(|b| b == b'\n' || b == b'\r' || b == 0) {
        return Some("a line break or a NUL byte");
    }
    if value.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
        return Some("a control character or a byte outside printable ASCII");
    }
    if value.contains(['\'', '"', '\\', '`', '$']) {
        return Some("a quote, a backslash, a backquote or a dollar sign");
    }
    if value.starts_with(' ') || value.ends_with(' ') {
        return Some("a blank at its start or end");
    }
    None
}

/// A Go environment variable's name as offgo accepts it: `GO…` or `CGO_…`, upper case.
pub fn valid_name(name: &str) -> bool {
    (name.starts_with("GO") || name.starts_with("CGO_"))
        && name.len() > 2
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_go_s_and_values_one_line() {
        let mut policy = GoEnvPolicy::default();
        assert!(policy
            .insert("GOPROXY", "file:///opt/offgo/modcache/current")
            .is_ok());
        assert!(policy.insert("CGO_ENABLED", "0").is_ok());
        assert_eq!(
            policy.insert("goproxy", "x"),
            Err(PolicyError::BadName("goproxy".into()))
        );
        assert!(policy.insert("PATH", "/bin").is_err());
        assert!(policy.insert("GO", "x").is_err());
        assert!(policy.insert("GO PROXY", "x").is_err());
        assert_eq!(
            policy.insert("GOFLAGS", "a\nb"),
            Err(PolicyError::BadValue("a line break or a NUL byte"))
        );
        // What Go's own variables hold is accepted: lists, globs, flags with spaces, URLs.
        for ok in [
            "-mod=mod -trimpath",
            "*.corp.example,corp.example/*",
            "https://athens.corp:3000|off",
            "file:///opt/offgo/modcache/current",
        ] {
            assert!(policy.insert("GOFLAGS", ok).is_ok(), "{ok}");
        }
        // Nothing a shell or JSON would read as more than text.
        for bad in [
            "off'; rm -rf /",
            "$(id)",
            "`id`",
            "a\"b",
            "a\\b",
            " off",
            "off ",
            "caf\u{e9}",
        ] {
            assert!(
                matches!(policy.insert("GOPROXY", bad), Err(PolicyError::BadValue(_))),
                "{bad}"
            );
        }
        let reported = policy.reported();
        assert!(reported.contains(&"CGO_ENABLED".to_string()));
        assert_eq!(
            reported.iter().filter(|n| *n == "GOPROXY").count(),
            1,
            "{reported:?}"
        );
    }
}
