//! Free TCP ports on 127.0.0.1.

use std::net::{Ipv4Addr, TcpListener};

use super::error::{FleetError, IoContext};

/// `count` distinct free ports. All listeners are held until every port is picked, so the
/// kernel cannot hand out one port twice; another process may still take one before `sshd`
/// binds it, which the caller handles by retrying with a new port.
pub(crate) fn free_ports(count: usize) -> Result<Vec<u16>, FleetError> {
    let listeners = (0..count)
        .map(|_| {
            TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .ctx(|| "finding a free port on 127.0.0.1".into())
        })
        .collect::<Result<Vec<_>, _>>()?;
    listeners
        .iter()
        .map(|l| {
            l.local_addr()
                .map(|a| a.port())
                .ctx(|| "reading a bound port".into())
        })
        .collect()
}
