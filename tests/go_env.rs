//! The Go environment policy (`[go_env]`) against real hosts with a real Go: `scan --json`
//! reports each host's effective Go environment (`go_env`, as a login shell sees it) and the
//! drift from the policy in both views — a login shell (its profiles) and a bare process started
//! without a login environment, as a service is (`$GOROOT/go.env` and Go's defaults only).

mod common;

use std::path::Path;

use common::*;
use serde_json::{json, Value};

const POLICY: &str = "\n[go_env]\nGOTOOLCHAIN = \"local\"\nGOPROXY = \"off\"\n";

fn scan(state: &Path, inventory: &Path) -> Vec<Value> {
    let out = offgo(
        state,
        &["scan", "--inventory", inventory.to_str().unwrap(), "--json"],
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn named<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts.iter().find(|h| h["name"] == name).unwrap()
}

fn drift_of(host: &Value) -> Vec<(String, String, String)> {
    host["go_env_drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["var"].as_str().unwrap().to_string(),
                d["got"].as_str().unwrap_or("(null)").to_string(),
                d["where"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn a_setting_only_the_login_profile_has_drifts_for_services_and_go_env_fixes_both() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("profile-only").go_manual("1.22.10"))
            .host(HostSpec::new("go-env").go_manual("1.22.10"))
            .host(HostSpec::new("nogo")),
    );
    // A login profile that sets the policy: what an operator sees in a shell is compliant.
    sh(
        host(&fleet, "profile-only"),
        "printf 'export GOTOOLCHAIN=local\\nexport GOPROXY=off\\n' > /etc/profile.d/zz-goenv.sh",
    );
    // The release's own go.env: what every process reads, services included.
    sh(
        host(&fleet, "go-env"),
        "sed -i 's/^GOTOOLCHAIN=.*/GOTOOLCHAIN=local/; s/^GOPROXY=.*/GOPROXY=off/' /usr/local/go/go.env",
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new().append(POLICY));
    let hosts = scan(state.path(), &inv);

    let profile_only = named(&hosts, "profile-only");
    assert_eq!(profile_only["go_env"]["GOPROXY"], "off", "{profile_only:#}");
    assert_eq!(profile_only["go_env"]["GOTOOLCHAIN"], "local");
    // The variables that decide whether go reaches for the internet are reported, policy or not.
    assert_eq!(profile_only["go_env"]["GOSUMDB"], "sum.golang.org");
    assert_eq!(
        drift_of(profile_only),
        [
            (
                "GOPROXY".to_string(),
                "https://proxy.golang.org,direct".to_string(),
                "service".to_string()
            ),
            ("GOTOOLCHAIN".into(), "auto".into(), "service".into()),
        ],
        "{profile_only:#}"
    );
    assert_eq!(
        profile_only["go_env_drift"][1],
        json!({"var": "GOTOOLCHAIN", "want": "local", "got": "auto", "where": "service"})
    );

    let go_env = named(&hosts, "go-env");
    assert_eq!(go_env["go_env_drift"], json!([]), "{go_env:#}");
    assert_eq!(go_env["go_env"]["GOPROXY"], "off");

    let nogo = named(&hosts, "nogo");
    assert_eq!(nogo["go_env"], Value::Null, "{nogo:#}");
    assert_eq!(nogo["go_env_drift"], json!([]));

    // Drift that appears later is seen by the next probe (the profile is in the fingerprint).
    sh(
        host(&fleet, "go-env"),
        "printf 'export GOPROXY=https://proxy.example\\n' > /etc/profile.d/zz-late.sh",
    );
    let hosts = scan(state.path(), &inv);
    assert_eq!(
        drift_of(named(&hosts, "go-env")),
        [(
            "GOPROXY".to_string(),
            "https://proxy.example".to_string(),
            "login".to_string()
        )]
    );
}

#[test]
fn a_policy_that_is_not_go_s_is_refused_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.toml");
    std::fs::write(
        &inv,
        "[go_env]\nGOPROXY = \"off\"\ngoproxy = \"off\"\n\n[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n",
    )
    .unwrap();
    let out = offgo(dir.path(), &["scan", "--inventory", inv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("inv.toml:3:1: go_env.goproxy"), "{stderr}");
    assert!(
        stderr.contains("not a Go environment variable name"),
        "{stderr}"
    );

    std::fs::write(
        &inv,
        "[go_env]\nGOFLAGS = 1\n\n[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n",
    )
    .unwrap();
    let out = offgo(dir.path(), &["scan", "--inventory", inv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("go_env.GOFLAGS"), "{stderr}");
}

fn run_json(state: &Path, inventory: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--inventory", inventory.to_str().unwrap(), "--json"]);
    let out = offgo(state, &all);
    let value: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        value.as_array().unwrap().clone(),
        out.status.code().unwrap_or(-1),
    )
}

fn check<'a>(host: &'a Value, name: &str) -> &'a Value {
    host["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no checks: {host:#}"))
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} check: {host:#}"))
}

