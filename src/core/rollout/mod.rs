//! Rollouts: a plan (canary, batches), a pure state machine that decides what happens next,
//! a journal on the jump host so a crashed console can show and resume it, and the driver that
//! runs it with the engine for either face.

pub mod driver;
pub mod journal;
pub mod machine;
pub mod plan;
pub mod settings;

pub use driver::{Driver, RolloutRequest, Update};
pub use machine::{Effect, Input, Note, Phase, Rollout, Status};
pub use plan::{plan, Batch, Plan};
pub use settings::RolloutSettings;
