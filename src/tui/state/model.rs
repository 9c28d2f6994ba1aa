//! The console's whole state. Only [`crate::tui::update`] changes it; the view reads it.

use std::sync::Arc;
use std::time::Duration;

use std::path::PathBuf;

use tui_input::Input;

use super::measured::Measured;
use super::overlay::{Body, GatheredPane, OutputPane, Overlay};
use crate::core::inventory::{HostId, Inventory};
use crate::core::rollout::CanaryPick;
use crate::core::rollout::RolloutSettings;
use crate::tui::command::gathered::AdHocRun;
use crate::tui::input::keymap::{Keymap, Scope};
use crate::tui::layout;
pub use crate::tui::layout::Focus;
use crate::tui::logs::commands::CommandLog;
use crate::tui::logs::events::EventLog;
use crate::tui::msg::Stamp;
use crate::tui::operate::dialog::Dialog;
use crate::tui::rollout::list::RolloutList;
use crate::tui::rollout::state::RolloutState;
use crate::tui::state::row::HostRow;
use crate::tui::state::summary::FleetSummary;
use crate::tui::table::cells::{self, Widths};
use crate::tui::table::filter::Filter;
use crate::tui::table::sort::Sort;

/// A footer message and how long it stays.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flash {
    pub text: String,
    pub left: Duration,
}

impl Flash {
    /// Long enough to read, short enough not to hide the key hints for long.
    pub const SHOWN: Duration = Duration::from_secs(3);

    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            left: Self::SHOWN,
        }
    }
}

/// How the console was started, as far as the screen is concerned.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSettings {
    pub read_only: bool,
    /// Draw colours (false when `NO_COLOR` is set).
    pub color: bool,
    /// Re-probe the fleet this often; `None` turns auto-refresh off.
    pub refresh: Option<Duration>,
    pub size: (u16, u16),
}

impl Default for ModelSettings {
    fn default() -> Self {
        Self {
            read_only: false,
            color: true,
            refresh: None,
            size: (80, 24),
        }
    }
}

/// The filter text; whether the operator is typing it is [`Overlay::Filter`].
#[derive(Debug, Clone, Default)]
pub struct FilterState {
    pub input: Input,
}

impl FilterState {
    pub fn filter(&self) -> Filter {
        Filter::parse(self.input.value())
    }
}

#[derive(Debug, Clone)]
pub struct Model {
    /// The inventory file name, for the title.
    pub inventory_label: String,
    /// Indexed by [`HostId`].
    pub rows: Vec<HostRow>,
    /// Every host, sorted.
    pub order: Vec<HostId>,
    /// `order` with the filter applied: what the table shows.
    pub visible: Vec<HostId>,
    /// Index into `visible`.
    pub cursor: usize,
    /// The selected host, followed across re-sorts and re-filters.
    pub selected: Option<HostId>,
    /// The host the operator last moved to. While a filter hides it the row nearest it is
    /// selected; when the filter shows it again, the selection comes back to it.
    pub(crate) anchor: Option<HostId>,
    /// First `visible` index on screen.
    pub offset: usize,
    pub sort: Sort,
    pub filter: FilterState,
    pub focus: Focus,
    pub detail_scroll: u16,
    pub help_scroll: u16,
    /// The filter being typed, the help or a dialog, which has the keys while it is open.
    pub overlay: Overlay,
    /// The table or the rollout view.
    pub body: Body,
    /// The scroll limits the last frame measured.
    pub measured: Measured,
    /// Where the push picker looks for bundles (see [`crate::tui::operate::bundles::bundles_dir`]).
    pub bundles_dir: PathBuf,
    pub log: EventLog,
    pub summary: FleetSummary,
    pub keymap: Keymap,
    pub settings: ModelSettings,
    /// Time since the last auto-refresh.
    pub since_refresh: Duration,
    /// The latest time a message brought, for log entries of key presses.
    pub clock: Stamp,
    /// The rollout running, finished, or found unfinished at start-up.
    pub rollout: Option<RolloutState>,
    /// The confirmed rollout whose bundle is being opened off the event loop: its token and
    /// version. Only the answer with this token starts a rollout; a later confirm supersedes it.
    pub rollout_opening: Option<(u64, String)>,
    /// The last token handed out.
    pub rollout_tokens: u64,
    /// The journal's rollouts, as last listed (`L`).
    pub rollout_list: RolloutList,
    /// The inventory's `[rollout]` table over the defaults, or what is wrong with it.
    pub rollout_settings: Result<RolloutSettings, String>,
    /// The `canary` setting, resolved against the inventory.
    pub rollout_canary: CanaryPick,
    /// Every remote command offgo ran.
    pub commands: CommandLog,
    /// A short word in the footer that outshines the key hints for a moment (a key a
    /// read-only console refuses).
    pub flash: Option<Flash>,
    /// The inventory has a `[go_env]` policy: the table shows the env column.
    pub env_policy: bool,
    /// The last ad-hoc command (`:run`) and its answers so far.
    pub ad_hoc: Option<AdHocRun>,
    /// A failure bucket chosen in the rollout view: the table shows exactly these hosts.
    pub only: Option<Vec<HostId>>,
    /// The table's column widths, from every row's texts this session.
    pub widths: Widths,
    /// Rows changed since the last sort; see [`Model::settle`].
    pub(crate) needs_sort: bool,
    pub(crate) needs_filter: bool,
    /// The apps view's cursor and what the bundle directory says of apps.
    pub apps: crate::tui::apps::state::AppsView,
}

