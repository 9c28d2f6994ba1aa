//! The console end to end: the built `offgo-tui` in a tmux pane against a real sshd fleet on
//! loopback, driven by keys, read off the screen. Each test runs the console from a shell in the
//! pane, so that after it exits the same shell can show the terminal it was left with.

mod common;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use common::tmux::{Shell, Tmux};
use common::*;
use offgo::tui::testing::Keymap;
use regex::Regex;

/// Generous: the machine running the suite may be busy compiling.
const FLEET_PROBED: Duration = Duration::from_secs(90);
const REDRAW: Duration = Duration::from_secs(20);
const QUIT: Duration = Duration::from_secs(30);

/// The fleet every test here looks at, and what the console should show for each host.
const HOSTS: [(&str, &str); 6] = [
    ("web-01", "go1.21.13"),
    ("web-02", "go1.22.10"),
    ("web-03", "unknown"), // stopped: refused
    ("db-01", "go1.22.10"),
    ("db-02", "none"),
    ("build-01", "go1.21.13"),
];
const DOWN_HOST: &str = "web-03";

fn spec() -> FleetSpec {
    FleetSpec::new()
        .host(HostSpec::new("web-01").group("web").go_manual("1.21.13"))
        .host(HostSpec::new("web-02").group("web").go_manual("1.22.10"))
        .host(
            HostSpec::new(DOWN_HOST)
                .group("web")
                .go_manual("1.21.13")
                .stopped(),
        )
        .host(
            HostSpec::new("db-01")
                .group("db")
                .go_managed_after("1.22.10", "1.21.13"),
        )
        .host(HostSpec::new("db-02").group("db"))
        .host(
            HostSpec::new("build-01")
                .group("build")
                .go_manual("1.21.13")
                .ldd_gap(),
        )
}

struct SharedFleet {
    fleet: Fleet,
    inventory: PathBuf,
}

/// Tests running at the same time share one fleet (a start takes seconds); the last one to let
/// go drops it, which stops its sshds by pid. A `static` fleet would never be dropped and its
/// sshds would outlive the test process.
static SHARED: Mutex<Weak<SharedFleet>> = Mutex::new(Weak::new());

fn shared_fleet() -> Arc<SharedFleet> {
    let mut slot = SHARED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(shared) = slot.upgrade() {
        return shared;
    }
    let fleet = start(&spec());
    let inventory = inventory(&fleet, &InventoryOptions::new().connect_timeout("5s"));
    let shared = Arc::new(SharedFleet { fleet, inventory });
    *slot = Arc::downgrade(&shared);
    shared
}

/// A console session: a tmux pane with a shell, a private state dir (log, audit log), and the
/// fleet it looks at.
struct Console {
    tmux: Tmux,
    _state: tempfile::TempDir,
    fleet: Arc<SharedFleet>,
}

impl Console {
    fn new(cols: u16, rows: u16) -> Console {
        let fleet = shared_fleet();
        let state = tempfile::tempdir().unwrap();
        let state_dir = state.path().to_str().unwrap().to_string();
        let tmux = Tmux::start(
            cols,
            rows,
            Shell::SH,
            &[
                ("OFFGO", env!("CARGO_BIN_EXE_offgo-tui")),
                ("INVENTORY", fleet.inventory.to_str().unwrap()),
                ("XDG_STATE_HOME", &state_dir),
                ("XDG_CONFIG_HOME", &state_dir),
            ],
        );
        Console {
            tmux,
            _state: state,
            fleet,
        }
    }

    /// Starts the console from the shell; `prefix` may set variables for it.
    fn launch(&self, prefix: &str) {
        self.tmux.run(&format!(
            "{prefix}\"$OFFGO\" --inventory \"$INVENTORY\"; echo \"console exited: $?\""
        ));
    }

    /// Starts the console and waits for its first frame.
    fn open(&self) {
        self.launch("");
        self.tmux
            .wait_for("the console's first frame", REDRAW * 3, |s| {
                s.contains(" hosts ") && s.contains("? help")
            });
        assert!(
            self.tmux.alternate_screen(),
            "the console runs on the alternate screen"
        );
    }

