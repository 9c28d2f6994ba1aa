//! Planning a rollout: canary first, then batches sized like Ansible's `serial`.

use serde::{Deserialize, Serialize};

use super::settings::BatchSize;
use crate::core::inventory::HostId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// "canary", "batch 1", …
    pub name: String,
    pub hosts: Vec<HostId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub batches: Vec<Batch>,
    /// Hosts left out, with why (already on the target version, unreachable at planning).
    pub skipped: Vec<(HostId, String)>,
}

impl Plan {
    pub fn host_count(&self) -> usize {
        self.batches.iter().map(|b| b.hosts.len()).sum()
    }
}

/// Splits `hosts` (in order) into the canary and batches of `sizes`; the last size repeats.
/// Percentages are of the hosts after the canary, rounded up, at least one host.
pub fn plan(
    hosts: &[HostId],
    canary: &[HostId],
    sizes: &[BatchSize],
    skipped: Vec<(HostId, String)>,
) -> Plan {
    let mut batches = Vec::new();
    let canary: Vec<HostId> = hosts
        .iter()
        .copied()
        .filter(|h| canary.contains(h))
        .collect();
    if !canary.is_empty() {
        batches.push(Batch {
            name: "canary".into(),
            hosts: canary.clone(),
        });
    }
    let rest: Vec<HostId> = hosts
        .iter()
        .copied()
        .filter(|h| !canary.contains(h))
        .collect();
    let total = rest.len();
    let mut next = 0;
    let mut i = 0;
    while next < total {
        let size = sizes
            .get(i)
            .or(sizes.last())
            .copied()
            .unwrap_or(BatchSize::Percent(100.0));
        let n = match size {
            BatchSize::Count(n) => n.max(1),
            BatchSize::Percent(p) => ((total as f64 * p / 100.0).ceil() as usize).max(1),
        };
        let end = (next + n).min(total);
        batches.push(Batch {
            name: format!("batch {}", batches.len() + usize::from(canary.is_empty())),
            hosts: rest[next..end].to_vec(),
        });
        next = end;
        i += 1;
    }
    Plan { batches, skipped }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BatchSize::{Count, Percent};

    fn sizes(plan: &Plan) -> Vec<usize> {
        plan.batches.iter().map(|b| b.hosts.len()).collect()
    }

    #[test]
    fn batch_sizing_table() {
        let hosts: Vec<HostId> = (0..20).collect();
        let cases: Vec<(&[BatchSize], &[HostId], Vec<usize>)> = vec![
            (
                &[Count(1), Percent(10.0), Percent(50.0), Percent(100.0)],
                &[],
                vec![1, 2, 10, 7],
            ),
            (&[Percent(100.0)], &[], vec![20]),
            (&[Count(5)], &[], vec![5, 5, 5, 5]),
            (&[Count(3)], &[], vec![3, 3, 3, 3, 3, 3, 2]),
            // 19 hosts after the canary: 10% is 1.9 → 2, 50% is 9.5 → 10.
            (&[Percent(10.0), Percent(50.0)], &[0], vec![1, 2, 10, 7]),
            (
                &[Count(1), Percent(20.0), Percent(100.0)],
                &[0],
                vec![1, 1, 4, 14],
            ),
            (&[Percent(1.0)], &[], vec![1; 20]),
            (&[Count(50)], &[], vec![20]),
        ];
        for (batch_sizes, canary, expected) in cases {
            let p = plan(&hosts, canary, batch_sizes, vec![]);
            assert_eq!(sizes(&p), expected, "{batch_sizes:?} canary {canary:?}");
            assert_eq!(p.host_count(), 20);
            let mut all: Vec<HostId> = p.batches.iter().flat_map(|b| b.hosts.clone()).collect();
            all.sort();
            assert_eq!(all, hosts, "every host exactly once");
        }
    }

    #[test]
    fn names_and_canary_by_selection() {
        let p = plan(
            &[3, 4, 5, 6],
            &[5],
            &[Count(2)],
            vec![(9, "already on go1.22.10".into())],
        );
        assert_eq!(
            p.batches[0],
            Batch {
                name: "canary".into(),
                hosts: vec![5]
            }
        );
        assert_eq!(
            p.batches[1],
            Batch {
                name: "batch 1".into(),
                hosts: vec![3, 4]
            }
        );
        assert_eq!(p.batches[2].name, "batch 2");
        let p = plan(&[3, 4], &[], &[Count(1)], vec![]);
        assert_eq!(p.batches[0].name, "batch 1");
    }

    #[test]
    fn no_hosts_no_batches() {
        assert!(plan(&[], &[], &[Count(1)], vec![]).batches.is_empty());
    }
}
