//! The rollout view: where the rollout stands (status, the halt rule with its arithmetic, time
//! spent and left), each batch's counts, the hosts in flight with their step, and the failure
//! buckets. Replaces the table while it is open.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

use super::theme::Theme;
use crate::core::rollout::Status;
use crate::tui::rollout::state::{clock, RolloutState};
use crate::tui::state::model::Model;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let Some(rollout) = &model.rollout else {
        let block = Block::bordered().title(" rollout ");
        let text = Line::styled(
            "No rollout yet: mark hosts (or filter them) and press R.",
            theme.dim(),
        );
        frame.render_widget(Paragraph::new(text).block(block), area);
        return;
    };
    let title = format!(" rollout {} of {} ", rollout.id, rollout.version);
    let block = Block::bordered()
        .title(Line::styled(title, theme.label()))
        .border_style(theme.border(true));
    let lines = lines(model, rollout, theme);
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn lines<'a>(model: &Model, rollout: &RolloutState, theme: &Theme) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let status_style = match rollout.machine.status {
        Status::Halting { .. } | Status::Halted { .. } => theme.failed(),
        Status::Paused | Status::PausedBetweenBatches { .. } | Status::Aborting => theme.warn(),
        _ if rollout.resumable => theme.warn(),
        _ => Style::new(),
    };
    out.push(Line::from(vec![
        Span::styled("status  ", theme.label()),
        Span::styled(rollout.status_text(), status_style),
    ]));
    let (over, arithmetic) = rollout.machine.limit_check();
    out.push(Line::from(vec![
        Span::styled("halt    ", theme.label()),
        Span::raw(format!("{} · now: ", rollout.machine.settings.limit_text())),
        Span::styled(arithmetic, if over { theme.failed() } else { theme.good() }),
    ]));
    out.push(Line::from(vec![
        Span::styled("time    ", theme.label()),
        Span::raw(time_text(rollout)),
    ]));
    out.push(Line::styled(
        format!(
            "{:<16} {:>5} {:>5} {:>5} {:>5} {:>5}",
            "batch", "hosts", "done", "run", "fail", "wait"
        ),
        theme.label(),
    ));
    for (i, b) in rollout.batches().iter().enumerate() {
        let current = i == rollout.machine.batch && rollout.is_active();
        let style = if b.failed > 0 {
            theme.failed()
        } else if current {
            theme.accent()
        } else {
            Style::new()
        };
        out.push(Line::styled(
            format!(
                "{}{:<15} {:>5} {:>5} {:>5} {:>5} {:>5}",
                if current { "▶" } else { " " },
                b.name,
                b.hosts,
                b.done,
                b.running,
                b.failed,
                b.pending
            ),
            style,
        ));
    }
    // Buckets before the hosts in flight: on a small screen they are what must not be cut.
    buckets(rollout, theme, &mut out);
    in_flight(model, rollout, theme, &mut out);
    out
}

/// `elapsed 4m05s · about 2m30s left (avg 45s a host, 7 hosts left, 3 at a time)`.
fn time_text(rollout: &RolloutState) -> String {
    let mut text = format!("elapsed {}", clock(rollout.elapsed));
    match rollout.estimate() {
        Some(left) if rollout.is_active() => {
            let n = rollout.host_times.len() as u32;
            let average = rollout.host_times.iter().sum::<std::time::Duration>() / n.max(1);
            text.push_str(&format!(
                " · about {} left (avg {} a host, {} at a time)",
                clock(left),
                clock(average),
                rollout.machine.settings.parallel
            ));
        }
        None if rollout.is_active() => text.push_str(" · estimate after the first host"),
        _ => {}
    }
    text
}

/// The hosts working now, with the operation column's words.
fn in_flight<'a>(model: &Model, rollout: &RolloutState, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let running = rollout.machine.in_flight();
    if running.is_empty() {
        return;
    }
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!("in flight ({})", running.len()),
        theme.label(),
    ));
    for l in running {
        let row = rollout.ids.get(l).and_then(|&h| model.rows.get(h));
        let (label, style) = match row.and_then(|r| r.operation.as_ref()) {
            Some(op) => (op.label(), theme.operation(op)),
            None => ("starting".to_string(), theme.dim()),
        };
        out.push(Line::from(vec![
            Span::raw(format!("  {:<16} ", rollout.name(l))),
            Span::styled(label, style),
        ]));
    }
}

/// Failed hosts grouped by signature; the highlighted one is what Enter shows in the table.
fn buckets<'a>(rollout: &RolloutState, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let buckets = rollout.buckets();
    if buckets.is_empty() {
        out.push(Line::styled("no failed host", theme.dim()));
        return;
    }
    out.push(Line::styled(
        format!(
            "failure buckets ({}): enter shows and marks the hosts; t retry, b roll back",
            buckets.len()
        ),
        theme.label(),
    ));
    for (i, bucket) in buckets.iter().enumerate() {
        let names: Vec<&str> = bucket
            .hosts
            .iter()
            .filter_map(|&h| rollout.local_of(h))
            .map(|l| rollout.name(l))
            .take(3)
            .collect();
        let more = bucket.hosts.len().saturating_sub(names.len());
        let hosts = if more > 0 {
            format!("{} +{more}", names.join(", "))
        } else {
            names.join(", ")
        };
        let kind = if bucket.kind.is_empty() {
            String::new()
        } else {
            format!("{}: ", bucket.kind)
        };
        let selected = i == rollout.bucket_cursor;
        let style = if selected {
            theme.selected()
        } else {
            theme.failed()
        };
        out.push(Line::styled(
            format!(
                "{}{:>4} × {} · {kind}{} · {hosts}",
                if selected { "▶" } else { " " },
                bucket.hosts.len(),
                bucket.step,
                bucket.label
            ),
            style,
        ));
    }
}
