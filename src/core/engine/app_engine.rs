//! The engine's app operations that name an app rather than a bundle: `verify --app`,
//! `rollback --app`, and the verification and rollback a rollout runs after pushing an artifact.

use super::app_rollback::rollback_app_host;
use super::app_verify::verify_app_host;
use super::{Artifact, Engine, Operation};

impl Engine {
    /// Verifies app `name` on `hosts`.
    pub fn verify_app(&self, hosts: &[super::HostId], name: &str) {
        let name = name.to_string();
        self.operate(hosts, Operation::Verify, move |link, run, ctx| {
            verify_app_host(link, Some(&name), run, ctx)
        });
    }

    /// Rolls app `name` on `hosts` back to its previous release, or to `to`.
    pub fn rollback_app(&self, hosts: &[super::HostId], name: &str, to: Option<&str>) {
        let (name, to) = (name.to_string(), to.map(str::to_string));
        self.operate(hosts, Operation::Rollback, move |link, run, ctx| {
            rollback_app_host(link, Some(&name), to.as_deref(), run, ctx)
        });
    }

    /// The verification a rollout runs right after its push of `artifact`: ldd gaps the push saw
    /// before it changed anything are pre-existing, not failures, and a Go release's files the
    /// push proved in this process are not read again.
    pub fn verify_pushed(
        &self,
        hosts: &[super::HostId],
        artifact: &Artifact,
        after: super::AfterPush,
    ) {
        let op = artifact.verify_after_op(after);
        self.operate(hosts, Operation::Verify, move |link, run, ctx| {
            op(link, run, ctx)
        });
    }

    /// Rolls back hosts a rollout pushed `artifact` to.
    pub fn rollback_pushed(&self, hosts: &[super::HostId], artifact: &Artifact) {
        let op = artifact.rollback_after_op();
        self.operate(hosts, Operation::Rollback, move |link, run, ctx| {
            op(link, run, ctx)
        });
    }
}
