//! The rollout list (`L`): every journal in the state directory, newest first — its state (and
//! who drives it), id, version and host counts (on a wide screen also its start, operator and
//! bundle file); under it, the highlighted one's journal
//! file and halt reason. Unreadable journals are listed with their file and error.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Wrap};
use ratatui::Frame;

use super::theme::Theme;
use crate::core::rollout::listing::{Driven, ListedRollout};
use crate::core::rollout::Status;
use crate::tui::rollout::list::RolloutList;
use crate::tui::state::model::Model;

/// Columns past the counts (start, operator, bundle file) need this much room.
const WIDE: u16 = 120;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let list = &model.rollout_list;
    let title = format!(" rollouts ({}) ", list.entries.len());
    let block = Block::bordered()
        .title(Line::styled(title, theme.label()))
        .border_style(theme.border(true));
    let inner = block.inner(area);
    let lines = lines(list, theme, inner.width, inner.height as usize);
    // Long journal paths and errors wrap rather than vanish at the edge.
    let paragraph = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    frame.render_widget(paragraph, area);
}

fn lines<'a>(list: &RolloutList, theme: &Theme, width: u16, height: usize) -> Vec<Line<'a>> {
    if !list.loaded {
        return vec![Line::styled("reading the journal…", theme.dim())];
    }
    if list.entries.is_empty() {
        return vec![Line::styled(
            format!("No rollout in {} yet.", list.dir.display()),
            theme.dim(),
        )];
    }
    let wide = width >= WIDE;
    let mut head = format!(
        "  {:<19} {:<21} {:<10} {:>3} {:>4} {:>3} {:>4}",
        "state", "rollout", "version", "ok", "fail", "rb", "wait"
    );
    if wide {
        head.push_str(&format!("  {:<11}  {:<20} bundle", "started", "by"));
    }
    let mut out = vec![Line::styled(head, theme.label())];
    // The header above the rows; what the highlighted entry says beyond its row below them
    // (a blank line, the journal, the halt reason, what can be done).
    let rows = height.saturating_sub(5).max(1);
    let first = (list.cursor + 1).saturating_sub(rows);
    for (i, entry) in list.entries.iter().enumerate().skip(first).take(rows) {
        let selected = i == list.cursor;
        let mark = if selected { "▶" } else { " " };
        let line = match &entry.rollout {
            Ok(r) => {
                let mut text = format!(
                    "{mark} {:<19} {:<21} {:<10} {:>3} {:>4} {:>3} {:>4}",
                    state_words(r),
                    r.id,
                    r.version,
                    r.counts.ok,
                    r.counts.failed,
                    r.counts.rolled_back,
                    r.counts.pending
                );
                if wide {
                    text.push_str(&format!(
                        "  {:<11}  {:<20} {}",
                        started(&r.created),
                        r.actor,
                        r.bundle
                            .file_name()
                            .map(|n| n.to_string_lossy())
                            .unwrap_or_default()
                    ));
                }
                // A row is one line: cut at the edge rather than wrapped.
                let text: String = text.chars().take(width as usize).collect();
                Line::styled(text, row_style(r, selected, theme))
            }
            Err(_) => {
                let name = entry
                    .path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let style = if selected {
                    theme.selected()
                } else {
                    theme.failed()
                };
                let text = format!("{mark} {:<19} {name}", "unreadable");
                Line::styled(text.chars().take(width as usize).collect::<String>(), style)
            }
        };
        out.push(line);
    }
    out.push(Line::raw(""));
    if let Some(entry) = list.entries.get(list.cursor) {
        out.push(Line::from(vec![
            Span::styled("journal ", theme.label()),
            Span::raw(entry.path.display().to_string()),
        ]));
        match &entry.rollout {
            Err(error) => out.push(Line::from(vec![
                Span::styled("error   ", theme.label()),
                Span::styled(error.clone(), theme.failed()),
            ])),
            Ok(r) => {
                if let Status::Halted { reason } | Status::Halting { reason } = &r.status {
                    out.push(Line::from(vec![
                        Span::styled("halt    ", theme.label()),
                        Span::styled(reason.clone(), theme.failed()),
                    ]));
                }
                out.push(Line::from(vec![
                    Span::styled("next    ", theme.label()),
                    Span::raw(what_now(r)),
                ]));
            }
        }
    }
    out
}

/// `running (elsewhere)`, `halted (here)`, `interrupted`…
fn state_words(r: &ListedRollout) -> String {
    match r.driven {
        Driven::Nobody => r.state().to_string(),
        _ => format!("{} ({})", r.state(), r.where_driven()),
    }
}

/// `2026-11-22T04:39:00Z` → `11-22 04:39`.
fn started(created: &str) -> String {
    created
        .get(5..16)
        .map(|s| s.replacen('T', " ", 1))
        .unwrap_or_else(|| created.to_string())
}

fn row_style(r: &ListedRollout, selected: bool, theme: &Theme) -> Style {
    if selected {
        theme.selected()
    } else if matches!(r.status, Status::Halted { .. } | Status::Halting { .. })
        || r.counts.failed > 0
    {
        theme.failed()
    } else if r.driven != Driven::Nobody || !r.is_finished() {
        theme.warn()
    } else {
        Style::new()
    }
}

/// What the operator can do with it, in one line.
fn what_now(r: &ListedRollout) -> &'static str {
    match r.driven {
        Driven::Elsewhere => "another process drives it (headless or a console): enter shows it",
        Driven::Here => "this console drives it: enter shows it",
        Driven::Nobody if !r.is_finished() => "nobody drives it: enter, then c resumes it",
        Driven::Nobody if r.counts.failed + r.counts.rolled_back > 0 => {
            "enter shows it; t retries the failed hosts, b rolls them back"
        }
        Driven::Nobody => "enter shows it",
    }
}