impl Model {
    pub fn new(inventory: &Arc<Inventory>, settings: ModelSettings) -> Self {
        let mut widths = Widths::default();
        let rows: Vec<HostRow> = inventory
            .hosts
            .iter()
            .enumerate()
            .map(|(id, host)| {
                let mut row = HostRow::new(id, host);
                cells::texts_changed(&mut row, &mut widths);
                row
            })
            .collect();
        let inventory_label = inventory
            .source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| inventory.source.display().to_string());
        let mut model = Self {
            inventory_label,
            summary: FleetSummary::of(&rows),
            order: (0..rows.len()).collect(),
            visible: Vec::new(),
            rows,
            cursor: 0,
            selected: None,
            anchor: None,
            offset: 0,
            sort: Sort::default(),
            filter: FilterState::default(),
            focus: Focus::Table,
            detail_scroll: 0,
            help_scroll: 0,
            overlay: Overlay::None,
            body: Body::Table,
            measured: Measured::default(),
            bundles_dir: crate::tui::operate::bundles::bundles_dir(inventory),
            log: EventLog::default(),
            keymap: Keymap::for_mode(settings.read_only),
            settings,
            since_refresh: Duration::ZERO,
            clock: Stamp::default(),
            rollout: None,
            rollout_opening: None,
            rollout_tokens: 0,
            rollout_list: RolloutList::default(),
            rollout_settings: rollout_settings(inventory),
            rollout_canary: rollout_canary(inventory),
            commands: CommandLog::default(),
            flash: None,
            ad_hoc: None,
            env_policy: !inventory.go_env.is_empty(),
            only: None,
            widths,
            needs_sort: true,
            needs_filter: true,
            apps: Default::default(),
        };
        model.settle();
        model
    }

    /// The scope keys are looked up in.
    pub fn scope(&self) -> Scope {
        match (&self.overlay, self.body) {
            (Overlay::Dialog(dialog), _) if matches!(**dialog, Dialog::Picker(_)) => Scope::Picker,
            (Overlay::Dialog(_), _) => Scope::Confirm,
            (Overlay::Help, _) => Scope::Help,
            (Overlay::Filter, _) => Scope::Filter,
            (Overlay::Output(_), _) => Scope::Output,
            (Overlay::Export(_), _) => Scope::Export,
            (Overlay::Command(_), _) => Scope::Command,
            (Overlay::Gathered(_), _) => Scope::Output,
            (Overlay::None, Body::Rollout) => Scope::Rollout,
            (Overlay::None, Body::Rollouts) => Scope::Rollouts,
            (Overlay::None, Body::Table) => Scope::Table,
            (Overlay::None, Body::Apps) => Scope::Apps,
        }
    }

    /// The dialog open, if any.
    pub fn dialog(&self) -> Option<&Dialog> {
        match &self.overlay {
            Overlay::Dialog(dialog) => Some(dialog.as_ref()),
            _ => None,
        }
    }

    pub fn dialog_mut(&mut self) -> Option<&mut Dialog> {
        match &mut self.overlay {
            Overlay::Dialog(dialog) => Some(dialog.as_mut()),
            _ => None,
        }
    }

    pub fn open_dialog(&mut self, dialog: Dialog) {
        self.overlay = Overlay::Dialog(Box::new(dialog));
    }

    /// Closes the dialog, if one is open, and hands it over.
    pub fn take_dialog(&mut self) -> Option<Dialog> {
        match std::mem::take(&mut self.overlay) {
            Overlay::Dialog(dialog) => Some(*dialog),
            other => {
                self.overlay = other;
                None
            }
        }
    }

    pub fn help_open(&self) -> bool {
        self.overlay == Overlay::Help
    }

    /// The output pane, if it is open.
    pub fn gathered_pane(&self) -> Option<GatheredPane> {
        match self.overlay {
            Overlay::Gathered(pane) => Some(pane),
            _ => None,
        }
    }

    pub fn output_pane(&self) -> Option<OutputPane> {
        match self.overlay {
            Overlay::Output(pane) => Some(pane),
            _ => None,
        }
    }

    pub fn filter_editing(&self) -> bool {
        self.overlay == Overlay::Filter
    }

    pub fn rollout_open(&self) -> bool {
        self.body == Body::Rollout
    }

    /// Host rows the table shows at the screen size.
    pub fn table_page(&self) -> usize {
        layout::table_page(self.size(), self.focus)
    }

    /// Re-derives the table after rows, sort or filter changed. The host the operator chose
    /// stays selected while it is shown; while the filter hides it, the row nearest it in the
    /// sort order is selected instead. The cursor is kept on screen.
    pub(crate) fn settle(&mut self) {
        if self.needs_sort {
            let (rows, sort) = (&self.rows, self.sort);
            self.order
                .sort_unstable_by(|&a, &b| sort.compare(&rows[a], &rows[b]));
        }
        if self.needs_sort || self.needs_filter {
            let filter = self.filter.filter();
            let rows = &self.rows;
            let only = self.only.as_deref();
            let mut nearest = Nearest::new(self.anchor.or(self.selected));
            self.visible.clear();
            for (at, &id) in self.order.iter().enumerate() {
                let shown = only.is_none_or(|o| o.contains(&id)) && filter.matches(&rows[id]);
                if shown {
                    self.visible.push(id);
                }
                nearest.pass(at, id, shown.then(|| self.visible.len() - 1));
            }
            self.cursor = nearest.index().unwrap_or(self.cursor);
            self.needs_sort = false;
            self.needs_filter = false;
        }
        self.cursor = self.cursor.min(self.visible.len().saturating_sub(1));
        self.selected = self.visible.get(self.cursor).copied();
        self.keep_cursor_on_screen();
    }

    fn keep_cursor_on_screen(&mut self) {
        let page = self.table_page().max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
        self.offset = self.offset.min(self.visible.len().saturating_sub(page));
    }

    pub fn selected_row(&self) -> Option<&HostRow> {
        self.selected.and_then(|id| self.rows.get(id))
    }

    pub fn marked(&self) -> impl Iterator<Item = &HostRow> {
        self.rows.iter().filter(|r| r.marked)
    }

    pub fn size(&self) -> (u16, u16) {
        self.settings.size
    }
}

