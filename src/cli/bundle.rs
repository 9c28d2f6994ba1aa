//! `offgo-tui bundle build|verify|keygen`: the headless face of [`crate::core::bundle`].
//!
//! [`execute`] does the work and returns what to print and the exit code (0 ok, 1 a check
//! failed, 2 usage or configuration error); [`run`] prints it. Human text by default, one JSON
//! object with `--json`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use serde_json::{json, Value};

use crate::core::bundle::{
    self, BuildOptions, BuildOutput, BundleError, ErrorClass, KeyPair, SignaturePolicy,
    VerifyReport,
};

#[derive(Debug, clap::Args)]
pub struct BundleArgs {
    #[command(subcommand)]
    pub command: BundleCommand,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,
}

#[derive(Debug, clap::Subcommand)]
pub enum BundleCommand {
    /// Check an official goX.Y.Z.OS-ARCH.tar.gz and write its manifest and .sha256sums beside it.
    Build(BuildArgs),
    /// Re-check a bundle at rest: tarball size and sha256, .sha256sums, signature.
    Verify(VerifyArgs),
    /// Make an ed25519 key pair for signing bundles (offgo-bundle.key, offgo-bundle.pub).
    Keygen(KeygenArgs),
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// The release tarball, named as published: goX.Y.Z.OS-ARCH.tar.gz.
    pub tarball: PathBuf,
    /// The published sha256 of the tarball; the build is refused if it differs.
    #[arg(long, value_name = "HEX", conflicts_with = "sha256_file")]
    pub sha256: Option<String>,
    /// A checksum file holding the published sha256 (bare hex or sha256sum lines).
    #[arg(long, value_name = "FILE", conflicts_with = "catalog")]
    pub sha256_file: Option<PathBuf>,
    /// go.dev's release list saved on the connected side (https://go.dev/dl/?mode=json&include=all):
    /// the tarball must be in it with the same name, size and sha256, or the build is refused.
    #[arg(long, value_name = "FILE", conflicts_with = "sha256")]
    pub catalog: Option<PathBuf>,
    /// Write the bundle here (the tarball is copied too) instead of next to the tarball.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Sign the manifest with this private key (from `bundle keygen`).
    #[arg(long, value_name = "KEY")]
    pub sign: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// The bundle's manifest (….offgo.toml) or the tarball next to it.
    pub manifest: PathBuf,
    /// Public keys (.pub lines) a signature must come from; may be given more than once.
    #[arg(long, value_name = "FILE")]
    pub trusted_keys: Vec<PathBuf>,
    /// Fail unless the bundle is signed by a trusted key.
    #[arg(long)]
    pub require_signed: bool,
}

#[derive(Debug, clap::Args)]
pub struct KeygenArgs {
    /// Directory for offgo-bundle.key and offgo-bundle.pub (created if missing).
    pub dir: PathBuf,
}

/// What a bundle command printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub exit: u8,
    pub stdout: String,
    pub stderr: String,
}

/// Runs a bundle command and prints its output.
pub fn run(command: BundleCommand, json: bool) -> ExitCode {
    let outcome = execute(command, json);
    super::out::stdout(&outcome.stdout);
    super::out::stderr(&outcome.stderr);
    ExitCode::from(outcome.exit)
}

/// Runs a bundle command and returns its output without printing it.
pub fn execute(command: BundleCommand, json: bool) -> Outcome {
    let result = match command {
        BundleCommand::Build(args) => build(args, json),
        BundleCommand::Verify(args) => verify(args, json),
        BundleCommand::Keygen(args) => keygen(args, json),
    };
    result.unwrap_or_else(|e| failure(&e, json))
}

fn failure(error: &BundleError, json: bool) -> Outcome {
    let exit = match error.class() {
        ErrorClass::Usage => 2,
        ErrorClass::CheckFailed => 1,
    };
    if json {
        let value = json!({"ok": false, "error_kind": error.kind(), "error": error.to_string()});
        Outcome {
            exit,
            stdout: format!("{value}\n"),
            stderr: String::new(),
        }
    } else {
        Outcome {
            exit,
            stdout: String::new(),
            stderr: format!("error: {error}\n"),
        }
    }
}

