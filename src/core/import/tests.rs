//! The importers against the fixture files in tests/fixtures/import and
//! tests/fixtures/ssh_config, and round trips: the rendered TOML through the real inventory
//! loader.

use std::path::{Path, PathBuf};

use super::*;
use crate::core::inventory::{self, Host, Inventory};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
}

/// The draft rendered and loaded as `offgo.toml` would be.
fn round_trip(draft: &Draft) -> Inventory {
    let text = render(draft);
    inventory::parse(&text, Path::new("/tmp/offgo-import/offgo.toml"))
        .unwrap_or_else(|e| panic!("the import does not load: {e}\n{text}"))
}

fn host<'a>(inv: &'a Inventory, name: &str) -> &'a Host {
    inv.find(name)
        .map(|id| inv.host(id))
        .unwrap_or_else(|| panic!("no host {name}"))
}

/// (address, port, user, groups)
fn summary(h: &Host) -> (&str, u16, &str, Vec<&str>) {
    (
        h.address.as_str(),
        h.port,
        h.user.as_str(),
        h.groups.iter().map(String::as_str).collect(),
    )
}

fn warning_lines(draft: &Draft) -> Vec<(usize, &str)> {
    draft
        .warnings
        .iter()
        .map(|w| (w.origin.line, w.message.as_str()))
        .collect()
}

fn local_user() -> String {
    std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".into())
}

#[test]
fn ansible_ini_round_trips_with_groups_children_vars_and_ranges() {
    let draft = from_ansible(&fixture("import/hosts.ini")).unwrap_or_else(|e| panic!("{e}"));
    let inv = round_trip(&draft);
    let names: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "jump.example.com",
            "web01.example.com",
            "web02.example.com",
            "web03.example.com",
            "web-canary",
            "db-a",
            "db-b",
            "db-c"
        ]
    );
    let me = local_user();
    assert_eq!(
        summary(host(&inv, "jump.example.com")),
        ("10.0.0.1", 22, me.as_str(), vec![])
    );
    // prod is web's parent: web's settings (and the host's own) win over prod's.
    assert_eq!(
        summary(host(&inv, "web02.example.com")),
        ("web02.example.com", 22, "deploy", vec!["prod", "web"])
    );
    assert_eq!(
        summary(host(&inv, "web-canary")),
        ("10.0.3.99", 2222, "ops", vec!["prod", "web"])
    );
    assert_eq!(
        summary(host(&inv, "db-b")),
        ("10.0.4.1", 22, "dba", vec!["prod", "db"])
    );
    assert_eq!(
        summary(host(&inv, "db-c")),
        ("db-c", 2201, "dba", vec!["prod", "db"]),
        "host:port"
    );
    assert_eq!(
        warning_lines(&draft),
        [
            (6, "variable http_port is not an offgo setting; left out"),
            (15, "ansible_python_interpreter has no offgo setting; left out"),
            (30, "ansible_ssh_private_key_file /nonexistent/offgo-import-key cannot be read here; left out (ssh-agent is tried instead)"),
            (33, "section kind \":meta\" is not one Ansible reads (vars, children); its lines are left out"),
        ]
    );
    let text = render(&draft);
    assert!(
        text.contains("[groups.web]\nbecome = \"sudo\"  # ansible_become_method,"),
        "become is carried as the inventory key:\n{text}"
    );
    assert!(text.contains("\nbecome_user = \"postgres\""), "{text}");
}

#[test]
fn ansible_yaml_round_trips_the_same_fleet() {
    let draft = from_ansible(&fixture("import/hosts.yml")).unwrap_or_else(|e| panic!("{e}"));
    let inv = round_trip(&draft);
    assert_eq!(inv.hosts.len(), 7);
    let me = local_user();
    assert_eq!(
        summary(host(&inv, "jump.example.com")),
        ("10.0.0.1", 22, me.as_str(), vec![])
    );
    assert_eq!(
        summary(host(&inv, "web01.example.com")),
        ("web01.example.com", 22, "deploy", vec!["prod", "web"])
    );
    assert_eq!(
        summary(host(&inv, "web-canary")),
        ("10.0.3.99", 2222, "ops", vec!["prod", "web"])
    );
    assert_eq!(
        summary(host(&inv, "db-a")),
        ("10.0.4.1", 22, "dba", vec!["prod", "db"])
    );
    assert_eq!(
        warning_lines(&draft),
        [
            (30, "app_tiers is a list, which offgo cannot use; left out"),
            (
                32,
                "\"hostz\" in group \"weird\" is not hosts, vars or children; left out"
            ),
        ]
    );
    let text = render(&draft);
    assert!(
        text.contains("\nbecome = \"none\"  # ansible_become, "),
        "{text}"
    );
    assert!(
        text.contains("\nbecome = \"doas\"  # ansible_become_method, "),
        "{text}"
    );
}

