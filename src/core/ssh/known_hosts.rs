//! Host-key checking against an OpenSSH `known_hosts` file, done here rather than through
//! libssh2's knownhost API so that a key of another type is never taken as a match, every
//! verdict names the file lines it rests on, and `accept-new` appends one line without
//! rewriting (and losing) the operator's file.

use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha1::Sha1;

/// One usable line of a known_hosts file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownHostLine {
    pub line: usize,
    pub hosts: HostPatterns,
    pub key_type: String,
    pub key: Vec<u8>,
    pub revoked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPatterns {
    /// `|1|salt|hash` (HashKnownHosts yes).
    Hashed { salt: Vec<u8>, hash: Vec<u8> },
    /// Comma-separated patterns, `*`/`?` wildcards, `!` negation.
    Plain(Vec<String>),
}

/// The verdict on a host key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyVerdict {
    Match {
        line: usize,
    },
    /// No line names this host.
    Unknown,
    /// The host is known with other keys (of this or another type), or the key is revoked.
    Mismatch {
        lines: Vec<usize>,
        revoked: bool,
    },
}

/// `address` for port 22, `[address]:port` otherwise, as OpenSSH writes them.
pub fn host_spec(address: &str, port: u16) -> String {
    if port == 22 {
        address.to_string()
    } else {
        format!("[{address}]:{port}")
    }
}

/// Reads a known_hosts file; a missing file is an empty one. Lines it cannot use (comments,
/// `@cert-authority`, unknown formats) are skipped, as OpenSSH skips them.
pub fn read_known_hosts(path: &Path) -> std::io::Result<Vec<KnownHostLine>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(parse_known_hosts(&text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

pub fn parse_known_hosts(text: &str) -> Vec<KnownHostLine> {
    text.lines()
        .enumerate()
        .filter_map(|(i, line)| parse_line(i + 1, line))
        .collect()
}

fn parse_line(number: usize, line: &str) -> Option<KnownHostLine> {
    let line = line.trim();
    if line.is_empty() || line.starts_with('#') {
        return None;
    }
    let mut fields = line.split_whitespace();
    let mut first = fields.next()?;
    let mut revoked = false;
    if let Some(marker) = first.strip_prefix('@') {
        if marker != "revoked" {
            return None;
        }
        revoked = true;
        first = fields.next()?;
    }
    let key_type = fields.next()?.to_string();
    let key = STANDARD.decode(fields.next()?).ok()?;
    let hosts = if let Some(hashed) = first.strip_prefix("|1|") {
        let (salt, hash) = hashed.split_once('|')?;
        HostPatterns::Hashed {
            salt: STANDARD.decode(salt).ok()?,
            hash: STANDARD.decode(hash).ok()?,
        }
    } else {
        HostPatterns::Plain(first.split(',').map(str::to_string).collect())
    };
    Some(KnownHostLine {
        line: number,
        hosts,
        key_type,
        key,
        revoked,
    })
}

impl HostPatterns {
    pub fn matches(&self, spec: &str) -> bool {
        match self {
            HostPatterns::Hashed { salt, hash } => {
                let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(salt) else {
                    return false;
                };
                mac.update(spec.as_bytes());
                mac.verify_slice(hash).is_ok()
            }
            HostPatterns::Plain(patterns) => {
                let mut matched = false;
                for pattern in patterns {
                    if let Some(negated) = pattern.strip_prefix('!') {
                        if wildcard_match(negated, spec) {
                            return false;
                        }
                    } else if wildcard_match(pattern, spec) {
                        matched = true;
                    }
                }
                matched
            }
        }
    }
}

fn wildcard_match(pattern: &str, text: &str) -> bool {
    if !pattern.contains(['*', '?']) {
        return pattern.eq_ignore_ascii_case(text);
    }
    // Brackets are literal in known_hosts ("[host]:port"), so escape them for the glob matcher.
    let escaped = pattern.replace('[', "[[]").replace(']', "[]]");
    let escaped = escaped.replace("[[]]", "[[]").replace("[]]]", "[]]");
    glob::Pattern::new(&escaped)
        .map(|p| p.matches(text))
        .unwrap_or(false)
}

/// Lines that name the host.
pub fn lines_for<'a>(lines: &'a [KnownHostLine], spec: &str) -> Vec<&'a KnownHostLine> {
    lines.iter().filter(|l| l.hosts.matches(spec)).collect()
}

