//! A labelled line, as the detail pane and its operation section draw them: the label in a
//! column of its own, then the value.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;

/// Width of the label column.
const LABEL: usize = 10;

pub(super) fn field<'a>(
    label: &str,
    value: impl Into<String>,
    style: Style,
    theme: &Theme,
) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), theme.label()),
        Span::styled(value.into(), style),
    ])
}

pub(super) fn heading<'a>(text: &str, theme: &Theme) -> Line<'a> {
    Line::styled(text.to_string(), theme.label())
}
