//! The export prompt: how many hosts go to the file and in which order, the path being typed,
//! what the name makes of it (CSV or JSON), and why the last try wrote nothing.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::popup::{centred, wrap};
use super::theme::Theme;
use crate::tui::input::keymap::Scope;
use crate::tui::state::model::Model;
use crate::tui::table::export::ExportPrompt;

const WIDTH: u16 = 72;

pub fn render(model: &Model, prompt: &ExportPrompt, theme: &Theme, frame: &mut Frame, area: Rect) {
    let inner_width = WIDTH.min(area.width.saturating_sub(4)).saturating_sub(2) as usize;
    let mut lines = vec![Line::raw(what(model))];
    lines.push(Line::raw(""));
    // The path, scrolled so the cursor stays in view.
    let room = inner_width.saturating_sub(2).max(1);
    let scroll = prompt.input.visual_scroll(room.saturating_sub(1));
    let shown: String = prompt
        .input
        .value()
        .chars()
        .skip(scroll)
        .take(room)
        .collect();
    lines.push(Line::from(vec![
        Span::styled("> ", theme.label()),
        Span::raw(shown),
    ]));
    let cursor_line = lines.len() - 1;
    lines.push(Line::styled(
        format!(
            "as {} (.json: JSON, else CSV); never over an existing file",
            prompt.format().as_str()
        ),
        theme.dim(),
    ));
    if let Some(error) = &prompt.error {
        lines.push(Line::raw(""));
        for part in wrap(error, inner_width) {
            lines.push(Line::styled(part, theme.failed()));
        }
    }
    let keys: Vec<String> = model
        .keymap
        .footer_hints(Scope::Export)
        .iter()
        .map(|h| format!("{} {}", h.keys, h.text))
        .collect();
    let block = Block::bordered()
        .title(Line::styled(" export the table ", theme.label()))
        .title_bottom(Line::from(format!(" {} ", keys.join(" · "))).right_aligned())
        .border_style(theme.border(true));
    let popup = centred(area, WIDTH, lines.len() as u16 + 2);
    frame.render_widget(Clear, popup);
    let paragraph = Paragraph::new(lines).block(block);
    frame.render_widget(paragraph, popup);
    let x = popup.x + 3 + prompt.input.visual_cursor().saturating_sub(scroll) as u16;
    let y = popup.y + 1 + cursor_line as u16;
    if y < popup.bottom().saturating_sub(1) {
        frame.set_cursor_position(Position::new(x.min(popup.right().saturating_sub(2)), y));
    }
}

/// `12 hosts, as shown: filter /web, sorted by name ▲`.
fn what(model: &Model) -> String {
    let n = model.visible.len();
    let mut text = format!("{n} {}, as shown", if n == 1 { "host" } else { "hosts" });
    let filter = model.filter.input.value();
    if model.only.is_some() {
        text.push_str(": one failure bucket");
    } else if !filter.is_empty() {
        text.push_str(&format!(": filter /{filter}"));
    }
    let arrow = if model.sort.reverse { "▼" } else { "▲" };
    text.push_str(&format!(
        ", sorted by {} {arrow}",
        model.sort.column.label()
    ));
    text
}
