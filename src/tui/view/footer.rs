//! The footer: the filter being typed, or key hints for the current scope, generated from the
//! keymap.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::keymap::Scope;
use crate::tui::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let scope = model.scope();
    let mut spans = Vec::new();
    if scope == Scope::Filter {
        let input = &model.filter.input;
        // Keep room for the hints; scroll the text so the cursor stays visible.
        let width = (area.width as usize).saturating_sub(30).max(10);
        let scroll = input.visual_scroll(width.saturating_sub(1));
        let shown: String = input.value().chars().skip(scroll).take(width).collect();
        spans.push(Span::styled("/", theme.label()));
        spans.push(Span::raw(format!("{shown:<width$}")));
        let x = area.x + 1 + (input.visual_cursor().saturating_sub(scroll)) as u16;
        frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
    }
    for (keys, hint) in model.keymap.footer_hints(scope) {
        spans.push(Span::styled(format!(" {keys}"), theme.label()));
        spans.push(Span::raw(format!(" {hint} ")));
    }
    frame.render_widget(Line::from(spans), area);
}
