//! What the operator (or the console itself) can ask for. Keys map to actions in
//! [`crate::tui::input::keymap`]; [`crate::tui::update`] gives them meaning in the current context.

/// One thing the console can do. Most are bound to keys; the internal ones are fired by the
/// console itself and the keymap refuses to bind them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    FilterOpen,
    FilterKeep,
    FilterClear,
    SortNext,
    SortReverse,
    ToggleMark,
    MarkAllVisible,
    ToggleDetail,
    Reprobe,
    ToggleHelp,
    Quit,
    /// Dangerous: pick a bundle, confirm, push it to the marked hosts (else the selected one).
    Push,
    /// Confirm, then verify the active release on the marked hosts (else the selected one).
    Verify,
    /// Dangerous: confirm, then switch the marked hosts (else the selected one) back to their
    /// previous release.
    Rollback,
    /// In the bundle picker: take the highlighted bundle on to the confirm dialog.
    Pick,
    /// In the confirm dialog: run the operation.
    Confirm,
    /// Close the picker or the confirm dialog; nothing runs.
    Cancel,
    /// Dangerous: pick a bundle, confirm the plan, roll it out to the marked hosts (else every
    /// visible one) in batches.
    RolloutStart,
    /// Show or hide the rollout view.
    RolloutView,
    /// Running hosts finish; no new host starts until continued.
    RolloutPause,
    /// Dangerous: go on past a pause (or resume an unfinished rollout found at start-up).
    RolloutContinue,
    /// Confirm, then stop the rollout: in-flight hosts finish, no new host starts.
    RolloutAbort,
    /// Dangerous: push the failed hosts again (the marked ones, when some are marked).
    RolloutRetry,
    /// Dangerous: roll the failed hosts (the marked ones, when some are marked) back.
    RolloutRollBack,
    /// In the rollout view: show exactly the highlighted bucket's hosts in the table, marked.
    BucketPick,
    /// Show or hide the list of every rollout in the journal directory.
    RolloutList,
    /// In the rollout list: open the highlighted rollout in the rollout view.
    RolloutOpen,
    /// Cycle the command log pane: the selected host's commands, every host's, hidden.
    CommandLog,
    /// Dangerous: suspend the console for an interactive `ssh` on the selected host.
    Shell,
    /// Show or hide the output pane: the host's last operations, each command with its exit
    /// status, time and what it printed.
    OutputPane,
    /// Open the export prompt: the table as shown, to a CSV or JSON file.
    Export,
    /// In the export prompt: write the file.
    ExportWrite,
    /// Open the command line (`:run CMD`, `:results`).
    CommandLine,
    /// In the command line: do what it says (`:run` asks first).
    CommandEnter,
    /// Switch between the host table and the apps view (one row per host and Go application).
    AppsView,
    /// Internal: the start-up probe and the periodic auto-refresh. Re-probes every host that is
    /// not already being probed, whatever is marked.
    Refresh,
}

impl Action {
    /// Every action, for checks that each one is reachable and described.
    pub const ALL: [Action; 42] = [
        Action::Up,
        Action::Down,
        Action::PageUp,
        Action::PageDown,
        Action::Top,
        Action::Bottom,
        Action::FilterOpen,
        Action::FilterKeep,
        Action::FilterClear,
        Action::SortNext,
        Action::SortReverse,
        Action::ToggleMark,
        Action::MarkAllVisible,
        Action::ToggleDetail,
        Action::Reprobe,
        Action::ToggleHelp,
        Action::Quit,
        Action::Push,
        Action::Verify,
        Action::Rollback,
        Action::Pick,
        Action::Confirm,
        Action::Cancel,
        Action::RolloutStart,
        Action::RolloutView,
        Action::RolloutPause,
        Action::RolloutContinue,
        Action::RolloutAbort,
        Action::RolloutRetry,
        Action::RolloutRollBack,
        Action::BucketPick,
        Action::RolloutList,
        Action::RolloutOpen,
        Action::CommandLog,
        Action::Shell,
        Action::OutputPane,
        Action::Export,
        Action::ExportWrite,
        Action::CommandLine,
        Action::CommandEnter,
        Action::AppsView,
        Action::Refresh,
    ];

    /// Internal actions come from the console's own timers, never from a key: a binding to
    /// one would let a key bypass the rules that fire it.
    pub fn is_internal(self) -> bool {
        matches!(self, Action::Refresh)
    }

    /// Dangerous actions change hosts (or, a shell, hand the operator the means to). They are
    /// drawn in the danger colour, those that act go through a confirm dialog, and
    /// `--read-only` takes them out of the keymap altogether.
    pub fn is_dangerous(self) -> bool {
        matches!(
            self,
            Action::Push
                | Action::Rollback
                | Action::RolloutStart
                | Action::RolloutContinue
                | Action::RolloutRetry
                | Action::RolloutRollBack
                | Action::Shell
        )
    }

