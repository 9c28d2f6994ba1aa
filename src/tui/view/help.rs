//! The help overlay, generated from the keymap.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::state::model::Model;

/// Draws the help; returns how far it can scroll at this size.
pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) -> u16 {
    let lines = help_lines(model, theme);
    let popup = popup(area, lines.len());
    let block = Block::bordered()
        .title(" keys ")
        .title_bottom(Line::from(" ? or esc closes ").right_aligned())
        .border_style(theme.border(true));
    frame.render_widget(Clear, popup);
    let max = max_scroll_in(popup, lines.len());
    let scroll = model.help_scroll.min(max);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
    max
}

fn max_scroll_in(popup: Rect, count: usize) -> u16 {
    (count as u16).saturating_sub(popup.height.saturating_sub(2))
}

fn popup(area: Rect, count: usize) -> Rect {
    let width = area.width.saturating_sub(4).min(96);
    let height = (count as u16)
        .saturating_add(2)
        .min(area.height.saturating_sub(2));
    Rect::new(
        area.x + (area.width - width) / 2,
        area.y + (area.height - height) / 2,
        width,
        height,
    )
}

fn help_lines<'a>(model: &Model, theme: &Theme) -> Vec<Line<'a>> {
    let sections = model.keymap.help_sections();
    let keys_width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|h| h.keys.chars().count()))
        .max()
        .unwrap_or(0);
    let mut lines = Vec::new();
    if sections
        .iter()
        .any(|(_, rows)| rows.iter().any(|h| h.dangerous))
    {
        lines.push(Line::styled(
            "⚠ changes hosts: asks first; gone with --read-only",
            theme.danger(),
        ));
    }
    for (scope, rows) in sections {
        if !lines.is_empty() {
            lines.push(Line::raw(""));
        }
        lines.push(Line::styled(
            format!("in the {}", scope.label()),
            theme.bold(),
        ));
        for hint in rows {
            let keys = &hint.keys;
            let description = if hint.dangerous {
                // The mark shows without colour too (NO_COLOR, snapshots).
                Span::styled(format!("⚠ {}", hint.text), theme.danger())
            } else {
                Span::raw(hint.text)
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {keys:<keys_width$}  "), theme.label()),
                description,
            ]));
        }
    }
    lines
}
