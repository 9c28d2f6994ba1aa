//! The fleet fixture itself, checked from outside with the real OpenSSH client: per-host
//! filesystems, Go installs, ldd gaps, and each fault the engine tests rely on.

mod common;

use std::io::{ErrorKind, Read};
use std::net::TcpStream;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn each_host_sees_its_own_production_paths() {
    let fleet = start(
        &FleetSpec::new()
            .isolation(Isolation::Namespaces)
            .host(
                HostSpec::new("hand")
                    .go_manual("1.21.13")
                    .ldd_gap()
                    .audit_log(b"not json\n".to_vec()),
            )
            .host(HostSpec::new("managed").go_managed("go1.22.10"))
            .host(HostSpec::new("bare").no_app_binaries()),
    );
    let (hand, managed, bare) = (
        host(&fleet, "hand"),
        host(&fleet, "managed"),
        host(&fleet, "bare"),
    );

    assert_eq!(
        sh(hand, "/usr/local/go/bin/go version"),
        "go version go1.21.13 linux/amd64"
    );
    assert_eq!(
        sh(
            hand,
            "test -d /usr/local/go && test ! -L /usr/local/go && echo dir"
        ),
        "dir"
    );
    assert_eq!(
        sh(managed, "/usr/local/go/bin/go version"),
        "go version go1.22.10 linux/amd64"
    );
    assert_eq!(
        sh(managed, "readlink /usr/local/go"),
        "/opt/offgo/releases/go1.22.10/go"
    );
    assert_eq!(
        sh(managed, "cat /var/lib/offgo/state.json"),
        r#"{"current":"go1.22.10","history":[],"previous":null}"#
    );
    assert_eq!(
        sh(
            managed,
            ". /etc/profile.d/offgo-go.sh && go version && echo $GOROOT"
        ),
        "go version go1.22.10 linux/amd64\n/usr/local/go"
    );
    let missing = exec(bare, "ls /usr/local/go");
    assert!(
        !missing.status.success(),
        "bare host has a Go: {:?}",
        missing
    );

    let gap = sh(hand, "ldd /opt/app/bin/invoicer");
    assert!(gap.contains("libledger.so.1 => not found"), "{gap}");
    assert!(!sh(hand, "ldd /opt/app/bin/webd").contains("not found"));
    let script = exec(hand, "ldd /opt/app/bin/rotate-logs.sh");
    assert!(
        String::from_utf8_lossy(&script.stdout).contains("not a dynamic executable")
            || stderr(&script).contains("not a dynamic executable")
    );
    assert_eq!(sh(managed, "ls /opt/app/bin"), "rotate-logs.sh\nwebd");
    assert_eq!(sh(bare, "ls -A /opt/app/bin"), "");

    assert_eq!(sh(hand, "cat /var/log/offgo/audit.log"), "not json");
    assert_eq!(
        sh(managed, "test -e /var/log/offgo/audit.log || echo missing"),
        "missing"
    );
    assert_eq!(
        sh(bare, "ls -A /root; echo $HOME"),
        "/root",
        "the private home is empty"
    );
    // What a host sees is what local_path points at on this machine.
    assert_eq!(
        hand.read_file("/usr/local/go/VERSION").unwrap()[..9],
        *b"go1.21.13"
    );
    assert_eq!(managed.paths().go_root, "/usr/local/go");

    // Each host has its own process table, as a real host has: its sshd is its init, and a
    // walk over /proc sees a handful of processes, not the whole fleet (or this machine).
    let processes: usize = sh(hand, "ls -d /proc/[0-9]* | wc -l").parse().unwrap();
    assert!(processes < 10, "{processes} processes in the host's /proc");
    assert_eq!(sh(hand, "cat /proc/1/comm"), "sshd");
}

