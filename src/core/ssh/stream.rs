//! "Open a stream to the host": a TCP connection when the host is reached directly, or a tunnel
//! through its `proxy_jump` chain (a local socket pumped into a `direct-tcpip` channel of the
//! last hop's session, see [`super::hop`]). The SSH session on top is the same either way.

use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;

use super::error::HostError;
use super::hop;
use crate::core::inventory::Host;

/// What a session runs over.
pub enum Stream {
    Tcp(TcpStream),
    Tunnel(UnixStream),
}

impl AsRawFd for Stream {
    fn as_raw_fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Tunnel(s) => s.as_raw_fd(),
        }
    }
}

/// Why no stream could be opened.
#[derive(Debug, Clone)]
pub enum Unreachable {
    /// A hop on the way failed; its error already names it (`via bastion-1: …`).
    Hop(HostError),
    /// The host itself could not be reached (refused, timed out), directly or by the last hop.
    Host(HostError),
}

impl Unreachable {
    /// The error as the host it was opened for reports it.
    pub fn into_error(self) -> HostError {
        match self {
            Unreachable::Hop(e) | Unreachable::Host(e) => e,
        }
    }
}

/// Opens a stream to `host`, directly or through its hops.
pub fn open(host: &Host) -> Result<Stream, Unreachable> {
    match host.proxy_jump.split_last() {
        None => super::connect::tcp_connect(host)
            .map(|s| {
                let _ = s.set_nodelay(true);
                Stream::Tcp(s)
            })
            .map_err(Unreachable::Host),
        Some((last, before)) => {
            hop::tunnel(before, last, &host.address, host.port, host.connect_timeout)
                .map(Stream::Tunnel)
        }
    }
}

/// `error` with "via HOP: " in front, keeping its kind and hint.
pub fn via(hop: &str, mut error: HostError) -> HostError {
    error.message = format!("via {hop}: {}", error.message);
    error
}
