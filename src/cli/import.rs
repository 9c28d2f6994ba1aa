//! `offgo-tui inventory import`: write a TOML inventory from an OpenSSH config or an Ansible
//! inventory. What the source holds that offgo has no setting for goes to stderr, one line
//! each with its file and line; the inventory is checked with the real loader before it is
//! written, so what lands loads without edits.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{ArgGroup, Args, Subcommand};

use super::out;
use super::{EXIT_OK, EXIT_USAGE};
use crate::core::import::{self, Draft};
use crate::core::text::{safe, safe_lines};

#[derive(Debug, Subcommand)]
pub enum InventoryCommand {
    /// Write a TOML inventory from an OpenSSH config or an Ansible inventory (INI or YAML).
    ///
    /// Prints it, or writes it to --out. Everything the source holds that offgo has no setting
    /// for (other variables, wildcard patterns, Match blocks) is listed on stderr with its file
    /// and line.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("source").required(true).args(["ssh_config", "ansible"])))]
pub struct ImportArgs {
    /// An OpenSSH client config: each Host name without a wildcard becomes a host.
    #[arg(long, value_name = "FILE")]
    pub ssh_config: Option<PathBuf>,
    /// An Ansible inventory, INI or YAML: groups, children, group vars, ansible_host/port/user,
    /// ranges such as web[01:20].
    #[arg(long, value_name = "FILE")]
    pub ansible: Option<PathBuf>,
    /// Write the inventory here instead of printing it.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// With --out: replace the file if it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

pub fn run(args: &ImportArgs) -> u8 {
    let draft = match (&args.ssh_config, &args.ansible) {
        (Some(path), _) => import::from_ssh_config(path),
        (None, Some(path)) => import::from_ansible(path),
        (None, None) => unreachable_source(),
    };
    let draft = match draft {
        Ok(draft) => draft,
        Err(e) => return fail(&format!("{e}")),
    };
    for warning in &draft.warnings {
        out::stderr(&format!("{}\n", safe(&warning.to_string())));
    }
    if draft.hosts.is_empty() {
        return fail(&format!(
            "{}: no hosts found, so there is no inventory to write",
            draft.source.display()
        ));
    }
    let text = import::render(&draft);
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("offgo.toml"));
    if let Err(e) = crate::core::inventory::parse(&text, &target) {
        return fail(&format!(
            "the imported inventory does not load, so it was not written (please report this):\n{e}"
        ));
    }
    match &args.out {
        Some(path) => {
            if let Err(e) = write(path, &text, args.force) {
                return fail(&e);
            }
        }
        None => out::stdout(&text),
    }
    out::stderr(&summary(&draft, args.out.as_deref()));
    EXIT_OK
}

/// clap's group makes one source required; this keeps the match total without a panic.
fn unreachable_source() -> Result<Draft, import::ImportError> {
    Err(import::ImportError {
        origin: None,
        message: "give --ssh-config FILE or --ansible FILE".into(),
    })
}

fn write(path: &Path, text: &str, force: bool) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        // create_new: an existing file is refused, and no race can slip one in between.
        options.create_new(true);
    }
    let mut file = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            format!(
                "{} exists; pass --force to replace it, or choose another --out",
                path.display()
            )
        } else {
            format!("cannot write {}: {e}", path.display())
        }
    })?;
    file.write_all(text.as_bytes())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn summary(draft: &Draft, out: Option<&Path>) -> String {
    let target = out.map_or("stdout".to_owned(), |p| p.display().to_string());
    let mut line = format!(
        "imported {} host(s) and {} group(s) from {} to {target}",
        draft.hosts.len(),
        draft.groups.len(),
        draft.source.display()
    );
    if !draft.warnings.is_empty() {
        line.push_str(&format!(
            "; {} thing(s) left out, listed above",
            draft.warnings.len()
        ));
    }
    format!("{}\n", safe(&line))
}

fn fail(message: &str) -> u8 {
    out::stderr(&format!(
        "offgo-tui: {}\n",
        safe_lines(message, crate::core::text::SHOWN_LINES_MAX)
    ));
    EXIT_USAGE
}
