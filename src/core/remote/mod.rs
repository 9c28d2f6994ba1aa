//! The remote-host contract as data: where things live on a host, the probe script that reads
//! them, the parser of its output, and shell quoting for every value that reaches a remote shell.

pub mod app_ops;
pub mod call;
pub mod frame;
pub mod go_version;
pub mod helper;
pub mod modcache_ops;
pub mod ops;
pub mod paths;
pub mod privilege;
pub mod probe;
pub mod probe_apps;
mod probe_parse;
pub mod quote;
pub mod rule;

pub use paths::{HostTools, RemotePaths};

#[cfg(test)]
mod app_helper_tests;
#[cfg(test)]
mod test_sh;
