//! One step on a host as data: a verb and its inputs. Rendered either as a script the login
//! user's `sh` runs (no become: the inputs quoted ahead of the verb's body), or as the exact
//! helper command the sudo/doas rule names, with the inputs on stdin for the helper to check.

use super::ops::Script;
use super::paths::RemotePaths;
use super::privilege::{Become, HELPER_PATH};

const LOCK: &str = include_str!("scripts/lock.sh");
/// SHA-256 and gunzip by the fastest tool the host has for the same work, sha256sum and gzip
/// always the fallback (`digest_of`, `sha256_stdin`, `gunzip_stdin`, `untar_gz`,
/// `sums_ok_fast`): every verb's script carries them.
pub(super) const HOST_TOOLS: &str = include_str!("scripts/host_tools.sh");
/// The functions every pre-flight shares: `host_arch`, `free_kb`, `dev`, `check_writable`.
macro_rules! preflight {
    ($body:literal) => {
        concat!(
            include_str!("scripts/preflight_common.sh"),
            include_str!($body)
        )
    };
}
const PREFLIGHT: &str = preflight!("scripts/preflight.sh");
const INSTALL: &str = include_str!("scripts/install.sh");
const SWITCH: &str = include_str!("scripts/switch.sh");
const VERIFY: &str = include_str!("scripts/verify.sh");
/// The functions install.sh, switch.sh, verify.sh and current_tree.sh share: `relink`,
/// `clean_leftovers`, `tree_sums`, `go_version`.
pub(super) const GO_ROOT: &str = include_str!("scripts/go_root.sh");
const CURRENT_TREE: &str = include_str!("scripts/current_tree.sh");
const AUDIT_APPEND: &str = include_str!("scripts/audit_append.sh");
const RECEIVE: &str = include_str!("scripts/receive.sh");
/// The functions every app verb starts from: `app_paths`, `app_relink`, `app_check_tree`.
pub(super) const APP_COMMON: &str = include_str!("scripts/app_common.sh");
const APP_PREFLIGHT: &str = preflight!("scripts/app_preflight.sh");
const APP_RECEIVE: &str = include_str!("scripts/app_receive.sh");
const APP_INSTALL: &str = include_str!("scripts/app_install.sh");
const APP_SWITCH: &str = include_str!("scripts/app_switch.sh");
const APP_VERIFY: &str = include_str!("scripts/app_verify.sh");
/// The Go environment policy's functions (go.env overlay, login profile, state record, shims),
/// shared by install.sh, switch.sh, verify.sh and go_env_apply.sh.
pub(super) const GO_ENV: &str = include_str!("scripts/go_env.sh");
const GO_ENV_APPLY: &str = include_str!("scripts/go_env_apply.sh");
/// The module-cache verbs, each with the functions they share (`mc_relink`, `mc_check_tree`…).
const MODCACHE_PREFLIGHT: &str = preflight!("scripts/modcache_preflight.sh");
const MODCACHE_INSTALL: &str = concat!(
    include_str!("scripts/modcache_common.sh"),
    include_str!("scripts/modcache_install.sh")
);
const MODCACHE_SWITCH: &str = concat!(
    include_str!("scripts/modcache_common.sh"),
    include_str!("scripts/modcache_switch.sh")
);
const MODCACHE_VERIFY: &str = concat!(
    include_str!("scripts/modcache_common.sh"),
    include_str!("scripts/modcache_verify.sh")
);

/// The helper's verbs: every privileged thing offgo does on a host, and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Lock,
    Preflight,
    CurrentTree,
    Receive,
    Install,
    Switch,
    Verify,
    AuditAppend,
    AppPreflight,
    AppReceive,
    AppInstall,
    AppSwitch,
    AppVerify,
    /// The Go environment policy alone, without a new release (`offgo-tui go-env apply`).
    GoEnv,
    ModcachePreflight,
    ModcacheInstall,
    ModcacheSwitch,
    ModcacheVerify,
}

