//! The merge (built-ins → defaults → groups in order → host), path resolution and the checks
//! that have no fixture file under tests/invalid_inventories.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

fn inv(text: &str) -> Inventory {
    parse(text, Path::new("/inv/offgo.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn err(text: &str) -> String {
    parse(text, Path::new("inv.toml"))
        .map(|_| ())
        .unwrap_err()
        .to_string()
}

/// Every inventory needs a host; tests about other tables append this one.
const ONE_HOST: &str = "\n[[hosts]]\nname = \"a\"\naddress = \"10.0.0.1\"\n";

fn host<'a>(inv: &'a Inventory, name: &str) -> &'a Host {
    inv.find(name)
        .map(|id| inv.host(id))
        .unwrap_or_else(|| panic!("no host {name}"))
}

const LAYERED: &str = r#"
[[hosts]]
name = "both"
address = "10.0.0.1"
groups = ["g1", "g2"]
port = 2204

[[hosts]]
name = "reversed"
address = "10.0.0.2"
groups = ["g2", "g1"]

[[hosts]]
name = "plain"
address = "10.0.0.3"

[defaults]
user = "d"
port = 2201
connect_timeout = "1s"
command_timeout = 10
go_root = "/d/go"
keep_releases = 5
check_binaries = ["/d/*"]

[groups.g1]
user = "g1"
port = 2202
connect_timeout = "2s"
go_root = "/g1/go"
host_key_policy = "accept-new"

[groups.g2]
user = "g2"
port = 2203
go_root = "/g2/go"
check_binaries = []
"#;

#[test]
fn later_layers_win_key_by_key() {
    let inv = inv(LAYERED);
    let both = host(&inv, "both");
    assert_eq!((both.user.as_str(), both.port), ("g2", 2204)); // host > g2 > g1
    assert_eq!(both.connect_timeout, Duration::from_secs(2)); // g1, untouched by g2
    assert_eq!(both.paths.go_root, "/g2/go");
    assert_eq!(both.host_key_policy, HostKeyPolicy::AcceptNew);
    assert!(both.check_binaries.is_empty()); // g2's empty list replaces the default's
    assert_eq!(both.command_timeout, Duration::from_secs(10)); // defaults, a bare number of seconds
    assert_eq!(both.keep_releases, 5);
    assert_eq!(both.groups, ["g1", "g2"]);

    let reversed = host(&inv, "reversed");
    assert_eq!((reversed.user.as_str(), reversed.port), ("g1", 2202));
    assert_eq!(reversed.paths.go_root, "/g1/go");
    assert_eq!(reversed.groups, ["g2", "g1"]);

    let plain = host(&inv, "plain");
    assert_eq!((plain.user.as_str(), plain.port), ("d", 2201));
    assert_eq!(plain.connect_timeout, Duration::from_secs(1));
    assert_eq!(plain.host_key_policy, HostKeyPolicy::Strict);
    assert_eq!(plain.check_binaries, ["/d/*"]);
    assert_eq!(plain.paths.go_root, "/d/go");
    assert_eq!(plain.paths.state_dir, "/var/lib/offgo"); // nobody set it: built-in
}

#[test]
fn builtin_defaults_apply_when_nothing_is_set() {
    let inv = inv("[[hosts]]\nname = \"a\"\naddress = \"a.example\"\n");
    let a = host(&inv, "a");
    let user = std::env::var("USER")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "root".into());
    assert_eq!(a.user, user);
    assert_eq!(a.port, 22);
    assert_eq!(a.identity_file, None);
    assert_eq!(
        a.known_hosts,
        crate::core::xdg::expand_tilde("~/.ssh/known_hosts")
    );
    assert_eq!(a.host_key_policy, HostKeyPolicy::Strict);
    assert_eq!(a.connect_timeout, Duration::from_secs(5));
    assert_eq!(a.command_timeout, Duration::from_secs(600));
    assert!(a.check_binaries.is_empty());
    assert_eq!(a.paths, crate::core::remote::RemotePaths::default());
    assert_eq!(a.keep_releases, 3);
    assert_eq!(inv.console, ConsoleSettings::default());
    assert_eq!(inv.bundles, BundleSettings::default());
    assert_eq!(inv.rollout, None);
}

