//! The rollout's confirm dialog: the whole plan before anything starts — batches with their
//! hosts, the hosts left out and why, parallelism, the halt rule, the pause, what a halt does,
//! auto-rollback, and the steps each host goes through. Also the abort question.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::popup::{centred, wrap};
use super::theme::Theme;
use crate::core::rollout::settings::{OnHalt, Pause, RolloutSettings};
use crate::tui::input::keymap::Scope;
use crate::tui::operate::dialog::RolloutConfirm;
use crate::tui::operate::operation::human_bytes;
use crate::tui::rollout::state::clock;
use crate::tui::state::model::Model;

const WIDTH: u16 = 110;

/// Draws the plan; returns how far it can scroll (lines past the dialog's height).
pub fn render(
    model: &Model,
    plan: &RolloutConfirm,
    theme: &Theme,
    frame: &mut Frame,
    area: Rect,
) -> usize {
    let text_width = centred(area, WIDTH, 0).width.saturating_sub(2) as usize;
    let lines = lines(model, plan, theme, text_width);
    let popup = centred(area, WIDTH, (lines.len() + 2).min(u16::MAX as usize) as u16);
    let inner = popup.height.saturating_sub(2) as usize;
    let max = lines.len().saturating_sub(inner);
    let scroll = plan.scroll.min(max);
    let block = Block::bordered()
        .title(Line::styled(
            format!(
                " roll {} out to {} host(s)? ",
                plan.bundle.version,
                plan.preview.hosts.len()
            ),
            theme.danger(),
        ))
        .title_bottom(Line::from(format!(" {} ", keys(model))).right_aligned())
        .border_style(theme.danger());
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        popup,
    );
    max
}

fn keys(model: &Model) -> String {
    let hints: Vec<String> = model
        .keymap
        .footer_hints(Scope::Confirm)
        .iter()
        .map(|h| format!("{} {}", h.keys, h.text))
        .collect();
    hints.join(" · ")
}

fn name_of(model: &Model, id: usize) -> String {
    model
        .rows
        .get(id)
        .map(|r| r.name.clone())
        .unwrap_or_else(|| format!("#{id}"))
}

