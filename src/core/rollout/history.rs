//! The story a journal tells, in order: when the rollout started, each batch, halts and pauses,
//! every operator input (who, when, on which hosts), resumes after a crash; and per host each
//! operation with its result, and the retries and rollbacks asked for in between. Built by
//! replaying the journal's inputs, so journals older than the operator field tell it too
//! (without the names).

use serde::Serialize;

use super::journal::{Line, Loaded};
use super::machine::{Effect, Input, Note, Phase, Rollout};

/// One moment of the rollout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Moment {
    pub at: String,
    pub what: String,
    /// The operator, for their inputs (absent in journals older than the field).
    pub by: Option<String>,
}

/// One thing that happened to a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HostMoment {
    pub at: String,
    /// `push`, `verify`, `rollback` (operations, with `ok`), `retry requested`, `rollback
    /// requested`, `requeued after a restart`, `found on the target after a restart`.
    pub what: String,
    pub ok: Option<bool>,
    pub step: Option<String>,
    pub error: Option<String>,
    pub by: Option<String>,
}

/// The rollout's timeline and each host's history (indexed like the journal's hosts).
pub struct History {
    pub timeline: Vec<Moment>,
    pub hosts: Vec<Vec<HostMoment>>,
}

impl History {
    pub fn of(loaded: &Loaded) -> Self {
        let h = &loaded.header;
        let name = |l: usize| h.hosts.get(l).cloned().unwrap_or_else(|| format!("#{l}"));
        let names = |hosts: &[usize]| hosts.iter().map(|&l| name(l)).collect::<Vec<_>>();
        let mut machine = Rollout::new(h.plan.clone(), h.settings.clone());
        let mut timeline = Vec::new();
        let mut hosts: Vec<Vec<HostMoment>> = vec![Vec::new(); h.hosts.len()];
        let mut host_moment = |l: usize, moment: HostMoment| {
            if let Some(list) = hosts.get_mut(l) {
                list.push(moment);
            }
        };
        let asked = |at: &str, what: &str, by: &Option<String>| HostMoment {
            at: at.to_string(),
            what: what.to_string(),
            ok: None,
            step: None,
            error: None,
            by: by.clone(),
        };
        for line in &loaded.lines {
            match line {
                Line::Plan(_) | Line::Step { .. } => {}
                Line::Resumed { at, actor, pid } => timeline.push(Moment {
                    at: at.clone(),
                    what: format!("taken over from the journal (pid {pid})"),
                    by: Some(actor.clone()),
                }),
                Line::Host(r) => host_moment(
                    r.host,
                    HostMoment {
                        at: r.finished.clone(),
                        what: r.op.clone(),
                        ok: Some(r.ok),
                        step: r.step.clone(),
                        error: r.error.clone(),
                        by: None,
                    },
                ),
                Line::Input { at, input, by } => {
                    let said = |what: String| Moment {
                        at: at.clone(),
                        what,
                        by: by.clone(),
                    };
                    match input {
                        Input::Start => timeline.push(Moment {
                            by: by.clone().or_else(|| Some(h.actor.clone())),
                            ..said("started".into())
                        }),
                        Input::Pause => timeline.push(said("operator: pause".into())),
                        Input::Continue => timeline.push(said("operator: continue".into())),
                        Input::Abort => timeline.push(said("operator: abort".into())),
                        Input::PauseElapsed => timeline.push(said("timed pause over".into())),
                        Input::Retry(list) => {
                            // Only failed hosts are pushed again; the rest of the list is moot.
                            let failed: Vec<usize> = list
                                .iter()
                                .copied()
                                .filter(|l| {
                                    matches!(
                                        machine.phases.get(l),
                                        Some(Phase::Failed { .. } | Phase::RolledBack { .. })
                                    )
                                })
                                .collect();
                            for &l in &failed {
                                host_moment(l, asked(at, "retry requested", by));
                            }
                            let what = format!("operator: retry {}", names(&failed).join(", "));
                            timeline.push(said(what));
                        }
                        Input::RollBack(list) => {
                            let idle: Vec<usize> = list
                                .iter()
                                .copied()
                                .filter(|l| machine.phases.get(l).is_some_and(|p| !p.in_flight()))
                                .collect();
                            for &l in &idle {
                                host_moment(l, asked(at, "rollback requested", by));
                            }
                            let what = format!("operator: roll back {}", names(&idle).join(", "));
                            timeline.push(said(what));
                        }
                        Input::Requeue(l) => {
                            host_moment(*l, asked(at, "not on the target after a restart", by))
                        }
                        Input::Confirmed(l) => {
                            host_moment(*l, asked(at, "on the target after a restart", by))
                        }
                        Input::PushDone { .. }
                        | Input::VerifyDone { .. }
                        | Input::RollbackDone { .. } => {}
                    }
                    for effect in machine.handle(input.clone()) {
                        if let Effect::Note(note) = effect {
                            timeline.push(Moment {
                                at: at.clone(),
                                what: note_words(&note),
                                by: None,
                            });
                        }
                    }
                }
            }
        }
        Self { timeline, hosts }
    }
}

fn note_words(note: &Note) -> String {
    match note {
        Note::BatchStarted { name, hosts, .. } => format!("{name} started ({hosts} hosts)"),
        Note::BatchDone {
            name,
            succeeded,
            failed,
            ..
        } => format!("{name} done: {succeeded} ok, {failed} failed"),
        Note::Halted { reason } => format!("HALTED: {reason}"),
        Note::Paused { why } => format!("paused: {why}"),
        Note::Finished {
            succeeded,
            failed,
            rolled_back,
            halted,
            aborted,
        } => format!(
            "over: {succeeded} ok, {failed} failed, {rolled_back} rolled back{}{}",
            if *halted { ", halted" } else { "" },
            if *aborted { ", aborted" } else { "" }
        ),
    }
}

/// A host's history in one line: `push failed at upload: no space → retry requested by ops →
/// push ok`.
pub fn host_line(moments: &[HostMoment]) -> String {
    moments
        .iter()
        .map(|m| {
            let mut text = m.what.clone();
            match m.ok {
                Some(true) => text.push_str(" ok"),
                Some(false) => {
                    text.push_str(" failed");
                    if let Some(step) = &m.step {
                        text.push_str(&format!(" at {step}"));
                    }
                    if let Some(error) = &m.error {
                        text.push_str(&format!(": {error}"));
                    }
                }
                None => {}
            }
            if let Some(by) = &m.by {
                text.push_str(&format!(" by {by}"));
            }
            text
        })
        .collect::<Vec<_>>()
        .join(" → ")
}

/// Did the host fail, then succeed after the operator asked for a retry?
pub fn recovered_on_retry(moments: &[HostMoment]) -> bool {
    let failed_at = moments.iter().position(|m| m.ok == Some(false));
    let retried_at = moments.iter().rposition(|m| m.what == "retry requested");
    match (failed_at, retried_at) {
        (Some(f), Some(r)) if f < r => {
            let after = &moments[r..];
            after.iter().any(|m| m.what == "push" && m.ok == Some(true))
                && !after.iter().any(|m| m.ok == Some(false))
        }
        _ => false,
    }
}
