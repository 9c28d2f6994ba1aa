//! Least privilege (DESIGN.md): a non-root `deploy` login whose only right is offgo's helper,
//! installed by `offgo-tui privileges install`, against a real sshd fleet with real sudo. The
//! drop-in is this fleet's own (`sudoers_file`), removed when the test ends: /etc is shared by
//! every host on the machine.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

const DEPLOY: &str = "deploy";

fn json(out: &Output) -> Vec<Value> {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let value: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}):\n{stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    value.as_array().expect("a JSON array").clone()
}

fn run_json(state: &Path, inventory: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--inventory", inventory.to_str().unwrap(), "--json"]);
    let out = offgo(state, &all);
    (json(&out), out.status.code().unwrap_or(-1))
}

/// A fleet `deploy` may log in to, and its inventory naming this test's own drop-in.
fn deploy_fleet(
    spec: &FleetSpec,
    login: &str,
    dropin: &SudoersDropIn,
) -> (Fleet, std::path::PathBuf) {
    ensure_login_user(login).unwrap();
    let fleet = start(spec);
    fleet.open_to_other_logins().unwrap();
    let inv = inventory(
        &fleet,
        &InventoryOptions::new()
            .login(login)
            .default_line(format!("sudoers_file = \"{}\"", dropin.path().display())),
    );
    (fleet, inv)
}

/// Runs `command` on the host as `user` (a login shell of theirs, inside the host).
fn as_user(host: &HostHandle, user: &str, command: &str) -> Output {
    exec(
        host,
        &format!(
            "su {user} -s /bin/sh -c {} 2>&1",
            offgo::core::remote::quote::sh_quote(command)
        ),
    )
}

fn owner(host: &HostHandle, path: &str) -> String {
    sh(host, &format!("stat -c %U {path}"))
}

