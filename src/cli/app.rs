//! `offgo-tui app build`: the headless face of [`crate::core::app`]. Exit 0 built, 1 the binary
//! was refused (dynamic, not Go, damaged build info), 2 usage (bad name, version, --file, a file
//! that cannot be read).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use serde_json::json;

use crate::core::app::{self, AppBuildError, AppBuildOptions, AppBuildOutput};
use crate::core::text::safe;

#[derive(Debug, clap::Args)]
pub struct AppArgs {
    #[command(subcommand)]
    pub command: AppCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum AppCommand {
    /// Bundle a Go binary (statically linked unless --allow-dynamic) with its files; the
    /// manifest records the binary's embedded build info, read from the binary itself.
    Build(AppBuildArgs),
}

#[derive(Debug, clap::Args)]
pub struct AppBuildArgs {
    /// The Go binary.
    pub binary: PathBuf,
    /// The application's name (names /opt/offgo/apps/NAME on hosts).
    #[arg(long)]
    pub name: String,
    /// Its version (names the release directory on hosts).
    #[arg(long)]
    pub version: String,
    /// A file to ship with it: SRC on this machine, DEST relative to the release directory
    /// (etc/app.toml); may be given more than once.
    #[arg(long = "file", value_name = "SRC:DEST")]
    pub files: Vec<String>,
    /// Write the bundle here (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Sign the manifest with this private key (from `bundle keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
    /// Accept a dynamically linked binary (its libraries are recorded in the manifest).
    #[arg(long)]
    pub allow_dynamic: bool,
}

pub fn run(args: AppArgs) -> ExitCode {
    let AppCommand::Build(build) = args.command;
    let result = match execute(build) {
        Ok(out) if args.json => Ok((json_text(&out), String::new())),
        Ok(out) => Ok((text(&out), warnings(&out))),
        Err(e) => Err((e.is_usage(), e.to_string())),
    };
    super::out::finish(args.json, result)
}

fn execute(args: AppBuildArgs) -> Result<AppBuildOutput, AppBuildError> {
    let files = args
        .files
        .iter()
        .map(|f| app::parse_file_arg(f))
        .collect::<Result<Vec<_>, _>>()?;
    let signing_key = args
        .sign
        .as_deref()
        .map(crate::core::bundle::read_signing_key)
        .transpose()?;
    app::build(&AppBuildOptions {
        binary: args.binary,
        name: args.name,
        version: args.version,
        files,
        out_dir: args.out.unwrap_or_else(|| PathBuf::from(".")),
        signing_key,
        allow_dynamic: args.allow_dynamic,
        created: SystemTime::now(),
        builder: crate::core::bundle::builder_identity(),
    })
}

fn json_text(out: &AppBuildOutput) -> String {
    let m = &out.manifest;
    let mut value = json!({
        "ok": true,
        "manifest": out.manifest_path,
        "sha256sums": out.sums_path,
        "tarball": out.tarball_path,
        "name": m.name,
        "version": m.version,
        "arch": m.arch,
        "size": m.size,
        "sha256": m.sha256,
        "file_count": m.file_count,
        "tree_digest": m.tree_digest,
        "static": m.is_static,
        "needed": m.needed,
        "build": m.build,
        "signed": m.signature.is_some(),
    });
    crate::core::text::safe_json(&mut value);
    format!("{value}\n")
}

fn text(out: &AppBuildOutput) -> String {
    let m = &out.manifest;
    let b = &m.build;
    let mut text = format!(
        "built app bundle {} {} linux/{}\n",
        m.name, m.version, m.arch
    );
    let _ = writeln!(text, "  go          {}", safe(&b.go_version));
    if let (Some(module), Some(version)) = (&b.module, &b.module_version) {
        let _ = writeln!(text, "  module      {} {}", safe(module), safe(version));
    }
    if let Some(rev) = &b.vcs_revision {
        let modified = match b.vcs_modified.as_deref() {
            Some("true") => " (modified work tree)",
            _ => "",
        };
        let _ = writeln!(text, "  revision    {}{modified}", safe(rev));
    }
    let linking = if m.is_static {
        "static".to_string()
    } else {
        format!("dynamic: needs {}", m.needed.join(", "))
    };
    let _ = writeln!(text, "  linking     {}", safe(&linking));
    let _ = writeln!(
        text,
        "  files       {} ({} with the binary)",
        m.file_count,
        m.files.len()
    );
    super::out::bundle_files(
        &mut text,
        [&out.tarball_path, &out.manifest_path, &out.sums_path],
        m.size,
        m.signature.as_ref(),
    );
    text
}

fn warnings(out: &AppBuildOutput) -> String {
    let b = &out.manifest.build;
    let mut text = String::new();
    if b.vcs_modified.as_deref() == Some("true") {
        text.push_str("warning: built from a modified work tree (vcs.modified=true)\n");
    }
    if !out.manifest.is_static {
        text.push_str("warning: dynamically linked (--allow-dynamic): hosts need its libraries\n");
    }
    text
}
