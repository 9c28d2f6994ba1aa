//! The console's whole state. Only [`super::update`] changes it; the view reads it.

use std::sync::Arc;
use std::time::Duration;

use std::path::PathBuf;

use tui_input::Input;

use super::commandlog::CommandLog;
use super::dialog::Dialog;
use super::eventlog::EventLog;
use super::filter::Filter;
use super::keymap::{Keymap, Scope};
use super::msg::Stamp;
use super::rollout::RolloutState;
use super::row::HostRow;
use super::sort::Sort;
use super::summary::FleetSummary;
use crate::core::inventory::{HostId, Inventory};
use crate::core::rollout::{CanaryPick, RolloutSettings};

/// Which pane the movement keys act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Table,
    Detail,
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

#[derive(Debug, Clone, Default)]
pub struct FilterState {
    pub input: Input,
    /// The operator is typing the filter.
    pub editing: bool,
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
    /// First `visible` index on screen.
    pub offset: usize,
    pub sort: Sort,
    pub filter: FilterState,
    pub focus: Focus,
    pub detail_scroll: u16,
    pub help_open: bool,
    pub help_scroll: u16,
    /// The bundle picker or confirm dialog, which has the keys while it is open.
    pub dialog: Option<Dialog>,
    /// Where the push picker looks for bundles (see [`super::bundles::bundles_dir`]).
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
    /// The rollout view replaces the table.
    pub rollout_open: bool,
    /// The inventory's `[rollout]` table over the defaults, or what is wrong with it.
    pub rollout_settings: Result<RolloutSettings, String>,
    /// The `canary` setting, resolved against the inventory.
    pub rollout_canary: CanaryPick,
    /// Every remote command offgo ran.
    pub commands: CommandLog,
    /// A failure bucket chosen in the rollout view: the table shows exactly these hosts.
    pub only: Option<Vec<HostId>>,
    /// Rows changed since the last sort; see `update::settle`.
    pub(crate) needs_sort: bool,
    pub(crate) needs_filter: bool,
}

impl Model {
    pub fn new(inventory: &Arc<Inventory>, settings: ModelSettings) -> Self {
        let rows: Vec<HostRow> = inventory
            .hosts
            .iter()
            .enumerate()
            .map(|(id, host)| HostRow::new(id, host))
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
            offset: 0,
            sort: Sort::default(),
            filter: FilterState::default(),
            focus: Focus::Table,
            detail_scroll: 0,
            help_open: false,
            help_scroll: 0,
            dialog: None,
            bundles_dir: super::bundles::bundles_dir(inventory),
            log: EventLog::default(),
            keymap: Keymap::for_mode(settings.read_only),
            settings,
            since_refresh: Duration::ZERO,
            clock: Stamp::default(),
            rollout: None,
            rollout_open: false,
            rollout_settings: rollout_settings(inventory),
            rollout_canary: rollout_canary(inventory),
            commands: CommandLog::default(),
            only: None,
            needs_sort: true,
            needs_filter: true,
        };
        super::update::settle(&mut model);
        model
    }

    /// The scope keys are looked up in.
    pub fn scope(&self) -> Scope {
        if let Some(dialog) = &self.dialog {
            match dialog {
                Dialog::Picker(_) => Scope::Picker,
                Dialog::Confirm(_) | Dialog::Rollout(_) | Dialog::AbortRollout => Scope::Confirm,
            }
        } else if self.help_open {
            Scope::Help
        } else if self.filter.editing {
            Scope::Filter
        } else if self.rollout_open {
            Scope::Rollout
        } else {
            Scope::Table
        }
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

/// `[rollout]` over the defaults; the error names the inventory file.
pub fn rollout_settings(inventory: &Inventory) -> Result<RolloutSettings, String> {
    RolloutSettings::for_inventory(inventory)
}

/// The hosts a `canary = "selector"` setting names (a count is resolved against the plan).
fn rollout_canary(inventory: &Inventory) -> CanaryPick {
    rollout_settings(inventory)
        .and_then(|s| CanaryPick::resolve(inventory, &s))
        .unwrap_or_default()
}
