//! Table-driven tests of the rollout machine, driven by a simulated fleet: pushes succeed unless
//! the host is listed as failing.

use std::time::Duration;

use super::*;
use crate::core::rollout::plan::plan;
use crate::core::rollout::settings::BatchSize::{Count, Percent};
use crate::core::rollout::settings::{BatchSize, Limit, OnHalt, Pause, RolloutSettings};

struct Sim {
    machine: Rollout,
    pushed: Vec<HostId>,
    verified: Vec<HostId>,
    rolled_back: Vec<HostId>,
    notes: Vec<Note>,
    waits: usize,
    push_fails: Vec<HostId>,
    verify_fails: Vec<HostId>,
}

fn settings(batches: &[BatchSize], limit: Limit) -> RolloutSettings {
    RolloutSettings {
        canary: None,
        batches: batches.to_vec(),
        parallel: 3,
        max_failures: limit,
        pause: Pause::None,
        auto_rollback: false,
        on_halt: OnHalt::Leave,
    }
}

impl Sim {
    fn new(hosts: usize, canary: &[HostId], settings: RolloutSettings) -> Self {
        let ids: Vec<HostId> = (0..hosts).collect();
        let p = plan(&ids, canary, &settings.batches, vec![]);
        Sim {
            machine: Rollout::new(p, settings),
            pushed: vec![],
            verified: vec![],
            rolled_back: vec![],
            notes: vec![],
            waits: 0,
            push_fails: vec![],
            verify_fails: vec![],
        }
    }

    /// Feeds `input` and answers every effect until the machine waits for something else.
    fn feed(&mut self, input: Input) {
        let mut queue = vec![input];
        while let Some(input) = queue.pop() {
            for effect in self.machine.handle(input) {
                match effect {
                    Effect::Push(h) => {
                        self.pushed.push(h);
                        let ok = !self.push_fails.contains(&h);
                        queue.insert(
                            0,
                            Input::PushDone {
                                host: h,
                                ok,
                                changed: ok,
                                step: (!ok).then(|| "install".into()),
                                error: (!ok).then(|| "no space left".into()),
                            },
                        );
                    }
                    Effect::Verify(h) => {
                        self.verified.push(h);
                        queue.insert(
                            0,
                            Input::VerifyDone {
                                host: h,
                                ok: !self.verify_fails.contains(&h),
                                detail: "tree differs".into(),
                            },
                        );
                    }
                    Effect::Rollback(h) => {
                        self.rolled_back.push(h);
                        queue.insert(
                            0,
                            Input::RollbackDone {
                                host: h,
                                ok: true,
                                error: None,
                            },
                        );
                    }
                    Effect::Wait(_) | Effect::WaitForOperator => self.waits += 1,
                    Effect::Note(n) => self.notes.push(n),
                }
            }
        }
    }

    fn halted(&self) -> bool {
        matches!(self.machine.status, Status::Halted { .. })
    }
}

#[test]
fn a_clean_rollout_touches_every_host_batch_by_batch() {
    let mut sim = Sim::new(
        10,
        &[0],
        settings(&[Count(1), Percent(50.0), Percent(100.0)], Limit::Count(0)),
    );
    sim.feed(Input::Start);
    assert_eq!(sim.pushed.len(), 10);
    assert_eq!(sim.pushed[0], 0, "the canary goes first");
    assert_eq!(sim.machine.status, Status::Done { aborted: false });
    let done: Vec<_> = sim
        .notes
        .iter()
        .filter(|n| matches!(n, Note::BatchDone { .. }))
        .collect();
    assert_eq!(done.len(), sim.machine.plan.batches.len());
    assert!(matches!(
        sim.notes.last(),
        Some(Note::Finished {
            succeeded: 10,
            failed: 0,
            halted: false,
            ..
        })
    ));
}

/// Hosts failing, limit, batches, expect halted, first host never touched when halted.
type HaltCase = (Vec<HostId>, Limit, Vec<BatchSize>, bool, HostId);

#[test]
fn halting_arithmetic() {
    // (hosts failing, limit, batches, expect halted, first host never touched when halted)
    let cases: Vec<HaltCase> = vec![
        // max_failures = 0: the first failure (batch 2) halts; batch 3 never starts.
        (
            vec![3],
            Limit::Count(0),
            vec![Count(1), Count(4), Percent(100.0)],
            true,
            5,
        ),
        (
            vec![3],
            Limit::Count(1),
            vec![Count(1), Count(4), Percent(100.0)],
            false,
            20,
        ),
        (
            vec![3, 4],
            Limit::Count(1),
            vec![Count(1), Count(4), Percent(100.0)],
            true,
            5,
        ),
        // 1 of 10 is 10%: not above a 10% limit.
        (
            vec![3],
            Limit::Percent(10.0),
            vec![Count(10), Count(10)],
            false,
            20,
        ),
        // 2 of 10 is: the rest of the batch and the next batch are never started.
        (
            vec![3, 4],
            Limit::Percent(10.0),
            vec![Count(10), Count(10)],
            true,
            8,
        ),
        // Percent is per batch: one failure in each of two batches of 10 stays within 10%.
        (
            vec![3, 13],
            Limit::Percent(10.0),
            vec![Count(10)],
            false,
            20,
        ),
    ];
    for (fails, limit, batches, halted, untouched_from) in cases {
        let mut sim = Sim::new(20, &[], settings(&batches, limit));
        sim.push_fails = fails.clone();
        sim.feed(Input::Start);
        assert_eq!(sim.halted(), halted, "{fails:?} {limit:?}");
        if halted {
            assert!(
                sim.pushed.iter().all(|&h| h < untouched_from),
                "{fails:?} {limit:?}: pushed {:?}",
                sim.pushed
            );
        } else {
            assert_eq!(sim.pushed.len(), 20, "{fails:?} {limit:?}");
        }
    }
}

