//! The `%` tokens and leading `~` that OpenSSH expands in `HostName`, `IdentityFile` and
//! `UserKnownHostsFile`.

use super::error::SshConfigError;
use super::Origin;

/// What the tokens stand for, for one host.
#[derive(Debug, Clone)]
pub struct TokenValues<'a> {
    /// `%n`, and `%h` until `HostName` is known: the inventory host name.
    pub original: &'a str,
    /// `%h`: the address connected to.
    pub host: &'a str,
    /// `%r`: the remote login name.
    pub user: &'a str,
    /// `%p`.
    pub port: u16,
}

/// Expands `text` written at `origin`. A `%` token offgo does not know is an error at that line,
/// not a literal `%x` in a path.
pub fn expand(
    text: &str,
    values: &TokenValues<'_>,
    origin: &Origin,
) -> Result<String, SshConfigError> {
    let home = dirs::home_dir().map(|h| h.display().to_string());
    let mut out = String::with_capacity(text.len());
    let rest = match (text.strip_prefix('~'), &home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            out.push_str(home);
            rest
        }
        _ => text,
    };
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('h') => out.push_str(values.host),
            Some('n') => out.push_str(values.original),
            Some('r') => out.push_str(values.user),
            Some('p') => out.push_str(&values.port.to_string()),
            Some('u') => out.push_str(&local_user()),
            Some('d') => match &home {
                Some(home) => out.push_str(home),
                None => return Err(token_error(origin, "%d", "no home directory is known")),
            },
            Some(other) => {
                return Err(token_error(
                    origin,
                    &format!("%{other}"),
                    "offgo expands %%, %d, %h, %n, %p, %r and %u",
                ))
            }
            None => return Err(token_error(origin, "%", "a lone % at the end")),
        }
    }
    Ok(out)
}

fn token_error(origin: &Origin, token: &str, why: &str) -> SshConfigError {
    SshConfigError::new(
        &origin.file,
        origin.line,
        format!("cannot expand {token}: {why}"),
    )
    .hint("write the value out, or use one of the tokens offgo expands")
}

fn local_user() -> String {
    std::env::var("USER").unwrap_or_default()
}
