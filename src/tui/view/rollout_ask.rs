//! The question behind `t`, `b` and `c` in the rollout view: what the rollout will do, on
//! exactly which hosts, and why those. Nothing is sent to the driver until `y`. A list longer
//! than the screen scrolls, and always says how many hosts there are in all.

use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::popup::{centred, run_or_cancel, wrap};
use super::theme::Theme;
use crate::tui::operate::dialog::{RolloutAsk, RolloutWord};
use crate::tui::state::model::Model;

const WIDTH: u16 = 90;

/// Draws the question; returns how far its host list can scroll at this size.
pub fn render(
    model: &Model,
    asked: &RolloutAsk,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> usize {
    let text_width = centred(area, WIDTH, 0).width.saturating_sub(2) as usize;
    let mut head = vec![Line::styled(what(asked.word), theme.danger())];
    for part in wrap(&format!("why these: {}", asked.why), text_width) {
        head.push(Line::raw(part));
    }
    head.push(Line::raw(""));
    head.push(Line::styled(
        format!("hosts ({})", asked.names.len()),
        theme.label(),
    ));
    let total = asked.names.len();
    let popup = centred(
        area,
        WIDTH,
        (head.len() + total.max(1) + 2).min(u16::MAX as usize) as u16,
    );
    let inner = (popup.height as usize).saturating_sub(2);
    // The list gets what the question leaves, and at least a name and the "more" line: on a
    // small screen the explanation is cut before the hosts are (the title has the count).
    let rows = inner
        .saturating_sub(head.len())
        .max(2)
        .min(total.max(1))
        .min(inner);
    let mut lines = head;
    lines.truncate(inner.saturating_sub(rows));
    let max = if total > rows {
        total - rows.saturating_sub(1)
    } else {
        0
    };
    if total == 0 {
        lines.push(Line::styled("  (none)", theme.dim()));
    } else if total <= rows {
        lines.extend(asked.names.iter().map(|n| Line::raw(format!("  {n}"))));
    } else {
        let shown = rows.saturating_sub(1);
        let start = asked.scroll.min(max);
        lines.extend(
            asked
                .names
                .iter()
                .skip(start)
                .take(shown)
                .map(|n| Line::raw(format!("  {n}"))),
        );
        let below = total - start - shown;
        let text = if below > 0 {
            format!("  …and {below} more of {total} (j/k scroll)")
        } else {
            format!("  ({start} above of {total}; k scrolls up)")
        };
        lines.push(Line::styled(text, theme.dim()));
    }
    let keys = run_or_cancel(model);
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", title(asked)), theme.danger()))
        .title_bottom(Line::from(format!(" {keys} ")).right_aligned())
        .border_style(theme.danger());
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    max
}

fn title(asked: &RolloutAsk) -> String {
    let n = asked.names.len();
    let hosts = if n == 1 {
        "1 host".to_string()
    } else {
        format!("{n} hosts")
    };
    match asked.word {
        RolloutWord::Retry => format!("push {hosts} again?"),
        RolloutWord::RollBack => format!("roll {hosts} back?"),
        RolloutWord::Continue => format!("continue the rollout ({hosts} start next)?"),
        RolloutWord::Resume => format!("resume the rollout ({hosts} left)?"),
    }
}

fn what(word: RolloutWord) -> &'static str {
    match word {
        RolloutWord::Retry => "⚠ DANGER: pushes the rollout's bundle to these hosts again",
        RolloutWord::RollBack => "⚠ DANGER: rolls these hosts back to their previous release",
        RolloutWord::Continue => "⚠ DANGER: the rollout starts changing hosts again",
        RolloutWord::Resume => "⚠ DANGER: the rollout is driven again from this console",
    }
}
