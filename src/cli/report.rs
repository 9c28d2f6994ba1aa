//! `offgo-tui report [ROLLOUT]`: the evidence report of a rollout, from its journal alone:
//! who ran it, which bundle (sha256, signature), the plan, and per host the version before and
//! after, timings, failures and rollbacks. Written as report.json and report.md.

use std::path::PathBuf;

use serde_json::{json, Value};

use crate::cli::args::ReportArgs;
use crate::cli::out::{errln, outln};
use crate::cli::{EXIT_OK, EXIT_USAGE};
use crate::core::rollout::journal::{self, rollouts_dir, HostRecord};
use crate::core::rollout::{Phase, Status};

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
    let report = build(&loaded);
    let out = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let written = std::fs::create_dir_all(&out)
        .and_then(|_| {
            std::fs::write(
                out.join("report.json"),
                serde_json::to_string_pretty(&report).unwrap_or_default(),
            )
        })
        .and_then(|_| std::fs::write(out.join("report.md"), markdown(&report)));
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

fn build(loaded: &journal::Loaded) -> Value {
    let h = &loaded.header;
    let machine = loaded.replay();
    let records: Vec<&HostRecord> = loaded.records().collect();
    let hosts: Vec<Value> = h
        .hosts
        .iter()
        .enumerate()
        .map(|(l, name)| {
            let mine: Vec<&&HostRecord> = records.iter().filter(|r| r.host == l).collect();
            let push = mine.iter().find(|r| r.op == "push");
            let before = push.and_then(|r| r.from.clone());
            let after = mine.iter().rev().find(|r| r.ok && r.op != "verify").and_then(|r| r.to.clone()).or(before.clone());
            let outcome = match machine.phases.get(&l) {
                Some(Phase::Succeeded { .. }) => "succeeded",
                Some(Phase::Failed { .. }) => "failed",
                Some(Phase::RolledBack { .. }) => "rolled_back",
                Some(Phase::Pending) => "untouched",
                Some(_) => "unknown",
                None => "skipped",
            };
            let failures: Vec<Value> = mine
                .iter()
                .filter(|r| !r.ok)
                .map(|r| json!({"op": r.op, "step": r.step, "error": r.error, "at": r.finished}))
                .collect();
            let rollbacks: Vec<Value> = mine
                .iter()
                .filter(|r| r.op == "rollback")
                .map(|r| json!({"ok": r.ok, "from": r.from, "to": r.to, "at": r.finished}))
                .collect();
            json!({
                "name": name, "outcome": outcome, "before": before, "after": after,
                "started": push.map(|r| r.started.clone()), "finished": mine.last().map(|r| r.finished.clone()),
                "failures": failures, "rollbacks": rollbacks,
                "notes": mine.iter().flat_map(|r| r.notes.clone()).collect::<Vec<_>>(),
            })
        })
        .collect();
    let batches: Vec<Value> = h
        .plan
        .batches
        .iter()
        .map(|b| json!({"name": b.name, "hosts": b.hosts.iter().map(|&l| h.hosts[l].clone()).collect::<Vec<_>>()}))
        .collect();
    let (status, reason) = match &machine.status {
        Status::Halted { reason } => ("halted", Some(reason.clone())),
        Status::Done { aborted: true } => ("aborted", None),
        Status::Done { aborted: false } => ("finished", None),
        _ => ("unfinished", None),
    };
    json!({
        "rollout": h.id, "created": h.created, "operator": h.actor, "inventory": h.inventory,
        "bundle": {"path": h.bundle, "version": h.version, "sha256": h.bundle_sha256, "signature": h.signature},
        "plan": {"batches": batches, "settings": h.settings, "limit": h.settings.limit_text(),
                 "skipped": h.plan.skipped.iter().map(|(l, why)| json!({"host": h.hosts[*l], "why": why})).collect::<Vec<_>>()},
        "status": status, "halt_reason": reason, "hosts": hosts,
    })
}

fn markdown(r: &Value) -> String {
    let s = |v: &Value| {
        v.as_str().map(str::to_string).unwrap_or_else(|| {
            if v.is_null() {
                "—".into()
            } else {
                v.to_string()
            }
        })
    };
    let mut md = format!(
        "# Rollout {}\n\n- operator: {}\n- started: {}\n- bundle: {} (`{}`)\n- sha256: `{}`\n- signature: {}\n- status: **{}**{}\n- rule: {}\n\n",
        s(&r["rollout"]), s(&r["operator"]), s(&r["created"]), s(&r["bundle"]["version"]), s(&r["bundle"]["path"]),
        s(&r["bundle"]["sha256"]), s(&r["bundle"]["signature"]), s(&r["status"]),
        r["halt_reason"].as_str().map(|x| format!(" — {x}")).unwrap_or_default(), s(&r["plan"]["limit"])
    );
    md.push_str("## Plan\n\n");
    for b in r["plan"]["batches"].as_array().into_iter().flatten() {
        let hosts: Vec<String> = b["hosts"].as_array().into_iter().flatten().map(s).collect();
        md.push_str(&format!("- {}: {}\n", s(&b["name"]), hosts.join(", ")));
    }
    for sk in r["plan"]["skipped"].as_array().into_iter().flatten() {
        md.push_str(&format!(
            "- skipped: {} ({})\n",
            s(&sk["host"]),
            s(&sk["why"])
        ));
    }
    md.push_str("\n## Hosts\n\n| host | outcome | before | after | started | finished | failure |\n| --- | --- | --- | --- | --- | --- | --- |\n");
    for h in r["hosts"].as_array().into_iter().flatten() {
        let failure = h["failures"]
            .as_array()
            .and_then(|f| f.last())
            .map(|f| format!("{} at {}: {}", s(&f["op"]), s(&f["step"]), s(&f["error"])))
            .unwrap_or_default();
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} |\n",
            s(&h["name"]),
            s(&h["outcome"]),
            s(&h["before"]),
            s(&h["after"]),
            s(&h["started"]),
            s(&h["finished"]),
            failure.replace('|', "\\|")
        ));
    }
    md
}