#[test]
fn stopped_hosts_refuse_and_come_back_on_the_same_port() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("up"))
            .host(HostSpec::new("down").stopped()),
    );
    let (up, down) = (host(&fleet, "up"), host(&fleet, "down"));
    assert!(down.pid().is_none());
    assert_refused(down);

    let port = up.port();
    up.stop();
    assert!(up.pid().is_none());
    assert_refused(up);
    up.start().unwrap();
    down.start().unwrap();
    assert_eq!(up.port(), port);
    assert_eq!(sh(up, "echo back"), "back");
    assert_eq!(sh(down, "echo up"), "up");
}

fn assert_refused(host: &HostHandle) {
    let err = TcpStream::connect(("127.0.0.1", host.port()))
        .map(|_| ())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    let out = exec(host, "true");
    assert!(
        stderr(&out).contains("Connection refused"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn blackhole_accepts_but_never_sends_a_banner() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("a").no_app_binaries()));
    let (port, guard) = fleet.blackhole().unwrap();
    assert_eq!(guard.port(), port);
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 16];
    let err = stream.read(&mut buf).unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err:?}"
    );
    drop(guard);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "closed once the guard is dropped"
    );
}

#[test]
fn host_key_faults_and_a_foreign_key_fail_strict_ssh() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").no_app_binaries())
            .host(HostSpec::new("b").no_app_binaries()),
    );
    let (a, b) = (host(&fleet, "a"), host(&fleet, "b"));

    let old_pid = a.pid();
    a.rotate_host_key().unwrap();
    assert_ne!(a.pid(), old_pid, "restarted");
    let out = exec(a, "true");
    assert!(
        stderr(&out).contains("REMOTE HOST IDENTIFICATION HAS CHANGED"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("Host key verification failed"),
        "{}",
        stderr(&out)
    );

    fleet.write_known_hosts(&["b"]).unwrap();
    assert_eq!(sh(a, "echo relearnt"), "relearnt");
    let out = exec(b, "true");
    assert!(
        stderr(&out).contains("Host key verification failed"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("CHANGED"),
        "unknown, not changed: {}",
        stderr(&out)
    );
    assert!(fleet.write_known_hosts(&["nope"]).is_err());

    fleet.write_known_hosts(&[]).unwrap();
    let out = b
        .ssh_command(fleet.other_client_key())
        .arg("true")
        .output()
        .unwrap();
    assert!(
        stderr(&out).contains("Permission denied"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sh(b, "echo ok"), "ok");
}

#[test]
fn dropping_the_fleet_stops_every_sshd_and_removes_its_dir() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").no_app_binaries())
            .host(HostSpec::new("b").no_app_binaries()),
    );
    let pids: Vec<u32> = fleet.hosts().iter().filter_map(HostHandle::pid).collect();
    let ports: Vec<u16> = fleet.hosts().iter().map(HostHandle::port).collect();
    let dir = fleet.dir().to_path_buf();
    assert_eq!(pids.len(), 2);
    for pid in &pids {
        assert!(is_our_sshd(*pid, &dir), "pid {pid} is not the fleet's sshd");
    }
    drop(fleet);
    for pid in pids {
        assert!(!is_our_sshd(pid, &dir), "sshd {pid} survived the drop");
    }
    for port in ports {
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }
    assert!(!dir.exists());
}

/// The pid is alive and is an sshd using this fleet's config (a reused pid would not be).
fn is_our_sshd(pid: u32, dir: &Path) -> bool {
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    let cmdline = String::from_utf8_lossy(&cmdline);
    cmdline.contains("sshd") && cmdline.contains(&*dir.to_string_lossy())
}

