//! The ssh2 (libssh2) adapter. libssh2 is blocking, so every session is used by one thread of
//! the host pool ([`pool`]) at a time and never touches the async runtime.

pub mod connect;
mod error;
pub mod exec;
pub mod fault;
mod hop;
pub mod known_hosts;
pub mod known_hosts_cache;
pub mod openssh;
mod pump;
pub mod stream;
pub mod worker;

pub use error::{ErrorKind, HostError};
pub use exec::ExecOutput;
pub use fault::FaultPlan;
pub use hop::FAILURE_MEMORY as HOP_FAILURE_MEMORY;
pub use worker::HostLink;
pub mod pool;
pub use pool::{HostPool, Job};
