//! `offgo-tui inventory import` through the built binary: the file it writes loads with the
//! real loader, what it left out is on stderr with file:line, and --out never replaces a file
//! without --force.

mod common;

use std::path::Path;

use common::offgo;

fn fixture(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn import_writes_an_inventory_that_loads_and_lists_what_it_left_out() {
    let state = tempfile::tempdir().unwrap();
    let out_file = state.path().join("fleet.toml");
    let out_arg = out_file.to_str().unwrap();
    let ini = fixture("import/hosts.ini");
    let run = offgo(
        state.path(),
        &["inventory", "import", "--ansible", &ini, "--out", out_arg],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(run.stdout.is_empty(), "with --out nothing goes to stdout");
    assert!(
        stderr.contains(&format!(
            "{ini}:6: warning: variable http_port is not an offgo setting"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("imported 8 host(s) and 3 group(s)"),
        "{stderr}"
    );
    let inv = offgo::core::inventory::load(&out_file).unwrap_or_else(|e| panic!("{e}"));
    let canary = &inv.hosts[inv.find("web-canary").unwrap()];
    assert_eq!(
        (canary.address.as_str(), canary.port, canary.user.as_str()),
        ("10.0.3.99", 2222, "ops")
    );

    // A second run refuses to replace the file, and leaves it as it was.
    let before = std::fs::read(&out_file).unwrap();
    std::fs::write(&out_file, b"# mine\n").unwrap();
    let again = offgo(
        state.path(),
        &["inventory", "import", "--ansible", &ini, "--out", out_arg],
    );
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists; pass --force"));
    assert_eq!(std::fs::read(&out_file).unwrap(), b"# mine\n");
    let forced = offgo(
        state.path(),
        &[
            "inventory",
            "import",
            "--ansible",
            &ini,
            "--out",
            out_arg,
            "--force",
        ],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert_eq!(std::fs::read(&out_file).unwrap(), before);
}

#[test]
fn without_out_the_inventory_goes_to_stdout_and_a_source_is_required() {
    let state = tempfile::tempdir().unwrap();
    let run = offgo(
        state.path(),
        &[
            "inventory",
            "import",
            "--ssh-config",
            &fixture("ssh_config/config"),
        ],
    );
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let text = String::from_utf8_lossy(&run.stdout);
    let inv = offgo::core::inventory::parse(&text, &state.path().join("offgo.toml"))
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(inv.hosts.len(), 4);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains(":17: warning: Match exec"), "{stderr}");

    let neither = offgo(state.path(), &["inventory", "import"]);
    assert_eq!(neither.status.code(), Some(2));
    let both = offgo(
        state.path(),
        &["inventory", "import", "--ssh-config", "a", "--ansible", "b"],
    );
    assert_eq!(both.status.code(), Some(2));
    let broken = offgo(
        state.path(),
        &[
            "inventory",
            "import",
            "--ssh-config",
            &fixture("ssh_config/bad_port.config"),
        ],
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("bad_port.config:2: bad Port"));
}
