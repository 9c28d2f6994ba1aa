//! The rollout list (`L`) as the model keeps it: every rollout the journal directory holds,
//! newest first, as the event loop last read it. Its keys are in [`super::list_keys`].

use std::path::PathBuf;

use crate::core::rollout::listing::Listed;
use crate::tui::state::overlay::Body;

#[derive(Debug, Clone, Default)]
pub struct RolloutList {
    /// Newest first; unreadable journals too, with their reason.
    pub entries: Vec<Listed>,
    /// Where the journals are, for the empty list's words.
    pub dir: PathBuf,
    /// The highlighted entry.
    pub cursor: usize,
    /// The event loop has answered at least once.
    pub loaded: bool,
    /// What `L` or Esc goes back to.
    pub back: Body,
}