    /// Waits until every host's row shows its probe result.
    fn wait_until_probed(&self) -> String {
        self.tmux.wait_for(
            "every host probed, with its Go version",
            FLEET_PROBED,
            |s| {
                HOSTS.iter().all(|(name, go)| {
                    let want_state = if *name == DOWN_HOST { "refused" } else { "ok" };
                    self.row(s, name)
                        .is_some_and(|r| r.go == *go && r.state == want_state)
                })
            },
        )
    }

    fn port(&self, host: &str) -> u16 {
        common::host(&self.fleet.fleet, host).port()
    }

    /// The table row of `host` on `screen`, if it is shown.
    fn row(&self, screen: &str, host: &str) -> Option<Row> {
        let pattern = format!(
            r"(?m)^│.{{0,3}}\b{}\s+127\.0\.0\.1:{}\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)",
            regex::escape(host),
            self.port(host)
        );
        let caps = Regex::new(&pattern).unwrap().captures(screen)?;
        Some(Row {
            go: caps[1].to_string(),
            state: caps[4].to_string(),
        })
    }

    fn visible_hosts(&self, screen: &str) -> Vec<&'static str> {
        HOSTS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| self.row(screen, name).is_some())
            .collect()
    }

    /// Types a filter and keeps it (`/`, text, Enter); returns the filtered screen.
    fn filter(&self, text: &str) -> String {
        self.tmux.keys(&["/"]);
        self.tmux.type_text(text);
        self.tmux.wait_for_text(&format!("filter /{text}"), REDRAW);
        self.tmux.keys(&["Enter"]);
        self.tmux.wait_for("the filter kept", REDRAW, |s| {
            s.contains(&format!("· filter /{text}")) && s.contains("q quit")
        })
    }

    /// Quits with `q` and checks the console ended with status 0 and gave the terminal back.
    fn quit(&self) {
        self.tmux.keys(&["q"]);
        self.tmux.wait_for_shell(QUIT);
        let status = self.exit_status();
        assert_eq!(status, 0, "`q` ends the console with status 0");
        assert_terminal_restored(&self.tmux);
    }

    /// The status the shell printed after the console exited.
    fn exit_status(&self) -> i32 {
        let pattern = Regex::new(r"console exited: (\d+)").unwrap();
        let output = self
            .tmux
            .wait_for_output("the console's exit status", REDRAW, |s| pattern.is_match(s));
        pattern.captures(&output).unwrap()[1].parse().unwrap()
    }
}

struct Row {
    go: String,
    state: String,
}

/// The terminal after the console: primary screen, cursor shown, cooked mode with echo, and
/// a shell that reads and runs a typed line.
fn assert_terminal_restored(tmux: &Tmux) {
    assert!(!tmux.alternate_screen(), "the alternate screen was left");
    assert!(
        tmux.cursor_visible(),
        "the cursor is shown again (a frame drawn after the restore hides it); the pane:\n{}",
        tmux::framed(&tmux.output())
    );
    let off = modes_off(&tmux.tty_modes());
    assert!(
        off.is_empty(),
        "the terminal was left with {off:?} off (stty -a); the pane:\n{}",
        tmux::framed(&tmux.screen())
    );
    // Enter, as a person presses it: the prompt works.
    tmux.run("echo \"ready $((6*7))\"");
    tmux.wait_for_output("the shell to run a typed line", REDRAW, |s| {
        s.contains("ready 42")
    });
}

/// The cooked-mode flags a console in raw mode turns off that are still off.
fn modes_off(modes: &std::collections::BTreeMap<String, bool>) -> Vec<String> {
    ["icanon", "echo", "isig", "icrnl", "opost"]
        .iter()
        .filter(|flag| modes.get(**flag) != Some(&true))
        .map(|flag| flag.to_string())
        .collect()
}

