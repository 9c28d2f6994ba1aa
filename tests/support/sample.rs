//! Synthetic fleets for the console's tests, benches and screenshots: an inventory built
//! straight from the model types and probe reports of every shape. No SSH involved.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use offgo::tui::testing::{
    apply_all, BundleChoice, BundleInfo, HostRow, Model, ModelSettings, Msg, Stamp,
};

use offgo::core::audit::{AuditStatus, AuditSummary};
use offgo::core::bundle::{PublicKey, SignatureStatus};
use offgo::core::engine::{
    Check, CommandOutput, EngineEvent, HostOutcome, HostReport, LddGap, OffgoSummary, Operation,
};
use offgo::core::inventory::{
    BundleSettings, ConsoleSettings, Host, HostId, HostKeyPolicy, Inventory,
};
use offgo::core::remote::probe::{
    BinaryCheck, BinaryStatus, GoRootKind, OffgoState, ProbeFacts, StateRead,
};
use offgo::core::remote::RemotePaths;
use offgo::core::ssh::{ErrorKind, HostError};

/// The time every sample event carries: 09:30:00.
pub const STAMP_SECS: u64 = 9 * 3600 + 30 * 60;

pub fn host(name: &str, address: &str, port: u16) -> Host {
    Host {
        name: name.into(),
        address: address.into(),
        port,
        user: "root".into(),
        identity_file: None,
        known_hosts: PathBuf::from("/root/.ssh/known_hosts"),
        host_key_policy: HostKeyPolicy::Strict,
        connect_timeout: Duration::from_secs(5),
        command_timeout: Duration::from_secs(30),
        check_binaries: vec!["/opt/app/bin/*".into()],
        paths: RemotePaths::default(),
        keep_releases: 3,
        privilege: Default::default(),
        groups: Vec::new(),
        go_env: Default::default(),
        apps: Default::default(),
        go_shims: Default::default(),
        proxy_jump: Vec::new(),
        sources: Vec::new(),
    }
}

pub fn inventory(hosts: Vec<Host>) -> Arc<Inventory> {
    Arc::new(Inventory {
        source: PathBuf::from("/etc/offgo/fleet.toml"),
        hosts,
        groups: Vec::new(),
        console: ConsoleSettings::default(),
        bundles: BundleSettings::default(),
        rollout: None,
        go_env: Default::default(),
        apps: Default::default(),
    })
}

/// A reachable host running `version`, offgo-managed, every binary fine, audit log ok.
pub fn healthy(host: &Host, version: &str, latency_ms: u64) -> HostReport {
    let previous = if version == "go1.21.13" {
        "go1.20.14"
    } else {
        "go1.21.13"
    };
    let facts = ProbeFacts {
        arch: "x86_64".into(),
        go_root_kind: GoRootKind::Symlink {
            target: format!("/opt/offgo/releases/{version}/go"),
        },
        go_version_output: Some(format!("go version {version} linux/amd64")),
        go_version_file: Some(version.into()),
        state: StateRead::Parsed(OffgoState {
            current: Some(version.into()),
            previous: Some(previous.into()),
            history: Vec::new(),
            go_env: None,
        }),
        free_bytes: Some(12 * 1024 * 1024 * 1024 + 300 * 1024 * 1024),
        auditd_running: true,
        binaries: vec![BinaryCheck {
            path: "/opt/app/bin/api".into(),
            status: BinaryStatus::Ok,
        }],
        go_env: Default::default(),
        helper_sha256: None,
        go_shims: Vec::new(),
        apps: Vec::new(),
        athens_bundle: None,
    };
    HostReport {
        name: host.name.clone(),
        address: host.address.clone(),
        port: host.port,
        reachable: true,
        error_kind: None,
        error: None,
        go_version: Some(version.into()),
        go_root: host.paths.go_root.clone(),
        ldd_gaps: Vec::new(),
        audit: AuditSummary {
            status: AuditStatus::Ok,
            entries: 14,
            last_action: Some("push".into()),
            detail: None,
        },
        offgo: Some(OffgoSummary {
            current: Some(version.into()),
            previous: Some(previous.into()),
        }),
        arch: Some("x86_64".into()),
        latency_ms: Some(latency_ms),
        via: host.via(),
        privilege: None,
        athens: None,
        hint: None,
        facts: Some(facts),
        raw_output: None,
        go_env: None,
        go_env_drift: Vec::new(),
        go_shims: Vec::new(),
        apps: Vec::new(),
    }
}

