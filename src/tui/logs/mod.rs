//! The two logs under the table: what happened (events) and the remote commands offgo ran.

pub mod commands;
pub mod events;
