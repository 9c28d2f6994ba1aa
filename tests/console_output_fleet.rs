//! A real host's own words reach the console: a rollback refused at pre-flight on a real sshd
//! host whose login shell writes to stderr (with a terminal escape in it); the engine's events
//! folded into the console's model carry the command's stderr, made safe, and `O` shows it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::core::engine::{ArtifactKind, Engine, EngineEvent, EngineOptions, Operation};
use offgo::core::inventory;
use offgo::tui::testing::{draw, update, Model, ModelSettings, Msg, Stamp};

#[test]
fn a_failed_step_s_stderr_reaches_the_model_and_the_output_pane() {
    let fleet = start(&FleetSpec::new().host(HostSpec::new("noisy").go_manual("1.21.13")));
    // bash sources ~/.bashrc for commands run by sshd: this host warns on stderr, in red.
    host(&fleet, "noisy")
        .write_file(
            "/root/.bashrc",
            b"echo 'noisy: /etc/app.conf is world-writable \x1b[31mFIX ME\x1b[0m' >&2\n",
        )
        .unwrap();
    let state = tempfile::tempdir().unwrap();
    let path = common::inventory(&fleet, &InventoryOptions::new());
    let inv = Arc::new(inventory::load(&path).unwrap_or_else(|e| panic!("{e}")));
    let options = EngineOptions {
        parallel: 2,
        local_audit_log: state.path().join("audit.log"),
        worker_nice: 0,
        fault: None,
    };
    let (engine, mut events) = Engine::new(Arc::clone(&inv), options);
    let mut model = Model::new(
        &inv,
        ModelSettings {
            read_only: false,
            color: false,
            refresh: None,
            size: (160, 48),
        },
    );

    // A hand-installed Go has no previous release: the rollback is refused at its plan.
    engine.rollback(&[0], ArtifactKind::GoRelease, None);
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no end of the rollback"
        );
        let event = events.blocking_recv().expect("engine alive");
        let done = matches!(
            event,
            EngineEvent::OperationFinished {
                op: Operation::Rollback,
                ..
            }
        );
        update(
            &mut model,
            Msg::Engine {
                event,
                at: Stamp::at(0),
            },
        );
        if done {
            break;
        }
    }

    let op = model.rows[0].operation.as_ref().expect("the rollback");
    assert!(op.failed(), "{:?}", op.outcome());
    let failed = op
        .commands
        .iter()
        .rfind(|c| c.output.stderr.contains("world-writable"))
        .unwrap_or_else(|| panic!("no command kept the host's stderr: {:#?}", op.commands));
    assert!(
        failed
            .output
            .stderr
            .contains("world-writable \\x1b[31mFIX ME\\x1b[0m"),
        "the escape is shown, not obeyed: {:?}",
        failed.output.stderr
    );
    assert!(!failed.output.stderr.contains('\x1b'));

    update(
        &mut model,
        Msg::Key(KeyEvent::new(KeyCode::Char('O'), KeyModifiers::NONE)),
    );
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let screen: String = (0..buffer.area.height)
        .map(|y| {
            let line: String = (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            line + "\n"
        })
        .collect();
    assert!(screen.contains("output of noisy"), "{screen}");
    assert!(
        screen.contains("▸ rollback failed at plan: no previous release"),
        "{screen}"
    );
    assert!(
        screen.contains("stderr │ noisy: /etc/app.conf is world-writable \\x1b[31mFIX ME"),
        "{screen}"
    );
}
