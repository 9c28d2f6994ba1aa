//! The command line (DESIGN.md, "Headless CLI" — a contract).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "offgo-tui",
    version,
    about = "Keep Go toolchains current on air-gapped fleets: a live console, and the same engine headless.",
    after_help = "Without a command, opens the console. Exit codes: 0 every selected host succeeded, \
                  1 at least one host failed, 2 usage or configuration error."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    /// The console's own flag: hide every action that changes hosts.
    #[arg(long)]
    pub read_only: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Inventory file (else $OFFGO_INVENTORY, ./offgo.toml, $XDG_CONFIG_HOME/offgo/inventory.toml).
    #[arg(long, short = 'i', global = true, value_name = "FILE")]
    pub inventory: Option<PathBuf>,
    /// How many hosts to work on at once.
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    pub parallel: Option<u16>,
    /// Headless: more detail on stderr.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
    /// push, rollback, rollout: go ahead on hosts whose audit log is tampered, diverged or
    /// gone, recording the acceptance in both logs (the host's log is judged afresh from there).
    #[arg(long, global = true)]
    pub accept_audit: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe hosts: Go version, ldd gaps, audit-log status.
    Scan(ScanArgs),
    /// Start a throwaway local fleet of real sshd hosts and open the console on it.
    Demo(DemoArgs),
    /// Build, check and sign bundles (an official tarball plus manifest and sha256sums).
    Bundle(crate::cli::bundle::BundleArgs),
    /// Go application bundles: a Go binary and its files, with its build info in the manifest.
    App(crate::cli::app::AppArgs),
    /// Module-cache bundles: a Go module download cache for hosts that build offline.
    Modcache(crate::cli::modcache::ModcacheArgs),
    /// Push a bundle: pre-flight, upload, verify, switch atomically; rolls itself back on failure.
    ///
    /// ctrl-c (or SIGTERM) aborts: hosts in flight finish, no new host starts, the results list
    /// the hosts left out (exit 1). A second ctrl-c stops waiting at once.
    Push(PushArgs),
    /// Roll a bundle across the fleet: canary, batches, halting on failures; resumable.
    ///
    /// ctrl-c (or SIGTERM) aborts: hosts in flight finish, no new host starts. A second ctrl-c
    /// stops waiting at once; `rollout --resume` then settles the hosts cut short.
    Rollout(RolloutArgs),
    /// The evidence report of a rollout (JSON and Markdown).
    Report(ReportArgs),
    /// Check the active release: tree checksums, go version, env profile, ldd gaps, audit chain,
    /// and with a [go_env] policy the go_env check (offgo's files as recorded, both views).
    ///
    /// ctrl-c (or SIGTERM) aborts as for push.
    Verify(VerifyArgs),
    /// Switch back to the previous release (or --to VERSION), verified after the switch.
    ///
    /// ctrl-c (or SIGTERM) aborts as for push.
    Rollback(RollbackArgs),
    /// The audit trail.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Run an ad-hoc command on hosts as the login user, recorded in both audit logs; the
    /// output is gathered by identical answer (like `clush -b`).
    ///
    /// Example: `offgo-tui run --hosts group:web -- df -h /`. No lock is taken and a dropped
    /// connection is not retried (the command is never run twice). ctrl-c aborts as for push.
    Run(RunArgs),
    /// Inventories: import one from an OpenSSH config or an Ansible inventory.
    #[command(subcommand)]
    Inventory(crate::cli::import::InventoryCommand),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    ///
    /// bash: `offgo-tui completions bash > /etc/bash_completion.d/offgo-tui`;
    /// zsh: `offgo-tui completions zsh > "${fpath[1]}/_offgo-tui"`;
    /// fish: `offgo-tui completions fish > ~/.config/fish/completions/offgo-tui.fish`.
    Completions(CompletionsArgs),
    /// Print the man page (roff), or write every command's page with --out DIR.
    ///
    /// `offgo-tui man | man -l -` reads it now; `offgo-tui man --out /usr/local/share/man/man1`
    /// installs offgo-tui.1 and one page per command (offgo-tui-scan.1, …).
    Man(ManArgs),
    /// The sudoers drop-in (or doas.conf lines) a security team installs so a non-root login
    /// user can run offgo's helper, and nothing else; `privileges install` puts it in place.
    Privileges(PrivilegesArgs),
    /// The Go environment policy ([go_env], go_shims) on hosts.
    #[command(subcommand)]
    GoEnv(GoEnvCommand),
}

