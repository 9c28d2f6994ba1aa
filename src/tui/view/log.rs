//! The event log pane: the newest entries that fit, newest last.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::state::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let block = Block::bordered().title(" events ");
    let rows = block.inner(area).height as usize;
    let lines: Vec<Line> = model
        .log
        .last(rows)
        .map(|e| {
            Line::from(vec![
                Span::styled(format!("{} ", e.at), theme.dim()),
                Span::styled(e.text.clone(), theme.level(e.level)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
