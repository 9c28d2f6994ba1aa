//! The headless face: `offgo-tui scan|…` for scripts and CI. Same engine as the console.

mod ad_hoc;
pub mod app;
pub mod args;
mod audit;
pub mod bundle;
mod context;
pub mod docs;
mod import;
pub mod modcache;
mod operate;
mod out;
mod print;
mod privileges;
mod privileges_install;
pub mod push;
mod report;
pub mod rollout;
mod rollout_flags;
mod scan;
pub mod test_fault;
mod watch;

use std::process::ExitCode;

use crate::core::engine::ArtifactKind;

pub use args::{Cli, Command, GlobalArgs};

pub use crate::exit::{EXIT_HOST_FAILED, EXIT_OK, EXIT_USAGE};

/// Runs a headless command.
pub fn run(global: &GlobalArgs, command: Command) -> ExitCode {
    let code = match command {
        Command::Scan(args) => scan::run(global, &args),
        // The demo is the console's face: main.rs starts it, never this.
        Command::Demo(_) => {
            eprintln!("offgo-tui: the demo is started as `offgo-tui demo`");
            EXIT_USAGE
        }
        Command::Bundle(args) => return bundle::run(args.command, args.json),
        Command::App(args) => return app::run(args),
        Command::Modcache(args) => return modcache::run(args),
        Command::Push(args) => push::run(global, &args),
        Command::Rollout(args) => rollout::run(global, &args),
        Command::Report(args) => report::run(&args),
        Command::Verify(args) => match context::open(global, &args.hosts.hosts) {
            Ok(ctx) => operate::run(ctx, args.hosts.json, |engine, hosts| match &args.app {
                Some(app) => engine.verify_app(hosts, app),
                None => engine.verify(hosts, kind_flag(args.modcache)),
            }),
            Err(code) => code,
        },
        Command::Rollback(args) => match args.target() {
            // Checked before the inventory is read, as a bad flag is.
            Err(e) => {
                eprintln!("error: {e}");
                EXIT_USAGE
            }
            Ok(to) => match context::open(global, &args.hosts.hosts) {
                Ok(ctx) => operate::run(ctx, args.hosts.json, |engine, hosts| match &args.app {
                    Some(app) => engine.rollback_app(hosts, app, to.as_deref()),
                    None => {
                        let modcache = args.modcache
                            || to.as_deref().is_some_and(|t| t.starts_with("modcache-"));
                        engine.rollback(hosts, kind_flag(modcache), to.as_deref())
                    }
                }),
                Err(code) => code,
            },
        },
        Command::Audit(args::AuditCommand::Verify(args)) => audit::verify(global, &args),
        Command::Run(args) => ad_hoc::run(global, &args),
        Command::Inventory(import::InventoryCommand::Import(args)) => import::run(&args),
        Command::Completions(args) => return docs::completions(args.shell),
        Command::Man(args) => return docs::man(&args),
        Command::Privileges(args) => privileges::run(global, args),
        Command::GoEnv(args::GoEnvCommand::Apply(args)) => match context::open(global, &args.hosts)
        {
            Ok(ctx) => operate::run(ctx, args.json, |engine, hosts| engine.go_env_apply(hosts)),
            Err(code) => code,
        },
    };
    ExitCode::from(code)
}

/// `--modcache` on verify and rollback: the module cache instead of the Go release.
fn kind_flag(modcache: bool) -> ArtifactKind {
    if modcache {
        ArtifactKind::Modcache
    } else {
        ArtifactKind::GoRelease
    }
}