/// Finds, in one pass over the sort order, the shown row nearest a host: the host itself
/// when shown, else the closer of the shown rows just before and just after it (the one
/// after on a tie, as the next row moves up into a hidden one's place).
struct Nearest {
    target: Option<HostId>,
    /// Order position of the target, once passed.
    target_at: Option<usize>,
    /// The last shown row before the target: (order position, visible index).
    before: Option<(usize, usize)>,
    after: Option<(usize, usize)>,
}

impl Nearest {
    fn new(target: Option<HostId>) -> Self {
        Self {
            target,
            target_at: None,
            before: None,
            after: None,
        }
    }

    /// The row at order position `at`, and its visible index if shown.
    fn pass(&mut self, at: usize, id: HostId, shown: Option<usize>) {
        if Some(id) == self.target {
            self.target_at = Some(at);
        }
        let Some(index) = shown else { return };
        match self.target_at {
            None => self.before = Some((at, index)),
            Some(_) if self.after.is_none() => self.after = Some((at, index)),
            Some(_) => {}
        }
    }

    /// The visible index to select; `None` when there was no host to follow.
    fn index(&self) -> Option<usize> {
        let target = self.target_at?;
        match (self.before, self.after) {
            (Some((b, bi)), Some((a, ai))) => Some(if target - b < a - target { bi } else { ai }),
            (Some((_, bi)), None) => Some(bi),
            (None, Some((_, ai))) => Some(ai),
            (None, None) => None,
        }
    }
}

/// `[rollout]` over the defaults; the error names the inventory file.
pub fn rollout_settings(inventory: &Inventory) -> Result<RolloutSettings, String> {
    RolloutSettings::for_inventory(inventory)
}

/// The hosts a `canary = "selector"` setting names (a count is resolved against the plan).
fn rollout_canary(inventory: &Inventory) -> CanaryPick {
    rollout_settings(inventory)
        .ok()
        .and_then(|s| CanaryPick::resolve(inventory, &s).ok())
        .unwrap_or_default()
}
