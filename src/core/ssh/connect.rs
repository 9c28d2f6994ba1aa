//! Opening an authenticated session to one host: TCP connect, SSH handshake, host-key check
//! (before any credential is offered), authentication. Every step is bounded by the host's
//! `connect_timeout`; every failure is classified for the operator.

use std::io::ErrorKind as IoKind;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ssh2::{HashType, HostKeyType, MethodType, Session};

use super::error::{ErrorKind, HostError};
use super::known_hosts::{self, KeyVerdict};
use crate::core::inventory::{Host, HostKeyPolicy};

/// libssh2's LIBSSH2_ERROR_TIMEOUT.
const LIBSSH2_ERROR_TIMEOUT: i32 = -9;

/// Key-exchange preferences: curve25519 first, as OpenSSH does; it is also the cheapest.
const KEX_PREFS: &str = "curve25519-sha256,curve25519-sha256@libssh.org,ecdh-sha2-nistp256,\
ecdh-sha2-nistp384,ecdh-sha2-nistp521,diffie-hellman-group14-sha256,diffie-hellman-group16-sha512,\
diffie-hellman-group-exchange-sha256";
const HOSTKEY_DEFAULT: [&str; 7] = [
    "ssh-ed25519",
    "ecdsa-sha2-nistp256",
    "ecdsa-sha2-nistp384",
    "ecdsa-sha2-nistp521",
    "rsa-sha2-512",
    "rsa-sha2-256",
    "ssh-rsa",
];

pub fn ms(d: Duration) -> u32 {
    u32::try_from(d.as_millis()).unwrap_or(u32::MAX).max(1)
}

/// Connects, checks the host key and authenticates. The session's timeout is left at the
/// host's `command_timeout`.
pub fn connect(host: &Host) -> Result<Session, HostError> {
    let stream = super::stream::open(host).map_err(super::stream::Unreachable::into_error)?;
    session_over(host, stream)
}

/// The SSH session over an open `stream` (see [`connect`]).
pub(super) fn session_over(
    host: &Host,
    stream: super::stream::Stream,
) -> Result<Session, HostError> {
    let mut session = Session::new().map_err(|e| internal(host, "create an SSH session", &e))?;
    session.set_tcp_stream(stream);
    session.set_timeout(ms(host.connect_timeout));
    let spec = known_hosts::host_spec(&host.address, host.port);
    // The lines naming this host, from the file parsed once for the whole fleet.
    let known = super::known_hosts_cache::lines_for(&host.known_hosts, &spec).map_err(|e| {
        HostError::new(
            ErrorKind::HostKeyUnknown,
            format!(
                "cannot read known_hosts {}: {e}",
                host.known_hosts.display()
            ),
            "fix the file's permissions or the inventory's known_hosts key",
        )
    })?;
    set_preferences(&session, &known_hosts::known_key_types(&known, &spec));
    session.handshake().map_err(|e| handshake_error(host, &e))?;
    check_host_key(host, &session, &known, &spec)?;
    authenticate(host, &session)?;
    session.set_timeout(ms(host.command_timeout));
    // No libssh2 keepalive schedule: with one, a blocking read gives up as "timed out" as soon
    // as a keepalive falls due, so a remote step silent for longer than the interval (an
    // extraction on a loaded host) would fail. The idle worker sends keepalives itself.
    session.set_keepalive(false, 0);
    Ok(session)
}

