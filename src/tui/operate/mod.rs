//! Operations on hosts (push, verify, rollback): the bundles offered, the picker and confirm
//! dialogs, the steps each host will run, and each host's operation as it goes.

pub mod bundles;
pub mod dialog;
pub mod operation;
pub mod steps;
pub(crate) mod update;
