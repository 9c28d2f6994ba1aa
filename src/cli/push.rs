//! `offgo-tui push --bundle B`: the bundle (or bundle set, a directory) is opened and judged
//! against the inventory's trust policy before any host is contacted; an app bundle
//! (`….offgo-app.toml`) installs a Go application, a module-cache bundle a module cache.

use crate::cli::args::PushArgs;
use crate::cli::out::errln;
use crate::cli::{context, operate, GlobalArgs, EXIT_USAGE};
use crate::core::engine::Artifact;

pub fn run(global: &GlobalArgs, args: &PushArgs) -> u8 {
    let ctx = match context::open(global, &args.hosts.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    // An app bundle (its manifest, or a tarball next to one) installs an app; else a Go release.
    let bundle = match Artifact::open_detected(&args.bundle, &ctx.inventory.bundles) {
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