/// Judges `key` (of `key_type`) for the host `spec`.
pub fn judge(lines: &[KnownHostLine], spec: &str, key_type: &str, key: &[u8]) -> KeyVerdict {
    let mine = lines_for(lines, spec);
    if let Some(l) = mine.iter().find(|l| l.revoked && l.key == key) {
        return KeyVerdict::Mismatch {
            lines: vec![l.line],
            revoked: true,
        };
    }
    let known: Vec<_> = mine.iter().filter(|l| !l.revoked).collect();
    if let Some(l) = known
        .iter()
        .find(|l| l.key_type == key_type && l.key == key)
    {
        return KeyVerdict::Match { line: l.line };
    }
    if known.is_empty() {
        KeyVerdict::Unknown
    } else {
        KeyVerdict::Mismatch {
            lines: known.iter().map(|l| l.line).collect(),
            revoked: false,
        }
    }
}

/// Key types known for the host, most preferred first, to steer the handshake towards a key
/// we can actually check (as OpenSSH orders HostKeyAlgorithms by known_hosts).
pub fn known_key_types(lines: &[KnownHostLine], spec: &str) -> Vec<String> {
    let mut types: Vec<String> = Vec::new();
    for l in lines_for(lines, spec) {
        if !l.revoked && !types.contains(&l.key_type) {
            types.push(l.key_type.clone());
        }
    }
    types
}

static APPEND_LOCK: Mutex<()> = Mutex::new(());

/// Appends `spec key_type base64(key)` to the file (creating it and its directory), leaving every
/// existing line as it was.
pub fn append(path: &Path, spec: &str, key_type: &str, key: &[u8]) -> std::io::Result<()> {
    let _guard = APPEND_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let before = super::known_hosts_cache::file_id(path)?;
    let needs_newline = ends_without_newline(path);
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let entry = format!("{spec} {key_type} {}", STANDARD.encode(key));
    let mut line = String::new();
    if needs_newline {
        line.push('\n');
    }
    line.push_str(&entry);
    line.push('\n');
    file.write_all(line.as_bytes())?;
    super::known_hosts_cache::appended(path, before, line.len() as u64, &entry)
}

/// Whether the file's last byte is something other than a line break (read alone: the file
/// may have 10,000 lines).
fn ends_without_newline(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut file) = std::fs::File::open(path) else {
        return false;
    };
    if file.seek(SeekFrom::End(-1)).is_err() {
        return false;
    }
    let mut last = [0u8; 1];
    matches!(file.read(&mut last), Ok(1) if last[0] != b'\n')
}

