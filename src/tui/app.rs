//! The event loop: waits on keys, engine events and a tick; drains whatever else is pending;
//! applies it all in one `update`; draws at most once per frame interval, and only when
//! something changed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crossterm::event::Event;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc::UnboundedReceiver;

use super::file_work::FileWork;
use super::input::action::Action;
use super::keys::TerminalInput;
use super::msg::{Command, Msg, Resumption, Stamp};
use super::options::ConsoleOptions;
use super::rollout::runner::Route;
use super::rollout::runner::Runner;
use super::state::model::{Model, ModelSettings};
use super::terminal::TerminalGuard;
use super::update::update_all;
use super::view;
use crate::core::engine::{ArtifactKind, Engine, EngineEvent, EngineOptions};
use crate::core::inventory::{HostId, Inventory};
use crate::logging::{default_log_path, init_logging};
use std::os::unix::process::CommandExt;

/// At most ~30 frames a second: enough to look live, little enough to leave the CPU to the
/// SSH workers.
const FRAME: Duration = Duration::from_millis(33);
const TICK: Duration = Duration::from_millis(500);
/// Messages applied per batch, so a flood of engine events cannot starve the keyboard.
const MAX_BATCH: usize = 4096;
const SLOW_STEP: Duration = Duration::from_millis(10);

/// Runs the console until the operator quits. Sets up color-eyre's hooks (unless the caller
/// did) and logging to `options.log_file` (unless a subscriber is already set).
pub fn run(inventory: Arc<Inventory>, options: ConsoleOptions) -> color_eyre::Result<()> {
    let _ = color_eyre::install();
    let log_path = options.log_file.clone().unwrap_or_else(default_log_path);
    let _log_guard = if tracing::dispatcher::has_been_set() {
        None
    } else {
        Some(init_logging(&log_path)?)
    };
    tracing::info!(hosts = inventory.hosts.len(), inventory = %inventory.source.display(), "console starting");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = runtime.block_on(console(inventory, options, log_path));
    tracing::info!(ok = result.is_ok(), "console stopped");
    result
}

async fn console(
    inventory: Arc<Inventory>,
    options: ConsoleOptions,
    log_path: std::path::PathBuf,
) -> color_eyre::Result<()> {
    let mut engine_options = EngineOptions {
        parallel: options.parallel.max(1),
        // The screen comes first: dozens of workers in key exchange must not starve the loop.
        worker_nice: 10,
        ..EngineOptions::default()
    };
    if let Some(path) = &options.local_audit_log {
        engine_options.local_audit_log = path.clone();
    }
    let (engine, events) = Engine::new(Arc::clone(&inventory), engine_options);
    let mut guard = TerminalGuard::enter(Some(log_path))?;
    let size = guard.terminal().size()?;
    let settings = ModelSettings {
        read_only: options.read_only,
        color: options.color,
        refresh: options.refresh_period(inventory.console.refresh),
        size: (size.width, size.height),
    };
    let mut model = Model::new(&inventory, settings);
    let mut runner = Runner::default();
    let unfinished = runner.find_unfinished(&inventory);
    let (answers, file_answers) = tokio::sync::mpsc::unbounded_channel();
    let mut loop_state = Loop {
        engine: &engine,
        runner,
        files: FileWork::new(answers),
        probed: 0,
        undrawn_event: None,
    };
    let inputs = Inputs {
        events,
        file_answers,
    };
    event_loop(&mut guard, &mut model, &mut loop_state, inputs, unfinished).await
}

/// What the event loop carries out commands with: the engine, and the rollout's driver.
struct Loop<'a> {
    engine: &'a Engine,
    runner: Runner,
    /// The console's file I/O, off the loop's thread.
    files: FileWork,
    /// Probe reports received so far (logged with the latencies, to show the load they met).
    probed: u64,
    /// When the oldest engine event not yet on screen arrived (event-to-frame latency, read
    /// by benches/rollout.rs from the log).
    undrawn_event: Option<Instant>,
}