    /// What the action does, as the help overlay and the key reference say it.
    pub fn describe(self) -> &'static str {
        match self {
            Action::Up => "move up (scroll, when the detail or help has focus)",
            Action::Down => "move down (scroll, when the detail or help has focus)",
            Action::PageUp => "page up",
            Action::PageDown => "page down",
            Action::Top => "first host",
            Action::Bottom => "last host",
            Action::FilterOpen => "filter on any column's text or the error (/!text inverts)",
            Action::FilterKeep => "keep the filter and return to the table",
            Action::FilterClear => "clear the filter and return to the table",
            Action::SortNext => "sort by the next column",
            Action::SortReverse => "reverse the sort order",
            Action::ToggleMark => "mark or unmark the host and move down",
            Action::MarkAllVisible => "mark every visible host (again: unmark them)",
            Action::ToggleDetail => "focus the detail pane (again: back to the table)",
            Action::Reprobe => "re-probe the marked hosts (none marked: every host)",
            Action::ToggleHelp => "show or hide this help",
            Action::Quit => "quit",
            Action::Push => "push a bundle to the marked hosts (else the selected one)",
            Action::Verify => "verify the active Go of the marked hosts (else the selected)",
            Action::Rollback => "roll the marked hosts (else the selected) back a release",
            Action::Pick => "take the highlighted bundle on to the confirm dialog",
            Action::Confirm => "run it on the listed hosts",
            Action::Cancel => "close the dialog; nothing runs",
            Action::RolloutStart => {
                "roll a bundle out to the marked hosts (else every visible one) in batches"
            }
            Action::RolloutView => "show or hide the rollout view",
            Action::RolloutPause => "pause the rollout: running hosts finish, no new one starts",
            Action::RolloutContinue => {
                "continue past a pause or a lifted halt; resume an unfinished one (asks first)"
            }
            Action::RolloutAbort => "abort the rollout (asks first): running hosts finish",
            Action::RolloutRetry => {
                "push the failed hosts again (the marked ones, if any; asks first)"
            }
            Action::RolloutRollBack => {
                "roll the failed hosts back (the marked ones, if any; asks first)"
            }
            Action::BucketPick => "show and mark exactly the highlighted failure bucket's hosts",
            Action::RolloutList => "list every rollout in the journal, headless ones too",
            Action::RolloutOpen => "open the highlighted rollout in the rollout view",
            Action::CommandLog => "command log: the selected host's, every host's, hidden",
            Action::Shell => "a shell on the selected host (the system ssh; exit returns)",
            Action::OutputPane => "show or hide the host's output: commands, exit, stdout, stderr",
            Action::Export => "export the table as shown to a CSV or JSON file",
            Action::ExportWrite => {
                "write the file (.json: JSON, else CSV); never over one that exists"
            }
            Action::CommandLine => "command line: :run CMD (asks first), :results, :apps, :hosts",
            Action::CommandEnter => "do it (:run asks first; refused in a read-only console)",
            Action::AppsView => {
                "apps view: each host's Go apps, build, health, drift (again or esc: hosts)"
            }
            Action::Refresh => "re-probe every host (start-up and auto-refresh)",
        }
    }

    /// A few words for the footer.
    pub fn hint(self) -> &'static str {
        match self {
            Action::Up => "up",
            Action::Down => "down",
            Action::PageUp | Action::PageDown => "page",
            Action::Top | Action::Bottom => "ends",
            Action::FilterOpen => "filter",
            Action::FilterKeep => "keep",
            Action::FilterClear => "clear",
            Action::SortNext => "sort",
            Action::SortReverse => "reverse",
            Action::ToggleMark => "mark",
            Action::MarkAllVisible => "mark all",
            Action::ToggleDetail => "detail",
            Action::Reprobe => "re-probe",
            Action::ToggleHelp => "help",
            Action::Quit => "quit",
            Action::Push => "push",
            Action::Verify => "verify",
            Action::Rollback => "rollback",
            Action::Pick => "pick",
            Action::Confirm => "run",
            Action::Cancel => "cancel",
            Action::RolloutStart => "rollout",
            Action::RolloutView => "rollout view",
            Action::RolloutPause => "pause",
            Action::RolloutContinue => "continue",
            Action::RolloutAbort => "abort",
            Action::RolloutRetry => "retry failed",
            Action::RolloutRollBack => "roll back failed",
            Action::BucketPick => "show bucket",
            Action::RolloutList => "rollouts",
            Action::RolloutOpen => "open",
            Action::CommandLog => "commands",
            Action::Shell => "shell",
            Action::OutputPane => "output",
            Action::Export => "export",
            Action::ExportWrite => "write",
            Action::CommandLine => "command",
            Action::CommandEnter => "do it",
            Action::AppsView => "apps/hosts",
            Action::Refresh => "refresh",
        }
    }
}
