//! One value of the parsed document together with its dotted key and source span, so every
//! check can say exactly where it failed. Typed readers live here; what a value *means* (a port,
//! a path) is decided by the callers.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::error::{InventoryError, Position};

/// The inventory text being read and where it came from.
pub(super) struct Doc<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    /// Relative local paths in the inventory are relative to this directory.
    pub base_dir: PathBuf,
}

impl Doc<'_> {
    pub fn error(
        &self,
        span: Range<usize>,
        key: &str,
        message: impl Into<String>,
    ) -> InventoryError {
        InventoryError::new(message)
            .in_file(self.file)
            .at(Position::of_offset(self.text, span.start))
            .key(key)
    }
}

/// A value at `key` (e.g. `hosts[2].port`).
#[derive(Clone, Copy)]
pub(super) struct Field<'a> {
    pub doc: &'a Doc<'a>,
    pub key: &'a str,
    pub value: &'a Spanned<DeValue<'a>>,
}

impl<'a> Field<'a> {
    pub fn error(&self, message: impl Into<String>) -> InventoryError {
        self.doc.error(self.value.span(), self.key, message)
    }

    /// "expected a string, found an integer".
    pub fn wrong_type(&self, expected: &str) -> InventoryError {
        let found = self.value.get_ref().type_str();
        let article = if found.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        self.error(format!("expected {expected}, found {article} {found}"))
    }

    pub fn string(&self) -> Result<&'a str, InventoryError> {
        self.value.get_ref().as_str().ok_or_else(|| {
            let hint = match self.key.rsplit_once('.').map_or(self.key, |(_, last)| last) {
                last if last.ends_with(']') => {
                    "write each element in double quotes: [\"a\", \"b\"]".to_owned()
                }
                last => format!("write the value in double quotes: {last} = \"...\""),
            };
            self.wrong_type("a string").hint(hint)
        })
    }

    pub fn bool(&self) -> Result<bool, InventoryError> {
        self.value.get_ref().as_bool().ok_or_else(|| {
            self.wrong_type("a boolean (true or false)")
                .hint("write true or false, without quotes")
        })
    }

    /// The integer, if the value is one. TOML integers are 64-bit; i128 holds any of them with
    /// room to spare, so range checks are the caller's.
    pub fn integer(&self) -> Option<i128> {
        let int = self.value.get_ref().as_integer()?;
        i128::from_str_radix(int.as_str(), int.radix()).ok()
    }

    pub fn table(&self) -> Result<&'a DeTable<'a>, InventoryError> {
        let hint = format!("write it as a [{}] table", self.key);
        self.value
            .get_ref()
            .as_table()
            .ok_or_else(|| self.wrong_type("a table").hint(hint))
    }

    /// The elements of an array, each with its own key (`check_binaries[1]`).
    pub fn array(&self) -> Result<Vec<(String, &'a Spanned<DeValue<'a>>)>, InventoryError> {
        match self.value.get_ref() {
            DeValue::Array(items) => Ok(items
                .iter()
                .enumerate()
                .map(|(i, item)| (format!("{}[{i}]", self.key), item))
                .collect()),
            _ => Err(self.wrong_type("an array")),
        }
    }

    /// A duration: a string such as "5s", "500ms", "2m", or a bare integer of seconds.
    pub fn duration(&self) -> Result<Duration, InventoryError> {
        const HINT: &str = "write a number with a unit, e.g. \"5s\", \"500ms\" or \"2m\" (a bare number means seconds)";
        match self.value.get_ref() {
            DeValue::String(s) => humantime::parse_duration(s.trim())
                .map_err(|e| self.error(format!("bad duration \"{s}\": {e}")).hint(HINT)),
            DeValue::Integer(_) => match self.integer().and_then(|n| u64::try_from(n).ok()) {
                Some(secs) => Ok(Duration::from_secs(secs)),
                None => Err(self.error("a duration cannot be negative").hint(HINT)),
            },
            _ => Err(self.wrong_type("a duration such as \"5s\"").hint(HINT)),
        }
    }
}

/// A table's entries in the order they appear in the file (the parsed map is sorted by key).
pub(super) fn entries_in_file_order<'a>(
    table: &'a DeTable<'a>,
) -> Vec<(
    &'a Spanned<std::borrow::Cow<'a, str>>,
    &'a Spanned<DeValue<'a>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// The dotted path of `key` inside `parent` (`""` is the top level).
pub(super) fn child_key(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

/// A key that is not allowed where it is: name it, and suggest the closest allowed one.
pub(super) fn unknown_key(
    doc: &Doc<'_>,
    key: &Spanned<std::borrow::Cow<'_, str>>,
    parent: &str,
    allowed: &[&str],
) -> InventoryError {
    let name = key.get_ref().as_ref();
    let hint = match super::suggest::closest(name, allowed.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!("allowed here: {}", allowed.join(", ")),
    };
    doc.error(
        key.span(),
        &child_key(parent, name),
        format!("unknown key `{name}`"),
    )
    .hint(hint)
}
