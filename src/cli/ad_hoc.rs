//! `offgo-tui run -- CMD`: the console's `:run` headless. Same engine call, same grouping
//! ([`crate::core::gather`]); a text block per distinct answer, or `--json` per host.

use serde::Serialize;

use crate::cli::args::{GlobalArgs, RunArgs};
use crate::cli::out::outln;
use crate::cli::{context, operate, print};
use crate::core::engine::HostOutcome;
use crate::core::gather::gather;
use crate::core::text::safe;

pub fn run(global: &GlobalArgs, args: &RunArgs) -> u8 {
    let command = args.command.join(" ");
    if command.trim().is_empty() {
        crate::cli::out::errln!("offgo-tui run: the command is empty");
        return crate::cli::EXIT_USAGE;
    }
    match context::open(global, &args.hosts.hosts) {
        Ok(ctx) => operate::run_then(
            ctx,
            args.hosts.json,
            |engine, hosts| engine.run_command(hosts, &command),
            |outcomes, json| {
                if json {
                    print::json(&outcomes.iter().map(HostJson::of).collect::<Vec<_>>());
                } else {
                    print_gathered(outcomes);
                }
            },
        ),
        Err(code) => code,
    }
}

/// One host of `run --json`: the contract's outcome keys plus what the host answered. Output
/// comes as arrays of lines: every JSON string offgo prints is one safe line.
#[derive(Serialize)]
struct HostJson<'a> {
    #[serde(flatten)]
    outcome: &'a HostOutcome,
    exit_status: Option<i32>,
    stdout: Vec<&'a str>,
    stderr: Vec<&'a str>,
}

impl<'a> HostJson<'a> {
    fn of(outcome: &'a HostOutcome) -> Self {
        let answer = outcome.answer.as_deref();
        Self {
            outcome,
            exit_status: answer.and_then(|a| a.exit_status),
            stdout: answer.map_or_else(Vec::new, |a| a.output.stdout.lines().collect()),
            stderr: answer.map_or_else(Vec::new, |a| a.output.stderr.lines().collect()),
        }
    }
}

/// `clush -b`: one block per distinct answer, largest first; hosts that never ran the command
/// (not started, cut short) get a block with why.
fn print_gathered(outcomes: &[HostOutcome]) {
    let missing: Vec<crate::core::engine::Answer> = outcomes
        .iter()
        .map(|o| crate::core::engine::Answer {
            exit_status: None,
            output: crate::core::engine::CommandOutput {
                no_exit: Some(o.error.clone().unwrap_or_else(|| "did not run".into())),
                ..Default::default()
            },
        })
        .collect();
    let answers = outcomes
        .iter()
        .zip(&missing)
        .map(|(o, fallback)| (o.name.as_str(), o.answer.as_deref().unwrap_or(fallback)));
    let mut text = String::new();
    for group in gather(answers) {
        let rule = "-".repeat(16);
        text.push_str(&format!(
            "{rule}\n{} · {}\n{rule}\n",
            safe(&group.title()),
            safe(&group.ending())
        ));
        let output = &group.answer.output;
        for line in output.stdout.lines() {
            text.push_str(&format!("{line}\n"));
        }
        for line in output.stderr.lines() {
            text.push_str(&format!("stderr │ {line}\n"));
        }
    }
    outln!("{}", text.trim_end());
    // Audit trouble and the like: never silent, never mixed into the hosts' output.
    for o in outcomes {
        for note in &o.notes {
            crate::cli::out::errln!("{}: {}", safe(&o.name), safe(note));
        }
    }
}
