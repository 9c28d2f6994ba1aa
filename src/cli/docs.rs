//! `offgo-tui completions SHELL` and `offgo-tui man`: shell completions and roff man pages,
//! generated from the same clap definitions that parse the command line, so neither can drift
//! from the flags that exist.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::{Cli, ManArgs};
use crate::exit::{EXIT_OK, EXIT_USAGE};

/// The name the scripts complete and the pages are titled by.
const BIN: &str = "offgo-tui";

/// The completion script for `shell`.
pub fn completion_script(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), BIN, &mut out);
    if shell == Shell::Bash {
        return bash_hyphen_fix(&out).into_bytes();
    }
    out
}

/// clap_complete's bash script spells the state of a hyphenated binary two ways: the word loop
/// arrives at `offgo__tui__subcmd__scan`, the case arms say `offgo__subcmd__tui__subcmd__scan`,
/// so no subcommand's flags ever complete (clap-rs/clap#6421, open in 4.6.12). Spelling the
/// arms as the loop does fixes it; once clap does, this replaces nothing.
fn bash_hyphen_fix(script: &[u8]) -> String {
    String::from_utf8_lossy(script).replace("offgo__subcmd__tui", "offgo__tui")
}

/// The command tree the pages describe: built, so each subcommand knows its full name
/// (`offgo-tui-bundle-build`), and without clap's `help` subcommand, which has no page.
fn documented() -> clap::Command {
    let mut cmd = Cli::command().name(BIN).disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The roff page of `path` (`[]` for `offgo-tui(1)`, `["bundle", "build"]` for
/// `offgo-tui-bundle-build(1)`); `Err` names the first word that is not a command.
pub fn man_page(path: &[String]) -> Result<Vec<u8>, String> {
    let mut cmd = documented();
    for (depth, word) in path.iter().enumerate() {
        let known: Vec<String> = cmd
            .get_subcommands()
            .filter(|c| !c.is_hide_set())
            .map(|c| c.get_name().to_owned())
            .collect();
        cmd = match cmd.find_subcommand(word) {
            Some(sub) if !sub.is_hide_set() => sub.clone(),
            _ => {
                let parent = std::iter::once(BIN)
                    .chain(path[..depth].iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(" ");
                return Err(format!(
                    "`{parent}` has no command `{word}`; pages: {}",
                    if known.is_empty() {
                        "none below this one".to_owned()
                    } else {
                        known.join(", ")
                    }
                ));
            }
        };
    }
    let mut out = Vec::new();
    page(cmd)
        .render(&mut out)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    Ok(out)
}

/// Every page is from this offgo-tui version (clap knows the version of the top command only).
fn page(cmd: clap::Command) -> clap_mangen::Man {
    clap_mangen::Man::new(cmd).source(format!("{BIN} {}", env!("CARGO_PKG_VERSION")))
}

/// Writes `offgo-tui.1` and one page per command below it into `dir`.
fn write_pages(cmd: clap::Command, dir: &std::path::Path) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|c| !c.is_hide_set()) {
        write_pages(sub.clone(), dir)?;
    }
    page(cmd).generate_to(dir).map(drop)
}

pub fn completions(shell: Shell) -> ExitCode {
    print(&completion_script(shell))
}

pub fn man(args: &ManArgs) -> ExitCode {
    if let Some(dir) = &args.out {
        return match write_pages(documented(), dir) {
            Ok(()) => ExitCode::from(EXIT_OK),
            Err(e) => {
                eprintln!(
                    "offgo-tui: cannot write the man pages into {}: {e}",
                    dir.display()
                );
                ExitCode::FAILURE
            }
        };
    }
    match man_page(&args.command) {
        Ok(page) => print(&page),
        Err(e) => {
            eprintln!("offgo-tui: {e}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A reader that went away (`| head`) is not a failure: the text was for it alone.
fn print(text: &[u8]) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::from(EXIT_OK),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(EXIT_OK),
        Err(e) => {
            eprintln!("offgo-tui: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}