/// A host the probe could not read.
pub fn failed(host: &Host, kind: ErrorKind, error: &str, hint: &str) -> HostReport {
    HostReport {
        name: host.name.clone(),
        address: host.address.clone(),
        port: host.port,
        reachable: kind == ErrorKind::CommandFailed,
        error_kind: Some(kind),
        error: Some(error.into()),
        go_version: None,
        go_root: host.paths.go_root.clone(),
        ldd_gaps: Vec::new(),
        audit: AuditSummary {
            status: AuditStatus::Unreadable,
            entries: 0,
            last_action: None,
            detail: None,
        },
        offgo: None,
        arch: None,
        latency_ms: None,
        via: host.via(),
        privilege: None,
        athens: None,
        hint: Some(hint.into()),
        facts: None,
        raw_output: None,
        go_env: None,
        go_env_drift: Vec::new(),
        go_shims: Vec::new(),
        apps: Vec::new(),
    }
}

pub fn with_gaps(mut report: HostReport, binary: &str, missing: &[&str]) -> HostReport {
    let missing: Vec<String> = missing.iter().map(|s| s.to_string()).collect();
    report.ldd_gaps.push(LddGap {
        binary: binary.into(),
        missing: missing.clone(),
    });
    if let Some(facts) = &mut report.facts {
        facts.binaries.push(BinaryCheck {
            path: binary.into(),
            status: BinaryStatus::Gaps(missing),
        });
    }
    report
}

pub fn with_audit(mut report: HostReport, status: AuditStatus, detail: Option<&str>) -> HostReport {
    report.audit.status = status;
    report.audit.detail = detail.map(str::to_string);
    if status == AuditStatus::Missing {
        report.audit.entries = 0;
        report.audit.last_action = None;
    }
    report
}

/// A fleet and the reports a probe of it would bring (`None`: the host was not probed).
pub struct Fleet {
    pub inventory: Arc<Inventory>,
    pub reports: Vec<Option<HostReport>>,
}

impl Fleet {
    /// `HostProbed` messages for every report, in inventory order.
    pub fn probed_msgs(&self) -> Vec<Msg> {
        self.reports
            .iter()
            .enumerate()
            .filter_map(|(id, r)| r.clone().map(|report| probed(id, report)))
            .collect()
    }

    /// A console showing this fleet fully probed, at `width`×`height`.
    pub fn model(&self, width: u16, height: u16) -> Model {
        let mut model = Model::new(&self.inventory, settings(width, height));
        apply_all(&mut model, self.probed_msgs());
        model
    }
}

pub fn settings(width: u16, height: u16) -> ModelSettings {
    ModelSettings {
        read_only: false,
        color: true,
        refresh: None,
        size: (width, height),
    }
}

pub fn probed(host: HostId, report: HostReport) -> Msg {
    let event = EngineEvent::HostProbed {
        host,
        report: Box::new(report),
    };
    Msg::Engine {
        event,
        at: Stamp::at(STAMP_SECS),
    }
}

pub fn started(host: HostId) -> Msg {
    Msg::Engine {
        event: EngineEvent::ProbeStarted { host },
        at: Stamp::at(STAMP_SECS),
    }
}

/// Eight healthy hosts on two Go versions.
pub fn healthy_fleet() -> Fleet {
    let hosts: Vec<Host> = (1..=8)
        .map(|i| host(&format!("web-{i:02}"), &format!("10.0.3.{}", 10 + i), 22))
        .collect();
    let reports = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            Some(healthy(
                h,
                if i < 6 { "go1.22.10" } else { "go1.21.13" },
                12 + 3 * i as u64,
            ))
        })
        .collect();
    Fleet {
        inventory: inventory(hosts),
        reports,
    }
}

