//! `offgo-tui modcache build DIR`: the headless face of [`crate::core::modcache`]. Exit 0
//! built, 1 the cache was refused (a symlink, an incomplete module), 2 usage (not a directory,
//! not a download cache, unreadable).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use serde_json::json;

use crate::core::modcache::{self, ModcacheBuildOptions, ModcacheBuildOutput, ModcacheError};

#[derive(Debug, clap::Args)]
pub struct ModcacheArgs {
    #[command(subcommand)]
    pub command: ModcacheCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum ModcacheCommand {
    /// Bundle a Go module download cache ($(go env GOMODCACHE)/cache/download) for hosts
    /// that build offline with GOPROXY=file:///opt/offgo/modcache/current.
    Build(ModcacheBuildArgs),
}

#[derive(Debug, clap::Args)]
pub struct ModcacheBuildArgs {
    /// The module download cache.
    pub dir: PathBuf,
    /// Write the bundle here (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Sign the manifest with this private key (from `bundle keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

pub fn run(args: ModcacheArgs) -> ExitCode {
    let ModcacheCommand::Build(build) = args.command;
    let result = match execute(build) {
        Ok(out) if args.json => Ok((json_text(&out), String::new())),
        Ok(out) => Ok((text(&out), String::new())),
        Err(e) => Err((e.is_usage(), e.to_string())),
    };
    super::out::finish(args.json, result)
}

fn execute(args: ModcacheBuildArgs) -> Result<ModcacheBuildOutput, ModcacheError> {
    let signing_key = args
        .sign
        .as_deref()
        .map(crate::core::bundle::read_signing_key)
        .transpose()?;
    modcache::build(&ModcacheBuildOptions {
        dir: args.dir,
        out_dir: args.out.unwrap_or_else(|| PathBuf::from(".")),
        signing_key,
        created: SystemTime::now(),
        builder: crate::core::bundle::builder_identity(),
    })
}

fn json_text(out: &ModcacheBuildOutput) -> String {
    let m = &out.manifest;
    let mut value = json!({
        "ok": true,
        "id": m.id,
        "manifest": out.manifest_path,
        "sha256sums": out.sums_path,
        "tarball": out.tarball_path,
        "size": m.size,
        "sha256": m.sha256,
        "file_count": m.file_count,
        "tree_digest": m.tree_digest,
        "modules": m.modules,
        "versions": m.versions,
        "signed": m.signature.is_some(),
    });
    crate::core::text::safe_json(&mut value);
    format!("{value}\n")
}

fn text(out: &ModcacheBuildOutput) -> String {
    let m = &out.manifest;
    let mut text = format!("built module-cache bundle {}\n", m.id);
    let _ = writeln!(
        text,
        "  modules     {} ({} versions)",
        m.modules, m.versions
    );
    let _ = writeln!(
        text,
        "  files       {}, tree digest {}",
        m.file_count, m.tree_digest
    );
    super::out::bundle_files(
        &mut text,
        [&out.tarball_path, &out.manifest_path, &out.sums_path],
        m.size,
        m.signature.as_ref(),
    );
    text
}
