//! Fault injection at every remote step (issue 9, "What must hold" 5): for each fault point of a
//! push, a rollback and a rollout, the connection is cut and the host's remote processes are
//! killed right there (`OFFGO_TEST_FAULT`, see src/cli/test_fault.rs); then the host must be on
//! its old or its new release with a matching state.json, its lock free, and the next operation
//! must recover it and leave nothing behind.
//!
//! A dry run lists the points (every remote command, upload chunks, the lock, every `step=`
//! line of install.sh and switch.sh); every point then runs on its own fresh host, a few hosts
//! of one fleet at once. A failure names the point and each bad state it left. The harness
//! itself lives in tests/support/faults.rs (shared with benches/soak.rs).

mod common;
#[path = "support/faults.rs"]
mod faults;

use faults::*;

#[test]
fn a_fault_at_every_point_of_a_push_over_a_managed_release() {
    run_scenario(&Scenario::push(Start::Managed));
}

#[test]
fn a_fault_at_every_point_of_a_push_over_a_hand_installed_go() {
    run_scenario(&Scenario::push(Start::Hand));
}

#[test]
fn a_fault_at_every_point_of_a_rollback() {
    run_scenario(&Scenario::rollback());
}

#[test]
fn a_crash_in_the_middle_of_a_rollout_batch_is_settled_by_resume() {
    run_rollout_faults();
}

/// The soak (not CI: `scripts/soak`): push/rollback cycles on several hosts with random faults,
/// then zero drift.
#[test]
#[ignore = "a soak of many minutes: run it with scripts/soak"]
fn soak_push_rollback_cycles_with_random_faults() {
    use common::*;
    let soak = Soak::from_env();
    eprintln!(
        "soak: {} cycles on {} hosts, seed {} (OFFGO_SOAK_SEED={} repeats it)",
        soak.cycles, soak.hosts, soak.seed, soak.seed
    );
    let points = (
        dry_run(&Scenario::push(Start::Managed)).len(),
        dry_run(&Scenario::rollback()).len(),
    );
    let mut spec = FleetSpec::new();
    for i in 0..soak.hosts {
        spec = spec.host(HostSpec::new(format!("s{i}")).go_managed(OLD));
    }
    let fleet = start(&spec);
    let inv = inventory(&fleet, &InventoryOptions::new());
    // One jump host for the whole fleet, as in production: one audit log for every host.
    let state = tempfile::tempdir().unwrap();
    let mut problems: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = fleet
            .hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let (inv, state) = (&inv, state.path());
                let mut rng = Rng::new(soak.seed.wrapping_add(i as u64 * 0x9E37_79B9));
                scope.spawn(move || soak_host(inv, state, host, soak.cycles, points, &mut rng))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("a soak thread panicked"))
            .collect()
    });
    for host in fleet.hosts() {
        problems.extend(drift(&inv, state.path(), host, 3));
    }
    assert!(
        problems.is_empty(),
        "soak (seed {}): {} problems:\n{}",
        soak.seed,
        problems.len(),
        problems.join("\n")
    );
}