#[test]
fn deploy_pushes_verifies_rolls_back_and_rolls_out_through_its_rule_only() {
    let dropin = SudoersDropIn::unique();
    let (fleet, inv) = deploy_fleet(
        &FleetSpec::new()
            .host(HostSpec::new("web-01").go_manual("1.21.13"))
            .host(HostSpec::new("web-02").go_managed("1.21.13")),
        DEPLOY,
        &dropin,
    );
    let state = tempfile::tempdir().unwrap();
    let st = state.path();

    // The bootstrap: root logs in once and puts the helper and the drop-in in place.
    let (hosts, code) = run_json(
        st,
        &inv,
        &["privileges", "install", "--hosts", "all", "--login", "root"],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    let installed = std::fs::read_to_string(dropin.path()).unwrap();
    let printed = offgo(st, &["privileges", "--inventory", inv.to_str().unwrap()]);
    assert_eq!(
        installed,
        String::from_utf8_lossy(&printed.stdout),
        "installed what it prints"
    );
    let mode = std::fs::metadata(dropin.path()).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode.permissions()) & 0o777,
        0o440
    );
    let check = std::process::Command::new("visudo")
        .arg("-cf")
        .arg(dropin.path())
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    for host in fleet.hosts() {
        assert_eq!(
            sh(host, "stat -c '%U %a' /usr/local/libexec/offgo-helper"),
            "root 755"
        );
        let log = sh(host, "cat /var/log/offgo/audit.log");
        assert!(log.contains("\"action\":\"privileges-install\""), "{log}");
    }

    // A push as deploy: every privileged step through `sudo -n` and the helper.
    let (hosts, code) = run_json(
        st,
        &inv,
        &[
            "push",
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--hosts",
            "all",
        ],
    );
    assert_eq!(code, 0, "{hosts:#?}");
    for h in &hosts {
        // Through the helper too, the tarball was unpacked as it arrived, by the faster tools
        // found on sudo's secure_path.
        assert!(h["notes"].to_string().contains("one pass:"), "{h:#}");
        assert!(
            h["notes"].to_string().contains("host tools: openssl"),
            "{h:#}"
        );
    }
    for host in fleet.hosts() {
        assert_eq!(
            sh(host, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64"
        );
        // Files offgo created are root's, never deploy's.
        for path in [
            "/opt/offgo/releases/go1.22.10",
            "/opt/offgo/releases/go1.22.10/go/bin/go",
            "/var/lib/offgo/state.json",
            "/var/lib/offgo/lock",
            "/var/log/offgo/audit.log",
            "/etc/profile.d/offgo-go.sh",
        ] {
            assert_eq!(owner(host, path), "root", "{} {path}", host.name());
        }
        assert_eq!(
            sh(host, "find /opt/offgo /var/lib/offgo /var/log/offgo /usr/local/go/ -user deploy | head -5"),
            ""
        );
        let last = sh(host, "tail -n 1 /var/log/offgo/audit.log");
        assert!(
            last.contains("\"action\":\"push\"")
                && last.contains("login deploy, become sudo to root"),
            "{last}"
        );
    }

    let (hosts, code) = run_json(st, &inv, &["verify", "--hosts", "all"]);
    assert_eq!(code, 0, "{hosts:#?}");
    for h in &hosts {
        let checks = h["checks"].as_array().unwrap();
        let helper = checks.iter().find(|c| c["check"] == "helper").unwrap();
        assert_eq!(helper["ok"], true, "{helper:#}");
    }
    let (hosts, code) = run_json(st, &inv, &["scan", "--hosts", "all"]);
    assert_eq!(code, 0, "{hosts:#?}");
    for h in &hosts {
        assert_eq!(h["privilege"]["become"], "sudo", "{h:#}");
        assert_eq!(h["privilege"]["login"], "deploy");
        assert_eq!(h["privilege"]["helper"], "intact");
    }
    let (hosts, code) = run_json(st, &inv, &["rollback", "--hosts", "all"]);
    assert_eq!(code, 0, "{hosts:#?}");
    for host in fleet.hosts() {
        assert_eq!(
            sh(host, "/usr/local/go/bin/go version"),
            "go version go1.21.13 linux/amd64"
        );
    }
    let out = offgo(
        st,
        &[
            "rollout",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--canary",
            "web-01",
            "--json",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let summary: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["halted"], false, "{summary:#}");
    for host in fleet.hosts() {
        assert_eq!(
            sh(host, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64"
        );
    }
    let (hosts, code) = run_json(st, &inv, &["audit", "verify", "--hosts", "all"]);
    assert_eq!(code, 0, "{hosts:#?}");

    // The rule is good for the helper's verbs and nothing else.
    let web = host(&fleet, "web-01");
    for refused in [
        "sudo -n id",
        "sudo -n /bin/sh -c id",
        "sudo -n /usr/local/libexec/offgo-helper install extra </dev/null",
        "sudo -n /usr/local/libexec/offgo-helper sh </dev/null",
    ] {
        let out = as_user(web, DEPLOY, refused);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(!out.status.success(), "`{refused}` ran: {said}");
        assert!(
            said.contains("a password is required"),
            "`{refused}`: {said}"
        );
    }
    // The helper itself refuses paths outside offgo's directories, before touching anything.
    let out = as_user(
        web,
        DEPLOY,
        "printf 'file=tarball\\nversion=go1.22.10\\ntarball_name=../../../etc/cron.d/x\\nappend=0\\n.\\nboom' \
         | sudo -n /usr/local/libexec/offgo-helper receive",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("refused=tarball_name is not a plain file name"),
        "{said}"
    );
    assert_eq!(sh(web, "ls /etc/cron.d/x 2>/dev/null; true"), "");
    let out = as_user(
        web,
        DEPLOY,
        "printf 'expected=go1.22.10\\ngo_env_sha256=\\nprofile_sha256=\\nproven_digests=\\n.\\n' \
         | sudo -n /usr/local/libexec/offgo-helper verify",
    );
    assert!(out.status.success(), "{out:?}");

    // The Go environment policy through the rule: the helper refuses a value a shell would read
    // as more than text; `go-env apply` as deploy writes [go_env] as root, audited on both ends.
    let out = as_user(
        web,
        DEPLOY,
        "printf 'shims=\\ngo_env=GOFLAGS=$(id)\\n.\\n' | sudo -n /usr/local/libexec/offgo-helper go-env",
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("refused=go_env: the value of GOFLAGS holds a quote"),
        "{said}"
    );
    fleet
        .write_inventory(
            &inv,
            &InventoryOptions::new()
                .login(DEPLOY)
                .default_line(format!("sudoers_file = \"{}\"", dropin.path().display()))
                .append("\n[go_env]\nGOTOOLCHAIN = \"local\"\n"),
        )
        .unwrap();
    let (hosts, code) = run_json(st, &inv, &["go-env", "apply", "--hosts", "web-01"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(owner(web, "/etc/profile.d/offgo-go-env.sh"), "root");
    assert_eq!(
        sh(web, "env -i /usr/local/go/bin/go env GOTOOLCHAIN"),
        "local",
        "a bare process reads the policy"
    );
    let last = sh(web, "tail -n 1 /var/log/offgo/audit.log");
    assert!(
        last.contains("\"action\":\"go-env\"")
            && last.contains("login deploy, become sudo to root"),
        "{last}"
    );

    // An edited helper no longer runs (the rule pins its digest); scan and verify say so.
    let web2 = host(&fleet, "web-02");
    sh(
        web2,
        "cp /usr/local/libexec/offgo-helper /tmp/h.$$ && echo 'id' >> /tmp/h.$$ && \
         mv /tmp/h.$$ /usr/local/libexec/offgo-helper",
    );
    let (hosts, code) = run_json(st, &inv, &["scan", "--hosts", "web-02"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(hosts[0]["privilege"]["helper"], "changed", "{:#}", hosts[0]);
    let (hosts, code) = run_json(st, &inv, &["verify", "--hosts", "web-02"]);
    assert_eq!(code, 1, "{hosts:#?}");
    assert_eq!(hosts[0]["step"], "preflight", "{:#}", hosts[0]);
    assert!(hosts[0]["error"]
        .as_str()
        .unwrap()
        .contains("a password is required"));
    let checks = hosts[0]["checks"].as_array().unwrap();
    let helper = checks.iter().find(|c| c["check"] == "helper").unwrap();
    assert_eq!(helper["ok"], false, "{helper:#}");
    assert!(helper["detail"]
        .as_str()
        .unwrap()
        .contains("not the one the rule pins"));
    let out = as_user(
        web2,
        DEPLOY,
        "sudo -n /usr/local/libexec/offgo-helper verify </dev/null",
    );
    assert!(!out.status.success(), "{out:?}");
}

#[test]
fn a_login_without_a_rule_fails_pre_flight_naming_the_rule() {
    let dropin = SudoersDropIn::unique();
    let (fleet, inv) = deploy_fleet(
        &FleetSpec::new().host(HostSpec::new("web-01").go_manual("1.21.13")),
        "offgo-norule",
        &dropin,
    );
    let state = tempfile::tempdir().unwrap();
    let (hosts, code) = run_json(
        state.path(),
        &inv,
        &[
            "push",
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--hosts",
            "all",
        ],
    );
    assert_eq!(code, 1, "{hosts:#?}");
    let h = &hosts[0];
    assert_eq!(h["step"], "preflight", "{h:#}");
    let error = h["error"].as_str().unwrap();
    assert!(
        error.starts_with(
            "offgo-norule may not run `sudo -n -u 'root' /usr/local/libexec/offgo-helper preflight` on web-01"
        ) && error.contains("a password is required"),
        "{error}"
    );
    // verify needs the helper too: the same pre-flight failure.
    let (hosts, code) = run_json(state.path(), &inv, &["verify", "--hosts", "all"]);
    assert_eq!(code, 1, "{hosts:#?}");
    assert_eq!(hosts[0]["step"], "preflight", "{:#}", hosts[0]);
    assert!(hosts[0]["error"]
        .as_str()
        .unwrap()
        .contains("may not run `sudo -n -u 'root' /usr/local/libexec/offgo-helper verify`"));
    // Nothing changed, nothing was written.
    let web = host(&fleet, "web-01");
    assert_eq!(
        sh(web, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    assert_eq!(sh(web, "ls -A /opt/offgo/releases 2>/dev/null; true"), "");
    // The probe needs no privilege: scan works as the same login.
    let (hosts, code) = run_json(state.path(), &inv, &["scan", "--hosts", "all"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(hosts[0]["go_version"], "go1.21.13");
    assert_eq!(hosts[0]["privilege"]["helper"], "missing", "{:#}", hosts[0]);
}

#[test]
fn the_printed_drop_in_passes_visudo_and_doas_and_names_exact_commands() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("offgo.toml");
    std::fs::write(
        &inv,
        "[defaults]\nuser = \"deploy\"\n\n[groups.alt]\ngo_root = \"/opt/go\"\n\n\
         [[hosts]]\nname = \"a\"\naddress = \"10.0.0.1\"\n\n\
         [[hosts]]\nname = \"b\"\naddress = \"10.0.0.2\"\ngroups = [\"alt\"]\n",
    )
    .unwrap();
    let state = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["privileges", "--inventory", inv.to_str().unwrap()],
    );
    assert!(out.status.success(), "{out:?}");
    let sudoers = String::from_utf8(out.stdout).unwrap();
    let file = dir.path().join("offgo");
    std::fs::write(&file, &sudoers).unwrap();
    let check = std::process::Command::new("visudo")
        .arg("-cf")
        .arg(&file)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}\n{sudoers}");
    // Two sets of paths, two helper digests; every command exact, none a shell or ALL.
    let commands: Vec<&str> = sudoers
        .lines()
        .filter(|l| l.trim_start().starts_with("sha256:"))
        .collect();
    // Each digest with every verb of the helper, no more.
    assert_eq!(
        commands.len(),
        2 * offgo::core::remote::call::Verb::ALL.len(),
        "{sudoers}"
    );
    for c in &commands {
        let words: Vec<&str> = c
            .trim()
            .trim_end_matches([',', ' ', '\\'])
            .split(' ')
            .collect();
        assert_eq!(words.len(), 3, "{c}");
        assert_eq!(words[1], "/usr/local/libexec/offgo-helper");
        assert!(!words[2].contains('*'));
    }
    assert!(
        sudoers.contains("\ndeploy ALL=(root) NOPASSWD: OFFGO_HELPER\n"),
        "{sudoers}"
    );
    assert!(!sudoers.contains("NOPASSWD: ALL") && !sudoers.contains("/bin/sh"));

    let out = offgo(
        state.path(),
        &[
            "privileges",
            "--inventory",
            inv.to_str().unwrap(),
            "--format",
            "doas",
            "--user",
            "ops",
        ],
    );
    assert!(out.status.success(), "{out:?}");
    let doas = String::from_utf8(out.stdout).unwrap();
    assert!(
        doas.contains(
            "permit nopass ops as root cmd /usr/local/libexec/offgo-helper args install\n"
        ),
        "{doas}"
    );
    let file = dir.path().join("doas.conf");
    std::fs::write(&file, &doas).unwrap();
    let check = std::process::Command::new("doas")
        .arg("-C")
        .arg(&file)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}\n{doas}");

    // Nobody to write a rule for: a usage error that says what to do.
    std::fs::write(
        &inv,
        "[[hosts]]\nname = \"a\"\naddress = \"x\"\nuser = \"root\"\n",
    )
    .unwrap();
    let out = offgo(
        state.path(),
        &["privileges", "--inventory", inv.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--user NAME"));
}
