//! What a host's `go env -json` said, per view. Host text: parsed as JSON into plain strings,
//! never trusted further (made safe where it is shown).

use std::collections::BTreeMap;

/// One view of the environment, as the probe read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewRead {
    /// `go env -json`'s answer: variable → value.
    Read(BTreeMap<String, String>),
    /// `go env` failed or printed something else: what it said (first line, raw).
    Failed(String),
}

/// Both views; `None` fields when the probe did not read them (no Go on the host, or an
/// unchanged host whose last reading still stands).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GoEnvRead {
    /// A login shell: `/etc/profile`, the profile scripts, the user's go/env file.
    pub login: Option<ViewRead>,
    /// A process started with an empty environment, as a service is: `$GOROOT/go.env` and Go's
    /// defaults only.
    pub service: Option<ViewRead>,
}

/// Parses one view's `go env -json` output (stdout and stderr together). A warning go prints
/// besides the object (go1.21 says "GOPATH set to GOROOT () has no effect" with an empty
/// environment) is not a failure: the object is the lines from one that is `{` to one that is `}`.
pub fn parse_view(output: &str) -> ViewRead {
    let object = json_object(output).unwrap_or(output.trim());
    match serde_json::from_str::<BTreeMap<String, serde_json::Value>>(object) {
        Ok(map) => ViewRead::Read(
            map.into_iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s,
                        other => other.to_string(),
                    };
                    (k, text)
                })
                .collect(),
        ),
        Err(_) => {
            let first = output.trim().lines().next().unwrap_or("no output");
            ViewRead::Failed(first.chars().take(300).collect())
        }
    }
}

/// The `{` … `}` lines of `go env -json`'s output, when it has them.
fn json_object(output: &str) -> Option<&str> {
    let start = if output.starts_with("{\n") {
        0
    } else {
        output.find("\n{\n")? + 1
    };
    let end = output.rfind("\n}")? + 2;
    (end > start).then(|| &output[start..end])
}

impl GoEnvRead {
    /// The login view's values (what `go env` in an operator's session says), for `scan --json`.
    pub fn login_values(&self) -> Option<&BTreeMap<String, String>> {
        match &self.login {
            Some(ViewRead::Read(map)) => Some(map),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_env_json_is_read_and_anything_else_is_a_failure_with_its_words() {
        let read = parse_view("{\n\t\"GOPROXY\": \"off\",\n\t\"GOTOOLCHAIN\": \"local\"\n}\n");
        match read {
            ViewRead::Read(map) => assert_eq!(map["GOPROXY"], "off"),
            other => panic!("{other:?}"),
        }
        let warned =
            "warning: GOPATH set to GOROOT () has no effect\n{\n\t\"GOFLAGS\": \"-mod=mod\"\n}\n";
        assert_eq!(
            parse_view(warned),
            ViewRead::Read([("GOFLAGS".to_string(), "-mod=mod".to_string())].into())
        );
        assert_eq!(
            parse_view("go: unknown environment setting GOPROXY=bogus\n"),
            ViewRead::Failed("go: unknown environment setting GOPROXY=bogus".into())
        );
    }
}
