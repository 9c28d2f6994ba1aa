//! Host ranges and selector arithmetic, against a model: a range stands for exactly the values
//! from FIRST to LAST written as wide as FIRST, and an inventory written with ranges loads to
//! the same hosts as one written out host by host; a selector selects the union over its
//! `,`-parts of the intersection of its `&`-parts, `!` taking the complement, with every
//! operand's own error kept.

use std::collections::BTreeSet;
use std::path::Path;

use offgo::core::inventory::{expand_range, parse, range_count, select, Inventory};
use proptest::prelude::*;

use crate::support::{budget, hostile};

/// Text that cannot hold a range: no brackets.
fn plain() -> impl Strategy<Value = String> {
    "[a-z0-9.-]{0,8}"
}

/// A range of up to `most` values as written, and its values.
fn range(most: u64) -> impl Strategy<Value = (String, Vec<String>)> {
    (0u64..100_000, 0..most, 1usize..7).prop_map(|(first, span, width)| {
        let last = first + span;
        let written = format!("[{first:0width$}-{last}]");
        let values = (first..=last).map(|n| format!("{n:0width$}")).collect();
        (written, values)
    })
}

/// Up to two ranges (of up to `most` values each) between plain text, as written, and the
/// values it stands for.
fn pattern(most: u64) -> impl Strategy<Value = (String, Vec<String>)> {
    (
        plain(),
        proptest::collection::vec((range(most), plain()), 0..3),
    )
        .prop_map(|(head, parts)| {
            let mut written = head.clone();
            let mut values = vec![head];
            for ((range, range_values), tail) in parts {
                written += &range;
                written += &tail;
                values = values
                    .iter()
                    .flat_map(|v| {
                        let tail = &tail;
                        range_values.iter().map(move |r| format!("{v}{r}{tail}"))
                    })
                    .collect();
            }
            (written, values)
        })
}

/// One operand of a selector.
#[derive(Debug, Clone)]
enum Atom {
    Name(usize),
    Group(usize),
    /// `*N`: the hosts whose name ends in digit N.
    Glob(usize),
    /// `h[LO-HI]`, two digits wide as the names are.
    Range(usize, usize),
    All,
}

/// `,`-parts of `&`-parts, each with its count of leading `!`.
type Expr = Vec<Vec<(usize, Atom)>>;

const GROUPS: usize = 3;

/// Hosts `h00`… in file order, and which of the groups each is in.
fn fleet() -> impl Strategy<Value = Vec<[bool; GROUPS]>> {
    proptest::collection::vec(any::<[bool; GROUPS]>(), 1..14)
}

fn atom(hosts: usize) -> impl Strategy<Value = Atom> {
    prop_oneof![
        4 => (0..hosts).prop_map(Atom::Name),
        3 => (0..GROUPS).prop_map(Atom::Group),
        2 => (0usize..10).prop_map(Atom::Glob),
        2 => (0usize..16, 0usize..5).prop_map(|(lo, span)| Atom::Range(lo, lo + span)),
        1 => Just(Atom::All),
    ]
}

fn expr(hosts: usize) -> impl Strategy<Value = Expr> {
    let part = (0usize..3, atom(hosts));
    proptest::collection::vec(proptest::collection::vec(part, 1..4), 1..4)
}

fn name(i: usize) -> String {
    format!("h{i:02}")
}

