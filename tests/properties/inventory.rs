//! The inventory loader: any bytes or TOML-ish text load or are refused with an error that
//! names the file and where in it; an inventory written from generated hosts, groups and
//! defaults loads to exactly the merge DESIGN.md describes (defaults → groups in order → host).

use std::path::{Path, PathBuf};
use std::time::Duration;

use offgo::core::inventory::{load, parse, Host, HostKeyPolicy, InventoryError};
use proptest::prelude::*;

use crate::support::{budget, hostile, hostile_bytes, mutation};

const SOURCE: &str = "/inv/offgo.toml";

/// A TOML basic string holding `s`, escaped here rather than by the toml crate, so the reader
/// is checked against the TOML spec and not against its own writer.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text without the characters `reject` refuses.
fn text_without(reject: fn(char) -> bool) -> impl Strategy<Value = String> {
    hostile()
        .prop_map(move |s| s.chars().filter(|&c| !reject(c)).collect::<String>())
        .prop_filter("not empty", |s| !s.is_empty())
}

/// A remote path as written (doubled slashes, `.` components, a trailing slash) and as the
/// loader normalises it.
fn remote_path() -> impl Strategy<Value = (String, String)> {
    let segment = text_without(|c| c == '/' || c.is_control())
        .prop_filter("not `.` or `..`", |s| s != "." && s != "..");
    let separator = proptest::sample::select(vec!["/", "/", "//", "/./"]);
    (
        proptest::collection::vec((separator, segment), 1..4),
        any::<bool>(),
    )
        .prop_map(|(parts, trailing)| {
            let mut raw: String = parts
                .iter()
                .map(|(sep, seg)| format!("{sep}{seg}"))
                .collect();
            if trailing {
                raw.push('/');
            }
            let normal = parts.iter().map(|(_, seg)| format!("/{seg}")).collect();
            (raw, normal)
        })
}

/// A duration as written (bare seconds or a humantime string) and its value.
fn duration() -> impl Strategy<Value = (String, Duration)> {
    prop_oneof![
        (1u64..1_000_000).prop_map(|s| (s.to_string(), Duration::from_secs(s))),
        (1u64..100_000).prop_map(|s| (format!("\"{s}s\""), Duration::from_secs(s))),
        (1u64..100_000).prop_map(|ms| (format!("\"{ms}ms\""), Duration::from_millis(ms))),
        (1u64..10_000).prop_map(|m| (format!("\" {m}m \""), Duration::from_secs(m * 60))),
    ]
}

/// One setting with a valid value, as a table sets it.
#[derive(Debug, Clone)]
enum Setting {
    User(String),
    Port(u16),
    Policy(HostKeyPolicy),
    ConnectTimeout(String, Duration),
    CommandTimeout(String, Duration),
    KeepReleases(usize),
    CheckBinaries(Vec<String>),
    KnownHosts(String),
    /// `go_root`, `releases_dir`, …: the key, the path as written and as normalised.
    RemotePath(&'static str, String, String),
}

fn setting() -> impl Strategy<Value = Setting> {
    let remote_keys = vec![
        "go_root",
        "releases_dir",
        "state_dir",
        "audit_log",
        "profile_script",
    ];
    prop_oneof![
        text_without(|c| c.is_whitespace() || c.is_control()).prop_map(Setting::User),
        (1u16..=u16::MAX).prop_map(Setting::Port),
        prop_oneof![Just(HostKeyPolicy::Strict), Just(HostKeyPolicy::AcceptNew)]
            .prop_map(Setting::Policy),
        duration().prop_map(|(v, d)| Setting::ConnectTimeout(v, d)),
        duration().prop_map(|(v, d)| Setting::CommandTimeout(v, d)),
        (1usize..1000).prop_map(Setting::KeepReleases),
        proptest::collection::vec(remote_path().prop_map(|(_, p)| p + "/*"), 0..3)
            .prop_map(Setting::CheckBinaries),
        remote_path().prop_map(|(_, p)| Setting::KnownHosts(p)),
        (proptest::sample::select(remote_keys), remote_path())
            .prop_map(|(key, (raw, normal))| Setting::RemotePath(key, raw, normal)),
    ]
}

impl Setting {
    fn key(&self) -> &'static str {
        match self {
            Setting::User(_) => "user",
            Setting::Port(_) => "port",
            Setting::Policy(_) => "host_key_policy",
            Setting::ConnectTimeout(..) => "connect_timeout",
            Setting::CommandTimeout(..) => "command_timeout",
            Setting::KeepReleases(_) => "keep_releases",
            Setting::CheckBinaries(_) => "check_binaries",
            Setting::KnownHosts(_) => "known_hosts",
            Setting::RemotePath(key, ..) => key,
        }
    }