#[test]
fn the_console_shows_the_fleet_filters_details_helps_and_quits_cleanly() {
    // Tall enough for the whole help on one screen.
    let console = Console::new(120, 80);
    console.open();
    let screen = console.wait_until_probed();
    assert!(screen.contains("6/6 hosts"), "{}", tmux::framed(&screen));

    // Filter on the name, then clear it.
    let screen = console.filter("web");
    assert_eq!(
        console.visible_hosts(&screen),
        ["web-01", "web-02", "web-03"]
    );
    assert!(screen.contains("3/6 hosts"), "{}", tmux::framed(&screen));
    console.tmux.keys(&["Escape"]);
    let screen = console.tmux.wait_for("the filter cleared", REDRAW, |s| {
        s.contains("6/6 hosts") && !s.contains("filter /")
    });
    assert_eq!(console.visible_hosts(&screen).len(), HOSTS.len());

    // The unreachable host's detail: what went wrong, and what to do.
    console.filter(DOWN_HOST);
    console.tmux.keys(&["Enter"]);
    let error = Regex::new(&format!(
        r"error\s+connection to 127\.0\.0\.1:{} refused",
        console.port(DOWN_HOST)
    ))
    .unwrap();
    let hint = Regex::new(r"hint\s+\S").unwrap();
    console
        .tmux
        .wait_for("the down host's error and hint", REDRAW, |s| {
            s.contains(&format!("┌ {DOWN_HOST} ")) && error.is_match(s) && hint.is_match(s)
        });
    console.tmux.keys(&["Escape"]);
    console
        .tmux
        .wait_for("the filter cleared", REDRAW, |s| s.contains("6/6 hosts"));

    // Help lists every binding of the keymap, keys and description: the top of the help, and
    // the rest scrolled to with j (the help is taller than the screen).
    console.tmux.keys(&["?"]);
    let keymap = Keymap::default();
    let top = console.tmux.wait_for_text("in the filter", REDRAW);
    let (scope, last) = keymap.help_sections().pop().unwrap();
    let heading = format!("in the {}", scope.label());
    console.tmux.keys(&["j"; 60]);
    let bottom = console.tmux.wait_for("the end of the help", REDRAW, |s| {
        s.find(&heading).is_some_and(|at| {
            last.iter()
                .all(|hint| s.rfind(hint.text).is_some_and(|end| end > at))
        })
    });
    let screen = format!("{top}\n{bottom}");
    for (scope, rows) in keymap.help_sections() {
        assert!(
            screen.contains(&format!("in the {}", scope.label())),
            "help has a section for {scope:?}:\n{}",
            tmux::framed(&screen)
        );
        for hint in rows {
            let (keys, description) = (hint.keys, hint.text);
            let line = Regex::new(&format!(
                r"(?m)(?:^|[│ ]){}\s+(?:⚠ )?{}",
                regex::escape(&keys),
                regex::escape(description)
            ))
            .unwrap();
            assert!(
                line.is_match(&screen),
                "help shows `{keys}  {description}`:\n{}",
                tmux::framed(&screen)
            );
        }
    }
    console.tmux.keys(&["Escape"]);
    console.tmux.wait_for("the help closed", REDRAW, |s| {
        !s.contains("in the filter") && s.contains("q quit")
    });

    // The apps view and back: the event loop reads the bundle directory for it.
    console.tmux.keys(&["A"]);
    console
        .tmux
        .wait_for("the apps view, the bundles read", REDRAW, |s| {
            s.contains("apps · 0 on 0 hosts") && !s.contains("reading bundles")
        });
    console.tmux.keys(&["Escape"]);
    console
        .tmux
        .wait_for("the host table again", REDRAW, |s| s.contains("6/6 hosts"));

    console.quit();
}

