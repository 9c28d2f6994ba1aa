//! How a host's privileged steps run (DESIGN.md, "Least privilege"): as the login user itself
//! (`become = "none"`, a root login), or through `sudo -n` / `doas -n` running offgo's helper,
//! the one command the deploy user's rule names.

use super::quote::sh_quote;

/// Where `offgo-tui privileges install` puts the helper; the sudoers rule names this path.
pub const HELPER_PATH: &str = "/usr/local/libexec/offgo-helper";

/// Where the sudoers drop-in goes unless the inventory says otherwise (`sudoers_file`).
pub const SUDOERS_FILE: &str = "/etc/sudoers.d/offgo";

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BecomeMethod {
    /// The login user runs every step itself (it must be root, or own offgo's paths).
    None,
    Sudo,
    Doas,
}

impl BecomeMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            BecomeMethod::None => "none",
            BecomeMethod::Sudo => "sudo",
            BecomeMethod::Doas => "doas",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(BecomeMethod::None),
            "sudo" => Some(BecomeMethod::Sudo),
            "doas" => Some(BecomeMethod::Doas),
            _ => None,
        }
    }

    /// The contract's default: none for a root login, else sudo.
    pub fn default_for(login: &str) -> Self {
        if login == "root" {
            BecomeMethod::None
        } else {
            BecomeMethod::Sudo
        }
    }
}

/// One host's privilege settings, resolved.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Become {
    pub method: BecomeMethod,
    /// Who the helper runs as: the owner of every file offgo writes.
    pub user: String,
    /// Where `privileges install` writes the sudoers drop-in.
    pub sudoers_file: String,
}

impl Default for Become {
    fn default() -> Self {
        Self {
            method: BecomeMethod::None,
            user: "root".into(),
            sudoers_file: SUDOERS_FILE.into(),
        }
    }
}

impl Become {
    pub fn is_none(&self) -> bool {
        self.method == BecomeMethod::None
    }

    /// The exact command that runs `verb` of the helper, as the rule grants it:
    /// `sudo -n -u root /usr/local/libexec/offgo-helper install`. `None` without become.
    pub fn helper_command(&self, verb: &str) -> Option<String> {
        let tool = match self.method {
            BecomeMethod::None => return None,
            BecomeMethod::Sudo => "sudo",
            BecomeMethod::Doas => "doas",
        };
        Some(format!(
            "{tool} -n -u {} {HELPER_PATH} {verb}",
            sh_quote(&self.user)
        ))
    }

    /// `login deploy, become sudo to root` — what an audit line's detail says of who acted.
    pub fn audit_words(&self, login: &str) -> String {
        match self.method {
            BecomeMethod::None => format!("login {login}, become none"),
            m => format!("login {login}, become {} to {}", m.as_str(), self.user),
        }
    }
}

/// Whether `stderr` of a failed helper command is sudo or doas refusing it (no rule, a rule
/// that wants a password, a helper that is missing or not the digest the rule pins), and
/// their words, without the "unable to resolve host" noise a host without its name in
/// /etc/hosts adds.
pub fn refusal(method: BecomeMethod, stderr: &str) -> Option<String> {
    let prefix = match method {
        BecomeMethod::None => return None,
        BecomeMethod::Sudo => "sudo:",
        BecomeMethod::Doas => "doas:",
    };
    let words: Vec<&str> = stderr
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with(prefix) && !l.contains("unable to resolve host"))
        .collect();
    (!words.is_empty()).then(|| words.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_follows_the_login() {
        assert_eq!(BecomeMethod::default_for("root"), BecomeMethod::None);
        assert_eq!(BecomeMethod::default_for("deploy"), BecomeMethod::Sudo);
    }

    #[test]
    fn the_command_is_the_one_the_rule_names() {
        let b = Become {
            method: BecomeMethod::Sudo,
            ..Become::default()
        };
        assert_eq!(
            b.helper_command("install").unwrap(),
            "sudo -n -u 'root' /usr/local/libexec/offgo-helper install"
        );
        assert_eq!(Become::default().helper_command("install"), None);
    }

    #[test]
    fn a_refusal_is_sudos_words_without_the_resolver_noise() {
        let err = "sudo: unable to resolve host host123: Name or service not known\n\
                   sudo: a password is required\n";
        assert_eq!(
            refusal(BecomeMethod::Sudo, err).as_deref(),
            Some("sudo: a password is required")
        );
        assert_eq!(
            refusal(
                BecomeMethod::Sudo,
                "sudo: unable to resolve host h: x\nrefused=bad version\n"
            ),
            None
        );
        assert_eq!(refusal(BecomeMethod::None, "sudo: x"), None);
    }
}