#[test]
fn the_halt_reason_shows_the_arithmetic() {
    let mut sim = Sim::new(20, &[], settings(&[Count(10)], Limit::Percent(10.0)));
    sim.push_fails = vec![1, 2];
    sim.feed(Input::Start);
    let Status::Halted { reason } = &sim.machine.status else {
        panic!("{:?}", sim.machine.status)
    };
    assert_eq!(reason, "batch 1: 2 of 10 failed; limit 10% → halted");
    let mut sim = Sim::new(5, &[], settings(&[Count(5)], Limit::Count(0)));
    sim.push_fails = vec![0];
    sim.feed(Input::Start);
    assert!(
        matches!(&sim.machine.status, Status::Halted { reason } if reason == "1 failed in the rollout; limit 0 → halted")
    );
}

#[test]
fn failure_policies() {
    for (policy, expected) in [
        (OnHalt::Leave, vec![]),
        (OnHalt::RollbackBatch, vec![3, 4]),
        (OnHalt::RollbackAll, vec![0, 1, 2, 3, 4]),
    ] {
        let mut s = settings(&[Count(3), Count(3), Count(3)], Limit::Count(0));
        s.on_halt = policy;
        s.parallel = 1;
        let mut sim = Sim::new(9, &[], s);
        sim.push_fails = vec![5];
        sim.feed(Input::Start);
        assert!(sim.halted());
        let mut rolled = sim.rolled_back.clone();
        rolled.sort();
        assert_eq!(rolled, expected, "{policy:?}");
        assert!(!sim.pushed.contains(&6), "batch 3 untouched");
    }
}

#[test]
fn auto_rollback_of_a_host_that_fails_verification() {
    let mut s = settings(&[Count(2)], Limit::Count(5));
    s.auto_rollback = true;
    let mut sim = Sim::new(4, &[], s);
    sim.verify_fails = vec![1];
    sim.feed(Input::Start);
    assert_eq!(sim.verified.len(), 4);
    assert_eq!(sim.rolled_back, vec![1]);
    assert!(
        matches!(&sim.machine.phases[&1], Phase::Failed { step, error, rolled_back: true } if step == "verify" && error == "tree differs")
    );
    assert!(matches!(
        sim.machine.phases[&0],
        Phase::Succeeded { changed: true }
    ));
}

#[test]
fn manual_and_timed_pauses() {
    let mut s = settings(&[Count(2)], Limit::Count(0));
    s.pause = Pause::Manual;
    let mut sim = Sim::new(4, &[], s);
    sim.feed(Input::Start);
    assert_eq!(sim.pushed.len(), 2);
    assert_eq!(
        sim.machine.status,
        Status::PausedBetweenBatches { manual: true }
    );
    assert_eq!(sim.waits, 1);
    sim.feed(Input::PauseElapsed);
    assert_eq!(sim.pushed.len(), 2, "a timer does not end a manual pause");
    sim.feed(Input::Continue);
    assert_eq!(sim.pushed.len(), 4);
    assert_eq!(sim.machine.status, Status::Done { aborted: false });

    let mut s = settings(&[Count(2)], Limit::Count(0));
    s.pause = Pause::Timed(Duration::from_secs(30));
    let mut sim = Sim::new(4, &[], s);
    sim.feed(Input::Start);
    assert_eq!(
        sim.machine.status,
        Status::PausedBetweenBatches { manual: false }
    );
    sim.feed(Input::PauseElapsed);
    assert_eq!(sim.pushed.len(), 4);
}