#[derive(Debug, Subcommand)]
pub enum GoEnvCommand {
    /// Apply [go_env] and go_shims without a new release: the active release's go.env (its
    /// official lines, then offgo's block), the login profile, state.json's record and the
    /// go1.X.Y shims; then check what a login shell and a service see. Audited as `go-env`.
    ///
    /// A push and a rollback apply the policy themselves; this is for a policy change alone.
    /// ctrl-c (or SIGTERM) aborts as for push.
    Apply(HostsArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub hosts: HostsArgs,
    /// The command, run by the login user's shell on each host (words are joined by spaces).
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum, value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// One command's page instead of the main one, e.g. `scan` or `bundle build`.
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    pub command: Vec<String>,
    /// Write offgo-tui.1 and one page per command into DIR instead of printing.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PrivilegesArgs {
    /// sudoers: the drop-in for /etc/sudoers.d/offgo; doas: lines for /etc/doas.conf.
    #[arg(long, value_enum, default_value = "sudoers", value_name = "FORMAT")]
    pub format: PrivilegeFormat,
    /// The login user the rule is for (default: the `user` of every selected host that uses become).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Hosts whose paths the helper is built for: names, globs (web-*), group:NAME, all.
    #[arg(long, default_value = "all", value_name = "SEL")]
    pub hosts: String,
    #[command(subcommand)]
    pub command: Option<PrivilegesCommand>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PrivilegeFormat {
    Sudoers,
    Doas,
}

#[derive(Debug, Subcommand)]
pub enum PrivilegesCommand {
    /// One-time bootstrap: log in once as an account that may already do anything (root, or
    /// an admin with full sudo), install the helper and the sudoers drop-in (checked with
    /// `visudo -cf` before it is moved into place), and record it in both audit logs.
    Install(PrivilegesInstallArgs),
}

#[derive(Debug, Args)]
pub struct PrivilegesInstallArgs {
    /// Hosts: names, globs (web-*), group:NAME, all; comma-separated.
    #[arg(long, value_name = "SEL")]
    pub hosts: String,
    /// The admin account to log in as for this one time.
    #[arg(long, value_name = "USER")]
    pub login: String,
    /// The login user the rule is for (default: each host's `user`).
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,
    /// Print one JSON array, one object per host.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct HostsArgs {
    /// Hosts: names, globs (web-*), ranges (web-[01-10]), group:NAME, all; `,` or, `&` and, `!` not (group:web&!web-03).
    #[arg(long, default_value = "all", value_name = "SEL")]
    pub hosts: String,
    /// Print one JSON array, one object per host.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    #[command(flatten)]
    pub hosts: HostsArgs,
    /// A release still on the host, e.g. 1.21.13 or go1.21.13 (default: state.json's previous);
    /// with --app, one of the app's versions on the host; with --modcache, a module cache still
    /// there: modcache-<12 hex>.
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Roll back this Go application (an app bundle's --name) instead of Go.
    #[arg(long, value_name = "NAME", value_parser = app_name, conflicts_with = "modcache")]
    pub app: Option<String>,
    /// Roll back the module cache (modcache.json's previous) instead of the Go release.
    #[arg(long)]
    pub modcache: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub hosts: HostsArgs,
    /// Verify this Go application (an app bundle's --name) instead of Go: its files, current
    /// link, state and health.
    #[arg(long, value_name = "NAME", value_parser = app_name, conflicts_with = "modcache")]
    pub app: Option<String>,
    /// Check the module cache the host serves (modcache/current) instead of the Go release.
    #[arg(long)]
    pub modcache: bool,
}

/// `--app NAME`: an app name as `app build --name` takes it.
fn app_name(text: &str) -> Result<String, String> {
    if crate::core::inventory::valid_app_name(text) {
        Ok(text.to_string())
    } else {
        Err("not an app name: lower-case letters, digits, '-' or '_' (the bundle's --name)".into())
    }
}

impl RollbackArgs {
    /// `--to` as the target names it: a Go version (`1.21.13` → `go1.21.13`) for Go, the app's
    /// version as it is with `--app`. A bad Go version is a usage error.
    pub fn target(&self) -> Result<Option<String>, String> {
        match (&self.to, &self.app) {
            (None, _) => Ok(None),
            (Some(to), Some(_)) if crate::core::engine::valid_app_version(to) => Ok(Some(to.clone())),
            (Some(to), Some(_)) => Err(format!(
                "invalid value '{to}' for '--to <VERSION>': not an app version (letters, digits, '.', '-', '_', '+')"
            )),
            (Some(to), None) => go_version(to)
                .map(Some)
                .map_err(|e| format!("invalid value '{to}' for '--to <VERSION>': {e}")),
        }
    }
}

/// `--to 1.21.13` or `--to go1.21.13`, as Go names the release: `go1.21.13`. Anything else is
/// a usage error before any host is contacted.
fn go_version(text: &str) -> Result<String, String> {
    if let Some(hex) = text.strip_prefix("modcache-") {
        if hex.len() == 12 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Ok(text.to_string());
        }
        return Err("not a module-cache id: write it as modcache-<12 hex>".into());
    }
    let version = match text.strip_prefix("go") {
        Some(_) => text.to_string(),
        None => format!("go{text}"),
    };
    // One grammar for Go versions: the one official release file names are checked with.
    crate::core::bundle::ReleaseName::from_tarball_name(&format!("{version}.linux-amd64.tar.gz"))
        .map(|release| release.version)
        .map_err(|_| "not a Go version: write it as 1.21.13 or go1.21.13".to_string())
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check the hash chains of the jump host's log and of each host's log, and that they agree.
    Verify(HostsArgs),
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Hosts: names, globs (web-*), ranges (web-[01-10]), group:NAME, all; `,` or, `&` and, `!` not (group:web&!web-03).
    #[arg(long, default_value = "all", value_name = "SEL")]
    pub hosts: String,
    /// Print one JSON array, one object per host (the same as --format json).
    #[arg(long)]
    pub json: bool,
    /// table: for people; json: the probe reports (as --json); csv: the console's table
    /// columns, one line per host (what the console's `E` export writes).
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ScanFormat>,
}

/// How `scan` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Table,
    Json,
    Csv,
}

impl ScanArgs {
    /// `--format`, with `--json` its synonym for `json`; the two disagreeing is a usage error.
    pub fn output(&self) -> Result<ScanFormat, String> {
        match (self.json, self.format) {
            (false, format) => Ok(format.unwrap_or(ScanFormat::Table)),
            (true, None | Some(ScanFormat::Json)) => Ok(ScanFormat::Json),
            (true, Some(other)) => Err(format!(
                "--json means --format json; it cannot go with --format {}",
                other
                    .to_possible_value()
                    .map(|v| v.get_name().to_string())
                    .unwrap_or_default()
            )),
        }
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Keep the fleet's files (keys, inventory, host trees) in DIR instead of a temp dir.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PushArgs {
    /// The bundle: its manifest (….offgo.toml) or the tarball next to it; or a directory of one
    /// version's bundles for several arches (a bundle set: each host gets its arch's).
    #[arg(long, value_name = "B")]
    pub bundle: PathBuf,
    #[command(flatten)]
    pub hosts: HostsArgs,
}

#[derive(Debug, Args)]
pub struct RolloutArgs {
    /// The bundle (manifest or tarball, or a bundle set's directory). Not needed with --resume;
    /// if given, it must be the rollout's.
    #[arg(long, value_name = "B", required_unless_present = "resume")]
    pub bundle: Option<PathBuf>,
    /// Hosts: names, globs (web-*), ranges (web-[01-10]), group:NAME, all; `,` or, `&` and, `!` not [default: all].
    #[arg(long, value_name = "SEL")]
    pub hosts: Option<String>,
    /// Canary hosts: a selector, or a count of first hosts.
    #[arg(long, value_name = "SEL|N")]
    pub canary: Option<String>,
    /// Batch sizes, counts or percentages; the last repeats (e.g. 1,10%,100%).
    #[arg(long, value_name = "LIST")]
    pub batches: Option<String>,
    /// Halt after more than N failed hosts in the rollout, or more than P% of a batch.
    #[arg(long, value_name = "N|P%")]
    pub max_failures: Option<String>,
    /// Between batches: none, a duration (30s), or manual.
    #[arg(long, value_name = "none|DURATION|manual")]
    pub pause: Option<String>,
    /// When halted: leave, rollback-batch, or rollback-all.
    #[arg(long, value_name = "POLICY")]
    pub on_halt: Option<String>,
    /// Verify each host after its push and roll it back when verification fails.
    #[arg(long, value_name = "BOOL")]
    pub auto_rollback: Option<bool>,
    /// Print the plan and the steps per host; touch nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Continue the newest unfinished rollout from its journal. The run's own flags may be
    /// repeated; each one given must match the journal.
    #[arg(long, conflicts_with = "dry_run")]
    pub resume: bool,
    /// JSON lines, one per event; the last is a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The rollout id (default: the newest).
    pub rollout: Option<String>,
    /// Where to write report.json and report.md (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}
