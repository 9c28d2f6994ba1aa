//! A small tmux driver for end-to-end tests: a pane of a fixed size running a shell, keys in,
//! screens out, and [`Tmux::wait_for`], which polls the screen until a condition holds and
//! otherwise fails with the last screen. Nothing here sleeps to synchronise: a console draws
//! when it likes, so the only honest question is "is it on the screen yet?".
//!
//! Every session gets its own tmux server on a socket in its own temp dir, started with
//! `-f /dev/null`: nothing touches the operator's tmux or reads their `~/.tmux.conf`, and no
//! test can see another test's panes. Dropping a [`Tmux`] stops what runs in the pane and kills
//! that session only (also when the test panics).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

/// How often a wait looks at the screen again.
const POLL: Duration = Duration::from_millis(100);
/// How long [`Drop`] gives a program still running in the pane to quit on ctrl-c (the demo
/// stops eight sshds on its way out) before the session is killed under it.
const QUIT_GRACE: Duration = Duration::from_secs(30);

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// Variables the pane never inherits from the test process: they would change what the console
/// shows (`NO_COLOR`), which inventory it opens, whether ssh-agent is asked, or make tmux think
/// it is nested.
const SCRUBBED_ENV: &[&str] = &[
    "NO_COLOR",
    "OFFGO_INVENTORY",
    "OFFGO_TEST_PANIC",
    "SSH_AUTH_SOCK",
    "TMUX",
    "TMUX_PANE",
];

/// The shell in the pane: how to start it and the prompt it shows.
#[derive(Debug, Clone, Copy)]
pub struct Shell {
    pub argv: &'static [&'static str],
    /// The name tmux reports (`#{pane_current_command}`) while the shell itself is in front.
    pub name: &'static str,
    /// `PS1`, so a test can tell a fresh prompt from output.
    pub prompt: &'static str,
}

impl Shell {
    /// `sh` (dash on Debian): no line editor, so it neither hides nor repairs a terminal left
    /// in raw mode. What `stty` says there is what the console left behind.
    pub const SH: Shell = Shell {
        argv: &["sh"],
        name: "sh",
        prompt: "e2e$ ",
    };

    /// bash as VHS starts it (no rc files, no history, `> ` prompt).
    pub const BASH_LIKE_VHS: Shell = Shell {
        argv: &["bash", "--noprofile", "--norc", "--login", "+o", "history"],
        name: "bash",
        prompt: "> ",
    };
}

pub struct Tmux {
    name: String,
    socket: PathBuf,
    shell: Shell,
    _dir: tempfile::TempDir,
}

impl Tmux {
    /// A `cols`×`rows` pane running `shell`, with the test process's environment less
    /// [`SCRUBBED_ENV`], plus `env`. Returns once the shell shows its prompt.
    pub fn start(cols: u16, rows: u16, shell: Shell, env: &[(&str, &str)]) -> Tmux {
        let dir = tempfile::Builder::new()
            .prefix("offgo-tmux-")
            .tempdir()
            .unwrap_or_else(|e| panic!("cannot create a temp dir for the tmux socket: {e}"));
        let n = SESSIONS.fetch_add(1, Ordering::SeqCst);
        let tmux = Tmux {
            name: format!("offgo-e2e-{}-{n}", std::process::id()),
            socket: dir.path().join("tmux.sock"),
            shell,
            _dir: dir,
        };
        let mut argv: Vec<String> = vec!["env".into()];
        for var in SCRUBBED_ENV {
            argv.extend(["-u".into(), (*var).into()]);
        }
        argv.push(format!("PS1={}", shell.prompt));
        argv.extend(env.iter().map(|(k, v)| format!("{k}={v}")));
        argv.extend(shell.argv.iter().map(|s| s.to_string()));
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let mut args = vec![
            "new-session",
            "-d",
            "-s",
            &tmux.name,
            "-x",
            &cols,
            "-y",
            &rows,
            "--",
        ];
        args.extend(argv.iter().map(String::as_str));
        tmux.ok(&args);
        let prompt = shell.prompt.trim_end().to_string();
        tmux.wait_for("the shell prompt", Duration::from_secs(20), |s| {
            s.lines().any(|l| l.trim_end() == prompt)
        });
        tmux
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Types `text` literally (no key names), as a paste would arrive.
    pub fn type_text(&self, text: &str) {
        // tmux reads an argument ending in `;` as a command separator: send that one by code.
        let (body, semicolon) = match text.strip_suffix(';') {
            Some(body) => (body, true),
            None => (text, false),
        };
        if !body.is_empty() {
            self.ok(&["send-keys", "-t", &self.name, "-l", "--", body]);
        }
        if semicolon {
            self.ok(&["send-keys", "-t", &self.name, "-H", "3b"]);
        }
    }

    /// Presses keys by tmux name: `Enter`, `Escape`, `Down`, `C-c`, `q`, ….
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", &self.name];
        args.extend_from_slice(keys);
        self.ok(&args);
    }

    /// Types a command line and presses Enter.
    pub fn run(&self, line: &str) {
        self.type_text(line);
        self.keys(&["Enter"]);
    }

    /// The visible screen, one line per row, trailing blanks trimmed.
    pub fn screen(&self) -> String {
        self.capture(&["-p"])
    }

    /// The visible screen with its colours and attributes as ANSI SGR sequences.
    pub fn screen_ansi(&self) -> String {
        self.capture(&["-p", "-e"])
    }

    /// Everything the pane printed (scrollback and screen), wrapped lines joined, so a long
    /// message reads as one line however narrow the pane is.
    pub fn output(&self) -> String {
        self.capture(&["-p", "-J", "-S", "-", "-E", "-"])
    }

