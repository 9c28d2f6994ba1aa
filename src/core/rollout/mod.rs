//! Rollouts: a plan (canary, batches), a pure state machine that decides what happens next,
//! a journal on the jump host so a crashed console can show and resume it, and the driver that
//! runs it with the engine for either face.

pub mod driver;
pub mod event;
pub mod history;
mod inputs;
pub mod journal;
pub mod listing;
pub mod machine;
pub mod plan;
pub mod predict;
pub mod preview;
pub mod report;
pub mod session;
pub mod settings;
pub mod summary;

pub use driver::{Driver, RolloutRequest, Update};
pub use event::RolloutEvent;
pub use machine::{Effect, Input, Note, Phase, Rollout, Status};
pub use plan::{plan, Batch, Plan};
pub use predict::{predict, Warning, WarningKind};
pub use preview::{preview, CanaryPick, PlanBundle, Preview};
pub use report::RolloutReport;
pub use session::{Resumed, RolloutSession, SessionError};
pub use settings::RolloutSettings;
pub use summary::{HostResult, HostSummary, Summary};
