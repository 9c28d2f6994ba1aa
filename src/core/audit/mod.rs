//! The hash-chained audit log (DESIGN.md, "Audit log"): records, chain verification, and the
//! per-host status shown by `scan` and the console.

mod status;

pub use status::{AuditStatus, AuditSummary};