impl Verb {
    pub const ALL: [Verb; 18] = [
        Verb::Lock,
        Verb::Preflight,
        Verb::CurrentTree,
        Verb::Receive,
        Verb::Install,
        Verb::Switch,
        Verb::Verify,
        Verb::AuditAppend,
        Verb::AppPreflight,
        Verb::AppReceive,
        Verb::AppInstall,
        Verb::AppSwitch,
        Verb::AppVerify,
        Verb::GoEnv,
        Verb::ModcachePreflight,
        Verb::ModcacheInstall,
        Verb::ModcacheSwitch,
        Verb::ModcacheVerify,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verb::Lock => "lock",
            Verb::Preflight => "preflight",
            Verb::CurrentTree => "current-tree",
            Verb::Receive => "receive",
            Verb::Install => "install",
            Verb::Switch => "switch",
            Verb::Verify => "verify",
            Verb::AuditAppend => "audit-append",
            Verb::AppPreflight => "app-preflight",
            Verb::AppReceive => "app-receive",
            Verb::AppInstall => "app-install",
            Verb::AppSwitch => "app-switch",
            Verb::AppVerify => "app-verify",
            Verb::GoEnv => "go-env",
            Verb::ModcachePreflight => "modcache-preflight",
            Verb::ModcacheInstall => "modcache-install",
            Verb::ModcacheSwitch => "modcache-switch",
            Verb::ModcacheVerify => "modcache-verify",
        }
    }

    /// The verb's script body (after the inputs and the prelude).
    pub(super) fn body(self) -> &'static str {
        match self {
            Verb::Lock => LOCK,
            Verb::Preflight => PREFLIGHT,
            Verb::CurrentTree => CURRENT_TREE,
            Verb::Receive => RECEIVE,
            Verb::Install => INSTALL,
            Verb::Switch => SWITCH,
            Verb::Verify => VERIFY,
            Verb::AuditAppend => AUDIT_APPEND,
            Verb::AppPreflight => APP_PREFLIGHT,
            Verb::AppReceive => APP_RECEIVE,
            Verb::AppInstall => APP_INSTALL,
            Verb::AppSwitch => APP_SWITCH,
            Verb::AppVerify => APP_VERIFY,
            Verb::GoEnv => GO_ENV_APPLY,
            Verb::ModcachePreflight => MODCACHE_PREFLIGHT,
            Verb::ModcacheInstall => MODCACHE_INSTALL,
            Verb::ModcacheSwitch => MODCACHE_SWITCH,
            Verb::ModcacheVerify => MODCACHE_VERIFY,
        }
    }

    /// Whether the body uses go_root.sh's and go_env.sh's functions.
    pub(super) fn needs_go_root_functions(self) -> bool {
        matches!(
            self,
            Verb::CurrentTree | Verb::Install | Verb::Switch | Verb::Verify | Verb::GoEnv
        )
    }

    /// Whether the body is an app verb's (it uses app_common.sh's functions).
    pub(super) fn is_app(self) -> bool {
        matches!(
            self,
            Verb::AppPreflight
                | Verb::AppReceive
                | Verb::AppInstall
                | Verb::AppSwitch
                | Verb::AppVerify
        )
    }
}

/// A verb with its inputs, for one host's paths.
#[derive(Debug, Clone)]
pub struct RemoteCall {
    pub verb: Verb,
    paths: RemotePaths,
    inputs: Vec<(&'static str, String)>,
    /// Inputs that are lists (`go_env`): one line each, sent to the helper as one `name=item`
    /// line per item.
    lists: Vec<(&'static str, Vec<String>)>,
    /// What a script the jump host sends carries besides the inputs (file names under
    /// incoming/, the profile): the helper derives these itself, from its own paths.
    derived: Vec<(&'static str, String)>,
}

impl RemoteCall {
    pub fn new(verb: Verb, paths: &RemotePaths) -> Self {
        Self {
            verb,
            paths: paths.clone(),
            inputs: Vec::new(),
            lists: Vec::new(),
            derived: Vec::new(),
        }
    }

    pub fn input(mut self, name: &'static str, value: &str) -> Self {
        self.inputs.push((name, value.to_string()));
        self
    }

    /// A list input: `items`, each one line (an item holding a line break can't be sent).
    pub fn list(mut self, name: &'static str, items: &[String]) -> Self {
        self.lists.push((name, items.to_vec()));
        self
    }

    pub fn derived(mut self, name: &'static str, value: &str) -> Self {
        self.derived.push((name, value.to_string()));
        self
    }

    /// The whole script, as the login user's `sh` runs it without become.
    pub fn script(&self) -> String {
        let mut script = Script::new().with_paths(&self.paths);
        for (name, value) in self.inputs.iter().chain(&self.derived) {
            script = script.set(name, value);
        }
        for (name, items) in &self.lists {
            script = script.set(name, &items.join("\n"));
        }
        if self.verb.needs_go_root_functions() {
            script.body(&[GO_ROOT, GO_ENV, self.verb.body()].concat())
        } else if self.verb.is_app() {
            script.body(&[APP_COMMON, self.verb.body()].concat())
        } else {
            script.body(self.verb.body())
        }
    }

    /// The helper's stdin: `key=value` lines, then `.`. A value holding a line break can't
    /// be sent (the helper would refuse it anyway): the error names the input.
    pub fn helper_inputs(&self) -> Result<Vec<u8>, String> {
        let mut out = String::new();
        let items = self
            .lists
            .iter()
            .flat_map(|(name, items)| items.iter().map(move |item| (*name, item)));
        for (name, value) in self.inputs.iter().map(|(n, v)| (*n, v)).chain(items) {
            if value.contains(['\n', '\r']) {
                return Err(format!(
                    "the helper's input {name} holds a line break; it can't be passed to {HELPER_PATH}"
                ));
            }
            out.push_str(name);
            out.push('=');
            out.push_str(value);
            out.push('\n');
        }
        out.push_str(".\n");
        Ok(out.into_bytes())
    }

    /// The command to run and what to feed it: `sh -s` with the script, or the rule's exact
    /// helper command with its inputs.
    pub fn render(&self, privilege: &Become) -> Result<(String, Vec<u8>), String> {
        match privilege.helper_command(self.verb.name()) {
            None => Ok(("sh -s".to_string(), self.script().into_bytes())),
            Some(command) => Ok((command, self.helper_inputs()?)),
        }
    }
}

#[cfg(test)]
#[path = "go_check_tests.rs"]
mod go_check_tests;

#[cfg(test)]
#[path = "preflight_common_tests.rs"]
mod preflight_common_tests;

#[cfg(test)]
#[path = "host_tools_tests.rs"]
mod host_tools_tests;
