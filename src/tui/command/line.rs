//! What can be typed after `:`. Few words, each saying what it does; anything else is an
//! error that lists them.

use tui_input::Input;

/// The command line being typed.
#[derive(Debug, Clone, Default)]
pub struct CommandLine {
    pub input: Input,
}

impl PartialEq for CommandLine {
    fn eq(&self, other: &Self) -> bool {
        self.input.value() == other.input.value() && self.input.cursor() == other.input.cursor()
    }
}

/// A command the console understood.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// `:run CMD` — run CMD on the marked hosts (else the selected one), after a confirm.
    Run(String),
    /// `:results` — show the last ad-hoc command's gathered output again.
    Results,
    /// `:apps` — the apps view (k9s's resource switch).
    Apps,
    /// `:hosts` — back to the host table.
    Hosts,
}

/// The words, as an error message and the help list them.
pub const WORDS: &str =
    ":run CMD (on the marked hosts, else the selected; asks first), :results, :apps, :hosts";

/// The longest command `:run` takes: it goes into both audit logs whole.
pub const MAX_COMMAND: usize = 4096;

pub fn parse(text: &str) -> Result<Typed, String> {
    let text = text.trim();
    let (word, rest) = text
        .split_once(char::is_whitespace)
        .map_or((text, ""), |(w, r)| (w, r.trim()));
    match word {
        "run" if rest.is_empty() => Err("type the command after :run, e.g. :run uptime".into()),
        "run" if rest.len() > MAX_COMMAND => Err(format!(
            ":run takes at most {MAX_COMMAND} bytes of command (it is written whole to both audit logs)"
        )),
        "run" if rest.chars().any(char::is_control) => {
            Err(":run takes one line of printable text".into())
        }
        "run" => Ok(Typed::Run(rest.to_string())),
        "results" if rest.is_empty() => Ok(Typed::Results),
        "apps" | "app" if rest.is_empty() => Ok(Typed::Apps),
        "hosts" | "host" if rest.is_empty() => Ok(Typed::Hosts),
        "" => Err(format!("type a command: {WORDS}")),
        other => Err(format!(
            "unknown command :{}: {WORDS}",
            crate::core::text::safe(other)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_takes_the_rest_of_the_line_as_typed() {
        assert_eq!(
            parse("run  df -h / | tail -1 "),
            Ok(Typed::Run("df -h / | tail -1".into()))
        );
        assert_eq!(parse("results"), Ok(Typed::Results));
        assert_eq!(parse(" apps "), Ok(Typed::Apps));
        assert_eq!(parse("hosts"), Ok(Typed::Hosts));
        assert!(parse("apps now").is_err());
    }

    #[test]
    fn mistakes_say_what_can_be_typed() {
        assert!(parse("run").unwrap_err().contains(":run uptime"));
        assert!(parse("").unwrap_err().contains(":run CMD"));
        let unknown = parse("rm -rf /").unwrap_err();
        assert!(unknown.starts_with("unknown command :rm"), "{unknown}");
        assert!(parse(&format!("run {}", "x".repeat(MAX_COMMAND + 1))).is_err());
        assert!(parse("run echo \u{1b}[2J").is_err());
    }
}
