//! `offgo-tui push --bundle B`: the bundle (or bundle set, a directory) is opened and judged
//! against the inventory's trust policy ([`Artifact::open_trusted`]) before any host is
//! contacted.

use crate::cli::args::PushArgs;
use crate::cli::out::errln;
use crate::cli::{context, operate, GlobalArgs, EXIT_USAGE};
use crate::core::engine::{Artifact, ArtifactKind};

pub fn run(global: &GlobalArgs, args: &PushArgs) -> u8 {
    let ctx = match context::open(global, &args.hosts.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    let bundle = match Artifact::open_trusted(
        ArtifactKind::GoRelease,
        &args.bundle,
        &ctx.inventory.bundles,
    ) {
        Ok((artifact, _)) => artifact,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    operate::run(ctx, args.hosts.json, |engine, hosts| {
        engine.push(hosts, &bundle)
    })
}