#[test]
fn at_80x24_the_detail_opens_on_enter_and_the_console_quits_cleanly() {
    let console = Console::new(80, 24);
    console.open();
    console.wait_until_probed();
    let title = format!("┌ {DOWN_HOST} ");
    let screen = console.filter(DOWN_HOST);
    assert!(
        !screen.contains(&title),
        "at 80 columns the detail waits for Enter:\n{}",
        tmux::framed(&screen)
    );
    console.tmux.keys(&["Enter"]);
    let screen = console
        .tmux
        .wait_for("the detail pane", REDRAW, |s| s.contains(&title));
    assert!(
        screen.contains(&format!(
            "connection to 127.0.0.1:{}",
            console.port(DOWN_HOST)
        )),
        "the detail names the address that refused:\n{}",
        tmux::framed(&screen)
    );
    console.quit();
}

#[test]
fn bang_opens_a_shell_on_the_selected_host_and_exit_brings_the_console_back() {
    let console = Console::new(120, 40);
    console.open();
    console.wait_until_probed();
    console.filter("web-01");
    console.tmux.keys(&["!"]);
    // Keys typed before ssh has the terminal would go to the console: wait for the prompt.
    console
        .tmux
        .wait_for("the remote shell's prompt", REDRAW, |s| {
            s.lines().any(|l| {
                l.contains('@') && (l.trim_end().ends_with('#') || l.trim_end().ends_with('$'))
            })
        });
    // The system ssh logged in to web-01 with the inventory's key and known_hosts: the login
    // says which port it came in on. The arithmetic proves a shell ran it, not an echo.
    let port = console.port("web-01");
    console
        .tmux
        .run("echo \"shell-on-$((6*7)) $SSH_CONNECTION\"");
    console.tmux.wait_for("the shell on web-01", REDRAW, |s| {
        s.lines()
            .any(|l| l.starts_with("shell-on-42 ") && l.trim_end().ends_with(&format!(" {port}")))
    });
    assert!(
        !console.tmux.alternate_screen(),
        "the console gave the terminal to ssh"
    );
    // Ctrl-c belongs to the shell: it interrupts the remote command, not the console.
    console.tmux.run("sleep 30");
    std::thread::sleep(Duration::from_millis(500));
    console.tmux.keys(&["C-c"]);
    console.tmux.run("echo still-here-$((1+1))");
    console
        .tmux
        .wait_for("the shell after ctrl-c", REDRAW, |s| {
            s.contains("still-here-2")
        });
    console.tmux.run("exit 3");
    let screen = console.tmux.wait_for("the console back", REDRAW, |s| {
        s.contains("web-01: shell ended (exit 3)") && s.contains("q quit")
    });
    assert!(screen.contains("1/6 hosts"), "{}", tmux::framed(&screen));
    assert!(
        console.tmux.alternate_screen(),
        "the console has the screen again"
    );
    // The keys work again.
    console.tmux.keys(&["?"]);
    console.tmux.wait_for_text("in the filter", REDRAW);
    console.tmux.keys(&["Escape"]);
    console.quit();
}

#[test]
fn a_panic_in_a_worker_thread_restores_the_terminal_and_fails_loudly() {
    let console = Console::new(120, 40);
    // No waiting for the first frame: the panic follows it within a second, and a busy machine
    // could show the frame for less time than a poll takes. The message below proves it ran.
    console.launch("OFFGO_TEST_PANIC=worker ");
    console.tmux.wait_for_shell(QUIT);
    let status = console.exit_status();
    assert_ne!(status, 0, "a panic is not a success");
    let output = console.tmux.output();
    let typed = "OFFGO_TEST_PANIC=worker \"$OFFGO\" --inventory \"$INVENTORY\"; echo \"console exited: $?\"";
    assert!(
        output.contains(typed),
        "nothing draws over the shell's screen once the terminal is restored:\n{}",
        tmux::framed(&output)
    );
    assert!(
        output.contains("test panic requested by OFFGO_TEST_PANIC=worker"),
        "the message names the panic:\n{output}"
    );
    assert!(
        output.contains("background thread `offgo-test-panic` panicked"),
        "the message names the thread and says the console stopped:\n{output}"
    );
    assert_terminal_restored(&console.tmux);
}

