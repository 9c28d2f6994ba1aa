//! The terminal guard: raw mode and the alternate screen while the console runs, and the
//! terminal given back however it ends — normal return, error (Drop), or a panic on any thread
//! (the panic hook). A panic off the main thread also ends the process: the console cannot
//! trust its state any more, and a frozen half-drawn screen is worse than a clean exit.

use std::io::{stdout, Stdout};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, Once, OnceLock};
use std::thread::{self, ThreadId};

use crossterm::cursor::{Hide, Show};
use crossterm::execute;
use crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen,
};
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;

pub type ConsoleTerminal = Terminal<CrosstermBackend<Stdout>>;

/// The terminal is in raw mode on the alternate screen; whoever clears this restores it.
static ACTIVE: AtomicBool = AtomicBool::new(false);
static HOOK: Once = Once::new();
/// Held while a frame is written, and for good by a worker panic, so no frame lands on the restored screen.
static SCREEN: Mutex<()> = Mutex::new(());

fn screen_lock() -> MutexGuard<'static, ()> {
    match SCREEN.lock() {
        Ok(g) => g,
        Err(e) => e.into_inner(),
    }
}
static MAIN_THREAD: OnceLock<ThreadId> = OnceLock::new();
static LOG_FILE: OnceLock<PathBuf> = OnceLock::new();

/// Exit status after a panic, as Rust's own for a panicking main.
const PANIC_EXIT: i32 = 101;

pub struct TerminalGuard {
    terminal: ConsoleTerminal,
}

impl TerminalGuard {
    /// Takes over the terminal. Call on the main thread: the panic hook treats any other
    /// thread's panic as fatal.
    pub fn enter(log_file: Option<PathBuf>) -> color_eyre::Result<Self> {
        install_panic_hook(log_file);
        enable_raw_mode().map_err(|e| {
            color_eyre::eyre::eyre!(
                "the console needs a terminal ({e}); for scripts use the headless commands \
                 (`offgo-tui scan`, `push`, `rollout`, … --json)"
            )
        })?;
        ACTIVE.store(true, Ordering::SeqCst);
        let setup = execute!(stdout(), EnterAlternateScreen, Hide)
            .map_err(color_eyre::Report::from)
            .and_then(|_| Terminal::new(CrosstermBackend::new(stdout())).map_err(Into::into));
        match setup {
            Ok(terminal) => Ok(Self { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }

    pub fn terminal(&mut self) -> &mut ConsoleTerminal {
        &mut self.terminal
    }

    /// Hands the terminal to `run` (a child process such as a shell on a host) as the shell
    /// left it — cooked mode, main screen, cursor shown — and takes it back afterwards, the
    /// screen cleared so the next frame is drawn whole.
    pub fn lend<T>(&mut self, run: impl FnOnce() -> T) -> std::io::Result<T> {
        {
            let _screen = screen_lock();
            restore();
        }
        let result = run();
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        execute!(stdout(), EnterAlternateScreen, Hide)?;
        self.terminal.clear()?;
        Ok(result)
    }

    pub fn draw(&mut self, render: impl FnOnce(&mut ratatui::Frame)) -> std::io::Result<()> {
        let _screen = screen_lock();
        if ACTIVE.load(Ordering::SeqCst) {
            self.terminal.draw(render)?;
        }
        Ok(())
    }
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back, once, whoever calls first (guard, hook). Errors are ignored:
/// there is nothing better to do with them while shutting down.
pub fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let _ = disable_raw_mode();
        let _ = execute!(stdout(), LeaveAlternateScreen, Show);
    }
}

type ExitHook = Box<dyn Fn() + Send + Sync>;
static EXIT_HOOKS: std::sync::Mutex<Vec<ExitHook>> = std::sync::Mutex::new(Vec::new());

/// Registers `hook` to run if the console must end the process at once (a panic off the main
/// thread), when the owner's destructors will not run: e.g. the demo stopping its fleet.
pub fn on_abrupt_exit(hook: impl Fn() + Send + Sync + 'static) {
    EXIT_HOOKS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(Box::new(hook));
}

fn run_abrupt_exit_hooks() {
    let hooks = EXIT_HOOKS.lock().unwrap_or_else(|e| e.into_inner());
    for hook in hooks.iter() {
        hook();
    }
}

/// Chains a hook after the one already installed (color-eyre's), so the report it prints
/// lands on a restored screen, not on the alternate one that is about to vanish.
fn install_panic_hook(log_file: Option<PathBuf>) {
    HOOK.call_once(|| {
        let _ = MAIN_THREAD.set(thread::current().id());
        if let Some(path) = log_file {
            let _ = LOG_FILE.set(path);
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let was_active = ACTIVE.load(Ordering::SeqCst);
            let on_main = MAIN_THREAD.get() == Some(&thread::current().id());
            let _screen = (was_active && !on_main).then(screen_lock);
            restore();
            previous(info);
            if was_active && !on_main {
                let name = thread::current().name().unwrap_or("unnamed").to_string();
                tracing::error!(thread = %name, "{info}");
                let log = LOG_FILE.get().map(|p| format!(" The log is {}.", p.display())).unwrap_or_default();
                eprintln!(
                    "offgo-tui: background thread `{name}` panicked (above), so the console stopped; \
                     the terminal has been restored.{log} Please report this as a bug."
                );
                run_abrupt_exit_hooks();
                std::process::exit(PANIC_EXIT);
            }
        }));
    });
}
