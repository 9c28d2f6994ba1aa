//! What each operation does on a host, in the engine's order, one line a step: the console's
//! confirm dialogs, the rollout plan and `rollout --dry-run` all list these, so the words an
//! operator approves are the same wherever they approve them.

use super::{ArtifactKind, Operation};
use crate::core::units::human_bytes;

/// What the push steps say of the artifact being pushed.
#[derive(Debug, Clone, Copy)]
pub struct PushFacts<'a> {
    pub kind: ArtifactKind,
    /// The artifact's id: `go1.22.10`.
    pub version: &'a str,
    /// Go's name: `amd64`.
    pub arch: &'a str,
    /// Bytes each host uploads.
    pub size: u64,
    pub sha256: &'a str,
    pub file_count: u64,
    /// Bytes of the extracted tree, when the manifest says.
    pub unpacked_size: Option<u64>,
}

impl PushFacts<'_> {
    /// Space the extracted tree needs on the host (see [`unpacked_estimate`]).
    pub fn unpacked_estimate(&self) -> u64 {
        unpacked_estimate(self.size, self.unpacked_size)
    }
}

/// Space an extracted Go release needs: the manifest's figure, else a generous guess (Go
/// release tarballs unpack to about four times their size).
pub fn unpacked_estimate(size: u64, unpacked_size: Option<u64>) -> u64 {
    unpacked_size.unwrap_or(size.saturating_mul(5))
}

/// The steps of `op` (a push needs its bundle to say what it uploads).
pub fn steps(op: Operation, bundle: Option<&PushFacts<'_>>) -> Vec<String> {
    match (op, bundle) {
        (Operation::Push, Some(b)) => push(b),
        (Operation::Push, None) => vec!["no bundle chosen: nothing will run".into()],
        (Operation::Verify, _) => verify(),
        (Operation::Rollback, _) => rollback(),
        (Operation::Run, _) => run(),
        (Operation::GoEnv, _) => go_env(),
    }
}

fn go_env() -> Vec<String> {
    vec![
        "lock the host".into(),
        "write [go_env] into the active release's go.env (after its official lines), the login profile and state.json's record; go_shims".into(),
        "check what a login shell and a service see against [go_env]".into(),
        "record it in both audit logs (action go-env)".into(),
    ]
}

/// Each host of a rollout: the push, then with `auto_rollback` the verification that rolls
/// the host back when it fails.
pub fn rollout_steps(bundle: &PushFacts<'_>, auto_rollback: bool) -> Vec<String> {
    let mut steps = push(bundle);
    if auto_rollback {
        steps.push(match bundle.kind {
            ArtifactKind::GoRelease => {
                "verify (tree, go version, profile, state, ldd, audit); roll back if it fails"
                    .into()
            }
            ArtifactKind::App => {
                "verify (tree, current, state, health once); roll back if it fails".into()
            }
            ArtifactKind::Modcache => {
                "verify (module-cache tree, modcache.json, audit); roll back if it fails".into()
            }
        });
    }
    steps
}

fn push(b: &PushFacts<'_>) -> Vec<String> {
    match b.kind {
        ArtifactKind::GoRelease => push_go_release(b),
        ArtifactKind::App => push_app(b),
        ArtifactKind::Modcache => push_modcache(b),
    }
}

/// `b.version` is the app's id, `svc-1.4.0`.
fn push_app(b: &PushFacts<'_>) -> Vec<String> {
    let sha = b.sha256.get(..12).unwrap_or(b.sha256);
    vec![
        format!(
            "pre-flight: arch {}, tools, free space, the app's restart and health in the inventory, nobody holds the lock",
            b.arch
        ),
        "lock: hold the host lock for the whole change".into(),
        format!(
            "upload {}, its file list and manifest (a partial upload resumes)",
            human_bytes(b.size)
        ),
        format!("check sha256 of the upload: {sha}…"),
        format!("extract {} into apps/NAME/releases/VERSION", b.version),
        format!("sha256sum -c: {} files against the bundle", b.file_count),
        "switch apps/NAME/current to it (ln + mv -T); state apps/NAME.json".into(),
        "restart, then health until health_timeout; if either fails, switch back and restart the previous release".into(),
        "audit: one line on the host and one on this jump host".into(),
    ]
}

fn push_go_release(b: &PushFacts<'_>) -> Vec<String> {
    let v = b.version;
    let sha = b.sha256.get(..12).unwrap_or(b.sha256);
    vec![
        format!(
            "pre-flight: arch {}, tools, free space, nobody holds the lock",
            b.arch
        ),
        "lock: hold the host lock for the whole change".into(),
        format!(
            "upload {} to incoming/ (a partial upload resumes)",
            human_bytes(b.size)
        ),
        format!("check sha256 of the upload: {sha}…"),
        format!("extract into releases/{v}"),
        format!("sha256sum -c: {} files against the bundle", b.file_count),
        format!("go version must print {v}"),
        format!("switch go_root to releases/{v}/go; go version again, else back"),
        format!("profile, state.json (current {v}), prune beyond keep_releases"),
        "audit: one line on the host and one on this jump host".into(),
    ]
}

fn push_modcache(b: &PushFacts<'_>) -> Vec<String> {
    let id = b.version;
    let sha = b.sha256.get(..12).unwrap_or(b.sha256);
    vec![
        "pre-flight: tools, free space, nobody holds the lock".into(),
        "lock: hold the host lock for the whole change".into(),
        format!(
            "upload {} to incoming/ (a partial upload resumes)",
            human_bytes(b.size)
        ),
        format!("check sha256 of the upload: {sha}…"),
        format!("extract into modcache/{id}"),
        format!(
            "sha256sum -c: {} files against the bundle, nothing else in the tree",
            b.file_count
        ),
        format!("switch modcache/current to {id}; modcache.json (current {id}); prune"),
        "hosts with athens_storage: each module version into Athens' disk storage, whole".into(),
        "audit: one line on the host and one on this jump host".into(),
    ]
}

fn run() -> Vec<String> {
    vec![
        "run the command as the login user (no lock; a dropped link is not retried)".into(),
        "gather exit status and output, grouped by identical answer".into(),
        "audit: one run line on the host and one on this jump host".into(),
    ]
}

fn verify() -> Vec<String> {
    vec![
        "probe the host (changes nothing)".into(),
        "tree: sha256sum -c of the active release against its bundle".into(),
        "go_version: go version matches state.json's current".into(),
        "profile: the env profile script is what offgo writes".into(),
        "state: state.json is valid".into(),
        "ldd: check_binaries have every shared library".into(),
        "audit: the host's audit log chain is intact".into(),
        "audit: one verify line on the host and one on this jump host".into(),
    ]
}

fn rollback() -> Vec<String> {
    vec![
        "pre-flight: nobody holds the host lock".into(),
        "lock: hold the host lock for the whole change".into(),
        "plan: state.json's previous release, which must still be on the host".into(),
        "switch go_root back to it".into(),
        "go version must print it; if not, switch back".into(),
        "profile: write the env profile script".into(),
        "state.json: current and previous swap".into(),
        "audit: one line on the host and one on this jump host".into(),
    ]
}
