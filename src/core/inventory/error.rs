//! Inventory errors: where (file, line, column, key), what is wrong, and what to do.

use std::fmt;
use std::path::{Path, PathBuf};

/// 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`. Offsets past the end clamp to the end, so a
    /// span reported at end of file still points somewhere real.
    pub fn of_offset(text: &str, offset: usize) -> Self {
        let bytes = text.as_bytes();
        let before = &bytes[..offset.min(bytes.len())];
        let line_start = before
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        // UTF-8 continuation bytes (0b10xx_xxxx) do not start a character.
        let column = before[line_start..]
            .iter()
            .filter(|&&b| b & 0xC0 != 0x80)
            .count()
            + 1;
        Self { line, column }
    }
}

/// An inventory that cannot be found, read or accepted.
///
/// Displays as `{file}:{line}:{col}: {key}: {message}`, then `  hint: {what to do}` on the
/// next line. Parts that do not apply (no file yet, no position for a read error) are left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryError {
    pub file: Option<PathBuf>,
    pub position: Option<Position>,
    /// Dotted path of the offending key, e.g. `hosts[2].port` (host indices count from 0).
    pub key: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl InventoryError {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            file: None,
            position: None,
            key: None,
            message: message.into(),
            hint: None,
        }
    }

    pub fn in_file(mut self, file: &Path) -> Self {
        self.file = Some(file.to_path_buf());
        self
    }

    pub fn at(mut self, position: Position) -> Self {
        self.position = Some(position);
        self
    }

    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for InventoryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut prefix = String::new();
        if let Some(file) = &self.file {
            prefix.push_str(&file.display().to_string());
            if let Some(p) = self.position {
                prefix.push_str(&format!(":{}:{}", p.line, p.column));
            }
            prefix.push_str(": ");
        }
        if let Some(key) = &self.key {
            prefix.push_str(key);
            prefix.push_str(": ");
        }
        write!(f, "{prefix}{}", self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for InventoryError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_one_based_and_count_characters() {
        let text = "a = 1\nbé = \"x\"\n";
        assert_eq!(
            Position::of_offset(text, 0),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 4),
            Position { line: 1, column: 5 }
        );
        // `=` on line 2 sits after the two-byte `é`.
        let eq = text.find(" = \"").map(|i| i + 1).unwrap_or(0);
        assert_eq!(
            Position::of_offset(text, eq),
            Position { line: 2, column: 4 }
        );
        assert_eq!(
            Position::of_offset(text, 999),
            Position { line: 3, column: 1 }
        );
    }

    #[test]
    fn display_has_every_part_and_the_hint_on_its_own_line() {
        let err = InventoryError::new("port 0 is out of range (1-65535)")
            .in_file(Path::new("inv.toml"))
            .at(Position { line: 4, column: 8 })
            .key("hosts[0].port")
            .hint("use the host's SSH port");
        assert_eq!(
            err.to_string(),
            "inv.toml:4:8: hosts[0].port: port 0 is out of range (1-65535)\n  hint: use the host's SSH port"
        );
        let bare = InventoryError::new("no inventory found");
        assert_eq!(bare.to_string(), "no inventory found");
    }
}