pub(super) fn tcp_connect(host: &Host) -> Result<TcpStream, HostError> {
    let target = format!("{}:{}", host.address, host.port);
    let addrs: Vec<SocketAddr> =
        match (host.address.as_str(), host.port).to_socket_addrs() {
            Ok(addrs) => addrs.collect(),
            Err(e) => return Err(HostError::new(
                ErrorKind::Refused,
                format!("cannot resolve {}: {e}", host.address),
                "check the host's address in the inventory and the jump host's /etc/hosts or DNS",
            )),
        };
    let mut last = None;
    for addr in &addrs {
        match TcpStream::connect_timeout(addr, host.connect_timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    let Some(e) = last else {
        return Err(HostError::new(
            ErrorKind::Refused,
            format!("{} resolves to no address", host.address),
            "check the host's address in the inventory",
        ));
    };
    Err(match e.kind() {
        IoKind::TimedOut | IoKind::WouldBlock => HostError::new(
            ErrorKind::Timeout,
            format!("no answer from {target} within {}", humantime::format_duration(host.connect_timeout)),
            "check that the host is up and that no firewall drops SSH; raise connect_timeout for slow links",
        ),
        IoKind::ConnectionRefused => HostError::new(
            ErrorKind::Refused,
            format!("connection to {target} refused"),
            "sshd is not running on the host or listens on another port: check `port` in the inventory",
        ),
        _ => HostError::new(
            ErrorKind::Refused,
            format!("cannot connect to {target}: {e}"),
            "check the network path from the jump host to the host",
        ),
    })
}

/// Ciphers: AES-GCM first (hardware AES on every current x86 and ARM server makes it the
/// fastest for uploads), then what OpenSSH offers by default.
const CIPHER_PREFS: &str = "aes128-gcm@openssh.com,aes256-gcm@openssh.com,aes128-ctr,aes256-ctr,\
chacha20-poly1305@openssh.com";

fn set_preferences(session: &Session, known_types: &[String]) {
    let _ = session.method_pref(MethodType::Kex, KEX_PREFS);
    let _ = session.method_pref(MethodType::CryptCs, CIPHER_PREFS);
    let _ = session.method_pref(MethodType::CryptSc, CIPHER_PREFS);
    let mut prefs: Vec<&str> = Vec::new();
    for t in known_types {
        let algs: &[&str] = match t.as_str() {
            "ssh-rsa" => &["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
            other => &[other],
        };
        for a in algs {
            if HOSTKEY_DEFAULT.contains(a) && !prefs.contains(a) {
                prefs.push(a);
            }
        }
    }
    for a in HOSTKEY_DEFAULT {
        if !prefs.contains(&a) {
            prefs.push(a);
        }
    }
    // An older libssh2 may not know every name; fall back to its defaults rather than fail.
    if session
        .method_pref(MethodType::HostKey, &prefs.join(","))
        .is_err()
    {
        let _ = session.method_pref(
            MethodType::HostKey,
            "ssh-ed25519,ecdsa-sha2-nistp256,ssh-rsa",
        );
    }
}

fn handshake_error(host: &Host, e: &ssh2::Error) -> HostError {
    let target = format!("{}:{}", host.address, host.port);
    if is_timeout(e) {
        return HostError::new(
            ErrorKind::Timeout,
            format!(
                "{target} accepted TCP but sent no SSH greeting within {}",
                humantime::format_duration(host.connect_timeout)
            ),
            "the port may not be sshd, or the host is overloaded: check `port`, then sshd on the host",
        );
    }
    HostError::new(
        ErrorKind::Refused,
        format!("SSH handshake with {target} failed: {}", e.message()),
        "the host closed the connection during the handshake: check sshd's logs on the host \
         (MaxStartups, allowed algorithms)",
    )
}

pub fn is_timeout(e: &ssh2::Error) -> bool {
    matches!(e.code(), ssh2::ErrorCode::Session(LIBSSH2_ERROR_TIMEOUT))
}

fn key_type_name(kind: HostKeyType) -> &'static str {
    match kind {
        HostKeyType::Rsa => "ssh-rsa",
        HostKeyType::Dss => "ssh-dss",
        HostKeyType::Ecdsa256 => "ecdsa-sha2-nistp256",
        HostKeyType::Ecdsa384 => "ecdsa-sha2-nistp384",
        HostKeyType::Ecdsa521 => "ecdsa-sha2-nistp521",
        HostKeyType::Ed25519 => "ssh-ed25519",
        _ => "unknown",
    }
}

fn check_host_key(
    host: &Host,
    session: &Session,
    known: &[known_hosts::KnownHostLine],
    spec: &str,
) -> Result<(), HostError> {
    let Some((key, kind)) = session.host_key() else {
        return Err(HostError::new(
            ErrorKind::HostKeyUnknown,
            "the host sent no host key",
            "check sshd on the host",
        ));
    };
    let key_type = key_type_name(kind);
    let fingerprint = session
        .host_key_hash(HashType::Sha256)
        .map(known_hosts::fingerprint)
        .unwrap_or_default();
    let file = host.known_hosts.display();
    match known_hosts::judge(known, spec, key_type, key) {
        KeyVerdict::Match { .. } => Ok(()),
        KeyVerdict::Mismatch { lines, revoked } => {
            let at = lines.iter().map(|l| format!("{file}:{l}")).collect::<Vec<_>>().join(", ");
            let message = if revoked {
                format!("host key {key_type} {fingerprint} of {spec} is marked @revoked at {at}")
            } else {
                format!("host key of {spec} changed: got {key_type} {fingerprint}, known_hosts has another at {at}")
            };
            Err(HostError::new(
                ErrorKind::HostKeyMismatch,
                message,
                format!(
                    "possible man-in-the-middle: nothing was sent to the host. If it was reinstalled, confirm the \
                     new fingerprint out of band, then run: ssh-keygen -R '{spec}' -f {file}"
                ),
            ))
        }
        KeyVerdict::Unknown => match host.host_key_policy {
            HostKeyPolicy::AcceptNew => known_hosts::append(&host.known_hosts, spec, key_type, key).map_err(|e| {
                HostError::new(
                    ErrorKind::HostKeyUnknown,
                    format!("cannot record the new host key of {spec} in {file}: {e}"),
                    "make the known_hosts file writable",
                )
            }),
            HostKeyPolicy::Strict => Err(HostError::new(
                ErrorKind::HostKeyUnknown,
                format!("host key of {spec} ({key_type} {fingerprint}) is not in {file}"),
                format!(
                    "host_key_policy is strict: confirm the fingerprint out of band, then add it with \
                     ssh-keyscan -p {} {} >> {file}, or set host_key_policy = \"accept-new\"",
                    host.port, host.address
                ),
            )),
        },
    }
}

fn authenticate(host: &Host, session: &Session) -> Result<(), HostError> {
    let mut tried: Vec<String> = Vec::new();
    let mut last_error = String::new();
    if let Some(identity) = &host.identity_file {
        tried.push(identity.display().to_string());
        if let Err(e) = session.userauth_pubkey_file(&host.user, None, identity, None) {
            if is_timeout(&e) {
                return Err(auth_timeout(host));
            }
            last_error = e.message().to_string();
        }
    } else {
        if std::env::var_os("SSH_AUTH_SOCK").is_some() {
            tried.push("ssh-agent".into());
            if let Err(e) = session.userauth_agent(&host.user) {
                last_error = e.message().to_string();
            }
        }
        for file in default_identities() {
            if session.authenticated() {
                break;
            }
            tried.push(file.display().to_string());
            if let Err(e) = session.userauth_pubkey_file(&host.user, None, &file, None) {
                if is_timeout(&e) {
                    return Err(auth_timeout(host));
                }
                last_error = e.message().to_string();
            }
        }
    }
    if session.authenticated() {
        return Ok(());
    }
    let detail = if last_error.is_empty() {
        String::new()
    } else {
        format!(" ({last_error})")
    };
    Err(HostError::new(
        ErrorKind::Auth,
        format!("{}@{} refused every key offered: {}{detail}", host.user, host.address, tried_list(&tried)),
        format!(
            "check that the public key is in ~{}/.ssh/authorized_keys on the host, and the inventory's user and \
             identity_file",
            host.user
        ),
    ))
}

fn tried_list(tried: &[String]) -> String {
    if tried.is_empty() {
        "none (no identity_file, no ssh-agent, no ~/.ssh/id_* file)".into()
    } else {
        tried.join(", ")
    }
}

fn auth_timeout(host: &Host) -> HostError {
    HostError::new(
        ErrorKind::Timeout,
        format!("authentication on {}:{} timed out", host.address, host.port),
        "the host is slow to answer: check its load, or raise connect_timeout",
    )
}

fn default_identities() -> Vec<PathBuf> {
    let Some(home) = dirs::home_dir() else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|n| home.join(".ssh").join(n))
        .filter(|p| is_file(p))
        .collect()
}

fn is_file(path: &Path) -> bool {
    path.metadata().map(|m| m.is_file()).unwrap_or(false)
}

fn internal(host: &Host, what: &str, e: &ssh2::Error) -> HostError {
    HostError::new(
        ErrorKind::Refused,
        format!("cannot {what} for {}: {e}", host.name),
        "see the log file",
    )
}
