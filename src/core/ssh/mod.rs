//! The ssh2 (libssh2) adapter. libssh2 is blocking, so every session is owned by one worker
//! thread and never touches the async runtime.

mod error;

pub use error::{ErrorKind, HostError};
