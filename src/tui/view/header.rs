//! The two header lines: fleet counts, then hosts per Go version.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::theme::Theme;
use crate::tui::state::model::Model;
use crate::tui::state::summary::{NO_GO, UNKNOWN_GO};
use crate::tui::state::version::compare_versions;

pub fn render(model: &Model, theme: &Theme, frame: &mut Frame, area: Rect) {
    let lines = vec![counts_line(model, theme), versions_line(model, theme)];
    frame.render_widget(Paragraph::new(lines), area);
}

fn counts_line<'a>(model: &Model, theme: &Theme) -> Line<'a> {
    let s = &model.summary;
    let flag = |n: usize, style| if n > 0 { style } else { Default::default() };
    let mut spans = vec![
        Span::styled(format!("{} hosts", s.hosts), theme.bold()),
        Span::raw(format!("  reachable {}", s.reachable)),
        Span::styled(
            format!("  unreachable {}", s.unreachable),
            flag(s.unreachable, theme.failed()),
        ),
        Span::styled(
            format!("  ldd gaps {}", s.with_gaps),
            flag(s.with_gaps, theme.warn()),
        ),
        Span::styled(
            format!("  audit problems {}", s.audit_problems),
            flag(s.audit_problems, theme.warn()),
        ),
    ];
    if s.probing > 0 {
        spans.push(Span::styled(
            format!("  probing {}", s.probing),
            theme.accent(),
        ));
    }
    if s.operating > 0 {
        spans.push(Span::styled(
            format!("  operating {}", s.operating),
            theme.accent(),
        ));
    }
    if s.unknown > 0 {
        spans.push(Span::styled(
            format!("  not probed {}", s.unknown),
            theme.dim(),
        ));
    }
    if model.settings.read_only {
        spans.push(Span::styled("  read-only", theme.bold()));
    }
    Line::from(spans)
}

fn versions_line<'a>(model: &Model, theme: &Theme) -> Line<'a> {
    let mut versions: Vec<(&String, &usize)> = model.summary.versions.iter().collect();
    // Newest first; hosts without Go, or whose Go is unknown, at the end.
    let odd = |v: &str| v == NO_GO || v == UNKNOWN_GO;
    versions.sort_by(|a, b| {
        odd(a.0)
            .cmp(&odd(b.0))
            .then_with(|| compare_versions(b.0, a.0))
    });
    let mut spans = vec![Span::styled("Go", theme.label())];
    if versions.is_empty() {
        spans.push(Span::styled("  no host reachable yet", theme.dim()));
    }
    for (version, count) in versions {
        let style = if odd(version) {
            theme.warn()
        } else {
            Default::default()
        };
        spans.push(Span::styled(format!("  {version} ×{count}"), style));
    }
    Line::from(spans)
}