/// One host of every kind of trouble, plus a few healthy ones and one never probed.
pub fn mixed_fleet() -> Fleet {
    let hosts = vec![
        host("web-01", "10.0.3.11", 22),
        host("web-02", "10.0.3.12", 22),
        host("web-03", "10.0.3.13", 22),
        host("web-04", "10.0.3.14", 2222),
        host("db-01", "10.0.4.11", 22),
        host("db-02", "10.0.4.12", 22),
        host("db-03", "10.0.4.13", 22),
        host("cache-01", "10.0.5.11", 22),
        host("cache-02", "10.0.5.12", 22),
        host("batch-01", "10.0.6.11", 22),
        host("batch-02", "10.0.6.12", 22),
        host("edge-01", "10.0.7.11", 22),
    ];
    let h = |i: usize| &hosts[i];
    let mut batch_01 = failed(
        h(9),
        ErrorKind::CommandFailed,
        "probe output not understood: it does not start with `offgo_probe=1` (is a login script printing text?)",
        "make the login shell quiet for this user (no echo in ~/.bashrc or /etc/profile), then re-probe",
    );
    batch_01.raw_output = Some(
        "Welcome to batch-01!\nLast login: Mon Jun  3 08:12:44\noffgo_probe=1\narch=x86_64".into(),
    );
    let mut batch_02 = with_audit(healthy(h(10), "go1.22.10", 41), AuditStatus::Diverged, Some(
        "the host's last entry (rollback, 2024-06-01T10:02:11Z) is not the one this jump host recorded",
    ));
    batch_02.go_version = None;
    if let Some(facts) = &mut batch_02.facts {
        facts.go_root_kind = GoRootKind::Missing;
        facts.go_version_output = None;
        facts.go_version_file = None;
        facts.state = StateRead::Absent;
    }
    let reports = vec![
        Some(healthy(h(0), "go1.22.10", 14)),
        Some(healthy(h(1), "go1.22.10", 17)),
        Some(with_gaps(healthy(h(2), "go1.21.13", 22), "/opt/app/bin/worker", &["libssl.so.1.1", "libcrypto.so.1.1"])),
        Some(with_audit(healthy(h(3), "go1.22.10", 19), AuditStatus::Tampered, Some(
            "line 7: prev does not match the sha256 of line 6 (the log was edited)",
        ))),
        Some(with_audit(healthy(h(4), "go1.21.13", 25), AuditStatus::Missing, None)),
        Some(failed(
            h(5),
            ErrorKind::Timeout,
            "no answer from 10.0.4.12:22 within 5s (connect)",
            "check the host is up and port 22 is open from the jump host; raise connect_timeout for slow links",
        )),
        Some(failed(
            h(6),
            ErrorKind::Refused,
            "10.0.4.13:22 refused the connection",
            "sshd is not running on the host, or a firewall rejects the jump host",
        )),
        Some(failed(
            h(7),
            ErrorKind::HostKeyMismatch,
            "the host key of 10.0.5.11:22 differs from the one in /root/.ssh/known_hosts:12",
            "if the host was reinstalled, remove line 12 of known_hosts after checking the new key out of band",
        )),
        Some(failed(
            h(8),
            ErrorKind::Auth,
            "root@10.0.5.12 refused every key offered (agent, /root/.ssh/id_ed25519)",
            "install the jump host's public key for root on the host, or set identity_file",
        )),
        Some(batch_01),
        Some(batch_02),
        None,
    ];
    Fleet {
        inventory: inventory(hosts),
        reports,
    }
}

/// Rows of [`mixed_fleet`], fully probed (for unit tests of the row logic).
pub fn mixed_rows() -> Vec<HostRow> {
    mixed_fleet().model(80, 24).rows
}

