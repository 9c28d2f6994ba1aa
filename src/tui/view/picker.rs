//! The push's bundle picker: every bundle found, newest first, with what an operator checks
//! before a push (version, arch, size, sha256, file count, signature). Bundles that cannot be
//! pushed are listed with the reason, and the cursor never lands on them.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

use super::popup::{centred, wrap};
use super::theme::Theme;
use crate::core::bundle::SignatureStatus;
use crate::tui::operate::bundles::{BundleChoice, BundleInfo};
use crate::tui::operate::dialog::Picker;
use crate::tui::operate::operation::human_bytes;

const WIDTH: u16 = 110;

pub fn render(picker: &Picker, theme: &Theme, frame: &mut Frame, area: Rect) {
    let text_width = centred(area, WIDTH, 0).width.saturating_sub(2) as usize;
    let (lines, cursor_line) = picker_lines(picker, theme, text_width);
    let popup = centred(area, WIDTH, lines.len() as u16 + 2);
    let hosts = match picker.hosts.len() {
        1 => "1 host".to_string(),
        n => format!("{n} hosts"),
    };
    let block = Block::bordered()
        .title(Line::styled(
            format!(" push to {hosts}: pick a bundle "),
            theme.danger(),
        ))
        .border_style(theme.danger());
    let rows = block.inner(popup).height as usize;
    // Keep the cursor's line on screen (a selectable bundle has no refusal line under it).
    let scroll = (cursor_line + 1).saturating_sub(rows);
    frame.render_widget(Clear, popup);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .scroll((scroll as u16, 0)),
        popup,
    );
}

/// The picker's lines at `width`, and the line the cursor is on.
fn picker_lines<'a>(picker: &Picker, theme: &Theme, width: usize) -> (Vec<Line<'a>>, usize) {
    let dir = picker.dir.display().to_string();
    let mut lines = vec![Line::from(vec![
        Span::styled("bundles in ", theme.dim()),
        Span::raw(dir.clone()),
    ])];
    let Some(choices) = &picker.choices else {
        lines.push(Line::styled("looking for bundles…", theme.dim()));
        return (lines, 0);
    };
    if choices.is_empty() {
        lines.push(Line::styled("no bundles here.", theme.warn()));
        let help = format!(
            "Build one with `offgo-tui bundle build goX.Y.Z.linux-amd64.tar.gz --out {dir}`, \
             or point `[bundles] dir` in the inventory at where they are."
        );
        lines.extend(wrap(&help, width).into_iter().map(Line::raw));
        return (lines, 0);
    }
    // Wide enough for the longest label (an app's `app svc 1.1.0`).
    let label_width = choices
        .iter()
        .filter_map(|c| c.info.as_ref())
        .map(|i| i.label().chars().count())
        .max()
        .unwrap_or(0)
        .max(10);
    lines.push(Line::styled(
        format!(
            "  {:<label_width$} {:<6} {:>9}  {:<12} {:>6}  signature",
            "version", "arch", "size", "sha256", "files"
        ),
        theme.label(),
    ));
    let mut cursor_line = 0;
    for (i, choice) in choices.iter().enumerate() {
        let selected = i == picker.cursor && choice.selectable();
        if selected {
            cursor_line = lines.len();
        }
        lines.push(choice_line(choice, selected, label_width, theme));
        if let Some(why) = &choice.refused {
            let wrapped = wrap(why, width.saturating_sub(6));
            for (n, part) in wrapped.into_iter().enumerate() {
                let lead = if n == 0 { "    ✗ " } else { "      " };
                lines.push(Line::styled(format!("{lead}{part}"), theme.failed()));
            }
        }
    }
    if !choices.iter().any(BundleChoice::selectable) {
        lines.push(Line::styled(
            "none of these can be pushed: see why above",
            theme.warn(),
        ));
    }
    (lines, cursor_line)
}

fn choice_line<'a>(
    choice: &BundleChoice,
    selected: bool,
    label_width: usize,
    theme: &Theme,
) -> Line<'a> {
    let marker = if selected { "▶ " } else { "  " };
    let Some(info) = &choice.info else {
        return Line::from(vec![
            Span::raw(marker),
            Span::styled(choice.name.clone(), theme.dim()),
        ]);
    };
    let (signature, signature_style) = signature(info, theme);
    let mut line = Line::from(vec![
        Span::raw(format!(
            "{marker}{:<label_width$} {:<6} {:>9}  {:<12} {:>6}  ",
            info.label(),
            info.arch,
            human_bytes(info.size),
            info.sha256_prefix(),
            info.file_count
        )),
        Span::styled(signature, signature_style),
    ]);
    if selected {
        line = line.style(theme.selected());
    } else if !choice.selectable() {
        line = line.style(theme.dim());
    }
    line
}

fn signature(info: &BundleInfo, theme: &Theme) -> (String, Style) {
    match &info.signature {
        SignatureStatus::Unsigned => ("unsigned".into(), theme.warn()),
        SignatureStatus::Signed { trusted: true, .. } => {
            ("signed, trusted key".into(), theme.good())
        }
        // Not one of `trusted_keys` (or none are configured): the refusal line, if any, says which.
        SignatureStatus::Signed { trusted: false, .. } => {
            ("signed, untrusted key".into(), Style::default())
        }
        SignatureStatus::Invalid { .. } => ("INVALID signature".into(), theme.failed()),
    }
}