#[test]
fn groups_are_listed_in_file_order_and_hosts_in_inventory_order() {
    let inv = inv(LAYERED);
    assert_eq!(inv.groups, ["g1", "g2"]);
    let names: Vec<&str> = inv.hosts.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(names, ["both", "reversed", "plain"]);
    let inv = self::inv(&format!("[groups.zeta]\n[groups.alpha]\n{ONE_HOST}"));
    assert_eq!(inv.groups, ["zeta", "alpha"]);
}

#[test]
fn local_paths_expand_tilde_and_are_relative_to_the_inventory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    std::fs::write(dir.path().join("keys/id_ops"), "key").unwrap();
    let text = r#"
        [defaults]
        identity_file = "keys/id_ops"
        known_hosts = "~/fleet/known_hosts"
        [bundles]
        dir = "bundles"
        trusted_keys = ["~/ops.pub", "/etc/offgo/ops.pub", "keys/release.pub"]
        [[hosts]]
        name = "a"
        address = "a"
    "#;
    let inv = parse(text, &dir.path().join("offgo.toml")).unwrap_or_else(|e| panic!("{e}"));
    let home = dirs::home_dir().unwrap();
    let a = host(&inv, "a");
    assert_eq!(
        a.identity_file.as_deref(),
        Some(dir.path().join("keys/id_ops").as_path())
    );
    assert_eq!(a.known_hosts, home.join("fleet/known_hosts"));
    assert_eq!(inv.bundles.dir, Some(dir.path().join("bundles")));
    let expected: Vec<PathBuf> = vec![
        home.join("ops.pub"),
        PathBuf::from("/etc/offgo/ops.pub"),
        dir.path().join("keys/release.pub"),
    ];
    assert_eq!(inv.bundles.trusted_keys, expected);
}