/// `n` hosts of every shape, for the benches.
pub fn large_fleet(n: usize) -> Fleet {
    let hosts: Vec<Host> = (0..n)
        .map(|i| {
            host(
                &format!("node-{i:05}"),
                &format!("10.{}.{}.{}", i / 65536, i / 256 % 256, i % 256),
                22,
            )
        })
        .collect();
    let reports = hosts
        .iter()
        .enumerate()
        .map(|(i, h)| {
            Some(match i % 10 {
                0 => failed(
                    h,
                    ErrorKind::Timeout,
                    "no answer within 5s (connect)",
                    "check the host is up",
                ),
                1 => with_gaps(
                    healthy(h, "go1.21.13", 30),
                    "/opt/app/bin/worker",
                    &["libssl.so.1.1"],
                ),
                2 => with_audit(
                    healthy(h, "go1.22.10", 20),
                    AuditStatus::Tampered,
                    Some("line 3 edited"),
                ),
                3 | 4 => healthy(h, "go1.21.13", 10 + (i % 90) as u64),
                _ => healthy(h, "go1.22.10", 10 + (i % 70) as u64),
            })
        })
        .collect();
    Fleet {
        inventory: inventory(hosts),
        reports,
    }
}

/// A bundle as the picker lists it (no files behind it: the view and `update` need none).
pub fn bundle_info(version: &str, size: u64, signature: SignatureStatus) -> BundleInfo {
    let sha256 = format!("{:0<64}", hex_of(version));
    BundleInfo {
        manifest: PathBuf::from(format!(
            "/srv/offgo/bundles/{version}.linux-amd64.offgo.toml"
        )),
        version: version.into(),
        os: "linux".into(),
        arch: "amd64".into(),
        tarball_name: format!("{version}.linux-amd64.tar.gz"),
        size,
        sha256,
        file_count: 13_000 + size % 1000,
        unpacked_size: None,
        signature,
        set: None,
        app: None,
    }
}

/// An app bundle as the picker lists it: `name` at `version`, unsigned.
pub fn app_bundle_info(name: &str, version: &str, size: u64) -> BundleInfo {
    let id = format!("{name}-{version}");
    BundleInfo {
        manifest: PathBuf::from(format!(
            "/srv/offgo/bundles/{id}.linux-amd64.offgo-app.toml"
        )),
        tarball_name: format!("{id}.linux-amd64.tar.gz"),
        file_count: 3,
        unpacked_size: Some(size * 4),
        app: Some(offgo::tui::testing::bundles::AppBundle {
            name: name.into(),
            version: version.into(),
        }),
        ..bundle_info(&id, size, SignatureStatus::Unsigned)
    }
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{:x}", b % 16)).collect()
}

/// The public half of the signing key with this seed, through the core's one way in.
fn public_key(seed: u8) -> PublicKey {
    use base64::Engine;
    let key = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]).verifying_key();
    let text = base64::engine::general_purpose::STANDARD.encode(key.as_bytes());
    PublicKey::from_base64(&text).unwrap()
}

/// A key the samples sign with.
pub fn sample_key() -> PublicKey {
    public_key(7)
}

/// What a bundles directory might hold: two good bundles, one refused by the signature
/// policy, one that does not open.
pub fn bundle_choices() -> Vec<BundleChoice> {
    let trusted = SignatureStatus::Signed {
        key: sample_key(),
        trusted: true,
    };
    let stranger = public_key(9);
    let mut refused = BundleChoice::ok(bundle_info(
        "go1.22.9",
        68_700_000,
        SignatureStatus::Signed {
            key: stranger,
            trusted: false,
        },
    ));
    refused.refused = Some(format!(
        "manifest go1.22.9.linux-amd64.offgo.toml: signed by key {stranger}, which is not one \
         of the trusted keys; add its .pub line to the trusted keys if you trust it"
    ));
    vec![
        BundleChoice::ok(bundle_info("go1.23.4", 70_312_119, trusted)),
        BundleChoice::ok(bundle_info(
            "go1.22.10",
            69_013_471,
            SignatureStatus::Unsigned,
        )),
        refused,
        BundleChoice {
            name: "go1.21.0.linux-amd64.offgo.toml".into(),
            info: None,
            refused: Some(
                "manifest go1.21.0.linux-amd64.offgo.toml: the tarball is 1048576 bytes but the manifest says 66886534".into(),
            ),
        },
    ]
}

