//! The hash-chained audit log (DESIGN.md, "Audit log"): records, chain verification, the jump
//! host's log, and the per-host status shown by `scan` and the console.

pub mod chain;
pub mod local;
pub mod record;
mod status;

pub use local::{LastRecorded, LocalAuditLog};
pub use record::AuditRecord;
pub use status::{classify, AuditStatus, AuditSummary};
