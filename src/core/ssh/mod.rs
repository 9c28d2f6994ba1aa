//! The ssh2 (libssh2) adapter. libssh2 is blocking, so every session is owned by one worker
//! thread ([`worker`]) and never touches the async runtime.

pub mod connect;
mod error;
pub mod exec;
pub mod fault;
mod hop;
pub mod known_hosts;
pub mod limiter;
pub mod openssh;
mod pump;
pub mod stream;
pub mod worker;

pub use error::{ErrorKind, HostError};
pub use exec::ExecOutput;
pub use fault::FaultPlan;
pub use hop::FAILURE_MEMORY as HOP_FAILURE_MEMORY;
pub use limiter::{Limiter, Permit};
pub use worker::{HostLink, HostWorker, Job};
