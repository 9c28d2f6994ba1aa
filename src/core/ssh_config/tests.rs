//! The reader against the fixture files in tests/fixtures/ssh_config.

use std::path::{Path, PathBuf};

use super::*;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ssh_config")
        .join(name)
}

fn at(file: &str, line: usize) -> Origin {
    Origin {
        file: fixture(file),
        line,
    }
}

fn config() -> SshConfig {
    read(&fixture("config")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_first_value_of_each_keyword_wins_with_its_line() {
    let web = config().lookup("web-01");
    assert_eq!(
        web.user.as_ref().map(|v| (&v.value[..], &v.origin)),
        Some(("deploy", &at("config", 9)))
    );
    assert_eq!(
        web.port.as_ref().map(|v| (v.value, &v.origin)),
        Some((2222, &at("config", 10)))
    );
    let jump = web.proxy_jump.unwrap();
    assert_eq!(
        (jump.value.as_deref(), jump.origin),
        (Some("bastion"), at("config", 11))
    );
    // The nested file's `Host web-01` sits inside the db-01 block: never read for web-01.
    assert_eq!(web.host_name, None);
    let ids: Vec<_> = web
        .identity_files
        .iter()
        .map(|v| v.value.as_str())
        .collect();
    assert_eq!(ids, ["~/.ssh/id_test"]);
    let known = web.known_hosts.unwrap();
    assert_eq!(
        (known.value.as_str(), known.origin),
        ("/tmp/known hosts", at("config", 23))
    );
}

#[test]
fn a_negated_pattern_rules_its_block_out() {
    let web3 = config().lookup("web-03");
    assert_eq!(
        web3.user.unwrap().value,
        "fallback",
        "web-* !web-03 is not for web-03"
    );
    let name = web3.host_name.unwrap();
    assert_eq!(
        (name.value.as_str(), name.origin),
        ("10.0.3.13", at("config", 14))
    );
    assert_eq!(web3.port.unwrap().value, 22);
    assert_eq!(web3.proxy_jump, None);
}

#[test]
fn included_files_apply_in_place_and_the_including_block_resumes() {
    let db = config().lookup("DB-01");
    let name = db.host_name.unwrap();
    assert_eq!(
        (name.value.as_str(), name.origin),
        ("%h.internal", at("conf.d/10-db.conf", 2))
    );
    assert_eq!(
        db.user.unwrap().value,
        "dba",
        "the trailing comment is not part of the value"
    );
    let port = db.port.unwrap();
    assert_eq!(
        (port.value, port.origin),
        (2201, at("conf.d/nested.inc", 1))
    );
    let ids: Vec<_> = db
        .identity_files
        .iter()
        .map(|v| (v.value.as_str(), v.origin.line))
        .collect();
    assert_eq!(ids, [("~/.ssh/id_db", 5), ("~/.ssh/id_test", 22)]);
}

#[test]
fn match_blocks_other_than_all_never_apply() {
    let other = config().lookup("somewhere");
    assert_eq!(other.user.unwrap().value, "fallback");
    assert_eq!(other.port.unwrap().value, 2200);
}

#[test]
fn bad_lines_are_errors_at_file_line_and_column() {
    let err = read(&fixture("bad_port.config")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{}:2:3: bad Port \"99999\"\n  hint: write a port number from 1 to 65535",
            fixture("bad_port.config").display()
        )
    );
    let err = read(&fixture("bad_quote.config")).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (2, "unterminated \" quote")
    );
    let err = read(&fixture("loop.config")).unwrap_err();
    assert!(err.message.contains("nested more than 16 deep"), "{err}");
    assert_eq!(err.line, 1);
    let err = read(&fixture("missing.config")).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!(
            "{}: No such file or directory",
            fixture("missing.config").display()
        )),
        "{err}"
    );
}

#[test]
fn the_lexer_reads_every_spelling() {
    let line = |t: &str| tokenize(t).unwrap().map(|l| (l.keyword, l.args));
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    assert_eq!(line("  Port=22"), Some(("port".into(), s(&["22"]))));
    assert_eq!(line("User = deploy"), Some(("user".into(), s(&["deploy"]))));
    assert_eq!(
        line("HOSTNAME\t\"a b\""),
        Some(("hostname".into(), s(&["a b"])))
    );
    assert_eq!(line("Host a b # c"), Some(("host".into(), s(&["a", "b"]))));
    assert_eq!(line("   # comment"), None);
    assert_eq!(line(""), None);
    assert!(tokenize("User 'x").is_err());
}

#[test]
fn tokens_expand_or_fail_at_their_line() {
    let values = TokenValues {
        original: "db-01",
        host: "10.0.0.5",
        user: "dba",
        port: 2201,
    };
    let origin = at("config", 3);
    assert_eq!(
        expand("%n.internal", &values, &origin).unwrap(),
        "db-01.internal"
    );
    assert_eq!(
        expand("/k/%r@%h:%p%%", &values, &origin).unwrap(),
        "/k/dba@10.0.0.5:2201%"
    );
    let home = dirs::home_dir().unwrap();
    assert_eq!(
        expand("~/.ssh/id", &values, &origin).unwrap(),
        format!("{}/.ssh/id", home.display())
    );
    let err = expand("/k/%C", &values, &origin).unwrap_err();
    assert_eq!(
        (err.line, err.message.as_str()),
        (
            3,
            "cannot expand %C: offgo expands %%, %d, %h, %n, %p, %r and %u"
        )
    );
}

#[test]
fn proxy_jump_values() {
    assert_eq!(resolve_jump("none"), Ok(None));
    assert_eq!(
        resolve_jump("a,deploy@b:2222"),
        Ok(Some("a,deploy@b:2222".into()))
    );
    assert!(resolve_jump("a,,b").is_err());
    assert!(resolve_jump("ssh://a").is_err());
}

fn resolve_jump(text: &str) -> Result<Option<String>, String> {
    super::resolve::proxy_jump(text)
}
