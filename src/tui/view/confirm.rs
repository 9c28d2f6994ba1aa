//! The confirm dialog: the operation, flagged when it changes hosts; the bundle of a push; the
//! hosts it will run on, with what each will go from and to; and the steps that will run on
//! each, in order. Nothing runs until `y`.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::popup::{centred, run_or_cancel, wrap};
use super::theme::Theme;
use crate::core::bundle::SignatureStatus;
use crate::core::engine::Operation;
use crate::tui::input::action::Action;
use crate::tui::operate::dialog::Confirm;
use crate::tui::operate::operation::human_bytes;
use crate::tui::operate::steps;
use crate::tui::state::model::Model;

const WIDTH: u16 = 100;
/// Lines besides the hosts and the steps: flag, blank, hosts heading, blank, steps heading.
const CHROME: usize = 5;

/// Draws the dialog; returns how far its host list can scroll at this size.
pub fn render(
    model: &Model,
    confirm: &Confirm,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> usize {
    let plan = steps::plan(confirm.op, confirm.bundle.as_deref());
    let shape = Shape::of(area, confirm);
    let (popup, host_rows) = (shape.popup, shape.host_rows);
    let dangerous = changes_hosts(confirm.op);
    let frame_style = if dangerous {
        theme.danger()
    } else {
        theme.border(true)
    };
    let keys = run_or_cancel(model);
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", title(confirm)), frame_style))
        .title_bottom(Line::from(format!(" {keys} ")).right_aligned())
        .border_style(frame_style);

    let mut lines = Vec::new();
    if confirm.op == Operation::Run {
        lines.push(Line::styled(
            "⚠ DANGER: runs a command on hosts (as the login user; audited)",
            theme.danger(),
        ));
    } else if dangerous {
        lines.push(Line::styled("⚠ DANGER: changes hosts", theme.danger()));
    } else {
        lines.push(Line::styled(
            "changes nothing on the hosts but their audit logs",
            theme.dim(),
        ));
    }
    let label = if confirm.command.is_some() {
        "command"
    } else {
        "bundle "
    };
    for (n, part) in shape.bundle.into_iter().enumerate() {
        let lead = if n == 0 { label } else { "" };
        let lead = match confirm.command {
            Some(_) => format!("{lead:<8}"),
            None => format!("{lead:<7}"),
        };
        lines.push(Line::from(vec![
            Span::styled(lead, theme.label()),
            Span::raw(part),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        format!("hosts ({})", confirm.hosts.len()),
        theme.label(),
    ));
    host_lines(model, confirm, host_rows, theme, &mut lines);
    lines.push(Line::raw(""));
    lines.push(Line::styled("steps on each host", theme.label()));
    for (i, step) in plan.iter().enumerate() {
        lines.push(Line::raw(format!("  {:>2}. {step}", i + 1)));
    }
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
    max_scroll(host_rows, confirm.hosts.len())
}

/// Drawn as a danger: everything but verify (an ad-hoc command may change anything).
fn changes_hosts(op: Operation) -> bool {
    match op {
        Operation::Push => Action::Push.is_dangerous(),
        Operation::Verify => Action::Verify.is_dangerous(),
        Operation::Rollback => Action::Rollback.is_dangerous(),
        Operation::Run | Operation::GoEnv => true,
    }
}

fn title(confirm: &Confirm) -> String {
    let hosts = match confirm.hosts.len() {
        1 => "1 host".to_string(),
        n => format!("{n} hosts"),
    };
    match (confirm.op, &confirm.bundle) {
        (Operation::Push, Some(b)) => format!("push {} to {hosts}?", b.version),
        (Operation::Verify, _) => format!("verify {hosts}?"),
        (Operation::Rollback, _) => format!("roll back {hosts}?"),
        (Operation::Push, None) => format!("push to {hosts}?"),
        (Operation::Run, _) => format!("run a command on {hosts}?"),
        (Operation::GoEnv, _) => format!("apply [go_env] to {hosts}?"),
    }
}

/// The dialog's size on a screen, shared by the view and the scroll limit in `update`.
struct Shape {
    popup: Rect,
    /// The bundle's line, wrapped to the dialog.
    bundle: Vec<String>,
    /// Lines the host list gets: every host if they fit, else what the rest leaves (at least
    /// two: a host and the "…and N more" line).
    host_rows: usize,
}

impl Shape {
    fn of(area: Rect, confirm: &Confirm) -> Self {
        let text_width = centred(area, WIDTH, 0).width.saturating_sub(2) as usize;
        let bundle = match (&confirm.command, confirm.bundle.as_deref()) {
            // Cut at the width, not at spaces: the operator sees every character that runs.
            (Some(command), _) => command
                .chars()
                .collect::<Vec<_>>()
                .chunks(text_width.saturating_sub(8).max(1))
                .map(|chunk| chunk.iter().collect())
                .collect(),
            (None, Some(b)) => wrap(&bundle_text(b), text_width.saturating_sub(7)),
            (None, None) => Vec::new(),
        };
        let steps = steps::plan(confirm.op, confirm.bundle.as_deref()).len();
        let fixed = CHROME + bundle.len() + steps;
        let hosts = confirm.hosts.len();
        let popup = centred(
            area,
            WIDTH,
            (fixed + hosts + 2).min(u16::MAX as usize) as u16,
        );
        let inner = (popup.height as usize).saturating_sub(2);
        let host_rows = inner.saturating_sub(fixed).max(2).min(hosts);
        Self {
            popup,
            bundle,
            host_rows,
        }
    }
}

fn bundle_text(bundle: &crate::tui::operate::bundles::BundleInfo) -> String {
    let signature = match &bundle.signature {
        SignatureStatus::Unsigned => "unsigned",
        SignatureStatus::Signed { trusted: true, .. } => "signed, trusted key",
        SignatureStatus::Signed { .. } => "signed, untrusted key",
        SignatureStatus::Invalid { .. } => "INVALID signature",
    };
    format!(
        "{} · {} · sha256 {}… · {signature}",
        bundle.tarball_name,
        human_bytes(bundle.size),
        bundle.sha256_prefix(),
    )
}

fn host_lines<'a>(
    model: &Model,
    confirm: &Confirm,
    rows: usize,
    theme: &Theme,
    out: &mut Vec<Line<'a>>,
) {
    let total = confirm.hosts.len();
    let overflow = total > rows;
    let shown = if overflow {
        rows.saturating_sub(1)
    } else {
        rows
    };
    let start = if overflow {
        confirm.scroll.min(total - shown)
    } else {
        0
    };
    let name_width = confirm
        .hosts
        .iter()
        .filter_map(|&id| model.rows.get(id))
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(0);
    for &id in confirm.hosts.iter().skip(start).take(shown) {
        let Some(row) = model.rows.get(id) else {
            continue;
        };
        let (change, warning) = steps::host_change(confirm.op, row, confirm.bundle.as_deref());
        let mut spans = vec![
            Span::raw(format!("  {:<name_width$}  ", row.name)),
            Span::raw(change),
        ];
        if let Some(warning) = warning {
            spans.push(Span::styled(format!("  ⚠ {warning}"), theme.warn()));
        }
        out.push(Line::from(spans));
    }
    if overflow {
        let below = total - start - shown;
        let text = if below > 0 {
            format!("  …and {below} more (j/k scroll)")
        } else {
            format!("  ({start} above; k scrolls up)")
        };
        out.push(Line::styled(text, theme.dim()));
    }
}

/// How far the host list scrolls with room for `rows` of it: 0 when every host shows.
fn max_scroll(rows: usize, total: usize) -> usize {
    if total > rows {
        total - rows.saturating_sub(1)
    } else {
        0
    }
}