#[test]
fn an_inventory_named_without_a_directory_resolves_against_the_working_directory() {
    let inv = parse(
        &format!("[bundles]\ndir = \"b\"\n{ONE_HOST}"),
        Path::new("offgo.toml"),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(inv.bundles.dir, Some(cwd.join("b")));
}

#[test]
fn remote_paths_are_normalised() {
    let inv = inv(
        "[defaults]\ngo_root = \"/usr/local/go/\"\nreleases_dir = \"//opt//offgo/./releases\"\n[[hosts]]\nname = \"a\"\naddress = \"a\"\n",
    );
    let a = host(&inv, "a");
    assert_eq!(a.paths.go_root, "/usr/local/go");
    assert_eq!(a.paths.releases_dir, "/opt/offgo/releases");
}

#[test]
fn durations_take_units_or_bare_seconds() {
    let text = |v: &str| {
        format!("[defaults]\nconnect_timeout = {v}\n[[hosts]]\nname = \"a\"\naddress = \"a\"\n")
    };
    for (value, expected) in [
        ("\"500ms\"", Duration::from_millis(500)),
        ("\"2m\"", Duration::from_secs(120)),
        ("\"1m 30s\"", Duration::from_secs(90)),
        ("7", Duration::from_secs(7)),
    ] {
        assert_eq!(
            host(&inv(&text(value)), "a").connect_timeout,
            expected,
            "{value}"
        );
    }
}

#[test]
fn console_refresh_can_be_turned_off() {
    let refresh = |v: &str| {
        inv(&format!("[console]\nrefresh_interval = {v}\n{ONE_HOST}"))
            .console
            .refresh
    };
    assert_eq!(refresh("\"30s\""), Some(Duration::from_secs(30)));
    assert_eq!(refresh("\"off\""), None);
    assert_eq!(refresh("0"), None);
    assert_eq!(refresh("\"0s\""), None);
}

#[test]
fn rollout_table_is_kept_raw() {
    let inv = inv(&format!("[rollout]\ncanary = \"web-01\"\nbatches = [1, \"10%\", \"100%\"]\nparallel = 8\nauto_rollback = true\n{ONE_HOST}"));
    let rollout = inv.rollout.unwrap();
    assert_eq!(
        rollout.get("canary").and_then(|v| v.as_str()),
        Some("web-01")
    );
    assert_eq!(
        rollout.get("parallel").and_then(|v| v.as_integer()),
        Some(8)
    );
    assert_eq!(
        rollout
            .get("batches")
            .and_then(|v| v.as_array())
            .map(Vec::len),
        Some(3)
    );
    assert_eq!(rollout.len(), 4);
}

#[test]
fn checks_without_a_fixture_file() {
    let host = "[[hosts]]\nname = \"a\"\naddress = \"a\"\n";
    assert_eq!(
        err(&format!("[defaults]\nconnect_timeout = \"0s\"\n{host}")),
        "inv.toml:2:19: defaults.connect_timeout: a timeout of zero would never time out\n  hint: write a positive duration, e.g. \"5s\""
    );
    assert_eq!(
        err(&format!("[defaults]\ncheck_binaries = [\"/opt/*\", \"bin/*\"]\n{host}")),
        "inv.toml:2:29: defaults.check_binaries[1]: remote path \"bin/*\" is relative\n  hint: remote paths must be absolute: \"/bin/*\"?"
    );
    assert_eq!(
        err("[[hosts]]\nname = \"all\"\naddress = \"a\"\n"),
        "inv.toml:2:8: hosts[0].name: host name \"all\" is reserved for host selectors\n  hint: use letters, digits, '-', '_' or '.', e.g. \"web-01\""
    );
    assert_eq!(
        err("[groups.\"web servers\"]\n"),
        "inv.toml:1:9: groups.web servers: bad group name \"web servers\"\n  hint: group names are used in selectors as group:NAME; use letters, digits, '-' or '_'"
    );
    assert_eq!(
        err("[defaults]\nkeep_releases = 0\n"),
        "inv.toml:2:17: defaults.keep_releases: keep_releases must be at least 1\n  hint: write how many releases to keep on each host, at least 1, e.g. keep_releases = 3"
    );
    assert_eq!(
        err("[defaults]\ngo_root = \"/\"\n"),
        "inv.toml:2:11: defaults.go_root: remote path is the root directory `/`\n  hint: point it at a directory or file of its own, e.g. \"/opt/offgo/releases\""
    );
    assert_eq!(
        err("[defaults]\nstate_dir = \"/var/../etc\"\n"),
        "inv.toml:2:13: defaults.state_dir: remote path \"/var/../etc\" contains `..`\n  hint: write the path without `..`, as the host should see it"
    );
    assert_eq!(
        err("[rollout]\ncanary = 1\nbatch = [1]\n"),
        "inv.toml:3:1: rollout.batch: unknown key `batch`\n  hint: did you mean `batches`?"
    );
    assert_eq!(
        err("[bundles]\nrequire_signed = \"yes\"\n"),
        "inv.toml:2:18: bundles.require_signed: expected a boolean (true or false), found a string\n  hint: write true or false, without quotes"
    );
    assert_eq!(
        err("hosts = \"web-01\"\n"),
        "inv.toml:1:9: hosts: expected an array, found a string\n  hint: write each host as a [[hosts]] block"
    );
    assert_eq!(
        err("[defaults]\nidentity_file = \"~bob/.ssh/id\"\n"),
        "inv.toml:2:17: defaults.identity_file: \"~bob/.ssh/id\": only `~/` is expanded, not `~user/`\n  hint: write the full path, e.g. \"/home/user/.ssh/id_ed25519\""
    );
}

#[test]
fn inline_hosts_are_accepted_like_blocks() {
    let inv = inv("hosts = [{ name = \"a\", address = \"10.0.0.1\", port = 2222 }]\n");
    assert_eq!(host(&inv, "a").port, 2222);
}

#[test]
fn an_identity_file_that_is_a_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    let source = dir.path().join("offgo.toml");
    let err = parse("[defaults]\nidentity_file = \"keys\"\n", &source).unwrap_err();
    assert_eq!(err.key.as_deref(), Some("defaults.identity_file"));
    assert_eq!(
        err.message,
        format!(
            "identity file {} is a directory",
            dir.path().join("keys").display()
        )
    );
}

