//! What can go wrong while starting or driving a local fleet, said so that whoever runs the demo
//! or a test can tell what to fix.

use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum FleetError {
    /// A file or directory operation failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// A helper program (`ssh-keygen`, `tar`, `cc`, `cp`, …) could not run or exited non-zero.
    #[error("`{command}` failed ({status}): {stderr}")]
    Command {
        command: String,
        status: String,
        stderr: String,
    },
    /// `sshd` did not start listening in time, or exited.
    #[error(
        "host {host}: sshd on 127.0.0.1:{port} {problem} (waited {waited:?}); last lines of {}:\n{tail}",
        log.display()
    )]
    NotReady {
        host: String,
        port: u16,
        problem: String,
        waited: Duration,
        log: PathBuf,
        tail: String,
    },
    /// The spec asks for something inconsistent (duplicate names, a bad version, …).
    #[error("fleet spec: {0}")]
    Spec(String),
    /// The spec asks for something this machine cannot do (mount namespaces, tmpfs without root).
    #[error("not supported here: {0}")]
    Unsupported(String),
    /// A Go release tarball could not be found or fetched.
    #[error("Go {version}: {detail}")]
    GoRelease { version: String, detail: String },
    /// A fleet method was given a host name the fleet does not have.
    #[error("no host named {0:?} in this fleet")]
    NoSuchHost(String),
}

impl FleetError {
    pub(crate) fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        FleetError::Io {
            what: what.into(),
            source,
        }
    }
}

/// Adds "what we were doing" to an `io::Result`.
pub(crate) trait IoContext<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T, FleetError>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, what: impl FnOnce() -> String) -> Result<T, FleetError> {
        self.map_err(|e| FleetError::io(what(), e))
    }
}
