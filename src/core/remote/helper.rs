//! offgo's helper: one root-owned `sh` script at a fixed path (`HELPER_PATH`), the only
//! command the deploy user's sudo or doas rule grants. It holds the host's paths and every
//! verb's body, takes one verb as its only argument and checks every input it reads
//! (`scripts/helper_inputs.sh`), so the rule names exact commands and its sha256 pins the
//! helper's every byte. Built here for a host's paths: the digest differs when they do.

use sha2::{Digest, Sha256};

use super::call::{Verb, APP_COMMON, GO_ENV, GO_ROOT};
use super::ops::{profile_content, Script};
use super::paths::RemotePaths;

const INPUTS: &str = include_str!("scripts/helper_inputs.sh");

const HEADER: &str = "#!/bin/sh\n\
# offgo-helper: what offgo-tui may do as root on this host, and nothing else. Installed by\n\
# `offgo-tui privileges install`; the sudoers rule pins this file's sha256, so an edited\n\
# helper no longer runs. Verbs: lock preflight current-tree receive install switch verify\n\
# audit-append go-env, app-preflight app-receive app-install app-switch app-verify for Go\n\
# applications, and modcache-preflight modcache-install modcache-switch modcache-verify for\n\
# module caches. Inputs come on stdin and are checked before anything is touched.\n\
PATH=/usr/sbin:/usr/bin:/sbin:/bin; export PATH\n\
LC_ALL=C; export LC_ALL\n\
umask 022\n";

/// The helper runs as root, but never runs a binary it installed as root: a Go tree's
/// `go version` (the checks before and after a switch) runs as nobody, with no groups, no new
/// privileges and no Go env file, so an uploaded tree is never executed with privilege.
const UNTRUSTED: &str = r#"offgo_untrusted() {
  if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null 2>&1; then
    GOENV=off HOME=/nonexistent setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs -- "$@"
  else
    "$@"
  fi
}
"#;

/// The helper's text for `paths`.
pub fn helper_text(paths: &RemotePaths) -> String {
    let fixed = Script::new()
        .with_paths(paths)
        .set("profile", &profile_content(&paths.go_root))
        .body(INPUTS);
    let mut text = String::with_capacity(32 * 1024);
    text.push_str(HEADER);
    text.push_str(&fixed);
    text.push_str(UNTRUSTED);
    text.push_str(GO_ROOT);
    text.push_str(APP_COMMON);
    text.push_str(GO_ENV);
    text.push_str("case $verb in\n");
    for verb in Verb::ALL {
        text.push_str(verb.name());
        text.push_str(")\n");
        text.push_str(verb.body());
        text.push_str("\n;;\n");
    }
    text.push_str("esac\n");
    text
}

/// sha256 of the helper for `paths`, lowercase hex: what the sudoers rule pins and the probe
/// compares.
pub fn helper_digest(paths: &RemotePaths) -> String {
    hex::encode(Sha256::digest(helper_text(paths).as_bytes()))
}

#[cfg(test)]
#[path = "helper_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "one_pass_tests.rs"]
mod one_pass_tests;