/// Enforcement, one fleet in phases: a push writes [go_env] so a login shell and a bare process
/// both see it, and verify's go_env check passes; a hand edit of go.env is "tampered"; a policy
/// change alone is applied by `go-env apply` (no new release), which fails naming the variable
/// while something else overrides it; a rollback takes the policy along; go_shims make
/// `GOTOOLCHAIN=go1.21.13+path` work with the host's network cut.
#[test]
fn a_push_enforces_go_env_in_both_views_verify_tells_tampering_and_go_env_apply_follows_the_policy()
{
    let fleet = start(&FleetSpec::new().host(HostSpec::new("enf").go_managed("1.21.13")));
    let enf = host(&fleet, "enf");
    let state = tempfile::tempdir().unwrap();
    let st = state.path();
    let opts = InventoryOptions::new().default_line("go_shims = true");
    let inv = inventory(&fleet, &opts.clone().append(POLICY));

    // Push: the policy is in the new release's go.env (official lines kept, offgo's block after)
    // and in the login profile; both views are compliant, verify passes with its go_env check.
    let bundle = bundle_1_22().to_str().unwrap();
    let (hosts, code) = run_json(st, &inv, &["push", "--bundle", bundle]);
    assert_eq!(code, 0, "{hosts:#?}");
    // offgo's block first (go reads go.env first-wins), then the official lines unchanged.
    let go_env = sh(enf, "cat /usr/local/go/go.env");
    assert!(
        go_env.starts_with(
            "# offgo go_env policy: written by offgo-tui from [go_env]; verify reports an edit as tampered\n\
             GOPROXY=off\nGOTOOLCHAIN=local\n# end of offgo go_env policy\n# This file contains"
        ),
        "{go_env}"
    );
    assert!(go_env.ends_with("\nGOPROXY=https://proxy.golang.org,direct\nGOSUMDB=sum.golang.org\n\n# Automatically download newer toolchains as directed by go.mod files.\n# See https://go.dev/doc/toolchain for details.\nGOTOOLCHAIN=auto"), "{go_env}");
    assert_eq!(
        sh(enf, "cd / && env -i /usr/local/go/bin/go env GOPROXY"),
        "off"
    );
    let scanned = scan(st, &inv);
    assert_eq!(scanned[0]["go_env_drift"], json!([]), "{:#}", scanned[0]);
    assert_eq!(scanned[0]["go_shims"], json!(["go1.21.13", "go1.22.10"]));
    let (hosts, code) = run_json(st, &inv, &["verify"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(check(&hosts[0], "go_env")["ok"], true, "{:#}", hosts[0]);
    let tree = check(&hosts[0], "tree")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(tree.contains("go/go.env by its official lines"), "{tree}");

    // go_shims: GOTOOLCHAIN=go1.21.13+path finds go1.21.13 on PATH with no network at all; a
    // release with no shim is not found (and nothing is downloaded).
    let offline = |toolchain: &str| {
        exec(
            enf,
            &format!("cd / && unshare --net sh -lc 'GOTOOLCHAIN={toolchain}+path go version' 2>&1"),
        )
    };
    let out = offline("go1.21.13");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "go version go1.21.13 linux/amd64",
        "{out:?}"
    );
    assert_eq!(
        sh(
            enf,
            "unshare --net sh -c 'ip -o link | grep -vc LOOPBACK'; true"
        ),
        "0"
    );
    let out = offline("go1.20.14");
    assert!(!out.status.success(), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("cannot find \"go1.20.14\" in PATH"),
        "{out:?}"
    );

    // A hand edit of offgo's block in go.env: verify fails on go_env, "tampered"; the release's
    // own lines are untouched, so the tree is still the bundle's.
    sh(
        enf,
        "sed -i 's|^GOPROXY=off$|GOPROXY=https://proxy.example|' /usr/local/go/go.env",
    );
    let (hosts, code) = run_json(st, &inv, &["verify"]);
    assert_eq!(code, 1, "{hosts:#?}");
    assert_eq!(hosts[0]["step"], "go_env", "{:#}", hosts[0]);
    let detail = check(&hosts[0], "go_env")["detail"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        detail.starts_with("tampered: /usr/local/go/go.env has sha256"),
        "{detail}"
    );
    assert_eq!(check(&hosts[0], "tree")["ok"], true, "{:#}", hosts[0]);

    // A policy change alone: verify says the host has an earlier policy; while another profile
    // script overrides a variable, `go-env apply` fails at go_env naming it; then it fixes both
    // views, with no new release, audited as go-env on both ends.
    let changed = "\n[go_env]\nGOTOOLCHAIN = \"local\"\nGOPROXY = \"file:///opt/offgo/modcache/current\"\nGOFLAGS = \"-mod=mod\"\n";
    let inv = inventory(&fleet, &opts.clone().append(changed));
    sh(
        enf,
        "printf 'export GOFLAGS=-mod=vendor\\n' > /etc/profile.d/zz-late.sh",
    );
    let (hosts, code) = run_json(st, &inv, &["go-env", "apply"]);
    assert_eq!(code, 1, "{hosts:#?}");
    assert_eq!(hosts[0]["step"], "go_env", "{:#}", hosts[0]);
    let error = hosts[0]["error"].as_str().unwrap();
    assert!(
        error.contains("GOFLAGS in a login shell is \"-mod=vendor\", [go_env] wants \"-mod=mod\""),
        "{error}"
    );
    sh(enf, "rm /etc/profile.d/zz-late.sh");
    let (hosts, code) = run_json(st, &inv, &["go-env", "apply"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(hosts[0]["to"], "go1.22.10");
    let scanned = scan(st, &inv);
    assert_eq!(scanned[0]["go_env_drift"], json!([]), "{:#}", scanned[0]);
    assert_eq!(
        scanned[0]["go_env"]["GOPROXY"],
        "file:///opt/offgo/modcache/current"
    );
    assert_eq!(sh(enf, "ls /opt/offgo/releases"), "go1.21.13\ngo1.22.10");
    let (hosts, code) = run_json(st, &inv, &["verify"]);
    assert_eq!(code, 0, "{hosts:#?}");
    let last = sh(enf, "tail -n 1 /var/log/offgo/audit.log");
    assert!(last.contains("\"action\":\"verify\""), "{last}");
    let applied = sh(
        enf,
        "grep '\"action\":\"go-env\"' /var/log/offgo/audit.log | tail -n 1",
    );
    assert!(
        applied.contains("\"result\":\"ok\"") && applied.contains("[go_env] GOFLAGS=-mod=mod"),
        "{applied}"
    );
    let local = std::fs::read_to_string(st.join("offgo/audit.log")).unwrap();
    assert_eq!(local.matches("\"action\":\"go-env\"").count(), 2, "{local}");

    // A push of the release already active still applies a changed policy (as go-env).
    let inv = inventory(
        &fleet,
        &opts.clone().append(format!("{changed}GOSUMDB = \"off\"\n")),
    );
    let (hosts, code) = run_json(st, &inv, &["push", "--bundle", bundle]);
    assert_eq!(code, 0, "{hosts:#?}");
    let notes = hosts[0]["notes"].to_string();
    assert!(
        notes.contains("already on go1.22.10") && notes.contains("applied [go_env]"),
        "{notes}"
    );
    assert_eq!(
        sh(enf, "cd / && env -i /usr/local/go/bin/go env GOSUMDB"),
        "off"
    );

    // A rollback takes the policy into the release it switches to.
    let (hosts, code) = run_json(st, &inv, &["rollback"]);
    assert_eq!(code, 0, "{hosts:#?}");
    assert_eq!(
        sh(enf, "cd / && env -i /usr/local/go/bin/go env GOFLAGS"),
        "-mod=mod"
    );
    // (The fixture's go1.21.13 has no sha256sums, so only the go_env check is judged here.)
    let (hosts, _) = run_json(st, &inv, &["verify"]);
    assert_eq!(check(&hosts[0], "go_env")["ok"], true, "{:#}", hosts[0]);
}

#[test]
fn a_value_a_shell_would_read_as_more_than_text_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let inv = dir.path().join("inv.toml");
    std::fs::write(
        &inv,
        "[go_env]\nGOFLAGS = \"-ldflags=$(id)\"\n\n[[hosts]]\nname = \"a\"\naddress = \"127.0.0.1\"\n",
    )
    .unwrap();
    let out = offgo(
        dir.path(),
        &["go-env", "apply", "--inventory", inv.to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("inv.toml:2:11: go_env.GOFLAGS: the value holds a quote, a backslash, a backquote or a dollar sign"),
        "{stderr}"
    );
}