/// `SHA256:…` as `ssh-keygen -l` prints it.
pub fn fingerprint(sha256: &[u8]) -> String {
    let b64 = STANDARD.encode(sha256);
    format!("SHA256:{}", b64.trim_end_matches('='))
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIBV1Vn2xNDdQoE2pJ4sX2SmH7SmSC3UcRcEv3I7Sv8rL";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIOHm0Y9pB8wXvLmwY2Y3Wn6mJ0Wq7hH6X8cVg1s0nYfB";

    fn key(b64: &str) -> Vec<u8> {
        STANDARD.decode(b64).unwrap()
    }

    #[test]
    fn plain_entry_with_port_matches_only_that_port() {
        let lines = parse_known_hosts(&format!("[127.0.0.1]:2201 ssh-ed25519 {KEY_A}\n"));
        assert_eq!(
            judge(&lines, "[127.0.0.1]:2201", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Match { line: 1 }
        );
        assert_eq!(
            judge(&lines, "[127.0.0.1]:2202", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Unknown
        );
        assert_eq!(
            judge(&lines, "127.0.0.1", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Unknown
        );
    }

    #[test]
    fn changed_key_is_a_mismatch_naming_the_line() {
        let text = format!("# comment\n\nweb-01,10.0.3.11 ssh-ed25519 {KEY_A}\n");
        let lines = parse_known_hosts(&text);
        assert_eq!(
            judge(&lines, "10.0.3.11", "ssh-ed25519", &key(KEY_B)),
            KeyVerdict::Mismatch {
                lines: vec![3],
                revoked: false
            }
        );
    }

    #[test]
    fn a_key_of_another_type_is_never_a_match() {
        let lines = parse_known_hosts(&format!("host ssh-rsa {KEY_A}\n"));
        assert!(matches!(
            judge(&lines, "host", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Mismatch { .. }
        ));
    }

    #[test]
    fn hashed_entries_match() {
        // `ssh-keygen -H` style entry for "[127.0.0.1]:2201", made with a fixed salt.
        let salt = b"0123456789abcdefghij";
        let mut mac = Hmac::<Sha1>::new_from_slice(salt).unwrap();
        mac.update(b"[127.0.0.1]:2201");
        let hash = mac.finalize().into_bytes();
        let text = format!(
            "|1|{}|{} ssh-ed25519 {KEY_A}\n",
            STANDARD.encode(salt),
            STANDARD.encode(hash)
        );
        let lines = parse_known_hosts(&text);
        assert_eq!(
            judge(&lines, "[127.0.0.1]:2201", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Match { line: 1 }
        );
        assert_eq!(
            judge(&lines, "[127.0.0.1]:2202", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Unknown
        );
    }

    #[test]
    fn wildcards_negation_and_revocation() {
        let text =
            format!("*.prod,!bad.prod ssh-ed25519 {KEY_A}\n@revoked * ssh-ed25519 {KEY_B}\n");
        let lines = parse_known_hosts(&text);
        assert_eq!(
            judge(&lines, "web.prod", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Match { line: 1 }
        );
        assert_eq!(
            judge(&lines, "bad.prod", "ssh-ed25519", &key(KEY_A)),
            KeyVerdict::Unknown
        );
        assert_eq!(
            judge(&lines, "web.prod", "ssh-ed25519", &key(KEY_B)),
            KeyVerdict::Mismatch {
                lines: vec![2],
                revoked: true
            }
        );
    }

    #[test]
    fn garbage_lines_are_skipped() {
        let text = format!("garbage\n@cert-authority * ssh-ed25519 {KEY_A}\nh ssh-ed25519 !!notbase64\nh ssh-ed25519 {KEY_A}\n");
        let lines = parse_known_hosts(&text);
        assert_eq!(lines.len(), 1);
        assert_eq!(lines[0].line, 4);
    }

    #[test]
    fn append_keeps_existing_lines_and_adds_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/known_hosts");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, "# mine, keep me\nh ssh-ed25519 AAAA").unwrap();
        append(&path, "[127.0.0.1]:2201", "ssh-ed25519", &key(KEY_A)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            format!("# mine, keep me\nh ssh-ed25519 AAAA\n[127.0.0.1]:2201 ssh-ed25519 {KEY_A}\n")
        );
    }

    #[test]
    fn known_types_follow_file_order() {
        let text = format!(
            "h ssh-rsa {KEY_A}\nh ssh-ed25519 {KEY_B}\nother ecdsa-sha2-nistp256 {KEY_A}\n"
        );
        assert_eq!(
            known_key_types(&parse_known_hosts(&text), "h"),
            vec!["ssh-rsa", "ssh-ed25519"]
        );
    }
}
