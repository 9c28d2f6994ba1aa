//! Host selectors: names, globs, groups, `all`, comma lists, `&` and `!`, order, dedup and each
//! error.

use std::path::Path;

use super::*;

const FLEET: &str = r#"
[groups.web]
[groups.db]
[groups.spare]

[[hosts]]
name = "web-01"
address = "10.0.3.11"
groups = ["web"]

[[hosts]]
name = "db-01"
address = "10.0.4.11"
groups = ["db"]

[[hosts]]
name = "web-02"
address = "10.0.3.12"
groups = ["web"]

[[hosts]]
name = "web-10"
address = "10.0.3.20"
groups = ["web", "db"]

[[hosts]]
name = "cache-a"
address = "10.0.5.1"
"#;

fn fleet() -> Inventory {
    parse(FLEET, Path::new("fleet.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn names(selector: &str) -> Vec<String> {
    let inv = fleet();
    let ids = select(&inv, selector).unwrap_or_else(|e| panic!("{selector}: {e}"));
    ids.into_iter()
        .map(|id| inv.host(id).name.clone())
        .collect()
}

fn error(selector: &str) -> SelectorError {
    select(&fleet(), selector).unwrap_err()
}

#[test]
fn exact_names() {
    assert_eq!(names("db-01"), ["db-01"]);
    assert_eq!(names(" cache-a "), ["cache-a"]);
}

#[test]
fn globs() {
    assert_eq!(names("web-*"), ["web-01", "web-02", "web-10"]);
    assert_eq!(names("web-0?"), ["web-01", "web-02"]);
    assert_eq!(names("cache-[ab]"), ["cache-a"]);
    assert_eq!(names("*-01"), ["web-01", "db-01"]);
}

#[test]
fn groups_and_all() {
    assert_eq!(names("group:web"), ["web-01", "web-02", "web-10"]);
    assert_eq!(names("group:db"), ["db-01", "web-10"]);
    assert_eq!(
        names("all"),
        ["web-01", "db-01", "web-02", "web-10", "cache-a"]
    );
}

#[test]
fn comma_lists_come_back_in_inventory_order_without_duplicates() {
    assert_eq!(names("cache-a, web-01"), ["web-01", "cache-a"]);
    assert_eq!(
        names("group:db,web-*,db-01"),
        ["web-01", "db-01", "web-02", "web-10"]
    );
    assert_eq!(
        names("all,web-01"),
        ["web-01", "db-01", "web-02", "web-10", "cache-a"]
    );
}

#[test]
fn empty_selectors_and_entries() {
    assert_eq!(error(""), SelectorError::Empty);
    assert_eq!(error("  "), SelectorError::Empty);
    assert_eq!(
        error("web-01,,db-01"),
        SelectorError::EmptyTerm {
            selector: "web-01,,db-01".into()
        }
    );
    assert_eq!(
        error("web-01,"),
        SelectorError::EmptyTerm {
            selector: "web-01,".into()
        }
    );
    assert_eq!(
        SelectorError::Empty.to_string(),
        "empty host selector; use host names, globs like `web-*`, `group:NAME` or `all`"
    );
    assert_eq!(
        error("a,,b").to_string(),
        "host selector `a,,b` has an empty entry; remove the extra comma"
    );
}

#[test]
fn an_unknown_name_suggests_the_closest_host() {
    let err = error("web-01,web-1");
    assert_eq!(
        err,
        SelectorError::UnknownHost {
            name: "web-1".into(),
            suggestion: Some("web-01".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "no host named `web-1` in the inventory; did you mean `web-01`?"
    );
    assert_eq!(
        error("mail-server").to_string(),
        "no host named `mail-server` in the inventory"
    );
}

#[test]
fn a_glob_matching_nothing_is_an_error() {
    assert_eq!(error("mail-*").to_string(), "no host matches `mail-*`");
    let bad = error("web-[");
    assert!(
        matches!(&bad, SelectorError::BadGlob { pattern, .. } if pattern == "web-["),
        "{bad:?}"
    );
    assert!(
        bad.to_string().starts_with("bad host pattern `web-[`: "),
        "{bad}"
    );
}

#[test]
fn unknown_and_empty_groups_are_errors() {
    let err = error("group:wbe");
    assert_eq!(
        err,
        SelectorError::UnknownGroup {
            name: "wbe".into(),
            suggestion: Some("web".into())
        }
    );
    assert_eq!(
        err.to_string(),
        "no group named `wbe` in the inventory; did you mean `web`?"
    );
    assert_eq!(
        error("group:").to_string(),
        "`group:` needs a group name: write group:NAME"
    );
    assert_eq!(
        error("group:spare").to_string(),
        "group `spare` has no hosts"
    );
}

#[test]
fn all_on_an_empty_inventory_selects_nothing() {
    // The loader refuses an inventory without hosts; one built in memory may still be empty.
    let inv = Inventory {
        source: "empty.toml".into(),
        hosts: Vec::new(),
        groups: Vec::new(),
        console: ConsoleSettings::default(),
        bundles: BundleSettings::default(),
        rollout: None,
        go_env: Default::default(),
        apps: Default::default(),
    };
    assert!(parse("", Path::new("empty.toml")).is_err());
    assert_eq!(select(&inv, "all"), Ok(vec![]));
}

#[test]
fn an_exact_name_wins_over_glob_reading() {
    let text = "[[hosts]]\nname = \"rack*\"\naddress = \"a\"\n[[hosts]]\nname = \"rack1\"\naddress = \"b\"\n";
    let inv = parse(text, Path::new("racks.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(select(&inv, "rack*"), Ok(vec![0]));
    assert_eq!(select(&inv, "rack[0-9]"), Ok(vec![1]));
}

#[test]
fn and_binds_tighter_than_comma_and_bang_takes_hosts_away() {
    assert_eq!(names("group:web&!web-02"), ["web-01", "web-10"]);
    assert_eq!(names("group:web&group:db"), ["web-10"]);
    assert_eq!(names("!group:web"), ["db-01", "cache-a"]);
    assert_eq!(names("group:db&!web-*,cache-a"), ["db-01", "cache-a"]);
    assert_eq!(names("cache-a,group:web&!web-0?"), ["web-10", "cache-a"]);
    assert_eq!(names(" group:web & ! web-01 "), ["web-02", "web-10"]);
    assert_eq!(names("!!db-01"), ["db-01"]);
    assert_eq!(names("all&!group:web&!cache-a"), ["db-01"]);
}

#[test]
fn a_bang_inside_a_glob_is_the_glob_s_own() {
    assert_eq!(names("web-[!0]*"), ["web-10"]);
    assert_eq!(
        names("!web-[!0]*"),
        ["web-01", "db-01", "web-02", "cache-a"]
    );
}

#[test]
fn each_operand_keeps_its_own_error() {
    assert_eq!(
        error("group:web&!web-1"),
        SelectorError::UnknownHost {
            name: "web-1".into(),
            suggestion: Some("web-01".into())
        }
    );
    assert_eq!(
        error("!group:wbe&web-01").to_string(),
        "no group named `wbe` in the inventory; did you mean `web`?"
    );
    assert_eq!(error("all&!mail-*").to_string(), "no host matches `mail-*`");
    assert_eq!(
        error("!group:spare").to_string(),
        "group `spare` has no hosts"
    );
}

#[test]
fn a_dangling_and_or_bang_is_an_error() {
    for selector in [
        "web-01&",
        "&web-01",
        "!",
        "web-01&&db-01",
        "web-01& !",
        "db-01,!",
    ] {
        assert_eq!(
            error(selector),
            SelectorError::MissingOperand {
                selector: selector.into()
            },
            "{selector}"
        );
    }
    assert_eq!(
        error("web-01&").to_string(),
        "host selector `web-01&` has a `&` or `!` with nothing to apply it to; \
         write e.g. `group:web&!web-03`"
    );
}

#[test]
fn a_part_that_selects_nothing_is_an_error() {
    assert_eq!(
        error("web-01,db-01&cache-a"),
        SelectorError::SelectsNothing {
            part: "db-01&cache-a".into()
        }
    );
    assert_eq!(
        error("!all").to_string(),
        "`!all` selects no host: its `&` and `!` parts leave none"
    );
    assert_eq!(
        error("group:web&!group:web").to_string(),
        "`group:web&!group:web` selects no host: its `&` and `!` parts leave none"
    );
}

const RANGES: &str = r#"
[groups.web]
[groups.canary]

[[hosts]]
name = "web-[01-12]"
address = "10.0.3.[11-22]"
groups = ["web"]

[[hosts]]
name = "web-[13-14]"
address = "web-[13-14].example"
groups = ["web", "canary"]
"#;

#[test]
fn ranged_hosts_are_selected_like_any_other() {
    let inv = parse(RANGES, Path::new("ranges.toml")).unwrap_or_else(|e| panic!("{e}"));
    let picked = |sel: &str| -> Vec<String> {
        select(&inv, sel)
            .unwrap_or_else(|e| panic!("{sel}: {e}"))
            .into_iter()
            .map(|id| inv.host(id).name.clone())
            .collect()
    };
    assert_eq!(inv.hosts.len(), 14);
    assert_eq!(
        picked("group:web&!web-0?&!web-1[0-2]"),
        ["web-13", "web-14"]
    );
    assert_eq!(
        picked("group:web&!group:canary&web-1*"),
        ["web-10", "web-11", "web-12"]
    );
    assert_eq!(picked("web-03,group:canary&!web-14"), ["web-03", "web-13"]);
}

#[test]
fn a_range_in_a_selector_means_what_it_means_in_the_inventory() {
    let inv = parse(RANGES, Path::new("ranges.toml")).unwrap_or_else(|e| panic!("{e}"));
    let picked = |sel: &str| -> Vec<String> {
        select(&inv, sel)
            .unwrap_or_else(|e| panic!("{sel}: {e}"))
            .into_iter()
            .map(|id| inv.host(id).name.clone())
            .collect()
    };
    // As a glob, `[09-11]` would be one character: 0, 9-1 (nothing) or 1.
    assert_eq!(picked("web-[09-11]"), ["web-09", "web-10", "web-11"]);
    assert_eq!(picked("web-0[8-9]"), ["web-08", "web-09"]);
    // Values no host has are left out, as a glob leaves them out.
    assert_eq!(picked("web-[13-20]"), ["web-13", "web-14"]);
    assert_eq!(
        picked("web-[1-1]*"),
        ["web-10", "web-11", "web-12", "web-13", "web-14"]
    );
    assert_eq!(picked("group:web&!web-[01-12]"), ["web-13", "web-14"]);
    // Brackets that are not a range stay a glob's.
    assert_eq!(picked("web-1[!0-2]"), ["web-13", "web-14"]);
    assert_eq!(
        select(&inv, "web-[15-20]"),
        Err(SelectorError::NoMatch {
            pattern: "web-[15-20]".into()
        })
    );
}
