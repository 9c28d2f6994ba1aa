//! The command log pane: the remote commands offgo ran, newest last — the selected host's, or
//! every host's — in place of the event log.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::logs::commands::CommandLogMode;
use crate::tui::state::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let (host, title) = match model.commands.mode {
        CommandLogMode::Selected => {
            let name = model.selected_row().map(|r| r.name.as_str()).unwrap_or("-");
            (
                model.selected,
                format!(" commands on {name} (@: every host) "),
            )
        }
        _ => (None, " commands, every host (@: hide) ".to_string()),
    };
    let block = Block::bordered().title(title);
    let rows = block.inner(area).height as usize;
    let entries: Vec<_> = model.commands.entries(host).collect();
    let skip = entries.len().saturating_sub(rows);
    let lines: Vec<Line> = entries[skip..]
        .iter()
        .map(|e| {
            let name = model
                .rows
                .get(e.host)
                .map(|r| r.name.as_str())
                .unwrap_or("?");
            let (status, style) = match e.exit_status {
                Some(0) => ("exit 0".to_string(), theme.good()),
                Some(code) => (format!("exit {code}"), theme.failed()),
                None => ("no exit".to_string(), theme.failed()),
            };
            Line::from(vec![
                Span::styled(format!("{} ", e.at), theme.dim()),
                Span::raw(format!("{name} ")),
                Span::styled(format!("{status:<7} "), style),
                Span::styled(format!("{:>6.1}s ", e.elapsed.as_secs_f64()), theme.dim()),
                Span::raw(e.label.clone()),
            ])
        })
        .collect();
    let lines = if lines.is_empty() {
        vec![Line::styled("no remote command yet", theme.dim())]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