fn build(args: BuildArgs, json: bool) -> Result<Outcome, BundleError> {
    let name = args
        .tarball
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let catalog = match &args.catalog {
        Some(file) => {
            let release = bundle::ReleaseName::from_tarball_name(&name)?;
            Some(bundle::catalog_entry(file, &release)?)
        }
        None => None,
    };
    let expected_sha256 = match (&args.sha256, &args.sha256_file, &catalog) {
        (Some(hex), _, _) => Some(bundle::expected_sha256_from_hex(hex, "--sha256")?),
        (None, Some(file), _) => Some(bundle::expected_sha256_from_file(file, &name)?),
        (None, None, Some(entry)) => Some(entry.sha256),
        (None, None, None) => None,
    };
    let checked = match (&catalog, expected_sha256) {
        (Some(entry), _) if !entry.stable => Checked::CatalogUnstable,
        (Some(_), _) => Checked::Catalog,
        (None, Some(_)) => Checked::Sha256,
        (None, None) => Checked::Not,
    };
    let signing_key = args
        .sign
        .as_deref()
        .map(bundle::read_signing_key)
        .transpose()?;
    let options = BuildOptions {
        tarball: args.tarball,
        expected_sha256,
        expected_size: catalog.as_ref().map(|entry| entry.size),
        out_dir: args.out,
        signing_key,
        created: SystemTime::now(),
        builder: bundle::builder_identity(),
    };
    let out = bundle::build(&options)?;
    Ok(if json {
        build_json(&out, checked)
    } else {
        build_text(&out, checked)
    })
}

/// What the tarball was compared with before the bundle was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    /// Nothing: no published sha256 was given.
    Not,
    /// `--sha256` or `--sha256-file`.
    Sha256,
    /// Its entry in go.dev's release list: name, size and sha256.
    Catalog,
    /// As `Catalog`, for a release go.dev does not list as stable (a release candidate).
    CatalogUnstable,
}

impl Checked {
    fn any(self) -> bool {
        self != Checked::Not
    }

    fn json(self) -> Option<&'static str> {
        match self {
            Checked::Not => None,
            Checked::Sha256 => Some("sha256"),
            Checked::Catalog | Checked::CatalogUnstable => Some("catalog"),
        }
    }
}

fn build_json(out: &BuildOutput, checked: Checked) -> Outcome {
    let m = &out.manifest;
    let value = json!({
        "ok": true,
        "manifest": out.manifest_path,
        "sha256sums": out.sums_path,
        "tarball": out.tarball_path,
        "copied_tarball": out.copied_tarball,
        "go_version": m.go_version,
        "os": m.os,
        "arch": m.arch,
        "size": m.size,
        "sha256": m.sha256,
        "sha256_checked": checked.any(),
        "checked_against": checked.json(),
        "stable": match checked {
            Checked::Catalog => Some(true),
            Checked::CatalogUnstable => Some(false),
            _ => None,
        },
        "file_count": m.file_count,
        "tree_digest": m.tree_digest,
        "signed": m.signature.is_some(),
        "public_key": m.signature.as_ref().map(|s| s.public_key.clone()),
    });
    Outcome {
        exit: 0,
        stdout: format!("{value}\n"),
        stderr: String::new(),
    }
}

