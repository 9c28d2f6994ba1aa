//! `offgo-tui privileges install`: the one-time bootstrap of a host for a non-root deploy
//! user. An admin login (root, or an account with full sudo) puts the helper and the sudoers
//! drop-in in place and records it in both audit logs; after it the deploy user needs nothing
//! else.

use super::outcome::{HostOutcome, StepError};
use super::step::{audit_record, record};
use crate::core::audit::AuditTrail;
use crate::core::inventory::Host;
use crate::core::remote::helper::{helper_digest, helper_text};
use crate::core::remote::ops::{key_values, value, Script};
use crate::core::remote::privilege::{Become, BecomeMethod, HELPER_PATH};
use crate::core::ssh::HostLink;

const SCRIPT: &str = include_str!("../remote/scripts/install_privileges.sh");

/// Installs the helper for `host`'s paths and, when it uses sudo, `sudoers` (the drop-in
/// `offgo-tui privileges` prints) at its `sudoers_file`, logged in as `login`.
pub fn install_privileges(
    host: &Host,
    login: &str,
    sudoers: &str,
    trail: &AuditTrail,
    actor: &str,
) -> HostOutcome {
    let mut outcome = HostOutcome::new(&host.name);
    // The admin runs the bootstrap as root itself, or through its own full sudo.
    let mut admin = host.clone();
    admin.user = login.to_string();
    admin.privilege = Become {
        method: BecomeMethod::default_for(login),
        ..host.privilege.clone()
    };
    let mut link = HostLink::new(admin);
    let digest = helper_digest(&host.paths);
    let dropin = match host.privilege.method {
        BecomeMethod::Sudo => host.privilege.sudoers_file.as_str(),
        _ => "",
    };
    let result = run(&mut link, host, sudoers, &digest, dropin);
    let mut detail = format!("helper {HELPER_PATH} sha256 {digest}");
    match &result {
        Ok(()) => {
            outcome.ok = true;
            outcome.changed = true;
            if dropin.is_empty() {
                let note = match host.privilege.method {
                    BecomeMethod::Doas => "doas has no drop-in directory: add the lines `offgo-tui privileges --format doas` prints to /etc/doas.conf",
                    _ => "the host uses no become: no drop-in written",
                };
                outcome.notes.push(note.into());
                detail.push_str(&format!("; {note}"));
            } else {
                detail.push_str(&format!("; sudoers drop-in {dropin} (visudo -cf passed)"));
            }
        }
        Err(e) => {
            detail.push_str(&format!("; failed at {}: {}", e.step, e.error.message));
            outcome = outcome.fail(&e.step, &e.error);
        }
    }
    if result.is_ok() || link.is_connected() {
        let entry = audit_record(
            &host.name,
            actor,
            "privileges-install",
            &format!("offgo-helper sha256:{}", &digest[..12]),
            outcome.ok,
            detail,
        );
        outcome.notes.extend(record(&mut link, trail, entry));
    }
    outcome
}

fn run(
    link: &mut HostLink,
    host: &Host,
    sudoers: &str,
    digest: &str,
    dropin: &str,
) -> Result<(), StepError> {
    if let Some(name) = dropin.rsplit('/').next() {
        if name.contains('.') || name.ends_with('~') {
            return Err(StepError::refused(
                "dropin",
                format!("sudo never reads {dropin}: a name in sudoers.d with a '.' or a trailing '~' is skipped"),
                "set sudoers_file to a name without a dot, e.g. /etc/sudoers.d/offgo",
            ));
        }
    }
    let script = Script::new()
        .set("helper", HELPER_PATH)
        .set("helper_text", &helper_text(&host.paths))
        .set("helper_sha256", digest)
        .set("dropin", dropin)
        .set("dropin_text", sudoers)
        .body(SCRIPT);
    let command = if link.host().privilege.is_none() {
        "sh -s"
    } else {
        "sudo -n sh -s"
    };
    let out = link
        .run_lines("install", command, script.as_bytes(), |_| {})
        .map_err(|e| StepError::new("install", e))?;
    let pairs = key_values(&out.stdout);
    if value(&pairs, "done") == Some("1") && out.success() {
        return Ok(());
    }
    let step = value(&pairs, "fail").unwrap_or("install");
    let why = value(&pairs, "why").map(str::to_string).unwrap_or_else(|| {
        format!(
            "{} could not run the bootstrap as root: {}",
            link.host().user,
            crate::core::text::safe(out.combined().trim())
        )
    });
    Err(StepError::refused(
        step,
        why,
        "log in with an account that may act as root (root, or one with full sudo)",
    )
    .with_output(out.combined()))
}