    fn line(&self) -> String {
        let value = match self {
            Setting::User(u) => toml_str(u),
            Setting::Port(p) => p.to_string(),
            Setting::Policy(HostKeyPolicy::Strict) => toml_str("strict"),
            Setting::Policy(HostKeyPolicy::AcceptNew) => toml_str("accept-new"),
            Setting::ConnectTimeout(v, _) | Setting::CommandTimeout(v, _) => v.clone(),
            Setting::KeepReleases(n) => n.to_string(),
            Setting::CheckBinaries(globs) => format!(
                "[{}]",
                globs
                    .iter()
                    .map(|g| toml_str(g))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Setting::KnownHosts(p) => toml_str(p),
            Setting::RemotePath(_, raw, _) => toml_str(raw),
        };
        format!("{} = {value}\n", self.key())
    }

    fn apply(&self, h: &mut Host) {
        match self {
            Setting::User(u) => h.user = u.clone(),
            Setting::Port(p) => h.port = *p,
            Setting::Policy(p) => h.host_key_policy = *p,
            Setting::ConnectTimeout(_, d) => h.connect_timeout = *d,
            Setting::CommandTimeout(_, d) => h.command_timeout = *d,
            Setting::KeepReleases(n) => h.keep_releases = *n,
            Setting::CheckBinaries(globs) => h.check_binaries = globs.clone(),
            Setting::KnownHosts(p) => h.known_hosts = PathBuf::from(p),
            Setting::RemotePath(key, _, normal) => {
                let slot = match *key {
                    "go_root" => &mut h.paths.go_root,
                    "releases_dir" => &mut h.paths.releases_dir,
                    "state_dir" => &mut h.paths.state_dir,
                    "audit_log" => &mut h.paths.audit_log,
                    _ => &mut h.paths.profile_script,
                };
                *slot = normal.clone();
            }
        }
    }
}

/// The settings of one table, each key at most once.
fn layer() -> impl Strategy<Value = Vec<Setting>> {
    proptest::collection::vec(setting(), 0..5).prop_map(|settings| {
        let mut seen = Vec::new();
        settings
            .into_iter()
            .filter(|s| {
                let fresh = !seen.contains(&s.key());
                seen.push(s.key());
                fresh
            })
            .collect()
    })
}

#[derive(Debug, Clone)]
struct GenHost {
    name: String,
    address: String,
    /// Indices into the declared groups.
    groups: Vec<usize>,
    own: Vec<Setting>,
}

#[derive(Debug, Clone)]
struct GenInventory {
    defaults: Option<Vec<Setting>>,
    groups: Vec<(String, Vec<Setting>)>,
    hosts: Vec<GenHost>,
    defaults_last: bool,
    groups_last: bool,
}

/// Brackets open a host range and `&`, `!` are selector operators: names hold none of them.
fn host_name() -> impl Strategy<Value = String> {
    text_without(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, ',' | '/' | '&' | '!' | '[' | ']')
    })
    .prop_filter("reserved for selectors", |n| {
        n != "all" && !n.starts_with("group:")
    })
}

fn inventory() -> impl Strategy<Value = GenInventory> {
    let groups = proptest::collection::btree_map(
        text_without(|c| c.is_whitespace() || c == ',' || c == '&'),
        layer(),
        0..4,
    );
    let hosts = proptest::collection::btree_map(
        host_name(),
        (
            text_without(|c| c.is_whitespace() || c.is_control() || c == '[' || c == ']'),
            proptest::collection::vec(any::<usize>(), 0..3),
            layer(),
        ),
        1..5,
    );
    (
        proptest::option::of(layer()),
        groups,
        hosts,
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(defaults, groups, hosts, defaults_last, groups_last)| {
            let groups: Vec<_> = groups.into_iter().collect();
            let hosts = hosts
                .into_iter()
                .map(|(name, (address, picks, own))| GenHost {
                    name,
                    address,
                    groups: if groups.is_empty() {
                        vec![]
                    } else {
                        picks.iter().map(|i| i % groups.len()).collect()
                    },
                    own,
                })
                .collect();
            GenInventory {
                defaults,
                groups,
                hosts,
                defaults_last,
                groups_last,
            }
        })
        .prop_shuffle_hosts()
}

