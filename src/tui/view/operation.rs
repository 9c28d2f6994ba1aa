//! The detail pane's operation section: what is running on the host and how far it got, or
//! how it ended — for a failure the step, the error with its hint, the command and what the
//! host printed; for a verify every check.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::fields::{field, heading};
use super::theme::Theme;
use crate::core::engine::{Check, HostOutcome, Operation};
use crate::tui::operate::operation::{human_bytes, HostOperation, Phase, StepFailure, Upload};

/// Lines of host output shown; the rest is summarised (the log file has it all).
const OUTPUT_LINES: usize = 40;

/// A rollback that undid a failed operation says what failed: `verify failed at ldd:
/// verification failed: ldd (…) → rolled back`. `earlier` is the operation before `o`.
pub fn rolled_back_because(o: &HostOperation, earlier: Option<&HostOperation>) -> Option<String> {
    if o.op != Operation::Rollback {
        return None;
    }
    let failed = earlier.filter(|e| e.failed() && e.op != Operation::Rollback)?;
    let outcome = failed.outcome()?;
    let mut why = format!("{} failed", failed.op.as_str());
    if let Some(step) = &outcome.step {
        why.push_str(&format!(" at {step}"));
    }
    if let Some(error) = &outcome.error {
        why.push_str(&format!(": {}", error.lines().next().unwrap_or_default()));
    }
    let result = match o.outcome() {
        Some(r) if r.ok => "rolled back",
        Some(_) => "rollback failed too",
        None => "rolling back",
    };
    Some(format!("{why} → {result}"))
}

pub fn lines<'a>(
    o: &HostOperation,
    earlier: Option<&HostOperation>,
    theme: &Theme,
    out: &mut Vec<Line<'a>>,
) {
    let mut what = o.op.as_str().to_string();
    if let Some(target) = &o.target {
        what.push(' ');
        what.push_str(target);
    }
    let (status, style) = match &o.phase {
        Phase::Requested => ("requested".to_string(), theme.accent()),
        Phase::Queued => (
            "queued (waiting for a free slot)".to_string(),
            theme.accent(),
        ),
        Phase::Running => ("running".to_string(), theme.accent()),
        Phase::Done(outcome) if outcome.ok => ("ok".to_string(), theme.good()),
        Phase::Done(_) => ("FAILED".to_string(), theme.failed()),
    };
    out.push(field(
        "operation",
        format!("{what} · {status}"),
        style,
        theme,
    ));
    if let Some(why) = rolled_back_because(o, earlier) {
        out.push(field("why", why, theme.failed(), theme));
    }
    if o.in_flight() {
        if let Some(step) = &o.step {
            out.push(field("step", step.clone(), theme.accent(), theme));
        }
    }
    // After the fact, the upload only matters if that is where it failed.
    let upload_failed = o.failure.as_ref().is_some_and(|f| f.step == "upload");
    if let Some(up) = o.upload.filter(|_| o.in_flight() || upload_failed) {
        out.push(field("upload", upload(up), Style::default(), theme));
    }
    if let Some(outcome) = o.outcome() {
        result(o.op, outcome, theme, out);
    }
    let failed = o.failed() || (o.in_flight() && o.failure.is_some());
    if failed {
        failure(o.outcome(), o.failure.as_ref(), theme, out);
    }
}

fn upload(up: Upload) -> String {
    format!(
        "{} of {} ({}%) at {}/s",
        human_bytes(up.bytes),
        human_bytes(up.total),
        up.percent(),
        human_bytes(up.bytes_per_sec)
    )
}

fn result<'a>(op: Operation, outcome: &HostOutcome, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let plain = Style::default();
    match (op, &outcome.from, &outcome.to) {
        (Operation::Verify, Some(from), _) => {
            out.push(field("checked", from.clone(), plain, theme));
        }
        (_, from, Some(to)) if outcome.ok => {
            let from = from.as_deref().unwrap_or("none");
            out.push(field("change", format!("{from} → {to}"), plain, theme));
        }
        _ => {}
    }
    for note in &outcome.notes {
        out.push(field("note", note.clone(), plain, theme));
    }
    if let Some(checks) = &outcome.checks {
        out.push(heading("checks", theme));
        for check in checks {
            check_lines(check, theme, out);
        }
    }
}

fn check_lines<'a>(check: &Check, theme: &Theme, out: &mut Vec<Line<'a>>) {
    let (mark, style) = if check.ok {
        ("ok    ", theme.good())
    } else {
        ("FAILED", theme.failed())
    };
    let mut detail = check.detail.lines();
    out.push(Line::from(vec![
        Span::styled(format!("  {mark} "), style),
        Span::styled(format!("{:<11}", check.check), theme.label()),
        Span::raw(detail.next().unwrap_or_default().to_string()),
    ]));
    out.extend(detail.map(|l| Line::raw(format!("{:20}{l}", ""))));
}

/// The failure, from the final outcome when there is one, else from the step that failed.
fn failure<'a>(
    outcome: Option<&HostOutcome>,
    step_failure: Option<&StepFailure>,
    theme: &Theme,
    out: &mut Vec<Line<'a>>,
) {
    let step = outcome
        .and_then(|o| o.step.clone())
        .or_else(|| step_failure.map(|f| f.step.clone()));
    if let Some(step) = step {
        out.push(field("failed at", step, theme.failed(), theme));
    }
    let error = outcome
        .and_then(|o| o.error.clone())
        .or_else(|| step_failure.map(|f| f.error.message.clone()));
    if let Some(error) = error {
        let mut lines = error.lines();
        let first = lines.next().unwrap_or_default().to_string();
        out.push(field("error", first, theme.failed(), theme));
        out.extend(lines.map(|l| Line::styled(format!("  {l}"), theme.failed())));
    }
    let hint = outcome
        .and_then(|o| o.hint.clone())
        .or_else(|| step_failure.map(|f| f.error.hint.clone()))
        .filter(|h| !h.is_empty());
    if let Some(hint) = hint {
        out.push(field("hint", hint, Style::default(), theme));
    }
    if let Some(command) = step_failure.and_then(|f| f.command.as_ref()) {
        let exit = command
            .exit_status
            .map(|s| format!("exit {s}"))
            .unwrap_or_else(|| "no exit status".into());
        let text = format!(
            "{} ({exit}, {:.1} s)",
            command.label,
            command.elapsed.as_secs_f64()
        );
        out.push(field("command", text, Style::default(), theme));
    }
    let output = outcome
        .and_then(|o| o.output.clone())
        .or_else(|| step_failure.and_then(|f| f.error.output.clone()));
    if let Some(output) = output {
        out.push(heading("host output", theme));
        let all: Vec<&str> = output.lines().collect();
        if all.is_empty() {
            out.push(Line::styled("  (empty)", theme.dim()));
        }
        let skip = all.len().saturating_sub(OUTPUT_LINES);
        if skip > 0 {
            out.push(Line::styled(
                format!("  … {skip} earlier lines (see the log file)"),
                theme.dim(),
            ));
        }
        out.extend(all[skip..].iter().map(|l| Line::raw(format!("  {l}"))));
    }
}
