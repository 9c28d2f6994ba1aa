//! What the last frame measured, fed back to the model by the event loop: how far each
//! scrolling pane can scroll. Only the view knows how many lines a pane's text takes at the
//! screen's size, so it reports that after drawing (as television's `UiState`) instead of
//! `update` building the text again to count it.

/// Scroll limits, each the last one drawn (`None` until that pane or dialog was on screen).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Measured {
    /// The detail pane's lines before wrapping, less one: never hides the last line.
    pub detail: Option<u16>,
    pub help: Option<u16>,
    /// The confirm dialog's host list.
    pub confirm: Option<usize>,
    /// The rollout plan dialog.
    pub plan: Option<usize>,
    /// The output pane.
    pub output: Option<u16>,
}

impl Measured {
    /// Takes what `frame` measured and keeps the rest: a pane not on screen this frame keeps
    /// its last limit.
    pub fn update(&mut self, frame: Measured) {
        self.detail = frame.detail.or(self.detail);
        self.help = frame.help.or(self.help);
        self.confirm = frame.confirm.or(self.confirm);
        self.plan = frame.plan.or(self.plan);
        self.output = frame.output.or(self.output);
    }
}
