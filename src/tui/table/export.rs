//! `E`: the table as the operator sees it (filtered, sorted) to a CSV or JSON file. The prompt
//! asks for the path; the event loop writes the file (see [`crate::core::export`]), never over
//! an existing one, and answers with the path and the row count or the error. The steps are
//! in [`crate::tui::table::update`].

use std::path::{Path, PathBuf};

use tui_input::Input;

use crate::core::export::Format;
use crate::tui::msg::Stamp;

/// The path being typed, and what went wrong with the last one, if anything.
#[derive(Debug, Clone, Default)]
pub struct ExportPrompt {
    pub input: Input,
    /// Why the last try wrote nothing (the file exists, the directory is missing…).
    pub error: Option<String>,
}

impl PartialEq for ExportPrompt {
    fn eq(&self, other: &Self) -> bool {
        self.input.value() == other.input.value()
            && self.input.cursor() == other.input.cursor()
            && self.error == other.error
    }
}

impl ExportPrompt {
    /// A prompt holding `path`, the cursor at its end.
    pub fn new(path: &str) -> Self {
        Self {
            input: Input::new(path.to_string()),
            error: None,
        }
    }

    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.input.value().trim())
    }

    pub fn format(&self) -> Format {
        Format::for_path(&self.path())
    }
}

/// `offgo-hosts-YYYYmmdd-HHMMSS.csv`, in the current directory.
pub fn default_path(at: Stamp) -> String {
    format!("offgo-hosts-{}.csv", at.file_label())
}

/// How the log names the written file: `exported 12 hosts (CSV) to /home/op/offgo-….csv`.
pub fn written(rows: usize, path: &Path) -> String {
    let hosts = if rows == 1 { "host" } else { "hosts" };
    let format = Format::for_path(path).as_str();
    format!("exported {rows} {hosts} ({format}) to {}", path.display())
}
