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