trait ShuffleHosts {
    fn prop_shuffle_hosts(self) -> BoxedStrategy<GenInventory>;
}

impl<S: Strategy<Value = GenInventory> + 'static> ShuffleHosts for S {
    /// Host order is file order, not name order.
    fn prop_shuffle_hosts(self) -> BoxedStrategy<GenInventory> {
        self.prop_flat_map(|inv| {
            Just(inv.hosts.clone())
                .prop_shuffle()
                .prop_map(move |hosts| GenInventory {
                    hosts,
                    ..inv.clone()
                })
        })
        .boxed()
    }
}

impl GenInventory {
    fn text(&self) -> String {
        let settings = |layer: &[Setting]| layer.iter().map(Setting::line).collect::<String>();
        let defaults = self
            .defaults
            .as_ref()
            .map(|d| format!("[defaults]\n{}\n", settings(d)))
            .unwrap_or_default();
        let groups: String = self
            .groups
            .iter()
            .map(|(name, layer)| format!("[groups.{}]\n{}\n", toml_str(name), settings(layer)))
            .collect();
        let hosts: String = self
            .hosts
            .iter()
            .map(|h| {
                let groups: Vec<String> = h
                    .groups
                    .iter()
                    .map(|&i| toml_str(&self.groups[i].0))
                    .collect();
                format!(
                    "[[hosts]]\nname = {}\naddress = {}\ngroups = [{}]\n{}\n",
                    toml_str(&h.name),
                    toml_str(&h.address),
                    groups.join(", "),
                    settings(&h.own)
                )
            })
            .collect();
        let mut text = String::new();
        if !self.defaults_last {
            text += &defaults;
        }
        if !self.groups_last {
            text += &groups;
        }
        text += &hosts;
        if self.groups_last {
            text += &groups;
        }
        if self.defaults_last {
            text += &defaults;
        }
        text
    }

    /// The hosts as the merge must resolve them, over `base` (a host with built-ins only).
    fn expected_hosts(&self, base: &Host) -> Vec<Host> {
        self.hosts
            .iter()
            .map(|h| {
                let mut host = base.clone();
                let layers = self
                    .defaults
                    .iter()
                    .chain(h.groups.iter().map(|&i| &self.groups[i].1))
                    .chain(std::iter::once(&h.own));
                for setting in layers.flatten() {
                    setting.apply(&mut host);
                }
                // `become` is never generated: it follows the login user (DESIGN.md).
                host.privilege.method =
                    offgo::core::remote::privilege::BecomeMethod::default_for(&host.user);
                host.name = h.name.clone();
                host.address = h.address.clone();
                host.groups = h.groups.iter().map(|&i| self.groups[i].0.clone()).collect();
                host
            })
            .collect()
    }
}

/// A host with nothing set but its name and address: the built-in defaults, as loaded here.
fn builtin_host() -> Host {
    let inv = parse(
        "[[hosts]]\nname = \"x\"\naddress = \"y\"\n",
        Path::new(SOURCE),
    )
    .unwrap();
    inv.hosts[0].clone()
}

/// An error must say where: the file, and a line and column inside the text or a key.
fn names_a_location(e: &InventoryError, source: &Path, text: &str) -> Result<(), TestCaseError> {
    prop_assert_eq!(e.file.as_deref(), Some(source), "{}", e);
    prop_assert!(
        e.position.is_some() || e.key.is_some(),
        "no line or key: {}",
        e
    );
    if let Some(p) = e.position {
        let lines = text.split('\n').count();
        prop_assert!(
            p.line >= 1 && p.line <= lines && p.column >= 1,
            "{:?} in {} lines: {}",
            p,
            lines,
            e
        );
    }
    prop_assert!(
        e.to_string().starts_with(&source.display().to_string()),
        "{}",
        e
    );
    Ok(())
}