impl Loop<'_> {
    /// An engine event for the model, then whatever it changed in the rollout.
    fn engine_event(&mut self, event: EngineEvent, pending: &mut Vec<Msg>) {
        self.undrawn_event.get_or_insert_with(Instant::now);
        if matches!(event, EngineEvent::HostProbed { .. }) {
            self.probed += 1;
        }
        let rollout = self.runner.on_event(self.engine, &event);
        pending.push(Msg::Engine {
            event,
            at: Stamp::now(),
        });
        pending.extend(rollout);
    }
}

/// What the loop waits on besides keys, signals and its timers.
struct Inputs {
    events: UnboundedReceiver<EngineEvent>,
    /// Answers of [`FileWork`].
    file_answers: UnboundedReceiver<Msg>,
}

async fn event_loop(
    guard: &mut TerminalGuard,
    model: &mut Model,
    state: &mut Loop<'_>,
    inputs: Inputs,
    unfinished: Option<Msg>,
) -> color_eyre::Result<()> {
    let Inputs {
        mut events,
        mut file_answers,
    } = inputs;
    // SIGTERM and SIGHUP end the console like `q`: the terminal is restored on the way out
    // and the caller gets control back to drop what it holds.
    let mut terminate = signal(SignalKind::terminate())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut keys = TerminalInput::start()?;
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_tick = Instant::now();
    // The tick first, so the start-up probe's log line carries the time.
    let start = Msg::Tick {
        elapsed: Duration::ZERO,
        at: Stamp::now(),
    };
    let mut pending = vec![start, Msg::Action(Action::Refresh)];
    pending.extend(unfinished);
    let mut dirty = true;
    let mut last_frame: Option<Instant> = None;
    let mut panic_after_frame = test_panic_requested();
    let mut engine_open = true;
    // When the oldest key not yet on screen arrived: benches/console_latency.rs reads the
    // key-to-frame times from the log (`OFFGO_LOG=offgo::latency=debug`).
    let mut key_at: Option<Instant> = None;
    loop {
        // Steps that hold the loop for long are logged with what they took (`offgo::latency`).
        let step_started = Instant::now();
        let msgs = pending.len();
        let commands = update_all(model, pending.drain(..));
        let updated = Instant::now();
        for command in commands {
            match command {
                Command::Redraw => dirty = true,
                Command::Quit => return Ok(()),
                Command::Shell(host) => {
                    pending.push(shell(guard, &keys, state.engine, host)?);
                    dirty = true;
                }
                other => pending.extend(run_command(state, other)),
            }
        }
        let commanded = Instant::now();
        if commanded - step_started > SLOW_STEP {
            tracing::debug!(target: "offgo::latency", msgs, update_us = (updated - step_started).as_micros() as u64, commands_us = (commanded - updated).as_micros() as u64, "slow step");
        }
        if !dirty {
            // Nothing to draw for the events so far: no latency to measure for them.
            state.undrawn_event = None;
        }
        if !pending.is_empty() {
            // A command answered at once (a rollout started or opened): apply it before waiting.
            continue;
        }
        // A key is drawn at once: keys come at a human pace, and the frame cap is there for
        // floods of engine events, not for the operator's typing.
        let next_frame = match (key_at, last_frame) {
            (Some(_), _) | (_, None) => Instant::now(),
            (None, Some(t)) => t + FRAME,
        };
        if dirty && Instant::now() >= next_frame {
            let draw_started = Instant::now();
            let mut measured = None;
            guard.draw(|frame| measured = Some(view::render(model, frame)))?;
            // Applied with whatever comes next, before any key can scroll past a new limit.
            pending.extend(measured.map(Msg::Measured));
            if draw_started.elapsed() > SLOW_STEP {
                tracing::debug!(target: "offgo::latency", draw_us = draw_started.elapsed().as_micros() as u64, "slow draw");
            }
            dirty = false;
            last_frame = Some(Instant::now());
            if let Some(at) = key_at.take() {
                tracing::debug!(target: "offgo::latency", key_to_frame_us = at.elapsed().as_micros() as u64, probing = model.summary.probing, probed = state.probed, "frame");
            }
            if let Some(at) = state.undrawn_event.take() {
                tracing::debug!(target: "offgo::latency", event_to_frame_us = at.elapsed().as_micros() as u64, "frame");
            }
            if std::mem::take(&mut panic_after_frame) {
                spawn_test_panic();
            }
        }
        tokio::select! {
            key = keys.next() => match key {
                Some(event) => {
                    key_at.get_or_insert_with(Instant::now);
                    pending.extend(terminal_msg(event?));
                }
                // The terminal is gone (stdin closed): nobody is left to operate the console.
                None => return Ok(()),
            },
            event = events.recv(), if engine_open => match event {
                Some(event) => state.engine_event(event, &mut pending),
                None => engine_open = false,
            },
            _ = ticker.tick() => {
                pending.push(Msg::Tick { elapsed: last_tick.elapsed(), at: Stamp::now() });
                pending.extend(state.runner.tick(state.engine));
                last_tick = Instant::now();
            }
            Some(answer) = file_answers.recv() => pending.push(answer),
            _ = terminate.recv() => pending.push(Msg::Terminate),
            _ = hangup.recv() => pending.push(Msg::Terminate),
            _ = tokio::time::sleep_until(next_frame.into()), if dirty => {}
        }
        drain_ready(&mut pending, state, &mut events, &mut keys, &mut key_at)?;
    }
}

