//! POSIX shell quoting. Every value from the inventory or a bundle that reaches a remote shell
//! goes through [`sh_quote`]; nothing is pasted into a command unquoted.

/// Quotes `value` as one POSIX `sh` word: single quotes, with each `'` written as `'\''`.
/// Safe for every byte sequence, including newlines, `$`, backticks and leading dashes.
pub fn sh_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for ch in value.chars() {
        if ch == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(ch);
        }
    }
    out.push('\'');
    out
}

/// Quotes every item and joins them with spaces.
pub fn sh_quote_all<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    values
        .into_iter()
        .map(sh_quote)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    /// Round-trips `value` through a real `sh` and checks it comes back byte for byte.
    fn echo_back(value: &str) -> String {
        let script = format!("printf '%s' {}", sh_quote(value));
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        assert!(out.status.success(), "sh failed for {value:?}");
        String::from_utf8(out.stdout).unwrap()
    }

    #[test]
    fn nasty_values_survive_a_real_shell() {
        let nasty = [
            "",
            "plain",
            "with space",
            "it's",
            "''",
            "'; rm -rf / #",
            "$(touch /tmp/offgo-pwned)",
            "`id`",
            "$HOME ${PATH}",
            "a\nb\nc",
            "-rf",
            "*",
            "/opt/app/bin/*",
            "back\\slash",
            "tab\there",
            "ünïcødé ✓",
            "\"double\"",
            "semi;colon|pipe&amp>redirect<",
        ];
        for value in nasty {
            assert_eq!(echo_back(value), value);
        }
        assert!(!std::path::Path::new("/tmp/offgo-pwned").exists());
    }

    #[test]
    fn quote_all_keeps_words_apart() {
        let script = format!(
            "for w in {}; do printf '[%s]' \"$w\"; done",
            sh_quote_all(["a b", "c'd", ""])
        );
        let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap(), "[a b][c'd][]");
    }
}
