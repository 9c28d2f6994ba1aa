//! `demo.tape` is both the recipe for the README's recording and a test: this replays its
//! keystrokes through tmux against the real `offgo-tui demo` and treats every `Wait` as an
//! assertion (poll until the regex matches, fail with the screen on timeout). Sleeps are
//! skipped: they are there for the viewer, and nothing here waits on time.

mod common;

use std::time::Duration;

use common::tape::{self, Step, Tape, WaitScope};
use common::tmux::{self, Shell, Tmux};

/// Every Wait gets at least this long: the machine running the suite may be busy, and the
/// demo starts eight sshds first.
const MIN_WAIT: Duration = Duration::from_secs(90);
/// The replay's terminal, a little smaller than the recording's (1200x800 px at 14 px is
/// about 138x44 cells), so what the tape waits for also fits a smaller screen.
const SIZE: (u16, u16) = (120, 40);

fn demo_tape() -> Tape {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/demo.tape"))
        .unwrap_or_else(|e| panic!("cannot read demo.tape: {e}"));
    tape::parse(&text).unwrap_or_else(|errors| {
        panic!(
            "demo.tape uses what the replay does not know:\n  {}",
            errors.join("\n  ")
        )
    })
}

/// What the tape types, with `offgo-tui` at the start of a command line replaced by the
/// binary under test.
fn substitute(text: &str) -> String {
    match text.strip_prefix("offgo-tui") {
        Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
            format!("'{}'{rest}", env!("CARGO_BIN_EXE_offgo-tui"))
        }
        _ => text.to_string(),
    }
}

#[test]
fn the_demo_tape_replays_against_the_real_demo() {
    let tape = demo_tape();
    assert_eq!(tape.settings.get("Shell").map(String::as_str), Some("bash"));
    assert_eq!(
        tape.requires,
        ["offgo-tui"],
        "the tape needs the binary only"
    );
    let waits = tape
        .steps
        .iter()
        .filter(|l| matches!(l.step, Step::Wait { .. }))
        .count();
    assert!(waits >= 10, "the tape checks what it shows ({waits} Waits)");

    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().to_str().unwrap();
    let session = Tmux::start(
        SIZE.0,
        SIZE.1,
        Shell::BASH_LIKE_VHS,
        &[
            ("XDG_STATE_HOME", state_dir),
            ("XDG_CONFIG_HOME", state_dir),
        ],
    );
    for line in &tape.steps {
        match &line.step {
            Step::Type(text) => session.type_text(&substitute(text)),
            Step::Keys(keys) => session.keys(keys),
            Step::Sleep(_) => {}
            Step::Wait {
                scope,
                regex,
                timeout,
            } => {
                let timeout = timeout.unwrap_or(MIN_WAIT).max(MIN_WAIT);
                let what = format!("demo.tape:{} /{}/ ({scope:?})", line.number, regex.as_str());
                match scope {
                    WaitScope::Screen => {
                        session.wait_for(&what, timeout, |screen| regex.is_match(screen.trim_end()))
                    }
                    WaitScope::Line => session.wait_for(&what, timeout, |_| {
                        regex.is_match(session.cursor_line().trim_end())
                    }),
                };
            }
        }
    }
    // The tape ends at the shell: the demo has quit and stopped its hosts.
    assert_eq!(
        session.foreground(),
        "bash",
        "{}",
        tmux::framed(&session.screen())
    );
}

#[test]
fn the_tape_parser_knows_the_vhs_commands_the_tape_uses() {
    let tape = tape::parse(
        "# a comment\n\
         Output docs/demo.gif\n\
         Require offgo-tui\n\
         Set Shell \"bash\"\n\
         Set TypingSpeed 60ms\n\
         Type@100ms 'echo \"hi\"' \"there\"\n\
         Down@50ms 3\n\
         Escape\n\
         Sleep 1.5s\n\
         Wait+Screen@10s /a\\x2Fb/\n\
         Wait /^>$/\n",
    )
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(tape.outputs, ["docs/demo.gif"]);
    assert_eq!(tape.settings["TypingSpeed"], "60ms");
    let steps: Vec<String> = tape.steps.iter().map(|l| format!("{:?}", l.step)).collect();
    assert_eq!(steps[0], r#"Type("echo \"hi\" there")"#);
    assert_eq!(steps[1], r#"Keys(["Down", "Down", "Down"])"#);
    assert_eq!(steps[3], "Sleep(1.5s)");
    match &tape.steps[4].step {
        Step::Wait {
            scope,
            regex,
            timeout,
        } => {
            assert_eq!(*scope, WaitScope::Screen);
            assert!(regex.is_match("8 a/b"));
            assert_eq!(*timeout, Some(Duration::from_secs(10)));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        tape.steps[5].step,
        Step::Wait {
            scope: WaitScope::Line,
            ..
        }
    ));
}

#[test]
fn the_tape_parser_refuses_what_the_replay_cannot_do() {
    let cases = [
        ("Typo \"x\"", "`Typo` is not a command"),
        ("Set Theme \"Dracula\"", "setting `Theme`"),
        ("Ctrl+C", "`Ctrl` is not a command"),
        // VHS ends a regex at the next slash: `\/` leaves `8\` and a stray `8/`.
        ("Wait+Screen /8\\/8 hosts/", "1: "),
        ("Wait+Screen", "Wait expects /regex/"),
        ("Type \"never closed", "never closed"),
        ("Escape\nType \"q\"", "Escape is followed by a key"),
        ("Escape\nSleep 1s\nDown", "Escape is followed by a key"),
    ];
    for (text, expected) in cases {
        let errors = tape::parse(text).expect_err(text);
        let joined = errors.join("\n");
        assert!(joined.contains(expected), "{text:?}: {joined}");
    }
    assert!(tape::parse("Escape\nSleep 1s\nWait+Screen /x/\nType \"q\"").is_ok());
}

#[test]
fn the_binary_under_test_stands_in_for_offgo_tui() {
    let bin = env!("CARGO_BIN_EXE_offgo-tui");
    assert_eq!(substitute("offgo-tui demo"), format!("'{bin}' demo"));
    assert_eq!(substitute("offgo-tui"), format!("'{bin}'"));
    assert_eq!(substitute("offgo-tuix"), "offgo-tuix");
    assert_eq!(substitute("echo offgo-tui"), "echo offgo-tui");
}