/// An engine event at the sample time.
pub fn engine(event: EngineEvent) -> Msg {
    Msg::Engine {
        event,
        at: Stamp::at(STAMP_SECS),
    }
}

/// The events of a push on `host` that has got `bytes` of `total` up.
pub fn push_uploading(host: HostId, bytes: u64, total: u64) -> Vec<Msg> {
    let op = Operation::Push;
    let mut msgs = vec![engine(EngineEvent::OperationStarted { host, op })];
    for step in ["preflight", "lock", "upload"] {
        msgs.push(engine(EngineEvent::StepStarted {
            host,
            op,
            step: step.into(),
        }));
        if step != "upload" {
            msgs.push(engine(EngineEvent::CommandRan {
                host,
                label: step.into(),
                exit_status: Some(0),
                elapsed: Duration::from_millis(40),
                output: Default::default(),
            }));
        }
    }
    msgs.push(engine(EngineEvent::Progress {
        host,
        bytes,
        total,
        bytes_per_sec: 11_800_000,
    }));
    msgs
}

/// The host output of an install that failed at `check_tree`.
pub const CHECK_TREE_OUTPUT: &str = "step=check_tarball\nstep=extract\nstep=check_tree\nfail=check_tree\nwhy=files differ from the bundle: go/bin/gofmt: FAILED\nsha256sum: WARNING: 1 computed checksum did NOT match";

/// The events of a push on `host` that failed at `check_tree`, through to its end.
pub fn push_failed_at_check_tree(host: HostId, name: &str) -> Vec<Msg> {
    let op = Operation::Push;
    let mut msgs = push_uploading(host, 69_013_471, 69_013_471);
    msgs.push(engine(EngineEvent::CommandRan {
        host,
        label: "upload tarball".into(),
        exit_status: Some(0),
        elapsed: Duration::from_millis(5_800),
        output: Default::default(),
    }));
    for step in ["install", "check_tarball", "extract", "check_tree"] {
        msgs.push(engine(EngineEvent::StepStarted {
            host,
            op,
            step: step.into(),
        }));
    }
    msgs.push(engine(EngineEvent::CommandRan {
        host,
        label: "install".into(),
        exit_status: Some(1),
        elapsed: Duration::from_millis(2_400),
        output: CommandOutput {
            stdout: "step=check_tarball\nstep=extract\nstep=check_tree\nfail=check_tree\nwhy=files differ from the bundle: go/bin/gofmt: FAILED\n".into(),
            stderr: "sha256sum: WARNING: 1 computed checksum did NOT match\n".into(),
            no_exit: None,
        },
    }));
    let error = HostError::new(
        ErrorKind::CommandFailed,
        "files differ from the bundle: go/bin/gofmt: FAILED",
        "the extracted files differ from the bundle: check the bundle with `offgo-tui bundle verify`",
    )
    .with_output(CHECK_TREE_OUTPUT);
    msgs.push(engine(EngineEvent::StepFailed {
        host,
        op,
        step: "check_tree".into(),
        error: error.clone(),
    }));
    let mut outcome = HostOutcome::new(name).fail("check_tree", &error);
    outcome.from = Some("go1.21.13".into());
    outcome.to = Some("go1.22.10".into());
    msgs.push(engine(EngineEvent::OperationFinished {
        host,
        op,
        outcome: Box::new(outcome),
    }));
    msgs
}

/// The events of a verify of `host` that ends with `checks`.
pub fn verified(host: HostId, name: &str, checks: Vec<Check>) -> Vec<Msg> {
    let op = Operation::Verify;
    let mut outcome = HostOutcome::new(name);
    outcome.ok = checks.iter().all(|c| c.ok);
    outcome.from = Some("go1.22.10".into());
    outcome.checks = Some(checks);
    vec![
        engine(EngineEvent::OperationStarted { host, op }),
        engine(EngineEvent::StepStarted {
            host,
            op,
            step: "probe".into(),
        }),
        engine(EngineEvent::StepStarted {
            host,
            op,
            step: "verify".into(),
        }),
        engine(EngineEvent::OperationFinished {
            host,
            op,
            outcome: Box::new(outcome),
        }),
    ]
}
