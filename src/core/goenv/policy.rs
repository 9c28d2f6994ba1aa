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
    #[error("the value holds a line break or a NUL byte")]
    BadValue,
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
        if value.contains(['\n', '\r', '\0']) {
            return Err(PolicyError::BadValue);
        }
        self.vars.insert(name.to_string(), value.to_string());
        Ok(())
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

fn valid_name(name: &str) -> bool {
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
        assert_eq!(policy.insert("GOFLAGS", "a\nb"), Err(PolicyError::BadValue));
        let reported = policy.reported();
        assert!(reported.contains(&"CGO_ENABLED".to_string()));
        assert_eq!(
            reported.iter().filter(|n| *n == "GOPROXY").count(),
            1,
            "{reported:?}"
        );
    }
}
