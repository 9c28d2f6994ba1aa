//! The footer: the filter being typed, or key hints for the current scope, generated from the
//! keymap. Hints that change hosts are drawn in the danger colour; a hint that does not fit
//! whole is left out rather than cut.

use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::input::keymap::Scope;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::Overlay;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let scope = model.scope();
    let mut spans = Vec::new();
    if scope == Scope::Filter {
        typed("/", &model.filter.input, theme, frame, area, &mut spans);
    }
    if let Overlay::Command(line) = &model.overlay {
        typed(":", &line.input, theme, frame, area, &mut spans);
    }
    if let Some(flash) = &model.flash {
        spans.push(Span::styled(format!(" {} ", flash.text), theme.warn()));
    }
    let mut used: usize = spans.iter().map(|s| s.width()).sum();
    for hint in model.keymap.footer_hints(scope) {
        let keys = format!(" {}", hint.keys);
        let text = format!(" {} ", hint.text);
        let width = keys.chars().count() + text.chars().count();
        if used + width > area.width as usize {
            break;
        }
        used += width;
        let (key_style, text_style) = if hint.dangerous {
            (theme.danger(), theme.danger())
        } else {
            (theme.label(), Default::default())
        };
        spans.push(Span::styled(keys, key_style));
        spans.push(Span::styled(text, text_style));
    }
    frame.render_widget(Line::from(spans), area);
}

/// A line being typed after its `prefix` (`/` filter, `:` command), with the cursor on it.
fn typed(
    prefix: &'static str,
    input: &tui_input::Input,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
    spans: &mut Vec<Span<'_>>,
) {
    // Keep room for the hints; scroll the text so the cursor stays visible.
    let width = (area.width as usize).saturating_sub(30).max(10);
    let scroll = input.visual_scroll(width.saturating_sub(1));
    let shown: String = input.value().chars().skip(scroll).take(width).collect();
    spans.push(Span::styled(prefix, theme.label()));
    spans.push(Span::raw(format!("{shown:<width$}")));
    let x = area.x + 1 + (input.visual_cursor().saturating_sub(scroll)) as u16;
    frame.set_cursor_position(Position::new(x.min(area.right().saturating_sub(1)), area.y));
}