fn inventory(fleet: &[[bool; GROUPS]]) -> Inventory {
    let mut text: String = (0..GROUPS).map(|g| format!("[groups.g{g}]\n")).collect();
    for (i, groups) in fleet.iter().enumerate() {
        let groups: Vec<String> = (0..GROUPS)
            .filter(|&g| groups[g])
            .map(|g| format!("\"g{g}\""))
            .collect();
        text += &format!(
            "[[hosts]]\nname = \"{}\"\naddress = \"127.0.0.1\"\ngroups = [{}]\n",
            name(i),
            groups.join(", ")
        );
    }
    parse(&text, Path::new("fleet.toml")).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// The selector as an operator types it, spaces here and there included.
fn written(expr: &Expr, spaced: bool) -> String {
    let (and, or) = if spaced { (" & ", " , ") } else { ("&", ",") };
    let atom = |a: &Atom| match a {
        Atom::Name(i) => name(*i),
        Atom::Group(g) => format!("group:g{g}"),
        Atom::Glob(d) => format!("*{d}"),
        Atom::Range(lo, hi) => format!("h[{lo:02}-{hi:02}]"),
        Atom::All => "all".to_owned(),
    };
    expr.iter()
        .map(|part| {
            part.iter()
                .map(|(bangs, a)| format!("{}{}", "!".repeat(*bangs), atom(a)))
                .collect::<Vec<_>>()
                .join(and)
        })
        .collect::<Vec<_>>()
        .join(or)
}

/// What the selector must select: `None` when it must be refused.
fn model(fleet: &[[bool; GROUPS]], expr: &Expr) -> Option<BTreeSet<usize>> {
    let everyone: BTreeSet<usize> = (0..fleet.len()).collect();
    let hosts_of = |a: &Atom| -> BTreeSet<usize> {
        match a {
            Atom::Name(i) => BTreeSet::from([*i]),
            Atom::Group(g) => everyone.iter().copied().filter(|&h| fleet[h][*g]).collect(),
            Atom::Glob(d) => everyone.iter().copied().filter(|&h| h % 10 == *d).collect(),
            Atom::Range(lo, hi) => everyone
                .iter()
                .copied()
                .filter(|h| (lo..=hi).contains(&h))
                .collect(),
            Atom::All => everyone.clone(),
        }
    };
    let mut chosen = BTreeSet::new();
    for part in expr {
        let mut set = everyone.clone();
        for (bangs, a) in part {
            let named = hosts_of(a);
            if named.is_empty() {
                return None; // an empty group, a glob or range matching nothing
            }
            set = if bangs % 2 == 1 {
                &set - &named
            } else {
                &set & &named
            };
        }
        if set.is_empty() {
            return None;
        }
        chosen.extend(set);
    }
    Some(chosen)
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn a_pattern_stands_for_exactly_its_values((written, values) in pattern(60)) {
        let expanded = expand_range(&written).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(&expanded, &values);
        prop_assert_eq!(range_count(&written), Ok(values.len() as u64));
    }

    #[test]
    fn a_reversed_range_is_refused(head in plain(), first in 1u64..1_000_000, back in 1u64..1000) {
        let last = first.saturating_sub(back);
        prop_assume!(last < first);
        let written = format!("{head}[{first}-{last}]");
        let err = expand_range(&written).unwrap_err();
        prop_assert!(err.message.contains("reversed range"), "{}", err);
    }

    #[test]
    fn any_text_expands_or_is_refused_without_panicking(text in hostile()) {
        match expand_range(&text) {
            Ok(values) if !text.contains(['[', ']']) => prop_assert_eq!(values, vec![text]),
            Ok(values) => prop_assert!(!values.is_empty()),
            Err(e) => prop_assert!(e.message.contains(&format!("\"{text}\"")), "{}", e),
        }
    }

    #[test]
    fn a_ranged_inventory_loads_like_the_hosts_written_out(
        (name, names) in pattern(8),
        first in 0u64..200,
        port in 1u16..,
    ) {
        prop_assume!(!names.is_empty());
        prop_assume!(names.iter().collect::<BTreeSet<_>>().len() == names.len());
        prop_assume!(names.iter().all(|n| !n.is_empty() && n != "all"));
        let last = first + names.len() as u64 - 1;
        let ranged = format!(
            "[groups.web]\nuser = \"deploy\"\n[[hosts]]\nname = \"{name}\"\n\
             address = \"10.{first}.[{first}-{last}]\"\ngroups = [\"web\"]\nport = {port}\n"
        );
        let mut written_out = String::from("[groups.web]\nuser = \"deploy\"\n");
        for (i, n) in names.iter().enumerate() {
            written_out += &format!(
                "[[hosts]]\nname = \"{n}\"\naddress = \"10.{first}.{}\"\ngroups = [\"web\"]\nport = {port}\n",
                first + i as u64
            );
        }
        let source = Path::new("/inv/offgo.toml");
        let a = parse(&ranged, source).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let b = parse(&written_out, source).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(a.hosts, b.hosts);
    }

    #[test]
    fn a_selector_selects_what_the_set_model_says(
        (fleet, expr, spaced) in fleet().prop_flat_map(|f| {
            let n = f.len();
            (Just(f), expr(n), any::<bool>())
        })
    ) {
        let inv = inventory(&fleet);
        let selector = written(&expr, spaced);
        let got = select(&inv, &selector);
        match model(&fleet, &expr) {
            Some(want) => {
                let got = got.map_err(|e| TestCaseError::fail(format!("{selector}: {e}")))?;
                prop_assert_eq!(got, want.into_iter().collect::<Vec<_>>(), "{}", selector);
            }
            None => prop_assert!(got.is_err(), "{} selected {:?}", selector, got),
        }
    }

    #[test]
    fn and_is_commutative_double_bang_cancels_and_de_morgan_holds(
        (fleet, a, b) in fleet().prop_flat_map(|f| {
            let n = f.len();
            (Just(f), atom(n), atom(n))
        })
    ) {
        let inv = inventory(&fleet);
        let one = |a: &Atom| written(&vec![vec![(0, a.clone())]], false);
        let (a, b) = (one(&a), one(&b));
        let pick = |s: &str| select(&inv, s).ok();
        prop_assert_eq!(pick(&format!("{a}&{b}")), pick(&format!("{b}&{a}")));
        prop_assert_eq!(pick(&format!("{a},{b}")), pick(&format!("{b},{a}")));
        prop_assert_eq!(pick(&format!("!!{a}")), pick(&a));
        // Not (a or b) is (not a) and (not b), when both name hosts and something is left.
        if let (Some(_), Some(_), Some(either)) = (pick(&a), pick(&b), pick(&format!("{a},{b}"))) {
            let rest: Vec<usize> = (0..fleet.len()).filter(|h| !either.contains(h)).collect();
            let neither = pick(&format!("!{a}&!{b}"));
            if rest.is_empty() {
                prop_assert_eq!(neither, None);
            } else {
                prop_assert_eq!(neither, Some(rest));
            }
        }
    }
}