/// The check above can fail: a terminal really left in raw mode is caught.
#[test]
fn the_terminal_check_catches_a_terminal_left_in_raw_mode() {
    let tmux = Tmux::start(80, 24, Shell::SH, &[]);
    assert!(
        modes_off(&tmux.tty_modes()).is_empty(),
        "a fresh pane is cooked"
    );
    tmux.run("stty raw -echo");
    let off = modes_off(&tmux.tty_modes());
    assert_eq!(off, ["icanon", "echo", "isig", "icrnl", "opost"]);
    tmux.type_text("stty sane");
    tmux.keys(&["C-j"]);
    assert!(
        modes_off(&tmux.tty_modes()).is_empty(),
        "stty sane repairs it"
    );
}

/// The processes (ours: the demo's fleet) whose command line mentions `dir`.
fn processes_mentioning(dir: &std::path::Path) -> Vec<i32> {
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let pid = e.file_name().to_str()?.parse::<i32>().ok()?;
            let cmdline = std::fs::read(e.path().join("cmdline")).ok()?;
            String::from_utf8_lossy(&cmdline)
                .contains(&needle)
                .then_some(pid)
        })
        .collect()
}

#[test]
fn a_panic_in_the_demo_also_stops_its_fleet() {
    let keep = tempfile::tempdir().unwrap();
    let state = tempfile::tempdir().unwrap();
    let tmux = Tmux::start(
        120,
        40,
        Shell::SH,
        &[
            ("OFFGO", env!("CARGO_BIN_EXE_offgo-tui")),
            ("KEEP", keep.path().to_str().unwrap()),
            ("XDG_STATE_HOME", state.path().to_str().unwrap()),
        ],
    );
    tmux.run("OFFGO_TEST_PANIC=worker \"$OFFGO\" demo --keep \"$KEEP\"; echo \"demo exited: $?\"");
    // (The typed command line holds the marker too: only a line of its own counts.)
    let output = tmux.wait_for_output("the demo to end after the panic", FLEET_PROBED, |s| {
        s.lines().any(|l| l.starts_with("demo exited: "))
    });
    assert!(
        output.contains("background thread `offgo-test-panic` panicked"),
        "{output}"
    );
    // The demo's sshds ran with `-f <keep>/hosts/<name>/sshd_config`.
    let left = processes_mentioning(&keep.path().join("hosts"));
    for &pid in &left {
        // SAFETY: kill(2) on processes the demo started, so the test leaks nothing either.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    assert!(
        left.is_empty(),
        "the demo's fleet outlived it: pids {left:?}"
    );
}

/// The console reads the bundle directory off its event loop: a Go manifest that is a FIFO
/// nobody writes (a stand-in for a hung media mount: reading it never returns) leaves the apps
/// view "reading bundles…", while keys still work and `q` still quits at once.
#[test]
fn a_bundle_directory_that_never_answers_does_not_hold_the_keys() {
    let console = Console::new(120, 40);
    let bundles = tempfile::tempdir().unwrap();
    let fifo = bundles.path().join("go1.99.0.linux-amd64.offgo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let inventory = console._state.path().join("hung-bundles.toml");
    let text = std::fs::read_to_string(&console.fleet.inventory).unwrap();
    std::fs::write(
        &inventory,
        format!(
            "{text}\n[bundles]\ndir = \"{}\"\n",
            bundles.path().display()
        ),
    )
    .unwrap();
    console.launch(&format!("INVENTORY='{}'; ", inventory.display()));
    console
        .tmux
        .wait_for("the console's first frame", REDRAW * 3, |s| {
            s.contains(" hosts ") && s.contains("? help")
        });
    console.tmux.keys(&["A"]);
    console
        .tmux
        .wait_for("the apps view, still reading", REDRAW, |s| {
            s.contains("reading bundles")
        });
    console.tmux.keys(&["Escape"]);
    console
        .tmux
        .wait_for("the host table again", REDRAW, |s| s.contains("6/6 hosts"));
    console.quit();
}
