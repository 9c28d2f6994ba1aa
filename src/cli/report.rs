//! `offgo-tui report [ROLLOUT]`: writes the evidence report of a rollout
//! ([`RolloutReport`], from its journal alone) as report.json and report.md.

use std::path::PathBuf;

use crate::cli::args::ReportArgs;
use crate::cli::out::{errln, outln};
use crate::cli::{EXIT_OK, EXIT_USAGE};
use crate::core::rollout::journal::{self, rollouts_dir};
use crate::core::rollout::RolloutReport;

pub fn run(args: &ReportArgs) -> u8 {
    let dir = rollouts_dir();
    let path = match &args.rollout {
        Some(id) => dir.join(format!("{id}.jsonl")),
        None => match journal::list(&dir).into_iter().next() {
            Some(p) => p,
            None => {
                errln!("offgo-tui: no rollout journal in {}", dir.display());
                return EXIT_USAGE;
            }
        },
    };
    let loaded = match journal::load(&path) {
        Ok(l) => l,
        Err(e) => {
            errln!("offgo-tui: {e}");
            return EXIT_USAGE;
        }
    };
    let report = RolloutReport::of(&loaded);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let written = std::fs::create_dir_all(&out)
        .and_then(|_| {
            std::fs::write(
                out.join("report.json"),
                serde_json::to_string_pretty(&report).unwrap_or_default(),
            )
        })
        .and_then(|_| std::fs::write(out.join("report.md"), report.markdown()));
    match written {
        Ok(()) => {
            outln!("{}", out.join("report.json").display());
            outln!("{}", out.join("report.md").display());
            EXIT_OK
        }
        Err(e) => {
            errln!(
                "offgo-tui: cannot write the report into {}: {e}",
                out.display()
            );
            EXIT_USAGE
        }
    }
}