/// TOML-ish text: headers and `key = value` lines the loader knows, with any values.
fn tomlish() -> impl Strategy<Value = String> {
    let header = proptest::sample::select(vec![
        "[defaults]",
        "[[hosts]]",
        "[groups.web]",
        "[groups.\"a b\"]",
        "[groups]",
        "[console]",
        "[bundles]",
        "[rollout]",
        "[hosts]",
        "[[groups]]",
        "[defaults.x]",
        "[x]",
    ])
    .prop_map(|h| format!("{h}\n"));
    let key = proptest::sample::select(vec![
        "name",
        "address",
        "groups",
        "user",
        "port",
        "identity_file",
        "known_hosts",
        "host_key_policy",
        "connect_timeout",
        "command_timeout",
        "check_binaries",
        "go_root",
        "releases_dir",
        "state_dir",
        "audit_log",
        "profile_script",
        "keep_releases",
        "become",
        "become_user",
        "sudoers_file",
        "refresh_interval",
        "dir",
        "require_signed",
        "trusted_keys",
        "canary",
        "batches",
        "hosts",
        "defaults",
        "web",
        "x.y",
        "\"quoted key\"",
    ]);
    let value = prop_oneof![
        hostile().prop_map(|s| toml_str(&s)),
        hostile(),
        any::<i64>().prop_map(|n| n.to_string()),
        Just("0x7fffffffffffffff".to_string()),
        Just("-0".to_string()),
        Just("1_000".to_string()),
        Just("99999999999999999999".to_string()),
        Just("\"18446744073709551615s\"".to_string()),
        Just("\"-1s\"".to_string()),
        Just("\"~other/x\"".to_string()),
        Just("\"relative/x\"".to_string()),
        Just("\"/a/../b\"".to_string()),
        Just("\"/\"".to_string()),
        Just("[\"/a\", 1, [2]]".to_string()),
        Just("{ a = 1 }".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("nan".to_string()),
        Just("true".to_string()),
        Just("\"off\"".to_string()),
        Just("[]".to_string()),
    ];
    let line = prop_oneof![
        2 => header,
        6 => (key, value).prop_map(|(k, v)| format!("{k} = {v}\n")),
        1 => hostile(),
    ];
    proptest::collection::vec(line, 0..16).prop_map(|lines| lines.concat())
}

proptest! {
    #![proptest_config(budget(256))]

    #[test]
    fn any_bytes_load_or_are_refused_naming_where(raw in hostile_bytes()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("offgo.toml");
        std::fs::write(&path, &raw).unwrap();
        if let Err(e) = load(&path) {
            names_a_location(&e, &path, &String::from_utf8_lossy(&raw))?;
        }
    }

    #[test]
    fn tomlish_text_loads_or_is_refused_naming_where(text in tomlish()) {
        if let Err(e) = parse(&text, Path::new(SOURCE)) {
            names_a_location(&e, Path::new(SOURCE), &text)?;
        }
    }

    #[test]
    fn an_edited_inventory_loads_or_is_refused_naming_where(
        inv in inventory(),
        edits in proptest::collection::vec(mutation(), 1..4),
    ) {
        let bytes = edits.iter().fold(inv.text().into_bytes(), |b, m| m.apply(b));
        let text = String::from_utf8_lossy(&bytes);
        if let Err(e) = parse(&text, Path::new(SOURCE)) {
            names_a_location(&e, Path::new(SOURCE), &text)?;
        }
    }

    #[test]
    fn a_written_inventory_loads_to_its_merge(inv in inventory()) {
        let text = inv.text();
        let loaded = parse(&text, Path::new(SOURCE)).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let names: Vec<&String> = inv.groups.iter().map(|(n, _)| n).collect();
        prop_assert_eq!(loaded.groups.iter().collect::<Vec<_>>(), names);
        prop_assert_eq!(loaded.hosts, inv.expected_hosts(&builtin_host()), "{}", text);
    }
}

// Regressions: inputs the properties above found, kept as plain tests.

/// A file that is not UTF-8 was refused as "cannot read" with no line: now the line and
/// column of the first bad byte.
#[test]
fn an_inventory_that_is_not_utf8_is_refused_at_the_first_bad_byte() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("offgo.toml");
    std::fs::write(&path, b"[defaults]\nuser = \"d\x80\"\n").unwrap();
    let e = load(&path).unwrap_err();
    let position = e.position.map(|p| (p.line, p.column));
    assert_eq!(position, Some((2, 10)), "{e}");
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}
