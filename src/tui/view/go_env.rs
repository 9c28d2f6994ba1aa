//! The detail pane's Go environment: against `[go_env]`, each variable that drifts (want, got,
//! where: a login shell or a service), then what `go env` says in a login shell.

use ratatui::text::{Line, Span};

use super::fields::{field, heading};
use super::theme::Theme;
use crate::core::engine::HostReport;
use crate::core::goenv::View;

pub(super) fn lines<'a>(report: &HostReport, policy: bool, theme: &Theme, out: &mut Vec<Line<'a>>) {
    // `go_shims`: the releases callable as go1.X.Y (GOTOOLCHAIN=go1.X.Y+path).
    if !report.go_shims.is_empty() {
        out.push(field(
            "go shims",
            report.go_shims.join(", "),
            theme.good(),
            theme,
        ));
    }
    let Some(values) = &report.go_env else {
        return;
    };
    let drift = &report.go_env_drift;
    if !policy {
        out.push(field(
            "go env",
            "no [go_env] policy to check against",
            theme.dim(),
            theme,
        ));
    } else if drift.is_empty() {
        out.push(field(
            "go env",
            "as [go_env] wants (login shell and services)",
            theme.good(),
            theme,
        ));
    } else {
        out.push(field(
            "go env",
            format!("{} drift from [go_env]", drift.len()),
            theme.warn(),
            theme,
        ));
        for d in drift {
            let view = match d.view {
                View::Login => "login  ",
                View::Service => "service",
            };
            let got = d.got.as_deref().map_or_else(
                || "(go env failed)".to_string(),
                |g| {
                    if g.is_empty() {
                        "(unset)".to_string()
                    } else {
                        g.to_string()
                    }
                },
            );
            out.push(Line::from(vec![
                Span::raw(format!("  {:<12} {view} ", d.var)),
                Span::styled(got, theme.warn()),
                Span::styled(format!("  want {}", d.want), theme.dim()),
            ]));
        }
    }
    out.push(heading("  go env in a login shell", theme));
    for (name, value) in values {
        let shown = if value.is_empty() { "(unset)" } else { value };
        out.push(Line::from(vec![
            Span::styled(format!("  {name:<12} "), theme.dim()),
            Span::raw(shown.to_string()),
        ]));
    }
}