#[test]
fn ssh_config_round_trips_named_hosts_and_lists_patterns_and_match() {
    let draft = from_ssh_config(&fixture("ssh_config/config")).unwrap_or_else(|e| panic!("{e}"));
    let inv = round_trip(&draft);
    let names: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["db-01", "web-01", "bastion", "web-03"]);
    assert_eq!(
        summary(host(&inv, "db-01")),
        ("db-01.internal", 2201, "dba", vec![])
    );
    assert_eq!(
        summary(host(&inv, "web-01")),
        ("web-01", 2222, "deploy", vec![])
    );
    assert_eq!(
        summary(host(&inv, "bastion")),
        ("10.0.0.1", 2200, "jump", vec![])
    );
    assert_eq!(
        summary(host(&inv, "web-03")),
        ("10.0.3.13", 22, "fallback", vec![])
    );
    assert_eq!(
        host(&inv, "web-03").known_hosts,
        PathBuf::from("/tmp/known hosts")
    );
    let messages: Vec<String> = draft.warnings.iter().map(ToString::to_string).collect();
    let config = fixture("ssh_config/config").display().to_string();
    for want in [
        format!("{config}:8: warning: pattern \"web-*\" is not one host"),
        format!("{config}:8: warning: pattern \"!web-03\" is not one host"),
        format!("{config}:17: warning: Match exec test -f /nonexistent: offgo does not evaluate Match blocks"),
        format!("{config}:20: warning: pattern \"*\" is not one host"),
    ] {
        assert!(messages.iter().any(|m| m.starts_with(&want)), "no `{want}` in {messages:#?}");
    }
    assert!(render(&draft).contains("\nproxy_jump = \"bastion\"  # ProxyJump, "));
}

#[test]
fn ini_quirks_quotes_ports_ranges_and_implicit_groups() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("inventory");
    std::fs::write(
        &path,
        "a ansible_user='ops team'\nb:2222 ansible_host=\"10.1.1.1\"\nbad[3:1]\n[parent:children]\nkids\n[kids]\nc\n",
    )
    .unwrap();
    let draft = from_ansible(&path).unwrap();
    assert_eq!(
        warning_lines(&draft)[0].0,
        1,
        "a login name with a space is left out"
    );
    assert!(
        warning_lines(&draft)[1].1.contains("bad range [3:1]"),
        "{:?}",
        draft.warnings
    );
    let inv = round_trip(&draft);
    assert_eq!(summary(host(&inv, "b")).0, "10.1.1.1");
    assert_eq!(host(&inv, "b").port, 2222);
    assert_eq!(host(&inv, "c").groups, ["parent", "kids"]);
}

#[test]
fn unreadable_and_malformed_sources_are_errors_with_their_line() {
    let err = from_ansible(Path::new("/nonexistent/hosts")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("/nonexistent/hosts: cannot read the Ansible inventory"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yml");
    std::fs::write(&path, "all:\n  hosts:\n    a: [1, 2\n").unwrap();
    let err = from_ansible(&path).unwrap_err();
    assert!(err.to_string().contains("not valid YAML"), "{err}");
    assert!(err.origin.as_ref().is_some_and(|o| o.line >= 3), "{err}");
    let err = from_ssh_config(&fixture("ssh_config/bad_port.config")).unwrap_err();
    assert!(
        err.to_string()
            .ends_with("bad_port.config:2: bad Port \"99999\""),
        "{err}"
    );
}
