//! `ssh_config` in `[defaults]`: the fixture config in tests/fixtures/ssh_config under real
//! inventories.

use std::path::{Path, PathBuf};

use super::*;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ssh_config")
}

/// An inventory in the fixture directory, so `ssh_config = "config"` is the fixture.
fn load_text(text: &str) -> Result<Inventory, InventoryError> {
    parse(text, &fixtures().join("inv.toml"))
}

fn host<'a>(inv: &'a Inventory, name: &str) -> &'a Host {
    inv.find(name).map(|id| inv.host(id)).unwrap()
}

fn source<'a>(h: &'a Host, key: &str) -> Option<(&'a str, String)> {
    h.sources.iter().find(|s| s.key == key).map(|s| {
        (
            s.value.as_str(),
            format!(
                "{}:{}",
                s.origin.file.file_name().unwrap().to_string_lossy(),
                s.origin.line
            ),
        )
    })
}

const FLEET: &str = r#"
[defaults]
ssh_config = "config"

[groups.ops]
user = "ops"

[[hosts]]
name = "web-01"

[[hosts]]
name = "web-02"
groups = ["ops"]
port = 2022

[[hosts]]
name = "db-01"
address = "10.9.9.9"
"#;

#[test]
fn the_config_fills_what_the_inventory_left_unset_and_says_where() {
    let inv = load_text(FLEET).unwrap_or_else(|e| panic!("{e}"));
    let web = host(&inv, "web-01");
    assert_eq!(
        (web.address.as_str(), web.user.as_str(), web.port),
        ("web-01", "deploy", 2222)
    );
    // The config's ProxyJump is the chain offgo tunnels through.
    assert_eq!(web.via(), ["bastion"]);
    assert_eq!(source(web, "user"), Some(("deploy", "config:9".into())));
    assert_eq!(source(web, "port"), Some(("2222", "config:10".into())));
    assert_eq!(
        source(web, "proxy_jump"),
        Some(("bastion", "config:11".into()))
    );
    assert_eq!(
        source(web, "address"),
        None,
        "no HostName: the name is the address, as for ssh"
    );
    assert_eq!(web.known_hosts, PathBuf::from("/tmp/known hosts"));
    assert_eq!(
        source(web, "known_hosts"),
        Some(("/tmp/known hosts", "config:23".into()))
    );
}

#[test]
fn inventory_keys_win_at_any_level() {
    let inv = load_text(FLEET).unwrap_or_else(|e| panic!("{e}"));
    let web2 = host(&inv, "web-02");
    assert_eq!(
        (web2.user.as_str(), web2.port),
        ("ops", 2022),
        "group user, host port"
    );
    assert_eq!((source(web2, "user"), source(web2, "port")), (None, None));
    let db = host(&inv, "db-01");
    assert_eq!(
        db.address, "10.9.9.9",
        "the inventory's address beats HostName"
    );
    assert_eq!(source(db, "address"), None);
    assert_eq!(source(db, "port"), Some(("2201", "nested.inc:1".into())));
}

#[test]
fn hostname_tokens_expand_and_a_readable_identity_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("id_fleet");
    std::fs::write(&key, "key").unwrap();
    std::fs::write(
        dir.path().join("config"),
        format!(
            "Host *\n  HostName %h.internal\n  IdentityFile /nonexistent/id\n  IdentityFile {}\n",
            key.display()
        ),
    )
    .unwrap();
    let text = "[defaults]\nssh_config = \"config\"\n\n[[hosts]]\nname = \"app\"\n";
    let inv = parse(text, &dir.path().join("inv.toml")).unwrap_or_else(|e| panic!("{e}"));
    let app = host(&inv, "app");
    assert_eq!(app.address, "app.internal");
    assert_eq!(
        app.identity_file.as_deref(),
        Some(key.as_path()),
        "the first readable one"
    );
    assert_eq!(
        source(app, "identity_file").map(|s| s.1),
        Some("config:4".into())
    );
}

#[test]
fn errors_name_the_file_and_line() {
    let err =
        load_text("[defaults]\nssh_config = \"nope\"\n\n[[hosts]]\nname = \"a\"\n").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "{}:2:14: defaults.ssh_config: cannot read the ssh config {}: No such file",
            fixtures().join("inv.toml").display(),
            fixtures().join("nope").display()
        )),
        "{shown}"
    );
    let err =
        load_text("[defaults]\nssh_config = \"bad_port.config\"\n\n[[hosts]]\nname = \"a\"\n")
            .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2:3: bad Port \"99999\"\n  hint: write a port number from 1 to 65535",
            fixtures().join("bad_port.config").display()
        )
    );
    let err = load_text(
        "[groups.g]\nssh_config = \"config\"\n\n[[hosts]]\nname = \"a\"\naddress = \"x\"\n",
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .ends_with("hint: ssh_config may only be set in [defaults]"),
        "{err}"
    );
}

#[test]
fn without_ssh_config_an_address_is_still_required() {
    let err = load_text("[[hosts]]\nname = \"a\"\n").unwrap_err();
    assert!(err.to_string().contains("missing `address`"), "{err}");
}