fn lines<'a>(model: &Model, plan: &RolloutConfirm, theme: &Theme, width: usize) -> Vec<Line<'a>> {
    body(plan, width, &|id| name_of(model, id))
        .into_iter()
        .map(|(kind, text)| match kind {
            Kind::Danger => Line::styled(text, theme.danger()),
            Kind::Heading => Line::styled(text, theme.label()),
            Kind::Dim => Line::styled(text, theme.dim()),
            Kind::Plain => Line::from(Span::raw(text)),
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Kind {
    Danger,
    Heading,
    Dim,
    Plain,
}

/// The dialog's text, wrapped to `width`, shared by the view and the scroll limit.
fn body(
    plan: &RolloutConfirm,
    width: usize,
    name: &dyn Fn(usize) -> String,
) -> Vec<(Kind, String)> {
    let mut out = vec![(
        Kind::Danger,
        "⚠ DANGER: changes hosts, batch after batch".to_string(),
    )];
    let b = &plan.bundle;
    out.push((
        Kind::Plain,
        format!(
            "bundle {} · {} · sha256 {}…",
            b.tarball_name,
            human_bytes(b.size),
            b.sha256_prefix()
        ),
    ));
    out.push((Kind::Plain, String::new()));
    // First what will likely go wrong: the operator decides on it.
    if warnings(plan, width, name, &mut out) {
        out.push((Kind::Plain, String::new()));
    }
    out.push((
        Kind::Heading,
        format!("batches ({})", plan.preview.plan.batches.len()),
    ));
    for batch in &plan.preview.plan.batches {
        let hosts: Vec<String> = batch
            .hosts
            .iter()
            .filter_map(|&l| plan.preview.hosts.get(l))
            .map(|&id| name(id))
            .collect();
        let text = format!("{} ({}): {}", batch.name, hosts.len(), hosts.join(", "));
        for (n, part) in wrap(&text, width.saturating_sub(4)).into_iter().enumerate() {
            let lead = if n == 0 { "  " } else { "    " };
            out.push((Kind::Plain, format!("{lead}{part}")));
        }
    }
    if !plan.preview.tarballs.is_empty() {
        out.push((Kind::Heading, "bundle of the set per host (by arch)".into()));
        for (id, tarball) in &plan.preview.tarballs {
            out.push((Kind::Plain, format!("  {} — {tarball}", name(*id))));
        }
    }
    if plan.preview.skipped.is_empty() {
        out.push((Kind::Dim, "skipped: none".into()));
    } else {
        out.push((
            Kind::Heading,
            format!("skipped ({})", plan.preview.skipped.len()),
        ));
        for (id, why) in &plan.preview.skipped {
            out.push((Kind::Plain, format!("  {} — {why}", name(*id))));
        }
    }
    out.push((Kind::Plain, String::new()));
    out.push((Kind::Heading, "rules".into()));
    for rule in rules(&plan.preview.settings) {
        for part in wrap(&rule, width.saturating_sub(2)) {
            out.push((Kind::Plain, format!("  {part}")));
        }
    }
    out.push((Kind::Plain, String::new()));
    out.push((Kind::Heading, "steps on each host".into()));
    for (i, step) in plan.preview.steps.iter().enumerate() {
        out.push((Kind::Plain, format!("  {:>2}. {step}", i + 1)));
    }
    out
}

/// What the last probe already says will go wrong, host by host (nothing when all is well:
/// the healthy plan stays as it was). The details hold host text made safe when the probe's
/// report entered the model. Returns whether it wrote anything.
fn warnings(
    plan: &RolloutConfirm,
    width: usize,
    name: &dyn Fn(usize) -> String,
    out: &mut Vec<(Kind, String)>,
) -> bool {
    let warned = &plan.preview.warnings;
    if warned.is_empty() {
        return false;
    }
    let failing = warned
        .iter()
        .filter(|(_, ws)| ws.iter().any(|w| w.kind.fails()))
        .count();
    let heading = format!(
        "predicted from the last probe: {failing} of {} host(s) will likely fail",
        plan.preview.hosts.len()
    );
    out.push((
        if failing > 0 {
            Kind::Danger
        } else {
            Kind::Heading
        },
        heading,
    ));
    for (id, ws) in warned {
        for w in ws {
            let text = format!("{} — {}", name(*id), w.detail);
            let kind = if w.kind.fails() {
                Kind::Plain
            } else {
                Kind::Dim
            };
            for (n, part) in wrap(&text, width.saturating_sub(4)).into_iter().enumerate() {
                let lead = if n == 0 { "  " } else { "    " };
                out.push((kind, format!("{lead}{part}")));
            }
        }
    }
    true
}

/// The settings as the operator reads them.
pub fn rules(settings: &RolloutSettings) -> Vec<String> {
    let pause = match settings.pause {
        Pause::None => "none".to_string(),
        Pause::Timed(d) => clock(d),
        Pause::Manual => "manual (waits for c)".to_string(),
    };
    let on_halt = match settings.on_halt {
        OnHalt::Leave => "leave changed hosts on the new release",
        OnHalt::RollbackBatch => "roll back the failed batch",
        OnHalt::RollbackAll => "roll back every host the rollout changed",
    };
    vec![
        format!("parallel: {} host(s) at a time", settings.parallel),
        format!("halt: {}", settings.limit_text()),
        format!("pause between batches: {pause}"),
        format!("on halt: {on_halt}"),
        format!(
            "auto-rollback: {}",
            if settings.auto_rollback {
                "on (a host that fails verification is rolled back)"
            } else {
                "off"
            }
        ),
    ]
}

/// `A` in the rollout view asks this first.
pub fn render_abort(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let popup = centred(area, 64, 6);
    let block = Block::bordered()
        .title(Line::styled(" abort the rollout? ", theme.danger()))
        .title_bottom(Line::from(format!(" {} ", keys(model))).right_aligned())
        .border_style(theme.danger());
    let lines = vec![
        Line::raw("No new host starts. Hosts in flight finish their step"),
        Line::raw("(or their rollback); nothing is undone."),
        Line::styled("Retry and roll back stay possible afterwards.", theme.dim()),
    ];
    frame.render_widget(Clear, popup);
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
