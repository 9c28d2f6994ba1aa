//! The rollout's plan flags: over the inventory's `[rollout]` for a new run, and compared with
//! the journal when an operator repeats the run's command line with `--resume`.

use std::collections::BTreeSet;

use crate::cli::args::RolloutArgs;
use crate::cli::GlobalArgs;
use crate::core::inventory::{self, Inventory};
use crate::core::rollout::journal::Header;
use crate::core::rollout::settings::{self, RolloutSettings};

/// The inventory's `[rollout]`, then the flags.
pub fn settings_for(
    inventory: &Inventory,
    args: &RolloutArgs,
    global: &GlobalArgs,
) -> Result<RolloutSettings, String> {
    let mut s = RolloutSettings::for_inventory(inventory)?;
    apply_flags(&mut s, args)?;
    if let Some(p) = global.parallel {
        s.parallel = usize::from(p);
    }
    Ok(s)
}

/// The plan's flags over `s`.
fn apply_flags(s: &mut RolloutSettings, args: &RolloutArgs) -> Result<(), String> {
    let flag = |name: &str, e: String| format!("--{name}: {e}");
    if let Some(c) = &args.canary {
        s.canary = Some(settings::parse_canary(c).map_err(|e| flag("canary", e))?);
    }
    if let Some(b) = &args.batches {
        s.batches = settings::parse_batches(b).map_err(|e| flag("batches", e))?;
    }
    if let Some(m) = &args.max_failures {
        s.max_failures = settings::parse_limit(m).map_err(|e| flag("max-failures", e))?;
    }
    if let Some(p) = &args.pause {
        s.pause = settings::parse_pause(p).map_err(|e| flag("pause", e))?;
    }
    if let Some(h) = &args.on_halt {
        s.on_halt = settings::parse_on_halt(h).map_err(|e| flag("on-halt", e))?;
    }
    if let Some(a) = args.auto_rollback {
        s.auto_rollback = a;
    }
    Ok(())
}

/// What the flags given with `--resume` say differently from the journal of the rollout being
/// resumed: each line names the flag, what it says and what the rollout has. `--parallel` is
/// not compared: it is how fast, not what.
pub fn differences(header: &Header, inventory: &Inventory, args: &RolloutArgs) -> Vec<String> {
    let mut found = Vec::new();
    if let Some(path) = &args.bundle {
        // A directory is a bundle set, compared by its digest of every arch's sha256.
        let opened = if path.is_dir() {
            crate::core::bundle::BundleSet::open(path)
                .map(|s| (s.go_version().to_string(), s.digest().to_string()))
        } else {
            crate::core::bundle::Bundle::open(path)
                .map(|b| (b.go_version().to_string(), b.sha256().to_string()))
        };
        match opened {
            Ok((_, sha256)) if sha256 == header.bundle_sha256 => {}
            Ok((version, sha256)) => found.push(format!(
                "--bundle {} is {} (sha256 {}); the rollout's is {} (sha256 {}, {})",
                path.display(),
                version,
                sha256,
                header.version,
                header.bundle_sha256,
                header.bundle.display()
            )),
            Err(e) => found.push(format!("--bundle {}: {e}", path.display())),
        }
    }
    if let Some(selector) = &args.hosts {
        match inventory::select(inventory, selector) {
            Ok(ids) => {
                let given: BTreeSet<&str> = ids
                    .iter()
                    .map(|&h| inventory.host(h).name.as_str())
                    .collect();
                let journal: BTreeSet<&str> = header.hosts.iter().map(String::as_str).collect();
                let list = |set: Vec<&&str>| {
                    set.iter()
                        .map(|s| s.to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                let extra = list(given.difference(&journal).collect());
                let missing = list(journal.difference(&given).collect());
                if !extra.is_empty() {
                    found.push(format!(
                        "--hosts {selector:?} selects {extra}, not in the rollout"
                    ));
                }
                if !missing.is_empty() {
                    found.push(format!(
                        "--hosts {selector:?} leaves out {missing}, in the rollout"
                    ));
                }
            }
            Err(e) => found.push(format!("--hosts {selector:?}: {e}")),
        }
    }
    let mut given = header.settings.clone();
    if let Err(e) = apply_flags(&mut given, args) {
        found.push(e);
        return found;
    }
    let was = &header.settings;
    let mut differs = |flag: &str, now: String, then: String| {
        if now != then {
            found.push(format!("--{flag} says {now}; the rollout has {then}"));
        }
    };
    differs(
        "canary",
        format!("{:?}", given.canary),
        format!("{:?}", was.canary),
    );
    differs(
        "batches",
        format!("{:?}", given.batches),
        format!("{:?}", was.batches),
    );
    differs("max-failures", given.limit_text(), was.limit_text());
    differs(
        "pause",
        format!("{:?}", given.pause),
        format!("{:?}", was.pause),
    );
    differs(
        "on-halt",
        format!("{:?}", given.on_halt),
        format!("{:?}", was.on_halt),
    );
    differs(
        "auto-rollback",
        given.auto_rollback.to_string(),
        was.auto_rollback.to_string(),
    );
    found
}
