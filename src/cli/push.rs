//! `offgo-tui push --bundle B`: the bundle is opened and judged against the inventory's trust
//! policy ([`open_trusted`]) before any host is contacted.

use crate::cli::args::PushArgs;
use crate::cli::out::errln;
use crate::cli::{context, operate, GlobalArgs, EXIT_USAGE};
use crate::core::bundle::open_trusted;
use crate::core::engine::Artifact;

pub fn run(global: &GlobalArgs, args: &PushArgs) -> u8 {
    let ctx = match context::open(global, &args.hosts.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    let bundle = match open_trusted(&args.bundle, &ctx.inventory.bundles) {
        Ok(trusted) => Artifact::from(&trusted.bundle),
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    operate::run(ctx, args.hosts.json, |engine, hosts| {
        engine.push(hosts, &bundle)
    })
}
