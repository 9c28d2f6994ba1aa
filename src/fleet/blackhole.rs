//! A TCP port that accepts connections and then says nothing: the `timeout` fault.

use std::net::{Ipv4Addr, TcpListener};

use super::error::{FleetError, IoContext};

/// A listener on 127.0.0.1 that never calls `accept`. The kernel still completes the TCP
/// handshake for queued connections, so a client connects, then waits forever for a banner.
/// Closed when dropped.
#[derive(Debug)]
pub struct Blackhole {
    _listener: TcpListener,
    port: u16,
}

impl Blackhole {
    pub fn port(&self) -> u16 {
        self.port
    }
}

pub(crate) fn open() -> Result<(u16, Blackhole), FleetError> {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .ctx(|| "opening a blackhole port on 127.0.0.1".into())?;
    let port = listener
        .local_addr()
        .ctx(|| "reading the blackhole's port".into())?
        .port();
    Ok((
        port,
        Blackhole {
            _listener: listener,
            port,
        },
    ))
}