fn build_text(out: &BuildOutput, checked: Checked) -> Outcome {
    let m = &out.manifest;
    let mut text = format!("built bundle {} {}/{}\n", m.go_version, m.os, m.arch);
    let copied = if out.copied_tarball { ", copied" } else { "" };
    let _ = writeln!(
        text,
        "  tarball     {} ({} bytes{copied})",
        out.tarball_path.display(),
        m.size
    );
    let how = match checked {
        Checked::Not => "not compared: no --sha256 or --catalog given",
        Checked::Sha256 => "matches the published sha256",
        Checked::Catalog | Checked::CatalogUnstable => {
            "matches go.dev's release list: name, size and sha256"
        }
    };
    let _ = writeln!(text, "  sha256      {} ({how})", m.sha256);
    let _ = writeln!(
        text,
        "  files       {}, tree digest {}",
        m.file_count, m.tree_digest
    );
    let _ = writeln!(text, "  manifest    {}", out.manifest_path.display());
    let _ = writeln!(text, "  sha256sums  {}", out.sums_path.display());
    let signature = match &m.signature {
        Some(s) => format!("ed25519, key {}", s.public_key),
        None => "unsigned".to_string(),
    };
    let _ = writeln!(text, "  signature   {signature}");
    let stderr = match checked {
        Checked::Not => "warning: the tarball was not compared with its published sha256; pass \
                         --catalog, --sha256 or --sha256-file\n"
            .into(),
        Checked::CatalogUnstable => format!(
            "warning: go.dev does not list {} as a stable release\n",
            m.go_version
        ),
        Checked::Sha256 | Checked::Catalog => String::new(),
    };
    Outcome {
        exit: 0,
        stdout: text,
        stderr,
    }
}

fn verify(args: VerifyArgs, json: bool) -> Result<Outcome, BundleError> {
    let mut trusted_keys = Vec::new();
    for file in &args.trusted_keys {
        trusted_keys.extend(bundle::read_public_keys(file)?);
    }
    let policy = SignaturePolicy {
        trusted_keys,
        require_signed: args.require_signed,
    };
    let report = bundle::verify(&args.manifest, &policy)?;
    let exit = if report.ok { 0 } else { 1 };
    let stdout = if json {
        verify_json(&report)
    } else {
        verify_text(&report)
    };
    Ok(Outcome {
        exit,
        stdout,
        stderr: String::new(),
    })
}

fn verify_json(report: &VerifyReport) -> String {
    let value = serde_json::to_value(report).unwrap_or(Value::Null);
    format!("{value}\n")
}

fn verify_text(report: &VerifyReport) -> String {
    let mut text = format!("bundle {}\n", report.manifest.display());
    let width = report
        .checks
        .iter()
        .map(|c| c.check.len())
        .max()
        .unwrap_or(0);
    for check in &report.checks {
        let mark = if check.ok { "ok  " } else { "FAIL" };
        let _ = writeln!(text, "  {mark}  {:width$}  {}", check.check, check.detail);
    }
    let failed = report.checks.iter().filter(|c| !c.ok).count();
    if failed == 0 {
        let _ = writeln!(text, "bundle ok: {} checks passed", report.checks.len());
    } else {
        let _ = writeln!(
            text,
            "bundle NOT ok: {failed} of {} checks failed",
            report.checks.len()
        );
    }
    text
}

fn keygen(args: KeygenArgs, json: bool) -> Result<Outcome, BundleError> {
    let comment = format!(
        "{} {}",
        bundle::builder_identity(),
        humantime::format_rfc3339_seconds(SystemTime::now())
    );
    let pair = bundle::keygen(&args.dir, &comment)?;
    Ok(if json {
        keygen_json(&pair)
    } else {
        keygen_text(&pair)
    })
}

fn keygen_json(pair: &KeyPair) -> Outcome {
    let value = json!({
        "ok": true,
        "private_key": pair.private_path,
        "public_key_file": pair.public_path,
        "public_key": pair.public_key.to_base64(),
    });
    Outcome {
        exit: 0,
        stdout: format!("{value}\n"),
        stderr: String::new(),
    }
}

fn keygen_text(pair: &KeyPair) -> Outcome {
    let stdout = format!(
        "private key  {} (mode 0600: keep it secret, off the hosts)\npublic key   {}\n  {}\n\
         Sign with `bundle build --sign {}`; trust with `bundle verify --trusted-keys {}`.\n",
        pair.private_path.display(),
        pair.public_path.display(),
        pair.public_key,
        pair.private_path.display(),
        pair.public_path.display(),
    );
    Outcome {
        exit: 0,
        stdout,
        stderr: String::new(),
    }
}
