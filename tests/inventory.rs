//! Inventory contract tests: one fixture per error under tests/invalid_inventories with the full
//! text it must produce, every example under config/ loads, and the lookup order read from the
//! real environment.

use std::path::{Path, PathBuf};

use offgo::core::inventory::{load, locate, select};

const FIXTURES: &str = "tests/invalid_inventories";

/// The error `case` produces, with this checkout's absolute directory cut out of the paths the
/// message resolves (so the expected text does not depend on where the repository lives).
fn load_error(case: &str) -> String {
    let path = Path::new(FIXTURES).join(format!("{case}.toml"));
    match load(&path) {
        Ok(_) => panic!("{} loaded, but it is invalid", path.display()),
        Err(e) => e
            .to_string()
            .replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), ""),
    }
}

/// One test per fixture, named after it, plus the list of cases for the coverage check.
macro_rules! invalid_inventories {
    ($($case:ident => $expected:expr;)*) => {
        const CASES: &[&str] = &[$(stringify!($case)),*];
        $(
            #[test]
            fn $case() {
                assert_eq!(load_error(stringify!($case)), $expected);
            }
        )*
    };
}

invalid_inventories! {
    malformed_toml => "tests/invalid_inventories/malformed_toml.toml:3:8: defaults.user: \
        string values must be quoted, expected literal string\n  \
        hint: fix the TOML syntax here: strings need quotes, lists use [ ], one `key = value` per line";
    duplicate_key => "tests/invalid_inventories/duplicate_key.toml:5:1: hosts[0].address: duplicate key\n  \
        hint: each key may appear only once in a table: remove or rename one of them";
    unknown_key => "tests/invalid_inventories/unknown_key.toml:3:1: defaults.usr: unknown key `usr`\n  \
        hint: did you mean `user`?";
    unknown_host_key => "tests/invalid_inventories/unknown_host_key.toml:3:1: hosts[0].adress: \
        unknown key `adress`\n  hint: did you mean `address`?";
    unknown_table => "tests/invalid_inventories/unknown_table.toml:1:2: default: unknown key `default`\n  \
        hint: did you mean `defaults`?";
    unknown_rollout_key => "tests/invalid_inventories/unknown_rollout_key.toml:3:1: rollout.max_failure: \
        unknown key `max_failure`\n  hint: did you mean `max_failures`?";
    unknown_app_key => "tests/invalid_inventories/unknown_app_key.toml:7:1: apps.invoicer.health_timout: \
        unknown key `health_timout`\n  hint: did you mean `health_timeout`?";
    app_zero_health_timeout => "tests/invalid_inventories/app_zero_health_timeout.toml:6:18: \
        apps.invoicer.health_timeout: health_timeout must be longer than zero\n  \
        hint: give the service time to start, e.g. \"30s\"";
    wrong_type => "tests/invalid_inventories/wrong_type.toml:2:8: groups.web.user: \
        expected a string, found an integer\n  hint: write the value in double quotes: user = \"...\"";
    duplicate_host_name => "tests/invalid_inventories/duplicate_host_name.toml:10:8: hosts[2].name: \
        duplicate host name \"web-01\" (first defined on line 2)\n  \
        hint: host names must be unique: rename or remove one of the two";
    unknown_group => "tests/invalid_inventories/unknown_group.toml:9:18: hosts[0].groups[1]: \
        unknown group \"dbs\"\n  hint: did you mean `db`?";
    empty_address => "tests/invalid_inventories/empty_address.toml:3:11: hosts[0].address: empty address\n  \
        hint: write the host's IP address or DNS name, e.g. address = \"10.0.3.11\"";
    port_zero => "tests/invalid_inventories/port_zero.toml:4:8: hosts[0].port: \
        port 0 is out of range (1-65535)\n  \
        hint: write the SSH port as a number from 1 to 65535, without quotes, e.g. port = 22";
    port_negative => "tests/invalid_inventories/port_negative.toml:2:8: defaults.port: \
        port -22 is out of range (1-65535)\n  \
        hint: write the SSH port as a number from 1 to 65535, without quotes, e.g. port = 22";
    port_too_large => "tests/invalid_inventories/port_too_large.toml:2:8: groups.web.port: \
        port 65536 is out of range (1-65535)\n  \
        hint: write the SSH port as a number from 1 to 65535, without quotes, e.g. port = 22";
    port_not_integer => "tests/invalid_inventories/port_not_integer.toml:4:8: hosts[0].port: \
        expected an integer port, found a string\n  \
        hint: write the SSH port as a number from 1 to 65535, without quotes, e.g. port = 22";
    bad_duration => "tests/invalid_inventories/bad_duration.toml:2:19: defaults.connect_timeout: \
        bad duration \"5 secnds\": unknown time unit \"secnds\", supported units: \
        ns, us/µs, ms, sec, min, hours, days, weeks, months, years (and few variations)\n  \
        hint: write a number with a unit, e.g. \"5s\", \"500ms\" or \"2m\" (a bare number means seconds)";
    bad_host_key_policy => "tests/invalid_inventories/bad_host_key_policy.toml:2:19: \
        defaults.host_key_policy: unknown host_key_policy \"accept-all\"\n  \
        hint: use \"strict\" (refuse unknown keys) or \"accept-new\" (record unknown keys, refuse changed ones)";
    bad_become => "tests/invalid_inventories/bad_become.toml:2:10: \
        groups.web.become: unknown become \"su\"\n  \
        hint: use \"none\" (the login user is root), \"sudo\" or \"doas\"";
    bad_become_user => "tests/invalid_inventories/bad_become_user.toml:4:15: \
        hosts[0].become_user: bad become_user \"root; id\"\n  \
        hint: write the account privileged steps run as, e.g. become_user = \"root\"";
    bad_athens_storage => "tests/invalid_inventories/bad_athens_storage.toml:4:18: \
        hosts[0].athens_storage: athens_storage \"/var/lib/athens/.. x\" has a name offgo will not write under as root\n  \
        hint: use letters, digits, '.', '_', '-' and '+' in each part, e.g. \"/var/lib/athens\"";
    bad_host_tools => "tests/invalid_inventories/bad_host_tools.toml:2:14: \
        defaults.host_tools: unknown host_tools \"fastest\"\n  \
        hint: use \"auto\" (OpenSSL's SHA-256 and a faster gzip decoder where the host has them) or \"contract\" (sha256sum and gzip only)";
    unknown_become_key => "tests/invalid_inventories/unknown_become_key.toml:2:1: defaults.becom: unknown key `becom`\n  \
        hint: did you mean `become`?";
    relative_remote_path => "tests/invalid_inventories/relative_remote_path.toml:2:11: \
        groups.legacy.go_root: remote path \"usr/local/go\" is relative\n  \
        hint: remote paths must be absolute: \"/usr/local/go\"?";
    tilde_remote_path => "tests/invalid_inventories/tilde_remote_path.toml:4:16: hosts[0].releases_dir: \
        remote path \"~/go-releases\" starts with `~`, which is not expanded on hosts\n  \
        hint: write the absolute path on the host, e.g. \"/home/deploy/...\"";
    unreadable_identity_file => "tests/invalid_inventories/unreadable_identity_file.toml:3:17: \
        groups.web.identity_file: cannot read identity file \
        tests/invalid_inventories/keys/missing_key: No such file or directory (os error 2)\n  \
        hint: fix the path or the file's permissions, or remove identity_file to use ssh-agent";
    missing_name => "tests/invalid_inventories/missing_name.toml:5:1: hosts[1].name: missing `name`\n  \
        hint: give every host a unique name = \"web-01\"";
    missing_address => "tests/invalid_inventories/missing_address.toml:1:1: hosts[0].address: \
        missing `address`\n  hint: write the host's IP address or DNS name: address = \"10.0.3.11\"";
    duplicate_group => "tests/invalid_inventories/duplicate_group.toml:5:9: groups.web: duplicate key\n  \
        hint: each table may appear only once: merge the two blocks into one";
    duplicate_table => "tests/invalid_inventories/duplicate_table.toml:5:2: defaults: duplicate key\n  \
        hint: each table may appear only once: merge the two blocks into one";
    no_hosts => "tests/invalid_inventories/no_hosts.toml: hosts: the inventory has no hosts\n  \
        hint: add a [[hosts]] block with name and address for each host, e.g.\n    \
        [[hosts]]\n    name = \"web-01\"\n    address = \"10.0.3.11\"";
    empty_host_list => "tests/invalid_inventories/empty_host_list.toml:2:9: hosts: the host list is empty\n  \
        hint: add a [[hosts]] block with name and address for each host, e.g.\n    \
        [[hosts]]\n    name = \"web-01\"\n    address = \"10.0.3.11\"";
    bad_host_name => "tests/invalid_inventories/bad_host_name.toml:2:8: hosts[0].name: \
        host name \"web 01\" contains a space\n  hint: use letters, digits, '-', '_' or '.', e.g. \"web-01\"";
    range_count_mismatch => "tests/invalid_inventories/range_count_mismatch.toml:3:11: hosts[0].address: \
        name \"web-[01-40]\" stands for 40 hosts but address \"10.0.3.[11-49]\" for 39 hosts\n  \
        hint: a range of names needs an address range with as many values, paired in order, \
        e.g. name = \"web-[01-40]\" with address = \"10.0.3.[11-50]\" or \"web-[01-40].example\"";
    range_reversed => "tests/invalid_inventories/range_reversed.toml:2:8: hosts[0].name: \
        \"web-[40-01]\" has a reversed range `[40-01]`: 40 comes after 01\n  \
        hint: write the smaller number first, e.g. [01-40]";
    range_empty => "tests/invalid_inventories/range_empty.toml:4:8: hosts[0].name: \
        \"web-[01-]\" has an empty range `[01-]`: it needs a first and a last number\n  \
        hint: a range is [FIRST-LAST] with decimal numbers, e.g. \"web-[01-40]\"; \
        names and addresses may not hold other brackets";
    range_duplicate_name => "tests/invalid_inventories/range_duplicate_name.toml:6:8: hosts[1].name: \
        duplicate host name \"web-03\" from the range \"web-[01-05]\" (first defined on line 2)\n  \
        hint: host names must be unique: rename or remove one of the two";
    range_bad_address => "tests/invalid_inventories/range_bad_address.toml:3:11: hosts[0].address: \
        \"db-[1-3.example\" has a `[` that is not closed\n  \
        hint: a range is [FIRST-LAST] with decimal numbers, e.g. \"web-[01-40]\"; \
        names and addresses may not hold other brackets";
    bad_proxy_jump => "tests/invalid_inventories/bad_proxy_jump.toml:2:14: groups.dmz.proxy_jump: \
        bad hop \"deploy@10.0.0.5:70000\": port \"70000\" is not a number from 1 to 65535\n  \
        hint: write hops separated by commas, each an inventory host name or [user@]address[:port], \
        e.g. proxy_jump = \"bastion-1\" or \"deploy@10.0.0.5:2222,bastion-2\"; \"none\" for a direct connection";
    proxy_jump_loop => "tests/invalid_inventories/proxy_jump_loop.toml:9:14: hosts[1].proxy_jump: \
        proxy_jump loops: bastion-1 → bastion-2 → bastion-1\n  \
        hint: a host cannot be reached through itself: remove the hop that leads back";
}

