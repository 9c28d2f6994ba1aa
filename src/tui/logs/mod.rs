//! The two logs under the table: what happened (events) and the remote commands offgo ran;
//! and the output pane, a host's commands with what they printed.

pub mod commands;
pub mod events;
pub mod output;
