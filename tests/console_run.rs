//! `:` and `:run CMD`: the command line, the confirm dialog naming the command and the hosts,
//! the gathered output grouped by identical answer (like `clush -b`), and the refusals (read-
//! only, unknown words). Snapshots at 80×24 and 160×48.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use crossterm::event::KeyCode;
use offgo::core::engine::{Answer, CommandOutput, EngineEvent, HostOutcome, Operation};
use offgo::core::inventory::HostId;
use offgo::tui::testing::{
    update_all, Command, Dialog, GatheredPane, Model, ModelSettings, Overlay, Scope,
};
use screen::{draw, key, keys, text};

/// Marks the first three hosts and types `:run uptime`, ready for enter.
fn typed_run(model: &mut Model, command: &str) {
    keys(model, "   ");
    keys(model, ":");
    keys(model, &format!("run {command}"));
}

fn answered(
    host: HostId,
    name: &str,
    exit: Option<i32>,
    stdout: &str,
    stderr: &str,
) -> Vec<offgo::tui::testing::Msg> {
    let mut outcome = HostOutcome::new(name);
    outcome.ok = exit == Some(0);
    outcome.answer = Some(Box::new(Answer {
        exit_status: exit,
        output: CommandOutput {
            stdout: stdout.into(),
            stderr: stderr.into(),
            no_exit: exit
                .is_none()
                .then(|| "timeout: no answer in 30s".to_string()),
        },
    }));
    vec![
        sample::engine(EngineEvent::StepStarted {
            host,
            op: Operation::Run,
            step: "run".into(),
        }),
        sample::engine(EngineEvent::OperationFinished {
            host,
            op: Operation::Run,
            outcome: Box::new(outcome),
        }),
    ]
}

/// `:run df -h /` confirmed on web-01..04; three answered (two alike), one still running.
fn gathered(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    keys(&mut model, "    ");
    keys(&mut model, ":run df -h / | tail -1");
    key(&mut model, KeyCode::Enter);
    key(&mut model, KeyCode::Enter);
    let mut msgs = answered(0, "web-01", Some(0), "/dev/vda 50G 20G 30G 40% /\n", "");
    msgs.extend(answered(
        2,
        "web-03",
        Some(0),
        "/dev/vda 50G 20G 30G 40% /\n",
        "",
    ));
    msgs.extend(answered(
        1,
        "web-02",
        Some(1),
        "",
        "df: /: No space left on device\n",
    ));
    update_all(&mut model, msgs);
    model
}

/// The dialog `:run` opens: the command whole, the hosts, the steps.
fn confirm_run(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    typed_run(
        &mut model,
        "systemctl restart app && sleep 2 && systemctl is-active app",
    );
    key(&mut model, KeyCode::Enter);
    model
}

/// The command line being typed, in the footer.
fn typing(width: u16, height: u16) -> Model {
    let mut model = sample::healthy_fleet().model(width, height);
    keys(&mut model, ":run upt");
    model
}

#[test]
fn snapshots_of_the_command_line_the_confirm_and_the_gathered_output() {
    snapshot!("run_typing", typing);
    snapshot!("run_confirm", confirm_run);
    snapshot!("run_gathered", gathered);
}

#[test]
fn run_asks_first_then_runs_on_exactly_the_marked_hosts_and_gathers() {
    let mut model = sample::healthy_fleet().model(160, 48);
    typed_run(&mut model, "uptime");
    assert_eq!(model.scope(), Scope::Command);
    let commands = key(&mut model, KeyCode::Enter);
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, Command::RunCommand { .. })),
        "nothing runs before the confirm"
    );
    match model.overlay {
        Overlay::Dialog(ref dialog) => match dialog.as_ref() {
            Dialog::Confirm(confirm) => {
                assert_eq!(confirm.op, Operation::Run);
                assert_eq!(confirm.command.as_deref(), Some("uptime"));
                assert_eq!(confirm.hosts, vec![0, 1, 2]);
            }
            other => panic!("expected the confirm dialog, got {other:?}"),
        },
        ref other => panic!("expected the confirm dialog, got {other:?}"),
    }
    let commands = key(&mut model, KeyCode::Char('y'));
    assert!(commands.contains(&Command::RunCommand {
        hosts: vec![0, 1, 2],
        command: "uptime".into(),
    }));
    assert_eq!(model.overlay, Overlay::Gathered(GatheredPane::default()));
    let mut msgs = answered(0, "web-01", Some(0), "up 3 days\n", "");
    msgs.extend(answered(1, "web-02", Some(0), "up 3 days\n", ""));
    msgs.extend(answered(2, "web-03", None, "", ""));
    update_all(&mut model, msgs);
    let screen = text(&draw(&model));
    assert!(screen.contains("web-[01-02] (2) exit 0"), "{screen}");
    assert!(
        screen.contains("web-03 (1) no exit status: timeout: no answer in 30s"),
        "{screen}"
    );
    assert!(
        screen.contains("3 of 3 answered · 2 ok · 1 not ok"),
        "{screen}"
    );
    // Esc closes; `:results` shows it again.
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);
    keys(&mut model, ":results");
    key(&mut model, KeyCode::Enter);
    assert_eq!(model.overlay, Overlay::Gathered(GatheredPane::default()));
}

#[test]
fn esc_and_n_run_nothing() {
    let mut model = sample::healthy_fleet().model(160, 48);
    typed_run(&mut model, "reboot");
    key(&mut model, KeyCode::Esc);
    assert_eq!(model.overlay, Overlay::None);
    typed_run(&mut model, "reboot");
    key(&mut model, KeyCode::Enter);
    let commands = key(&mut model, KeyCode::Char('n'));
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::RunCommand { .. })));
    assert_eq!(model.overlay, Overlay::None);
}

#[test]
fn a_read_only_console_refuses_run_and_says_so() {
    let fleet = sample::healthy_fleet();
    let settings = ModelSettings {
        read_only: true,
        ..sample::settings(160, 48)
    };
    let mut model = Model::new(&fleet.inventory, settings);
    update_all(&mut model, fleet.probed_msgs());
    typed_run(&mut model, "uptime");
    let commands = key(&mut model, KeyCode::Enter);
    assert!(!commands
        .iter()
        .any(|c| matches!(c, Command::RunCommand { .. })));
    assert_eq!(model.overlay, Overlay::None);
    let flash = model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(
        flash.contains("read-only console: :run is refused"),
        "{flash}"
    );
    // Even a confirm reached by other means runs nothing.
    assert!(model.dialog().is_none());
}

#[test]
fn an_unknown_word_lists_what_can_be_typed() {
    let mut model = sample::healthy_fleet().model(160, 48);
    keys(&mut model, ":frobnicate");
    key(&mut model, KeyCode::Enter);
    let flash = model
        .flash
        .as_ref()
        .map(|f| f.text.clone())
        .unwrap_or_default();
    assert!(flash.contains("unknown command :frobnicate"), "{flash}");
    assert!(flash.contains(":run CMD"), "{flash}");
}