/// A fixture without a case above would be a test that never runs.
#[test]
fn every_fixture_has_a_case() {
    let mut files: Vec<String> = std::fs::read_dir(FIXTURES)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let mut cases: Vec<&str> = CASES.to_vec();
    cases.sort();
    assert_eq!(files, cases);
}

#[test]
fn a_missing_file_is_a_read_error_naming_it() {
    let err = load(Path::new(
        "tests/invalid_inventories/no_such_inventory.toml",
    ))
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "tests/invalid_inventories/no_such_inventory.toml: cannot read the inventory: \
         No such file or directory (os error 2)\n  \
         hint: check the path and its permissions, or pass another file with --inventory"
    );
}

fn config_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("config")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_in_config_loads() {
    let files = config_files();
    assert!(
        files.len() >= 2,
        "expected example.toml and minimal.toml, found {files:?}"
    );
    for file in files {
        let inv = load(&file).unwrap_or_else(|e| panic!("{e}"));
        assert!(!inv.hosts.is_empty(), "{} has no hosts", file.display());
        select(&inv, "all").unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    }
}

#[test]
fn the_example_sets_every_key_it_documents() {
    let inv = load(Path::new("config/example.toml")).unwrap_or_else(|e| panic!("{e}"));
    let db = inv.host(inv.find("db-01").unwrap());
    assert_eq!((db.user.as_str(), db.keep_releases), ("dbadmin", 2));
    assert_eq!(db.connect_timeout, std::time::Duration::from_secs(10));
    assert_eq!(db.groups, ["db", "lab"]);
    assert_eq!(inv.groups, ["web", "db", "lab"]);
    assert!(inv.bundles.dir.is_some());
    assert_eq!(inv.host(inv.find("vault-01").unwrap()).via(), ["bastion-1"]);
    assert_eq!(inv.rollout.map(|r| r.len()), Some(7));
    let invoicer = inv.apps.get("invoicer").unwrap();
    assert_eq!(invoicer.health_timeout, std::time::Duration::from_secs(30));
    let text = std::fs::read_to_string("config/example.toml").unwrap();
    for key in [
        "user",
        "port",
        "identity_file",
        "known_hosts",
        "host_key_policy",
        "connect_timeout",
        "command_timeout",
        "check_binaries",
        "go_root",
        "releases_dir",
        "state_dir",
        "audit_log",
        "profile_script",
        "keep_releases",
        "proxy_jump",
        "become",
        "become_user",
        "sudoers_file",
        "athens_storage",
        "refresh_interval",
        "require_signed",
        "trusted_keys",
        "restart",
        "health",
        "health_timeout",
    ] {
        assert!(
            text.contains(&format!("\n{key} = ")) || text.contains(&format!("# {key} = ")),
            "{key} missing"
        );
    }
}

