//! The detail pane says which OpenSSH config file and line a host's settings came from.

#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;
#[allow(dead_code, unused_macros)]
#[path = "support/screen.rs"]
mod screen;

use std::sync::Arc;

use offgo::tui::testing::Model;

#[test]
fn the_detail_pane_names_the_file_and_line_of_each_ssh_config_setting() {
    // Under the home directory, so the pane shows it the way operators write it (`~/…`).
    let home = dirs::home_dir().expect("a home directory");
    let dir = tempfile::Builder::new()
        .prefix(".offgo-ssh-config-test")
        .tempdir_in(&home)
        .unwrap();
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        "# fleet\nHost web-*\n    HostName 10.0.3.11\n    User deploy\n    Port 2222\n    ProxyJump bastion-1\n",
    )
    .unwrap();
    let inventory = dir.path().join("offgo.toml");
    std::fs::write(
        &inventory,
        "[defaults]\nssh_config = \"config\"\n\n[[hosts]]\nname = \"web-01\"\n",
    )
    .unwrap();
    let inventory =
        Arc::new(offgo::core::inventory::load(&inventory).unwrap_or_else(|e| panic!("{e}")));
    let model = Model::new(&inventory, sample::settings(160, 48));
    let screen = screen::text(&screen::draw(&model));
    let shown = |label: &str, value: &str, line: usize| {
        let want = format!(
            "{label:<10}{value} (~/{}/config:{line})",
            dir.path().file_name().unwrap().to_string_lossy()
        );
        assert!(screen.contains(&want), "no `{want}` in\n{screen}");
    };
    shown("hostname", "10.0.3.11", 3);
    shown("user", "deploy", 4);
    shown("port", "2222", 5);
    shown("via", "bastion-1", 6);
    assert!(
        screen.contains("10.0.3.11:2222"),
        "the address line uses the config's values"
    );
}