#[test]
fn without_namespaces_hosts_use_per_host_directories_named_in_the_inventory() {
    let fleet = start(
        &FleetSpec::new()
            .isolation(Isolation::Directories)
            .host(HostSpec::new("old").go_manual("1.21.13").ldd_gap())
            .host(HostSpec::new("new").go_managed_after("1.22.10", "1.21.13")),
    );
    let (old, new) = (host(&fleet, "old"), host(&fleet, "new"));
    let go = |h: &HostHandle| sh(h, &format!("{}/bin/go version", h.paths().go_root));
    assert_eq!(go(old), "go version go1.21.13 linux/amd64");
    assert_eq!(go(new), "go version go1.22.10 linux/amd64");
    assert_ne!(old.paths().go_root, new.paths().go_root);
    assert!(new
        .paths()
        .go_root
        .starts_with(&*fleet.dir().to_string_lossy()));
    assert_eq!(
        sh(new, &format!("readlink {}", new.paths().go_root)),
        new.paths().release_go_dir("go1.22.10")
    );
    assert_eq!(
        sh(new, &format!("ls {}", new.paths().releases_dir)),
        "go1.21.13\ngo1.22.10"
    );
    let bin = old.remote_path("/opt/app/bin/invoicer");
    assert!(sh(old, &format!("ldd {bin}")).contains("libledger.so.1 => not found"));

    let inv: toml::Table = fleet
        .inventory_toml(&InventoryOptions::new())
        .parse()
        .unwrap();
    let hosts = inv["hosts"].as_array().unwrap();
    assert_eq!(
        hosts[1]["go_root"].as_str(),
        Some(new.paths().go_root.as_str())
    );
    assert_eq!(
        hosts[1]["state_dir"].as_str(),
        Some(new.paths().state_dir.as_str())
    );
    assert_eq!(
        hosts[0]["check_binaries"][0].as_str(),
        Some(format!("{}/*", old.remote_path("/opt/app/bin")).as_str())
    );
}

#[test]
fn a_small_tmpfs_runs_out_of_space_and_keeps_what_the_host_had() {
    let fleet = start(
        &FleetSpec::new()
            .isolation(Isolation::Namespaces)
            .host(HostSpec::new("full").tmpfs("/opt", 2)),
    );
    let full = host(&fleet, "full");
    assert_eq!(
        sh(full, "df -P /opt | tail -n 1 | tr -s ' ' | cut -d ' ' -f 2"),
        "2048"
    );
    assert_eq!(
        sh(full, "ls /opt/app/bin"),
        "rotate-logs.sh\nwebd",
        "seeded from the host's /opt"
    );
    let out = exec(full, "dd if=/dev/zero of=/opt/fill bs=1M count=4");
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    sh(full, "rm /opt/fill");
    // Files on the tmpfs are reached through the running sshd's root.
    full.write_file("/opt/note", b"hi").unwrap();
    assert_eq!(sh(full, "cat /opt/note"), "hi");
    assert!(full.local_path("/opt/note").starts_with("/proc"));
    // A tmpfs too small for what the host had there: the start fails and says why.
    let err = Fleet::start(
        &FleetSpec::new().host(
            HostSpec::new("tiny")
                .go_manual("1.21.13")
                .tmpfs("/usr/local", 1),
        ),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("host tiny: sshd on 127.0.0.1:"), "{err}");
    assert!(
        err.contains("No space left on device"),
        "the log tail is shown: {err}"
    );
    assert!(
        Fleet::start(&FleetSpec::new().host(HostSpec::new("x").tmpfs("/etc", 1))).is_err(),
        "not a per-host root"
    );
}

#[test]
fn flip_byte_corrupts_one_host_and_leaves_the_shared_tree_alone() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("a").go_manual("1.21.13").no_app_binaries())
            .host(HostSpec::new("b").go_manual("1.21.13").no_app_binaries()),
    );
    let (a, b) = (host(&fleet, "a"), host(&fleet, "b"));
    let file = format!("{}/bin/gofmt", a.paths().go_root);
    let before = sh(a, &format!("sha256sum {file} | cut -c1-64"));
    a.flip_byte(&a.remote_path("/usr/local/go/bin/gofmt"))
        .unwrap();
    let after = sh(a, &format!("sha256sum {file} | cut -c1-64"));
    assert_ne!(before, after);
    assert_eq!(
        sh(a, &format!("test -x {file} && wc -c < {file}")),
        sh(b, &format!("wc -c < {}/bin/gofmt", b.paths().go_root))
    );
    assert_eq!(
        sh(
            b,
            &format!("sha256sum {}/bin/gofmt | cut -c1-64", b.paths().go_root)
        ),
        before,
        "b shares the cached tree"
    );
}