/// The one test that changes the process environment: nothing else in this binary reads
/// `OFFGO_INVENTORY` or `XDG_CONFIG_HOME`, and both are restored before it returns.
#[test]
fn locate_reads_the_environment_in_order() {
    struct Restore(Vec<(&'static str, Option<std::ffi::OsString>)>);
    impl Drop for Restore {
        fn drop(&mut self) {
            for (var, value) in &self.0 {
                match value {
                    Some(v) => std::env::set_var(var, v),
                    None => std::env::remove_var(var),
                }
            }
        }
    }
    let _restore = Restore(
        ["OFFGO_INVENTORY", "XDG_CONFIG_HOME"]
            .into_iter()
            .map(|v| (v, std::env::var_os(v)))
            .collect(),
    );
    assert!(
        !Path::new("offgo.toml").exists(),
        "a ./offgo.toml in the checkout would shadow the XDG place"
    );

    let tmp = tempfile::tempdir().unwrap();
    let xdg_file = tmp.path().join("offgo/inventory.toml");
    std::fs::create_dir_all(xdg_file.parent().unwrap()).unwrap();
    std::fs::write(&xdg_file, "").unwrap();
    let env_file = tmp.path().join("from-env.toml");
    std::fs::write(&env_file, "").unwrap();

    std::env::set_var("XDG_CONFIG_HOME", tmp.path());
    std::env::remove_var("OFFGO_INVENTORY");
    assert_eq!(locate(None).unwrap(), xdg_file);

    std::env::set_var("OFFGO_INVENTORY", &env_file);
    assert_eq!(locate(None).unwrap(), env_file);
    assert_eq!(
        locate(Some(Path::new("config/minimal.toml"))).unwrap(),
        Path::new("config/minimal.toml")
    );

    let missing = tmp.path().join("gone.toml");
    std::env::set_var("OFFGO_INVENTORY", &missing);
    let err = locate(None).unwrap_err().to_string();
    assert!(err.starts_with(&format!(
        "inventory {} (from $OFFGO_INVENTORY) does not exist",
        missing.display()
    )));

    std::env::remove_var("OFFGO_INVENTORY");
    std::fs::remove_file(&xdg_file).unwrap();
    let err = locate(None).unwrap_err().to_string();
    assert!(err.contains(&xdg_file.display().to_string()), "{err}");
    assert!(
        err.contains(
            "no inventory found; tried: --inventory (not given), $OFFGO_INVENTORY (not set)"
        ),
        "{err}"
    );
}

/// The headless face of an inventory without hosts: a configuration error (exit 2) naming the
/// file and what to add, not an empty success.
#[test]
fn scan_of_an_inventory_without_hosts_is_a_usage_error() {
    let state = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_offgo-tui"))
        .args(["scan", "--json", "--inventory"])
        .arg(Path::new(FIXTURES).join("no_hosts.toml"))
        .env("XDG_STATE_HOME", state.path())
        .env("XDG_CONFIG_HOME", state.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty(), "no `[]`");
    assert!(
        stderr.contains("no_hosts.toml: hosts: the inventory has no hosts")
            && stderr.contains("[[hosts]]"),
        "{stderr}"
    );
}

#[test]
fn the_example_s_range_is_eight_web_hosts_in_order() {
    let inv = load(Path::new("config/example.toml")).unwrap_or_else(|e| panic!("{e}"));
    let web: Vec<(&str, &str)> = select(&inv, "group:web&!web-0[1-2]")
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|id| (inv.host(id).name.as_str(), inv.host(id).address.as_str()))
        .collect();
    let want: Vec<(String, String)> = (3..=10)
        .map(|n| (format!("web-{n:02}"), format!("10.0.3.{}", n + 10)))
        .collect();
    let want: Vec<(&str, &str)> = want.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    assert_eq!(web, want);
}
