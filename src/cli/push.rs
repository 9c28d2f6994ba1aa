//! `offgo-tui push --bundle B`: the bundle is opened and its signature judged against the
//! inventory's policy before any host is contacted.

use crate::cli::args::PushArgs;
use crate::cli::out::errln;
use crate::cli::{context, operate, GlobalArgs, EXIT_USAGE};
use crate::core::bundle::{read_public_keys, Bundle};
use crate::core::engine::PushBundle;
use crate::core::inventory::BundleSettings;

pub fn run(global: &GlobalArgs, args: &PushArgs) -> u8 {
    let ctx = match context::open(global, &args.hosts.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    let bundle = match open_trusted(&args.bundle, &ctx.inventory.bundles) {
        Ok(bundle) => bundle,
        Err(message) => {
            errln!("offgo-tui: {message}");
            return EXIT_USAGE;
        }
    };
    operate::run(ctx, args.hosts.json, |engine, hosts| {
        engine.push(hosts, &bundle)
    })
}

/// Opens the bundle and applies the signature policy of `[bundles]`. Shared with the console.
pub fn open_trusted(
    path: &std::path::Path,
    settings: &BundleSettings,
) -> Result<PushBundle, String> {
    let bundle = Bundle::open(path).map_err(|e| e.to_string())?;
    let mut keys = Vec::new();
    for key_file in &settings.trusted_keys {
        keys.extend(read_public_keys(key_file).map_err(|e| e.to_string())?);
    }
    bundle
        .check_signature(&keys, settings.require_signed)
        .map_err(|e| e.to_string())?;
    Ok(push_bundle(&bundle))
}

/// The engine's view of a bundle.
pub fn push_bundle(bundle: &Bundle) -> PushBundle {
    PushBundle {
        version: bundle.go_version().to_string(),
        arch: bundle.arch().to_string(),
        tarball: bundle.tarball_path().to_path_buf(),
        tarball_name: bundle.tarball_name().to_string(),
        size: bundle.size(),
        sha256: bundle.sha256().to_string(),
        sums: bundle.sums_path().to_path_buf(),
        unpacked_size: bundle.unpacked_size(),
    }
}
