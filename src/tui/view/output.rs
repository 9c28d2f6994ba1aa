//! The output pane: one host's last operations, newest first, each command with its exit
//! status, time and the end of what it printed (stdout, stderr), scrollable. Host text arrives
//! made safe by the engine; this only lays it out.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::operate::operation::{CommandRun, HostOperation};
use crate::tui::state::model::Model;
use crate::tui::state::overlay::OutputPane;
use crate::tui::state::row::HostRow;

/// Draws the pane over the screen; returns how far it can scroll.
pub fn render(
    model: &Model,
    pane: OutputPane,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> u16 {
    // Everything but the footer, which keeps the pane's key hints.
    let popup = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    let row = model.rows.get(pane.host);
    let name = row.map_or("?", |r| r.name.as_str());
    let block = Block::bordered()
        .title(Line::styled(format!(" output of {name} "), theme.label()))
        .title_bottom(Line::from(" j/k pgup/pgdn scroll · O or esc closes ").right_aligned())
        .border_style(theme.border(true));
    let inner = block.inner(popup);
    let lines = match row {
        Some(row) => lines(row, theme),
        None => vec![Line::styled("no such host", theme.dim())],
    };
    let lines = wrap(lines, inner.width as usize);
    let max = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = pane.scroll.min(max);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
    max
}

/// Every operation kept, newest first.
pub fn lines<'a>(row: &HostRow, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let ops: Vec<&HostOperation> = row.operations().collect();
    if ops.is_empty() {
        out.push(Line::styled(
            format!(
                "No operation on {} in this console yet (p push, V verify, r rollback, R \
                 rollout). The detail pane has the last probe's output.",
                row.name
            ),
            theme.dim(),
        ));
        return out;
    }
    for (i, op) in ops.iter().enumerate() {
        if i > 0 {
            out.push(Line::raw(""));
        }
        let earlier = ops.get(i + 1).copied();
        operation(op, earlier, theme, &mut out);
    }
    out
}

fn operation<'a>(
    op: &HostOperation,
    earlier: Option<&HostOperation>,
    theme: &Theme,
    out: &mut Vec<Line<'a>>,
) {
    let style = theme.operation(op);
    let mut head = op.label();
    if let Some(error) = op.outcome().and_then(|o| o.error.as_deref()) {
        head.push_str(&format!(": {error}"));
    }
    out.push(Line::styled(
        format!("▸ {head}"),
        style.add_modifier(ratatui::style::Modifier::BOLD),
    ));
    if let Some(why) = super::operation::rolled_back_because(op, earlier) {
        out.push(Line::styled(format!("  why: {why}"), theme.failed()));
    }
    if op.commands.is_empty() {
        let text = if op.in_flight() {
            "  no command finished yet"
        } else {
            "  no remote command ran"
        };
        out.push(Line::styled(text, theme.dim()));
    }
    for command in &op.commands {
        command_lines(command, theme, out);
    }
}

fn command_lines<'a>(c: &CommandRun, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let (status, style) = match c.exit_status {
        Some(0) => ("exit 0".to_string(), theme.good()),
        Some(code) => (format!("exit {code}"), theme.failed()),
        None => (
            match &c.output.no_exit {
                Some(why) => format!("no exit status ({why})"),
                None => "no exit status: killed, timed out or connection lost".to_string(),
            },
            theme.failed(),
        ),
    };
    out.push(Line::from(vec![
        Span::styled(format!("  $ {}", c.label), theme.bold()),
        Span::raw(" · "),
        Span::styled(status, style),
        Span::styled(format!(" · {:.1} s", c.elapsed.as_secs_f64()), theme.dim()),
    ]));
    let mut printed = false;
    for (name, text) in [("stdout", &c.output.stdout), ("stderr", &c.output.stderr)] {
        if text.is_empty() {
            continue;
        }
        printed = true;
        let text_style = if name == "stderr" && c.exit_status != Some(0) {
            theme.failed()
        } else {
            Style::default()
        };
        for (i, line) in text.lines().enumerate() {
            let label = if i == 0 { name } else { "" };
            out.push(Line::from(vec![
                Span::styled(format!("    {label:<6} │ "), theme.dim()),
                Span::styled(line.to_string(), text_style),
            ]));
        }
    }
    if !printed {
        let text = if c.output_dropped {
            "    (output not kept: this host's output budget went to newer commands)"
        } else {
            "    (printed nothing)"
        };
        out.push(Line::styled(text, theme.dim()));
    }
}

/// Lines cut to `width` characters each, the continuation indented under the text: the pane
/// knows its exact height, so scrolling stops at the last line.
pub(super) fn wrap(lines: Vec<Line<'_>>, width: usize) -> Vec<Line<'_>> {
    let width = width.max(8);
    let mut out = Vec::with_capacity(lines.len());
    for line in lines {
        if line.width() <= width {
            out.push(line);
            continue;
        }
        // Split span by span, keeping each span's style.
        let mut current: Vec<Span> = Vec::new();
        let mut used = 0;
        for span in line.spans {
            let style = span.style;
            let mut rest: &str = &span.content;
            while !rest.is_empty() {
                let room = width - used;
                let cut = rest.char_indices().nth(room).map_or(rest.len(), |(i, _)| i);
                let (now, later) = rest.split_at(cut);
                if !now.is_empty() {
                    current.push(Span::styled(now.to_string(), style));
                    used += now.chars().count();
                }
                rest = later;
                if used >= width {
                    out.push(Line::from(std::mem::take(&mut current)).style(line.style));
                    current.push(Span::raw("      "));
                    used = 6;
                }
            }
        }
        if current.iter().any(|s| !s.content.trim().is_empty()) {
            out.push(Line::from(current).style(line.style));
        }
    }
    out
}
