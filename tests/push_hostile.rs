//! Push and rollback against hosts in states nobody planned for (issue 9): bundles whose file
//! list was edited after signing, leftovers of crashed pushes, go_root as a file, a dangling
//! link or a link anywhere, a release whose go fails after the switch, and a host already on
//! the bundle's version. Real sshd hosts, real Go releases; every result checked on the host.

mod common;

use std::path::{Path, PathBuf};
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

fn run_json(state: &Path, inventory: &Path, args: &[&str]) -> (Vec<Value>, i32) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--inventory", inventory.to_str().unwrap(), "--json"]);
    let out = offgo(state, &all);
    (json(&out), out.status.code().unwrap_or(-1))
}

fn push(state: &Path, inventory: &Path, bundle: &Path, hosts: &str) -> (Vec<Value>, i32) {
    run_json(
        state,
        inventory,
        &[
            "push",
            "--bundle",
            bundle.to_str().unwrap(),
            "--hosts",
            hosts,
        ],
    )
}

fn by_name<'a>(hosts: &'a [Value], name: &str) -> &'a Value {
    hosts
        .iter()
        .find(|h| h["name"] == name)
        .unwrap_or_else(|| panic!("{name} missing from {hosts:#?}"))
}

fn state_json(h: &HostHandle) -> Value {
    serde_json::from_str(&sh(h, "cat /var/lib/offgo/state.json")).unwrap()
}

/// Everything an earlier run may leave behind, as a list (empty when clean).
fn leftovers(h: &HostHandle) -> String {
    sh(
        h,
        "cd / && ls -d /usr/local/go.* /opt/offgo/releases/.offgo-* /opt/offgo/releases/*.offgo-* \
         /opt/offgo/releases/*/*.offgo-* /var/lib/offgo/*.offgo-new /etc/profile.d/*.offgo-new \
         /var/lib/offgo/incoming/* /var/lib/offgo/incoming/.[!.]* 2>/dev/null; true",
    )
}