/// Hands a command to the engine, or does the quick file I/O it asks for; returns the
/// message that answers it, if any.
fn run_command(state: &mut Loop<'_>, command: Command) -> Option<Msg> {
    let engine = state.engine;
    let inventory = engine.inventory();
    match command {
        Command::Probe(hosts) => engine.probe(&hosts),
        Command::ListBundles(dir) => state.files.list_bundles(dir, inventory.bundles.clone()),
        // A Go release, a set, an app or a module cache, by what the path names; opened (its
        // manifest, list and signature read) off the event loop.
        Command::Push { hosts, bundle } => {
            state
                .files
                .open_for_push(hosts, bundle, inventory.bundles.clone())
        }
        Command::PushOpened { hosts, bundle } => {
            tracing::info!(hosts = hosts.len(), version = %bundle.id(), "push");
            engine.push(&hosts, &bundle);
        }
        Command::Verify(hosts) => engine.verify(&hosts, ArtifactKind::GoRelease),
        Command::Rollback(hosts) => engine.rollback(&hosts, ArtifactKind::GoRelease, None),
        Command::RunCommand { hosts, command } => engine.run_command(&hosts, &command),
        Command::StartRollout {
            preview,
            bundle,
            token,
        } => state
            .files
            .open_for_rollout(token, *preview, bundle, inventory.bundles.clone()),
        Command::StartOpenedRollout(opened) => return Some(state.runner.start(engine, *opened)),
        // A journal's rollout is taken over (its bundle opened off the loop) before the input;
        // inputs given meanwhile wait in the runner, in order.
        Command::RolloutInput(input) => match state.runner.route(input) {
            Route::Drive(input) => return state.runner.input(engine, input),
            Route::OpenFirst(journal) => state.files.open_for_resume(
                journal,
                Resumption::TakeOver,
                inventory.bundles.clone(),
            ),
            Route::Queued => {}
        },
        Command::ResumeRollout => match state.runner.begin_resume() {
            Ok(journal) => {
                state
                    .files
                    .open_for_resume(journal, Resumption::Resume, inventory.bundles.clone())
            }
            Err(refused) => return Some(Msg::RolloutRefused(refused)),
        },
        Command::ResumeOpened {
            journal,
            then,
            result,
        } => return Some(state.runner.resume_opened(engine, journal, then, result)),
        Command::ListRollouts => return Some(state.runner.list()),
        Command::OpenRollout(path) => return Some(state.runner.open(engine, &path)),
        Command::Export { path, lines } => state.files.export(path, lines),
        Command::ListAppBundles(dir) => state.files.list_app_bundles(dir),
        Command::Redraw | Command::Quit | Command::Shell(_) => {}
    }
    None
}