    /// The line the cursor is on (VHS's `Wait+Line` looks there).
    pub fn cursor_line(&self) -> String {
        let y: usize = self.format("#{cursor_y}").parse().unwrap_or(0);
        self.screen().lines().nth(y).unwrap_or("").to_string()
    }

    /// Polls the visible screen until `done` holds; returns that screen. On timeout the test
    /// fails naming `what` and showing the last screen.
    pub fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) -> String {
        self.poll(what, timeout, Self::screen, done)
    }

    /// [`Self::wait_for`] on the whole output (see [`Self::output`]) instead of the screen.
    pub fn wait_for_output(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn(&str) -> bool,
    ) -> String {
        self.poll(what, timeout, Self::output, done)
    }

    /// Waits until `text` is on the screen.
    pub fn wait_for_text(&self, text: &str, timeout: Duration) -> String {
        self.wait_for(&format!("{text:?} on the screen"), timeout, |s| {
            s.contains(text)
        })
    }

    fn poll(
        &self,
        what: &str,
        timeout: Duration,
        capture: fn(&Self) -> String,
        done: impl Fn(&str) -> bool,
    ) -> String {
        let started = Instant::now();
        loop {
            let text = capture(self);
            if done(&text) {
                return text;
            }
            if started.elapsed() >= timeout {
                panic!(
                    "waited {timeout:?} for {what} in tmux session {}, in vain; the pane showed:\n{}",
                    self.name,
                    framed(&text)
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Whether the pane is on the alternate screen (a full-screen program owns it).
    pub fn alternate_screen(&self) -> bool {
        self.format("#{alternate_on}") == "1"
    }

    /// Whether the cursor is visible.
    pub fn cursor_visible(&self) -> bool {
        self.format("#{cursor_flag}") == "1"
    }

    /// The program in the pane's foreground (`sh` at the prompt, `offgo-tui` while it runs).
    pub fn foreground(&self) -> String {
        self.format("#{pane_current_command}")
    }

    /// Waits until the shell is back in front, i.e. what it ran has exited.
    pub fn wait_for_shell(&self, timeout: Duration) {
        let started = Instant::now();
        while self.foreground() != self.shell.name {
            if started.elapsed() >= timeout {
                panic!(
                    "`{}` still runs in tmux session {} after {timeout:?}; the pane showed:\n{}",
                    self.foreground(),
                    self.name,
                    framed(&self.screen())
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Asks the shell in the pane for the terminal's line-discipline flags (`stty -a`): each of
    /// `icanon echo isig icrnl opost` mapped to whether it is on. The line ends with ctrl-j (a
    /// newline) rather than Enter, so the question gets through even when the terminal was
    /// left in raw mode, where Enter's `\r` would never become a newline.
    pub fn tty_modes(&self) -> BTreeMap<String, bool> {
        let pattern = regex::Regex::new(r"tty: \[((?:-?[a-z]+ )*)\]").unwrap();
        let before = pattern.find_iter(&self.output()).count();
        // `$(…)` keeps the typed line itself from matching the pattern.
        self.type_text(
            "echo \"tty: [$(stty -a | tr -s ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|isig|icrnl|opost)' | tr '\\n' ' ')]\"",
        );
        self.keys(&["C-j"]);
        let output = self.wait_for_output(
            "the shell to print the stty modes",
            Duration::from_secs(20),
            |s| pattern.find_iter(s).count() > before,
        );
        let caps = pattern.captures_iter(&output).last().unwrap();
        caps[1]
            .split_whitespace()
            .map(|flag| match flag.strip_prefix('-') {
                Some(name) => (name.to_string(), false),
                None => (flag.to_string(), true),
            })
            .collect()
    }

    fn format(&self, format: &str) -> String {
        let out = self.ok(&["display-message", "-p", "-t", &self.name, format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn capture(&self, flags: &[&str]) -> String {
        let mut args = vec!["capture-pane", "-t", &self.name];
        args.extend_from_slice(flags);
        let out = self.ok(&args);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Runs a tmux command on this session's server; a failure fails the test.
    fn ok(&self, args: &[&str]) -> Output {
        let out = self.tmux(args);
        assert!(
            out.status.success(),
            "tmux {args:?} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
        out
    }

    fn tmux(&self, args: &[&str]) -> Output {
        tmux_command(&self.socket)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run tmux ({e}); scripts/test installs it"))
    }

    fn alive(&self) -> bool {
        tmux_command(&self.socket)
            .args(["has-session", "-t", &self.name])
            .output()
            .is_ok_and(|o| o.status.success())
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // A console still running gets ctrl-c (quit, in every scope) and time to clean up what
        // it started, such as the demo's sshds, before the session and its pane go away.
        if self.alive() && self.foreground() != self.shell.name {
            let _ = self.tmux(&["send-keys", "-t", &self.name, "C-c"]);
            let started = Instant::now();
            while started.elapsed() < QUIT_GRACE
                && self.alive()
                && self.foreground() != self.shell.name
            {
                thread::sleep(POLL);
            }
        }
        let _ = self.tmux(&["kill-session", "-t", &self.name]);
    }
}

fn tmux_command(socket: &Path) -> Command {
    let mut command = Command::new("tmux");
    command.arg("-S").arg(socket).args(["-f", "/dev/null"]);
    command.env_remove("TMUX");
    command
}

/// The captured text in a frame, so blank lines and trailing spaces show in a failure.
pub fn framed(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let width = lines.iter().map(|l| l.chars().count()).max().unwrap_or(0);
    let mut out = format!("┌{}┐\n", "─".repeat(width));
    for line in lines {
        let pad = width - line.chars().count();
        out.push_str(&format!("│{line}{}│\n", " ".repeat(pad)));
    }
    out.push_str(&format!("└{}┘", "─".repeat(width)));
    out
}
