//! Where an overlay goes: centred, a little in from the screen's edges.

use ratatui::layout::Rect;

/// A `width`×`height` box centred in `area`, shrunk to leave a margin of two columns and one
/// line on each side.
pub fn centred(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width.saturating_sub(4));
    let height = height.min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

/// `text` broken at spaces into lines of at most `width` characters (a longer word gets a line
/// of its own, cut by the screen). Dialogs wrap by hand so they know their own height.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if needed > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

/// The run and cancel keys of a confirm dialog, for its bottom border (`y run · n cancel`).
pub fn run_or_cancel(model: &crate::tui::state::model::Model) -> String {
    let keys: Vec<String> = model
        .keymap
        .footer_hints(crate::tui::input::keymap::Scope::Confirm)
        .iter()
        .filter(|h| matches!(h.text, "run" | "cancel"))
        .map(|h| format!("{} {}", h.keys, h.text))
        .collect();
    keys.join(" · ")
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn wraps_at_spaces_and_keeps_long_words_whole() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("", 5), [""]);
        assert_eq!(wrap("abcdefgh ij", 4), ["abcdefgh", "ij"]);
        assert_eq!(wrap("x", 0), ["x"]);
    }
}