#[test]
fn operator_pause_abort_and_retry() {
    let mut m = Rollout::new(plan(&[0, 1, 2, 3, 4, 5], &[], &[Count(6)], vec![]), {
        let mut s = settings(&[Count(6)], Limit::Count(10));
        s.parallel = 2;
        s
    });
    let fx = m.handle(Input::Start);
    assert_eq!(
        fx.iter().filter(|e| matches!(e, Effect::Push(_))).count(),
        2
    );
    m.handle(Input::Pause);
    let fx = m.handle(Input::PushDone {
        host: 0,
        ok: true,
        changed: true,
        step: None,
        error: None,
    });
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Push(_))),
        "paused: nothing new starts"
    );
    let fx = m.handle(Input::Continue);
    assert_eq!(fx, vec![Effect::Push(2)]);
    // Abort mid-batch: in-flight hosts finish, nothing new starts.
    assert!(m.handle(Input::Abort).is_empty());
    let fx = m.handle(Input::PushDone {
        host: 1,
        ok: false,
        changed: false,
        step: Some("upload".into()),
        error: Some("lost".into()),
    });
    assert!(!fx.iter().any(|e| matches!(e, Effect::Push(_))));
    let fx = m.handle(Input::PushDone {
        host: 2,
        ok: true,
        changed: true,
        step: None,
        error: None,
    });
    assert!(matches!(
        fx.last(),
        Some(Effect::Note(Note::Finished { aborted: true, .. }))
    ));
    assert_eq!(m.phases[&3], Phase::Pending, "never started");
    // Retry the failed host.
    let fx = m.handle(Input::Retry(vec![1, 3]));
    assert_eq!(
        fx.iter()
            .filter(|e| matches!(e, Effect::Push(_)))
            .cloned()
            .collect::<Vec<_>>(),
        vec![Effect::Push(1)]
    );
}

#[test]
fn replaying_the_journal_rebuilds_the_state_and_finds_unknown_hosts() {
    let make = || {
        Rollout::new(
            plan(&[0, 1, 2, 3], &[], &[Count(2)], vec![]),
            settings(&[Count(2)], Limit::Count(0)),
        )
    };
    let inputs = vec![
        Input::Start,
        Input::PushDone {
            host: 0,
            ok: true,
            changed: true,
            step: None,
            error: None,
        },
    ];
    let mut live = make();
    for i in &inputs {
        live.handle(i.clone());
    }
    let mut replayed = make();
    for i in inputs {
        replayed.handle(i);
    }
    assert_eq!(replayed.phases, live.phases);
    assert_eq!(
        replayed.in_flight(),
        vec![1],
        "host 1 was mid-push when the driver died"
    );
    // The re-probe says host 1 is on the target: confirmed, and the plan goes on.
    let fx = replayed.handle(Input::Confirmed(1));
    assert_eq!(
        fx.iter()
            .filter(|e| matches!(e, Effect::Push(_)))
            .cloned()
            .collect::<Vec<_>>(),
        vec![Effect::Push(2), Effect::Push(3)]
    );
    // …or it is not: pushed again.
    let mut other = make();
    other.handle(Input::Start);
    let fx = other.handle(Input::Requeue(1));
    assert_eq!(fx, vec![Effect::Push(1)], "pushed again at once");
}

#[test]
fn the_halt_reason_counts_hosts_that_failed_while_the_others_finished() {
    // Three at a time, limit 0: host 0's failure halts, hosts 1 and 2 were already running
    // and host 1 fails too. The reason is the count at the halt, as the `now` line says.
    let mut sim = Sim::new(6, &[], settings(&[Count(6)], Limit::Count(0)));
    sim.push_fails = vec![0, 1];
    sim.feed(Input::Start);
    let (_, now) = sim.machine.limit_check();
    assert!(
        matches!(&sim.machine.status, Status::Halted { reason } if *reason == now && reason.starts_with("2 failed")),
        "{:?} vs {now}",
        sim.machine.status
    );
    assert!(sim
        .notes
        .iter()
        .any(|n| matches!(n, Note::Halted { reason } if *reason == now)));
}

#[test]
fn an_auto_rolled_back_host_counts_as_failed_for_the_limit_and_as_rolled_back_at_the_end() {
    let mut s = settings(&[Count(4)], Limit::Count(0));
    s.auto_rollback = true;
    s.parallel = 1;
    let mut sim = Sim::new(4, &[], s);
    sim.verify_fails = vec![0];
    sim.feed(Input::Start);
    assert!(sim.halted());
    assert_eq!(
        sim.machine.limit_check().1,
        "1 failed in the rollout (1 rolled back); limit 0 → halted"
    );
    assert!(sim.machine.phases[&0].rolled_back());
    assert_eq!(
        sim.machine.phases[&0].failure_text().as_deref(),
        Some("verify failed: tree differs → rolled back")
    );
    assert!(matches!(
        sim.notes.last(),
        Some(Note::Finished {
            failed: 0,
            rolled_back: 1,
            halted: true,
            ..
        })
    ));
}

#[test]
fn a_failed_host_the_operator_rolls_back_keeps_its_reason() {
    let mut sim = Sim::new(3, &[], settings(&[Count(3)], Limit::Count(5)));
    sim.push_fails = vec![1];
    sim.feed(Input::Start);
    sim.feed(Input::RollBack(vec![1]));
    assert_eq!(
        sim.machine.phases[&1],
        Phase::RolledBack {
            why: "install failed: no space left → rolled back".into()
        },
        "{:?}",
        sim.machine.phases
    );
}