/// Suspends the console for an interactive `ssh` on `host`: the key reader stops reading,
/// the terminal goes back to the shell's state, and both come back when ssh exits. Ctrl-c
/// meanwhile belongs to ssh, not to the console.
fn shell(
    guard: &mut TerminalGuard,
    keys: &TerminalInput,
    engine: &Engine,
    host: HostId,
) -> color_eyre::Result<Msg> {
    let inventory = engine.inventory();
    let argv = crate::core::ssh::openssh::shell_command(inventory.host(host));
    tracing::info!(host = %inventory.host(host).name, "shell");
    keys.park();
    let ran = guard.lend(|| {
        let _quiet = IgnoreInterrupts::new();
        tokio::task::block_in_place(|| {
            let mut command = std::process::Command::new(&argv[0]);
            command.args(&argv[1..]);
            // SAFETY: pre_exec runs in the forked child before exec; signal(2) is
            // async-signal-safe. The child gets the default dispositions back.
            unsafe {
                command.pre_exec(|| {
                    libc::signal(libc::SIGINT, libc::SIG_DFL);
                    libc::signal(libc::SIGQUIT, libc::SIG_DFL);
                    libc::signal(libc::SIGTSTP, libc::SIG_DFL);
                    Ok(())
                });
            }
            command.status()
        })
    });
    keys.unpark();
    let outcome = match ran? {
        Ok(status) => match status.code() {
            Some(code) => format!("exit {code}"),
            None => "killed by a signal".to_string(),
        },
        Err(e) => format!("ssh did not start: {e}"),
    };
    tracing::info!(host = %inventory.host(host).name, %outcome, "shell ended");
    Ok(Msg::ShellEnded { host, outcome })
}

/// While a child has the terminal, the console ignores the keyboard's signals (the child gets
/// them); dropping this puts the console's own handling back.
struct IgnoreInterrupts {
    previous: [(libc::c_int, libc::sighandler_t); 3],
}

impl IgnoreInterrupts {
    fn new() -> Self {
        let mut previous = [(libc::SIGINT, 0), (libc::SIGQUIT, 0), (libc::SIGTSTP, 0)];
        for (signal, old) in &mut previous {
            // SAFETY: signal(2) with SIG_IGN; the old disposition is put back on drop.
            *old = unsafe { libc::signal(*signal, libc::SIG_IGN) };
        }
        Self { previous }
    }
}

impl Drop for IgnoreInterrupts {
    fn drop(&mut self) {
        for (signal, old) in self.previous {
            // SAFETY: restores the disposition saved in `new`.
            unsafe { libc::signal(signal, old) };
        }
    }
}

/// Takes whatever else is already waiting, without waiting, so it is applied and drawn once.
fn drain_ready(
    pending: &mut Vec<Msg>,
    state: &mut Loop<'_>,
    events: &mut UnboundedReceiver<EngineEvent>,
    keys: &mut TerminalInput,
    key_at: &mut Option<Instant>,
) -> color_eyre::Result<()> {
    while pending.len() < MAX_BATCH {
        let Ok(event) = events.try_recv() else { break };
        state.engine_event(event, pending);
    }
    while pending.len() < MAX_BATCH {
        match keys.ready() {
            Some(event) => {
                key_at.get_or_insert_with(Instant::now);
                pending.extend(terminal_msg(event?));
            }
            None => break,
        }
    }
    Ok(())
}

fn terminal_msg(event: Event) -> Option<Msg> {
    match event {
        Event::Key(key) => Some(Msg::Key(key)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        Event::FocusGained | Event::FocusLost | Event::Mouse(_) | Event::Paste(_) => None,
    }
}

/// `OFFGO_TEST_PANIC=worker`: the tmux test's way to check that a panic off the main thread
/// restores the terminal and ends the process.
fn test_panic_requested() -> bool {
    std::env::var("OFFGO_TEST_PANIC").is_ok_and(|v| v == "worker")
}

fn spawn_test_panic() {
    let spawned = std::thread::Builder::new()
        .name("offgo-test-panic".into())
        .spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            #[allow(clippy::panic)] // On purpose: requested by OFFGO_TEST_PANIC=worker.
            {
                panic!("test panic requested by OFFGO_TEST_PANIC=worker");
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("cannot start the OFFGO_TEST_PANIC thread: {e}");
    }
}