/// A tiny release tarball named like Go `version`'s, whose `go/bin/go` is `go_script`.
fn fake_release(dir: &Path, version: &str, go_script: &str) -> PathBuf {
    let tree = dir.join("tree");
    std::fs::create_dir_all(tree.join("go/bin")).unwrap();
    std::fs::write(tree.join("go/VERSION"), format!("{version}\ntime x\n")).unwrap();
    let go = tree.join("go/bin/go");
    std::fs::write(&go, go_script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    let tarball = dir.join(format!("{version}.linux-amd64.tar.gz"));
    let out = std::process::Command::new("tar")
        .arg("-czf")
        .arg(&tarball)
        .arg("-C")
        .arg(&tree)
        .arg("go")
        .output()
        .unwrap();
    assert!(out.status.success());
    tarball
}

fn working_go(version: &str) -> String {
    format!("#!/bin/sh\necho 'go version {version} linux/amd64'\n")
}

/// Drops the `go/bin/gofmt` line from a sha256sums file (as someone hiding a change would).
fn drop_gofmt_line(text: &str) -> String {
    text.lines()
        .filter(|l| !l.ends_with("  go/bin/gofmt") && !l.ends_with("  go/bin/go"))
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_file_list_edited_after_signing_is_refused_signed_or_not() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("h").go_manual("1.21.13")));
    let h = host(&fleet, "h");
    let state = tempfile::tempdir().unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let out = offgo(
        state.path(),
        &[
            "bundle",
            "keygen",
            scratch.path().join("keys").to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    let key = scratch
        .path()
        .join("keys")
        .join(offgo::core::bundle::PRIVATE_KEY_FILE);
    let public = scratch.path().join("keys/offgo-bundle.pub");
    let tarball = fake_release(scratch.path(), "go1.22.10", &working_go("go1.22.10"));
    let out = offgo(
        state.path(),
        &[
            "bundle",
            "build",
            tarball.to_str().unwrap(),
            "--sign",
            key.to_str().unwrap(),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = scratch.path().join("go1.22.10.linux-amd64.offgo.toml");
    let sums = scratch.path().join("go1.22.10.linux-amd64.sha256sums");
    let edited = drop_gofmt_line(&std::fs::read_to_string(&sums).unwrap());
    std::fs::write(&sums, edited).unwrap();

    for policy in [
        format!(
            "\n[bundles]\nrequire_signed = true\ntrusted_keys = [\"{}\"]\n",
            public.display()
        ),
        String::new(),
    ] {
        let inv = inventory(&fleet, &InventoryOptions::new().append(policy.clone()));
        let out = offgo(
            state.path(),
            &[
                "push",
                "--inventory",
                inv.to_str().unwrap(),
                "--bundle",
                manifest.to_str().unwrap(),
                "--json",
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{policy}: {stderr}");
        assert!(
            stderr.contains("sha256sums") && stderr.contains("tree_digest"),
            "{stderr}"
        );
        assert_eq!(leftovers(h), "", "nothing reached the host");
        assert_eq!(
            sh(h, "/usr/local/go/bin/go version"),
            "go version go1.21.13 linux/amd64"
        );
    }
}

#[test]
fn the_host_checks_the_uploaded_list_and_verify_checks_the_recorded_one() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("upload").go_manual("1.21.13"))
            .host(HostSpec::new("later").go_manual("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());

    // The list is swapped on its way (between the jump host's check and the host's use): the
    // host refuses it before extracting anything.
    let upload = host(&fleet, "upload");
    let paths = upload.paths();
    let bundle_dir = bundle_1_22().parent().unwrap();
    let manifest: toml::Value =
        toml::from_str(&std::fs::read_to_string(bundle_1_22()).unwrap()).unwrap();
    let sums =
        std::fs::read_to_string(bundle_dir.join("go1.22.10.linux-amd64.sha256sums")).unwrap();
    use offgo::core::remote::ops;
    upload
        .write_file(
            &ops::incoming_sums(&paths, "go1.22.10"),
            drop_gofmt_line(&sums).as_bytes(),
        )
        .unwrap();
    let tarball = std::fs::read(bundle_dir.join("go1.22.10.linux-amd64.tar.gz")).unwrap();
    upload
        .write_file(
            &ops::incoming_tarball(&paths, "go1.22.10.linux-amd64.tar.gz"),
            &tarball,
        )
        .unwrap();
    let inputs = ops::InstallInputs {
        version: "go1.22.10",
        tarball_name: "go1.22.10.linux-amd64.tar.gz",
        sha256: manifest["sha256"].as_str().unwrap(),
        tree_digest: manifest["tree_digest"].as_str().unwrap(),
        adopt_version: "go1.21.13",
        previous_target: "",
        state_json: "{}",
        prune: &[],
        go_env: &[],
        shims: "",
        streamed: false,
    };
    let script = ops::install_script(&paths, &inputs).script();
    upload
        .write_file("/tmp/install.sh", script.as_bytes())
        .unwrap();
    let out = exec(upload, "sh /tmp/install.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{stdout}");
    assert!(stdout.contains("fail=check_sums"), "{stdout}");
    assert!(stdout.contains("tree_digest"), "{stdout}");
    assert_eq!(
        sh(upload, "ls -A /opt/offgo/releases 2>/dev/null; true"),
        ""
    );
    assert_eq!(
        sh(upload, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );

    // Installed, then the host's own list is edited to hide an edited file: verify says so.
    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "later");
    assert_eq!(code, 0, "{hosts:#?}");
    let later = host(&fleet, "later");
    let release = "/opt/offgo/releases/go1.22.10";
    assert_eq!(
        sh(later, &format!("cat {release}/tree_digest")),
        manifest["tree_digest"].as_str().unwrap()
    );
    later.flip_byte(&format!("{release}/go/bin/gofmt")).unwrap();
    let listed =
        String::from_utf8(later.read_file(&format!("{release}/sha256sums")).unwrap()).unwrap();
    later
        .write_file(
            &format!("{release}/sha256sums"),
            drop_gofmt_line(&listed).as_bytes(),
        )
        .unwrap();
    let (verified, code) = run_json(state.path(), &inv, &["verify", "--hosts", "later"]);
    assert_eq!(code, 1, "{verified:#?}");
    let tree = verified[0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == "tree")
        .unwrap()
        .clone();
    assert_eq!(tree["ok"], false, "{tree:#}");
    assert!(
        tree["detail"]
            .as_str()
            .unwrap()
            .contains("edited after install"),
        "{tree:#}"
    );
}

#[test]
fn leftovers_of_crashed_pushes_are_cleared_and_the_push_goes_through() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("dir").go_managed("1.21.13"))
            .host(HostSpec::new("file").go_managed("1.21.13"))
            .host(HostSpec::new("link").go_manual("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let common = "mkdir -p /opt/offgo/releases/.offgo-new-go1.22.10-999/go/bin \
        /opt/offgo/releases/go1.20.1.offgo-old/go /opt/offgo/releases/.offgo-hop-go1.22.10-7/go \
        /var/lib/offgo/incoming && \
        echo partial > /var/lib/offgo/incoming/go1.20.1.linux-amd64.tar.gz.part && \
        echo stale > /var/lib/offgo/incoming/go1.20.1.sha256sums && \
        echo '{' > /var/lib/offgo/state.json.offgo-new && \
        mkdir -p /opt/offgo/releases/.offgo-stream-go1.20.1/tree/go";
    sh(
        host(&fleet, "dir"),
        &format!(
            "{common} && mkdir -p /usr/local/go.offgo-new/inside /usr/local/go.offgo-adopted-77/bin \
             /opt/offgo/releases/go1.21.13/go.offgo-copy/bin && \
             echo x > /opt/offgo/releases/go1.21.13/sha256sums.offgo-new"
        ),
    );
    sh(
        host(&fleet, "file"),
        &format!(
            "{common} && echo junk > /usr/local/go.offgo-new && \
             echo junk > /opt/offgo/releases/.offgo-stream-go1.22.10"
        ),
    );
    // A hand-installed go_root, the temp link name a link to a directory.
    sh(
        host(&fleet, "link"),
        &format!(
            "{common} && ln -s /opt /usr/local/go.offgo-new && \
             ln -s /opt /opt/offgo/releases/.offgo-stream-go1.22.10"
        ),
    );

    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "all");
    assert_eq!(code, 0, "{hosts:#?}");
    for h in fleet.hosts() {
        assert_eq!(
            sh(h, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64",
            "{}",
            h.name()
        );
        assert_eq!(leftovers(h), "", "{}", h.name());
        // A link in place of the tree unpacked as the upload arrives was not followed.
        assert_eq!(
            sh(
                h,
                "test ! -e /opt/tree && test ! -e /opt/sha256 && echo untouched"
            ),
            "untouched",
            "{}",
            h.name()
        );
        assert_eq!(
            sh(h, "ls -A /opt/offgo/releases"),
            "go1.21.13\ngo1.22.10",
            "{}",
            h.name()
        );
        assert_eq!(state_json(h)["previous"], "go1.21.13");
    }
    // The one that was hand-installed rolls back to its adopted copy.
    let (rolled, code) = run_json(state.path(), &inv, &["rollback", "--hosts", "link"]);
    assert_eq!(code, 0, "{rolled:#?}");
    assert_eq!(
        sh(host(&fleet, "link"), "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
}

#[test]
fn go_root_as_a_file_a_dangling_link_or_a_link_anywhere() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("file"))
            .host(HostSpec::new("dangling").go_managed("1.21.13"))
            .host(HostSpec::new("elsewhere").go_manual("1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    sh(
        host(&fleet, "file"),
        "mkdir -p /usr/local && echo 'not go' > /usr/local/go",
    );
    // The release the link points at is gone (state.json still names it).
    sh(
        host(&fleet, "dangling"),
        "rm -rf /opt/offgo/releases/go1.21.13",
    );
    let elsewhere = host(&fleet, "elsewhere");
    sh(
        elsewhere,
        "mkdir -p /opt/custom && mv /usr/local/go /opt/custom/go-1.21 && \
         ln -s /opt/custom/go-1.21 /usr/local/go",
    );

    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "all");
    assert_eq!(code, 0, "{hosts:#?}");
    for h in fleet.hosts() {
        assert_eq!(
            sh(h, "/usr/local/go/bin/go version"),
            "go version go1.22.10 linux/amd64",
            "{}",
            h.name()
        );
        assert_eq!(leftovers(h), "", "{}", h.name());
        let st = state_json(h);
        assert_eq!(st["current"], "go1.22.10");
        assert_ne!(st["previous"], "go1.22.10");
    }
    // Nothing runnable was there: no previous to roll back to.
    assert_eq!(state_json(host(&fleet, "file"))["previous"], Value::Null);
    assert_eq!(
        state_json(host(&fleet, "dangling"))["previous"],
        Value::Null
    );

    // The link's target was adopted: rollback returns to it and it verifies.
    assert_eq!(state_json(elsewhere)["previous"], "go1.21.13");
    assert_eq!(
        sh(elsewhere, "/opt/custom/go-1.21/bin/go version"),
        "go version go1.21.13 linux/amd64",
        "the original tree is left alone"
    );
    let (rolled, code) = run_json(state.path(), &inv, &["rollback", "--hosts", "elsewhere"]);
    assert_eq!(code, 0, "{rolled:#?}");
    assert_eq!(
        sh(elsewhere, "readlink /usr/local/go"),
        "/opt/offgo/releases/go1.21.13/go"
    );
    assert_eq!(
        sh(elsewhere, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    let (verified, code) = run_json(state.path(), &inv, &["verify", "--hosts", "elsewhere"]);
    assert_eq!(code, 0, "{verified:#?}");
}

#[test]
fn a_failed_check_after_the_switch_is_reported_as_it_happened() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("managed").go_managed("1.21.13"))
            .host(HostSpec::new("bare")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let scratch = tempfile::tempdir().unwrap();
    // Runs from the new tree (the check before the switch passes), fails from go_root, and
    // leaves a directory where the switch back puts its temp link.
    let go = "#!/bin/sh\ncase $0 in\n  */.offgo-new-*) echo 'go version go1.22.10 linux/amd64' ;;\n  \
              *) mkdir -p \"${0%/bin/go}.offgo-new/blocker\"; echo 'broken toolchain'; exit 1 ;;\nesac\n";
    let tarball = fake_release(scratch.path(), "go1.22.10", go);
    let bundle = build_bundle(&tarball, scratch.path());

    let (hosts, code) = push(state.path(), &inv, &bundle, "all");
    assert_eq!(code, 1, "{hosts:#?}");
    let managed = by_name(&hosts, "managed");
    assert_eq!(managed["step"], "post_verify", "{managed:#}");
    assert!(
        managed["notes"]
            .to_string()
            .contains("switched back to /opt/offgo/releases/go1.21.13/go"),
        "{managed:#}"
    );
    let h = host(&fleet, "managed");
    assert_eq!(
        sh(h, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    assert_eq!(state_json(h)["current"], "go1.21.13");

    // Nothing ran before on `bare`: no switch back, and the outcome does not pretend one.
    let bare = by_name(&hosts, "bare");
    assert_eq!(bare["step"], "post_verify", "{bare:#}");
    let notes = bare["notes"].to_string();
    assert!(
        notes.contains("could not switch back") && !notes.contains("switched back to"),
        "{bare:#}"
    );
    // The next push of a good release clears the blocker and goes through.
    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "all");
    assert_eq!(code, 0, "{hosts:#?}");
    for h in fleet.hosts() {
        assert_eq!(leftovers(h), "", "{}", h.name());
    }
}

#[test]
fn a_host_already_on_the_version_by_its_files_is_a_no_op_without_upload() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("hand").go_manual("1.22.10"))
            .host(HostSpec::new("managed").go_managed_after("1.22.10", "1.21.13"))
            .host(HostSpec::new("tampered").go_managed_after("1.22.10", "1.21.13")),
    );
    let state = tempfile::tempdir().unwrap();
    let inv = inventory(&fleet, &InventoryOptions::new());
    let tampered = host(&fleet, "tampered");
    tampered
        .flip_byte("/opt/offgo/releases/go1.22.10/go/bin/gofmt")
        .unwrap();

    let (hosts, code) = push(state.path(), &inv, bundle_1_22(), "all");
    assert_eq!(code, 0, "{hosts:#?}");
    for name in ["hand", "managed"] {
        let h = by_name(&hosts, name);
        assert_eq!(h["changed"], false, "{h:#}");
        assert!(
            h["notes"]
                .to_string()
                .contains("already on go1.22.10: nothing to do"),
            "{h:#}"
        );
        let handle = host(&fleet, name);
        assert_eq!(
            sh(handle, "ls -A /var/lib/offgo/incoming 2>/dev/null; true"),
            "",
            "no upload to {name}"
        );
    }
    let hand = host(&fleet, "hand");
    assert_eq!(
        sh(
            hand,
            "test -d /usr/local/go && ! test -L /usr/local/go && echo dir"
        ),
        "dir"
    );
    assert_eq!(
        sh(
            hand,
            "ls /var/lib/offgo/state.json 2>/dev/null; ls -A /opt/offgo/releases 2>/dev/null; true"
        ),
        "",
        "nothing recorded: previous == current never"
    );
    assert_eq!(state_json(host(&fleet, "managed"))["previous"], "go1.21.13");

    // Same version, files changed: the tree is replaced, Go never missing, previous kept.
    let t = by_name(&hosts, "tampered");
    assert_eq!(t["changed"], true, "{t:#}");
    let st = state_json(tampered);
    assert_eq!(
        (st["current"].as_str(), st["previous"].as_str()),
        (Some("go1.22.10"), Some("go1.21.13"))
    );
    assert_eq!(leftovers(tampered), "");
    let (verified, code) = run_json(state.path(), &inv, &["verify", "--hosts", "tampered"]);
    assert_eq!(code, 0, "{verified:#?}");
}