#[test]
fn a_ranged_entry_stands_for_one_host_per_value_with_its_settings() {
    let inv = inv(r#"
[groups.web]
user = "deploy"

[[hosts]]
name = "web-[08-11]"
address = "10.0.3.[8-11]"
groups = ["web"]
port = 2222

[[hosts]]
name = "db"
address = "10.0.4.1"

[[hosts]]
name = "edge-[1-2]"
address = "edge-[01-02].example"
"#);
    let view: Vec<(&str, &str, u16, &str)> = inv
        .hosts
        .iter()
        .map(|h| (h.name.as_str(), h.address.as_str(), h.port, h.user.as_str()))
        .collect();
    assert_eq!(
        view,
        [
            ("web-08", "10.0.3.8", 2222, "deploy"),
            ("web-09", "10.0.3.9", 2222, "deploy"),
            ("web-10", "10.0.3.10", 2222, "deploy"),
            ("web-11", "10.0.3.11", 2222, "deploy"),
            ("db", "10.0.4.1", 22, "root"),
            ("edge-1", "edge-01.example", 22, "root"),
            ("edge-2", "edge-02.example", 22, "root"),
        ]
    );
    assert!(inv.hosts[..4].iter().all(|h| h.groups == ["web"]));
}

#[test]
fn range_errors_name_the_key_and_the_value() {
    assert_eq!(
        err("[[hosts]]\nname = \"web\"\naddress = \"10.0.0.[1-2]\"\n"),
        "inv.toml:3:11: hosts[0].address: name \"web\" stands for 1 host but address \
         \"10.0.0.[1-2]\" for 2 hosts\n  hint: a range of names needs an address range with as many \
         values, paired in order, e.g. name = \"web-[01-40]\" with address = \"10.0.3.[11-50]\" or \
         \"web-[01-40].example\""
    );
    assert!(err("[[hosts]]\nname = \"web-[1]\"\naddress = \"a\"\n")
        .starts_with("inv.toml:2:8: hosts[0].name: \"web-[1]\" has `[1]`, which is not a range\n"),);
    assert!(err("[[hosts]]\nname = \"w[1-11][1-11]\"\naddress = \"a[1-121]\"\n").contains(
        "duplicate host name \"w111\" from the range \"w[1-11][1-11]\" (first defined on line 2)"
    ));
    assert!(
        err("[[hosts]]\nname = \"h[0-100000]\"\naddress = \"a[0-100000]\"\n")
            .contains("stands for more than 100000 hosts (100001)")
    );
}

#[test]
fn selector_operators_are_not_allowed_in_names() {
    for (name, shown) in [("a&b", "'&'"), ("!a", "'!'")] {
        assert_eq!(
            err(&format!("[[hosts]]\nname = \"{name}\"\naddress = \"a\"\n")),
            format!(
                "inv.toml:2:8: hosts[0].name: host name \"{name}\" contains {shown}\n  \
                 hint: use letters, digits, '-', '_' or '.', e.g. \"web-01\""
            )
        );
    }
    assert!(
        err("[groups.\"a&b\"]\n[[hosts]]\nname = \"a\"\naddress = \"a\"\n")
            .contains("bad group name \"a&b\"")
    );
}

#[test]
fn become_follows_the_login_unless_set_at_any_level() {
    use crate::core::remote::privilege::BecomeMethod;
    let inv = inv(r#"
[defaults]
user = "deploy"

[groups.wheel]
become = "doas"
become_user = "offgo"

[[hosts]]
name = "plain"
address = "a"

[[hosts]]
name = "rooted"
address = "b"
user = "root"

[[hosts]]
name = "grouped"
address = "c"
groups = ["wheel"]

[[hosts]]
name = "own"
address = "d"
user = "root"
become = "sudo"
sudoers_file = "/etc/sudoers.d/offgo-test"
"#);
    let plain = host(&inv, "plain").privilege.clone();
    assert_eq!(
        (plain.method, plain.user.as_str()),
        (BecomeMethod::Sudo, "root")
    );
    assert_eq!(plain.sudoers_file, "/etc/sudoers.d/offgo");
    assert_eq!(host(&inv, "rooted").privilege.method, BecomeMethod::None);
    let grouped = host(&inv, "grouped").privilege.clone();
    assert_eq!(
        (grouped.method, grouped.user.as_str()),
        (BecomeMethod::Doas, "offgo")
    );
    let own = host(&inv, "own").privilege.clone();
    assert_eq!(own.method, BecomeMethod::Sudo);
    assert_eq!(own.sudoers_file, "/etc/sudoers.d/offgo-test");
}
