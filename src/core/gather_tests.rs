use proptest::prelude::*;

use super::*;
use crate::core::engine::CommandOutput;

fn answer(exit: i32, stdout: &str) -> Answer {
    Answer {
        exit_status: Some(exit),
        output: CommandOutput {
            stdout: stdout.into(),
            ..CommandOutput::default()
        },
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn identical_answers_form_one_group_and_the_odd_host_stands_out() {
    let up = answer(0, "up 3 days\n");
    let full = answer(1, "disk full\n");
    let hosts = [
        ("web-01", &up),
        ("web-02", &up),
        ("db-1", &full),
        ("web-03", &up),
    ];
    let groups = gather(hosts.iter().map(|(h, a)| (*h, *a)));
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].hosts, names(&["web-01", "web-02", "web-03"]));
    assert_eq!(groups[0].title(), "web-[01-03] (3)");
    assert_eq!(groups[0].ending(), "exit 0");
    assert_eq!(groups[1].hosts, names(&["db-1"]));
    assert_eq!(groups[1].ending(), "exit 1");
}

#[test]
fn the_same_output_with_another_exit_status_is_another_answer() {
    let ok = answer(0, "x\n");
    let failed = answer(2, "x\n");
    let groups = gather([("a", &ok), ("b", &failed)]);
    assert_eq!(groups.len(), 2);
}

#[test]
fn a_host_that_never_answered_says_why() {
    let lost = Answer {
        exit_status: None,
        output: CommandOutput {
            no_exit: Some("timeout: no answer in 30s".into()),
            ..CommandOutput::default()
        },
    };
    let groups = gather([("a", &lost)]);
    assert_eq!(
        groups[0].ending(),
        "no exit status: timeout: no answer in 30s"
    );
}

#[test]
fn names_fold_like_a_node_set() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["web-01", "web-02", "web-03", "web-07", "db"],
            "web-[01-03,07],db",
        ),
        (&["a1", "a10", "a2"], "a[1-2],a10"),
        (&["host5.dc", "host6.dc"], "host[5-6].dc"),
        // Only the last number folds.
        (&["host5.dc1", "host6.dc1"], "host5.dc1,host6.dc1"),
        (&["solo"], "solo"),
        (&["n9", "n10"], "n9,n10"),
        (&["x-1", "x-1"], "x-1"),
    ];
    for (input, want) in cases {
        assert_eq!(fold_names(&names(input)), *want, "{input:?}");
    }
}

/// Expands what `fold_names` wrote, for the property below.
fn expand(folded: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = folded;
    while !rest.is_empty() {
        // A part ends at the first comma outside brackets.
        let mut depth = 0;
        let end = rest
            .char_indices()
            .find(|&(_, c)| {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    ',' if depth == 0 => return true,
                    _ => {}
                }
                false
            })
            .map_or(rest.len(), |(i, _)| i);
        let part = &rest[..end];
        rest = rest.get(end + 1..).unwrap_or("");
        match (part.find('['), part.find(']')) {
            (Some(open), Some(close)) => {
                let (prefix, suffix) = (&part[..open], &part[close + 1..]);
                for range in part[open + 1..close].split(',') {
                    let (lo, hi) = range.split_once('-').unwrap_or((range, range));
                    let width = lo.len();
                    let (lo, hi): (u64, u64) = (lo.parse().unwrap(), hi.parse().unwrap());
                    for n in lo..=hi {
                        out.push(format!("{prefix}{n:0width$}{suffix}"));
                    }
                }
            }
            _ => out.push(part.to_string()),
        }
    }
    out
}

proptest! {
    /// Folding loses no host and invents none.
    #[test]
    fn folding_keeps_exactly_the_hosts(
        picks in proptest::collection::vec((0usize..3, 0u64..40), 1..30)
    ) {
        let prefixes = ["web-", "db", "cache-"];
        let list: Vec<String> = picks
            .iter()
            .map(|&(p, n)| format!("{}{n:02}", prefixes[p]))
            .collect();
        let mut want = list.clone();
        want.sort();
        want.dedup();
        let mut got = expand(&fold_names(&list));
        got.sort();
        prop_assert_eq!(got, want);
    }
}
