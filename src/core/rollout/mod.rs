//! Rollouts: a plan (canary, batches), a pure state machine that decides what happens next,
//! and a journal on the jump host so a crashed console can show and resume it.

pub mod machine;
pub mod plan;
pub mod settings;

pub use machine::{Effect, Input, Note, Phase, Rollout, Status};
pub use plan::{plan, Batch, Plan};
pub use settings::RolloutSettings;
