//! How an operation's host script ended: `done=1` with exit status 0, or the step it failed at
//! (`fail=STEP`) and why (`why=…`). One reading for every script that changes a host, so a
//! script cut short (no `done`, no `fail`) is reported the same way everywhere.

use super::outcome::StepError;
use crate::core::remote::ops::value;
use crate::core::ssh::ExecOutput;
use crate::core::text::safe;

/// `Ok` when the script finished; else the step it named (or `default_step` when it named none,
/// as when the connection dropped) with its reason and the host's output. `hint` gets the
/// failed step and says what to do.
pub(super) fn script_end(
    out: &ExecOutput,
    pairs: &[(String, String)],
    default_step: &str,
    hint: impl FnOnce(&str) -> String,
) -> Result<(), StepError> {
    if value(pairs, "done") == Some("1") && out.success() {
        return Ok(());
    }
    // The step and reason are the host's words: data, made safe here once for every script.
    let step = value(pairs, "fail").map_or_else(|| default_step.to_string(), safe);
    // The fallback names the script by its step in the operator's spelling (go_env → "go-env").
    let why = value(pairs, "why")
        .map(safe)
        .unwrap_or_else(|| format!("the {} script ended early", default_step.replace('_', "-")));
    Err(StepError::refused(&step, why, hint(&step)).with_output(out.combined()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn output(stdout: &str, exit_status: i32) -> ExecOutput {
        ExecOutput {
            stdout: stdout.as_bytes().to_vec(),
            stderr: Vec::new(),
            exit_status,
            elapsed: Duration::ZERO,
            truncated: false,
        }
    }

    fn end(stdout: &str, exit_status: i32) -> Result<(), StepError> {
        let out = output(stdout, exit_status);
        let pairs = crate::core::remote::ops::key_values(&out.stdout);
        script_end(&out, &pairs, "go_env", |step| format!("hint for {step}"))
    }

    #[test]
    fn done_and_exit_zero_is_the_only_success() {
        assert!(end("step=a\ndone=1\n", 0).is_ok());
        // `done` printed, then the script failed after all: not a success.
        assert!(end("done=1\n", 1).is_err());
        // Exit 0 without `done`: cut short somewhere the script did not expect.
        assert!(end("step=a\n", 0).is_err());
    }

    #[test]
    fn names_the_failed_step_and_why() {
        let e = end("step=switch\nfail=switch\nwhy=cannot write x\n", 1).unwrap_err();
        assert_eq!(e.step, "switch");
        assert_eq!(e.error.message, "cannot write x");
        assert_eq!(e.error.hint, "hint for switch");
        assert!(e.error.output.as_deref().unwrap().contains("fail=switch"));
    }

    #[test]
    fn the_hosts_words_are_made_safe() {
        let e = end("fail=sw\\nitch\x1b[2J\nwhy=bad\x07 \\n news\n", 1).unwrap_err();
        assert!(!e.step.contains(['\n', '\x1b']), "{:?}", e.step);
        assert!(
            !e.error.message.contains(['\n', '\x07']),
            "{:?}",
            e.error.message
        );
    }

    #[test]
    fn a_script_cut_short_falls_back_to_its_own_step() {
        let e = end("step=check\n", -1).unwrap_err();
        assert_eq!(e.step, "go_env");
        assert_eq!(e.error.message, "the go-env script ended early");
    }
}
