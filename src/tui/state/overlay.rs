//! What sits over the main view and has the keys: at most one thing at a time, so the
//! console cannot be half in the help and half in a dialog.

use crate::core::inventory::HostId;
use crate::tui::command::line::CommandLine;
use crate::tui::operate::dialog::Dialog;
use crate::tui::table::export::ExportPrompt;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Overlay {
    #[default]
    None,
    /// The operator is typing the filter (in the footer).
    Filter,
    /// The key help.
    Help,
    /// The bundle picker or a confirm dialog (boxed: the rest are a word).
    Dialog(Box<Dialog>),
    /// The path of an export being typed.
    Export(ExportPrompt),
    /// One host's commands with what they printed.
    Output(OutputPane),
    /// The command line being typed (`:`), in the footer.
    Command(CommandLine),
    /// The last ad-hoc command's answers, grouped by identical result.
    Gathered(GatheredPane),
}

/// The gathered-output pane of `:run`: how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GatheredPane {
    pub scroll: u16,
}

/// The output pane: whose, and how far it is scrolled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutputPane {
    pub host: HostId,
    pub scroll: u16,
}

/// What fills the screen between header and footer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Body {
    /// The host table (and, when there is room or focus, the detail pane).
    #[default]
    Table,
    /// The rollout view, in place of table and detail.
    Rollout,
    /// The list of the journal's rollouts, in place of table and detail.
    Rollouts,
    /// One row per host and Go application, in place of the table (the detail pane stays).
    Apps,
}