#[test]
fn the_inventory_names_every_host_key_and_extra() {
    let fleet = start(
        &FleetSpec::new()
            .host(HostSpec::new("web-01").group("web").no_app_binaries())
            .host(HostSpec::new("db-01").stopped()),
    );
    let (port, _guard) = fleet.blackhole().unwrap();
    let opts = InventoryOptions::new()
        .extra_host("blackhole", port)
        .default_line("command_timeout = \"10s\"")
        .identity_file(fleet.other_client_key())
        .append("[rollout]\ncanary = 1");
    let path = inventory(&fleet, &opts);
    let inv: toml::Table = std::fs::read_to_string(path).unwrap().parse().unwrap();
    let d = &inv["defaults"];
    assert_eq!(d["user"].as_str(), Some(fleet.user()));
    assert_eq!(
        d["identity_file"].as_str(),
        fleet.other_client_key().to_str()
    );
    assert_eq!(d["known_hosts"].as_str(), fleet.known_hosts_path().to_str());
    assert_eq!(d["host_key_policy"].as_str(), Some("strict"));
    assert_eq!(d["connect_timeout"].as_str(), Some("5s"));
    assert_eq!(d["command_timeout"].as_str(), Some("10s"));
    assert_eq!(d["check_binaries"][0].as_str(), Some("/opt/app/bin/*"));
    assert!(inv["groups"]["web"].as_table().unwrap().is_empty());
    assert_eq!(inv["rollout"]["canary"].as_integer(), Some(1));
    let hosts: Vec<(String, i64)> = inv["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["name"].as_str().unwrap().to_string(),
                h["port"].as_integer().unwrap(),
            )
        })
        .collect();
    let web = host(&fleet, "web-01");
    assert_eq!(
        hosts,
        [
            ("web-01".into(), i64::from(web.port())),
            ("db-01".into(), i64::from(host(&fleet, "db-01").port())),
            ("blackhole".into(), i64::from(port))
        ]
    );
    assert_eq!(inv["hosts"][0]["groups"][0].as_str(), Some("web"));
    let known = std::fs::read_to_string(fleet.known_hosts_path()).unwrap();
    assert!(known.contains(&format!("[127.0.0.1]:{} ssh-ed25519 ", web.port())));
    assert_eq!(known.lines().count(), 2, "stopped hosts are known too");
}

#[test]
fn the_demo_fleet_starts_with_its_eight_hosts() {
    let started = Instant::now();
    let fleet = start(&FleetSpec::demo());
    eprintln!("demo fleet of 8 hosts started in {:?}", started.elapsed());
    assert_eq!(fleet.hosts().len(), 8);
    let running: Vec<&str> = fleet
        .hosts()
        .iter()
        .filter(|h| h.is_running())
        .map(HostHandle::name)
        .collect();
    assert_eq!(running.len(), 7, "{running:?}");
    assert!(!host(&fleet, "web-04").is_running());
    let gap = host(&fleet, "build-01");
    assert!(sh(
        gap,
        &format!("ldd {}", gap.remote_path("/opt/app/bin/invoicer"))
    )
    .contains("not found"));
    let db = host(&fleet, "db-01");
    assert_eq!(
        sh(db, &format!("readlink {}", db.paths().go_root)),
        db.paths().release_go_dir("go1.22.10")
    );
    let web = host(&fleet, "web-03");
    assert_eq!(
        sh(web, &format!("{}/bin/go version", web.paths().go_root)),
        "go version go1.22.10 linux/amd64"
    );
    let started = Instant::now();
    drop(fleet);
    eprintln!("demo fleet stopped and removed in {:?}", started.elapsed());
}
