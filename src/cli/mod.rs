//! The headless face: `offgo-tui scan|…` for scripts and CI. Same engine as the console.

pub mod args;
mod audit;
pub mod bundle;
mod context;
mod operate;
mod out;
mod print;
pub mod push;
mod report;
pub mod rollout;
mod scan;
mod watch;

use std::process::ExitCode;

pub use args::{Cli, Command, GlobalArgs};

/// Exit codes (contract): every selected host succeeded.
pub const EXIT_OK: u8 = 0;
/// At least one host failed.
pub const EXIT_HOST_FAILED: u8 = 1;
/// Usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// Runs a headless command.
pub fn run(global: &GlobalArgs, command: Command) -> ExitCode {
    let code = match command {
        Command::Scan(args) => scan::run(global, &args),
        // The demo is the console's face; main.rs normally starts it directly.
        Command::Demo(args) => return crate::demo::run(global, false, args.keep),
        Command::Bundle(args) => return bundle::run(args.command, args.json),
        Command::Push(args) => push::run(global, &args),
        Command::Rollout(args) => rollout::run(global, &args),
        Command::Report(args) => report::run(&args),
        Command::Verify(args) => match context::open(global, &args.hosts) {
            Ok(ctx) => operate::run(ctx, args.json, |engine, hosts| engine.verify(hosts)),
            Err(code) => code,
        },
        Command::Rollback(args) => match context::open(global, &args.hosts.hosts) {
            Ok(ctx) => operate::run(ctx, args.hosts.json, |engine, hosts| {
                engine.rollback(hosts, args.to.as_deref())
            }),
            Err(code) => code,
        },
        Command::Audit(args::AuditCommand::Verify(args)) => audit::verify(global, &args),
    };
    ExitCode::from(code)
}
