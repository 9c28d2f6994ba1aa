//! The gathered output of `:run`, the way `clush -b` prints it: one block per distinct answer,
//! headed by its hosts (folded, `web-[01-03]`) and how it ended, largest group first; hosts
//! still running it are listed last. Host text arrives made safe by the engine.

use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::core::gather::{fold_names, Group};
use crate::tui::command::gathered::AdHocRun;
use crate::tui::state::model::Model;
use crate::tui::state::overlay::GatheredPane;

/// Draws the pane over the screen; returns how far it can scroll.
pub fn render(
    model: &Model,
    pane: GatheredPane,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> u16 {
    // Everything but the footer, which keeps the pane's key hints.
    let popup = Rect::new(area.x, area.y, area.width, area.height.saturating_sub(1));
    let block = Block::bordered()
        .title(Line::styled(" gathered output ", theme.label()))
        .title_bottom(
            Line::from(" j/k pgup/pgdn scroll · esc closes · :results reopens ").right_aligned(),
        )
        .border_style(theme.border(true));
    let inner = block.inner(popup);
    let lines = match &model.ad_hoc {
        Some(run) => lines(run, theme),
        None => vec![Line::styled(
            "no command has run in this console yet",
            theme.dim(),
        )],
    };
    let lines = super::output::wrap(lines, inner.width as usize);
    let max = (lines.len() as u16).saturating_sub(inner.height);
    let scroll = pane.scroll.min(max);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines).block(block).scroll((scroll, 0)),
        popup,
    );
    max
}

pub fn lines<'a>(run: &AdHocRun, theme: &Theme) -> Vec<Line<'a>> {
    let total = run.hosts.len();
    let answered = run.answered();
    let failed = run.failed();
    let mut out = vec![
        Line::from(vec![
            Span::styled("$ ", theme.label()),
            Span::styled(run.command.clone(), theme.bold()),
        ]),
        Line::styled(
            format!(
                "started {} · {answered} of {total} answered · {} ok · {failed} not ok",
                run.started,
                answered - failed
            ),
            theme.dim(),
        ),
    ];
    for group in run.groups() {
        out.push(Line::raw(""));
        group_lines(&group, theme, &mut out);
    }
    let waiting = run.waiting();
    if !waiting.is_empty() {
        out.push(Line::raw(""));
        out.push(Line::styled(
            format!(
                "… still running on {} ({})",
                fold_names(&waiting),
                waiting.len()
            ),
            theme.dim(),
        ));
    }
    out
}

fn group_lines<'a>(group: &Group, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let ok = group.answer.exit_status == Some(0);
    let ending_style = if ok { theme.good() } else { theme.failed() };
    out.push(Line::from(vec![
        Span::styled(
            format!("──── {} ", group.title()),
            theme.label().add_modifier(Modifier::BOLD),
        ),
        Span::styled(group.ending(), ending_style),
        Span::styled(" ────", theme.label()),
    ]));
    let output = &group.answer.output;
    if output.stdout.is_empty() && output.stderr.is_empty() {
        out.push(Line::styled("(printed nothing)", theme.dim()));
    }
    for line in output.stdout.lines() {
        out.push(Line::raw(line.to_string()));
    }
    for line in output.stderr.lines() {
        out.push(Line::from(vec![
            Span::styled("stderr │ ", theme.dim()),
            Span::styled(
                line.to_string(),
                if ok { theme.dim() } else { theme.failed() },
            ),
        ]));
    }
}
