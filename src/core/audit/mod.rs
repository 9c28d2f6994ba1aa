//! The hash-chained audit log (DESIGN.md, "Audit log"): records, chain verification, the jump
//! host's log and its per-host index, the comparison of a host's log with it, and the per-host
//! status shown by `scan` and the console.

pub mod chain;
mod compare;
pub mod fetch;
pub mod index;
pub mod local;
pub mod record;
mod status;
#[cfg(test)]
mod testlog;
pub mod trail;

pub use index::{HostIdentity, Recorded, RecordedEntry};
pub use local::LocalAuditLog;
pub use record::AuditRecord;
pub use status::{classify, AuditStatus, AuditSummary};
pub use trail::{AuditTrail, EntryKind};
