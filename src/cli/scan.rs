//! `offgo-tui scan`: probe the selected hosts and print what was found.

use crate::cli::args::{ScanArgs, ScanFormat};
use crate::cli::out::errln;
use crate::cli::{context, print, GlobalArgs, EXIT_HOST_FAILED, EXIT_OK, EXIT_USAGE};
use crate::core::engine::{EngineEvent, HostReport};

pub fn run(global: &GlobalArgs, args: &ScanArgs) -> u8 {
    let format = match args.output() {
        Ok(format) => format,
        Err(error) => {
            errln!("offgo-tui: {error}");
            return EXIT_USAGE;
        }
    };
    let mut ctx = match context::open(global, &args.hosts) {
        Ok(ctx) => ctx,
        Err(code) => return code,
    };
    ctx.engine.probe(&ctx.selected);
    let mut reports: Vec<Option<HostReport>> = vec![None; ctx.inventory.hosts.len()];
    let mut pending = ctx.selected.len();
    let progress = print::Progress::new(pending);
    while pending > 0 {
        match ctx.events.blocking_recv() {
            Some(EngineEvent::HostProbed { host, report }) => {
                if reports[host].replace(*report).is_none() {
                    pending -= 1;
                    progress.tick(ctx.selected.len() - pending);
                }
            }
            Some(_) => {}
            None => break,
        }
    }
    progress.clear();
    let reports: Vec<HostReport> = ctx
        .selected
        .iter()
        .filter_map(|&id| reports[id].take())
        .collect();
    match format {
        ScanFormat::Json => print::json(&reports),
        ScanFormat::Csv => print::scan_csv(&reports),
        ScanFormat::Table => print::scan_table(&reports),
    }
    if reports.iter().all(|r| r.error_kind.is_none()) && reports.len() == ctx.selected.len() {
        EXIT_OK
    } else {
        EXIT_HOST_FAILED
    }
}
