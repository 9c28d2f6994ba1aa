//! Snapshots of the operation screens at 80×24 and 160×48 — the bundle picker, the confirm
//! dialog, live progress, a failed push's detail, a verify's checks — and the styles the
//! snapshots cannot show: the danger flag, the operation cells.

#[allow(dead_code)]
#[macro_use]
#[path = "support/screen.rs"]
mod screen;
#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;

use crossterm::event::KeyCode;
use offgo::core::engine::Check;
use offgo::tui::testing::Model;
use offgo::tui::testing::Msg;
use offgo::tui::testing::{update, update_all};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use ratatui::Terminal;
use screen::{draw, key, keys, SIZES};

fn healthy(width: u16, height: u16) -> Model {
    sample::healthy_fleet().model(width, height)
}

fn list_bundles(model: &mut Model) {
    let msg = Msg::Bundles {
        dir: "/srv/offgo/bundles".into(),
        choices: sample::bundle_choices(),
    };
    model.bundles_dir = "/srv/offgo/bundles".into();
    update(model, msg);
}

/// Two hosts marked, `p`, the bundles listed.
fn picker(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    model.bundles_dir = "/srv/offgo/bundles".into();
    keys(&mut model, "  p");
    list_bundles(&mut model);
    model
}

/// The picker's go1.22.10 taken on to the confirm dialog. web-07 and web-08 run go1.21.13;
/// web-01 already runs go1.22.10.
fn confirm_push(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    model.bundles_dir = "/srv/offgo/bundles".into();
    keys(&mut model, " Gk  p");
    list_bundles(&mut model);
    keys(&mut model, "j");
    key(&mut model, KeyCode::Enter);
    model
}

/// Every host of a 60-host fleet marked, then `r`: more hosts than the dialog can list.
fn confirm_rollback_long(width: u16, height: u16) -> Model {
    let mut model = sample::large_fleet(60).model(width, height);
    keys(&mut model, "ar");
    model
}

fn verify_confirm(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    keys(&mut model, "V");
    model
}

/// A push under way: web-01 uploading, web-02 queued, web-03 extracting, web-04 done.
fn progress(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    let mut msgs = sample::push_uploading(0, 30 << 20, 65 << 20);
    msgs.push(sample::engine(
        offgo::core::engine::EngineEvent::OperationStarted {
            host: 1,
            op: offgo::core::engine::Operation::Push,
        },
    ));
    msgs.extend(sample::push_uploading(2, 65 << 20, 65 << 20));
    msgs.push(sample::engine(
        offgo::core::engine::EngineEvent::StepStarted {
            host: 2,
            op: offgo::core::engine::Operation::Push,
            step: "extract".into(),
        },
    ));
    update_all(&mut model, msgs);
    update_all(&mut model, sample::verified(3, "web-04", all_ok_checks()));
    // The re-probe after web-04's verify has answered.
    let report = sample::healthy(&sample::healthy_fleet().inventory.hosts[3], "go1.22.10", 15);
    update(&mut model, sample::probed(3, report));
    model
}

/// The same, with the detail pane focused on the uploading host.
fn progress_detail(width: u16, height: u16) -> Model {
    let mut model = progress(width, height);
    key(&mut model, KeyCode::Enter);
    model
}

/// web-02's push failed at check_tree; its detail, focused.
fn failed_push_detail(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    update_all(&mut model, sample::push_failed_at_check_tree(1, "web-02"));
    keys(&mut model, "j");
    key(&mut model, KeyCode::Enter);
    model
}

/// The same, scrolled down to what the host printed.
fn failed_push_output(width: u16, height: u16) -> Model {
    let mut model = failed_push_detail(width, height);
    keys(&mut model, "jjjjj");
    model
}

fn all_ok_checks() -> Vec<Check> {
    vec![
        Check {
            check: "tree".into(),
            ok: true,
            detail: "every file of /opt/offgo/releases/go1.22.10/go matches its bundle".into(),
        },
        Check {
            check: "go_version".into(),
            ok: true,
            detail: "go version go1.22.10 linux/amd64".into(),
        },
    ]
}

/// web-03's verify found a changed file and a wrong profile.
fn verify_checks_detail(width: u16, height: u16) -> Model {
    let mut model = healthy(width, height);
    let checks = vec![
        Check {
            check: "tree".into(),
            ok: false,
            detail: "go/bin/gofmt: FAILED\nsha256sum: WARNING: 1 computed checksum did NOT match"
                .into(),
        },
        Check {
            check: "go_version".into(),
            ok: true,
            detail: "go version go1.22.10 linux/amd64".into(),
        },
        Check {
            check: "profile".into(),
            ok: false,
            detail: "/etc/profile.d/offgo-go.sh is missing".into(),
        },
        Check {
            check: "audit".into(),
            ok: true,
            detail: "14 entries, chain intact".into(),
        },
    ];
    update_all(&mut model, sample::verified(2, "web-03", checks));
    keys(&mut model, "jj");
    key(&mut model, KeyCode::Enter);
    model
}

#[test]
fn bundle_picker() {
    snapshot!("bundle_picker", picker);
}

/// The sample bundles plus an app bundle (`svc` 1.1.0): listed last, by its kind; picked, the
/// confirm dialog says what each host's svc goes from and to.
#[test]
fn bundle_picker_with_an_app_bundle_and_its_confirm_dialog() {
    let with_app = |w, h| {
        let mut model = healthy(w, h);
        model.bundles_dir = "/srv/offgo/bundles".into();
        keys(&mut model, "  p");
        let mut choices = sample::bundle_choices();
        choices.push(offgo::tui::testing::BundleChoice::ok(
            sample::app_bundle_info("svc", "1.1.0", 6 << 20),
        ));
        update(
            &mut model,
            Msg::Bundles {
                dir: "/srv/offgo/bundles".into(),
                choices,
            },
        );
        model
    };
    snapshot!("bundle_picker_app", with_app);
    snapshot!("confirm_push_app", |w, h| {
        let mut model = with_app(w, h);
        keys(&mut model, "jjjjjjjjjjjj");
        key(&mut model, KeyCode::Enter);
        model
    });
}

#[test]
fn bundle_picker_while_listing_and_when_empty() {
    snapshot!("bundle_picker_listing", |w, h| {
        let mut model = healthy(w, h);
        model.bundles_dir = "/srv/offgo/bundles".into();
        keys(&mut model, "p");
        model
    });
    snapshot!("bundle_picker_empty", |w, h| {
        let mut model = healthy(w, h);
        model.bundles_dir = "/srv/offgo/bundles".into();
        keys(&mut model, "p");
        update(
            &mut model,
            Msg::Bundles {
                dir: "/srv/offgo/bundles".into(),
                choices: Vec::new(),
            },
        );
        model
    });
}

#[test]
fn the_picker_scrolls_only_to_keep_the_cursor_on_screen() {
    let mut model = healthy(80, 24);
    keys(&mut model, "p");
    let dir = model.bundles_dir.clone();
    let one = sample::bundle_choices().into_iter().take(1).collect();
    update(&mut model, Msg::Bundles { dir, choices: one });
    let text = screen(&draw(&model));
    assert!(
        text.contains("bundles in /etc/offgo") && text.contains("▶ go1.23.4"),
        "{text}"
    );

    // Thirty bundles on a 24-line screen: the cursor at the last one is still shown.
    let mut model = healthy(80, 24);
    keys(&mut model, "p");
    let dir = model.bundles_dir.clone();
    let many = (0..30)
        .map(|i| {
            offgo::tui::testing::BundleChoice::ok(sample::bundle_info(
                &format!("go1.{}.0", 40 - i),
                1 << 26,
                offgo::core::bundle::SignatureStatus::Unsigned,
            ))
        })
        .collect();
    update(&mut model, Msg::Bundles { dir, choices: many });
    for _ in 0..40 {
        keys(&mut model, "j");
    }
    let text = screen(&draw(&model));
    assert!(text.contains("▶ go1.11.0"), "{text}");
    assert!(!text.contains("bundles in"), "scrolled: {text}");
}

#[test]
fn confirm_dialogs() {
    snapshot!("confirm_push", confirm_push);
    snapshot!("confirm_rollback_long", confirm_rollback_long);
    snapshot!("confirm_verify", verify_confirm);
}

#[test]
fn operation_progress() {
    snapshot!("operation_progress", progress);
    snapshot!("operation_progress_detail", progress_detail);
}

#[test]
fn failed_push_and_verify_checks() {
    snapshot!("failed_push_detail", failed_push_detail);
    snapshot!("failed_push_output", failed_push_output);
    snapshot!("verify_checks_detail", verify_checks_detail);
}

#[test]
fn read_only_help_and_footer_leave_out_push_and_rollback() {
    for (width, height) in SIZES {
        let fleet = sample::healthy_fleet();
        let mut settings = sample::settings(width, height);
        settings.read_only = true;
        let mut model = Model::new(&fleet.inventory, settings);
        update_all(&mut model, fleet.probed_msgs());
        let all = screen(&draw(&model));
        let footer = all.lines().last().unwrap_or_default();
        assert!(footer.contains("V verify"), "{footer}");
        assert!(!footer.contains("push") && !footer.contains("rollback"));
        keys(&mut model, "?");
        for _ in 0..60 {
            key(&mut model, KeyCode::Down);
        }
        let mut seen = screen(&draw(&model));
        keys(&mut model, "??");
        seen.push_str(&screen(&draw(&model)));
        assert!(seen.contains("verify the active Go"), "{seen}");
        for absent in ["push a bundle", "back a release", "⚠", "bundle picker"] {
            assert!(!seen.contains(absent), "{absent} in\n{seen}");
        }
    }
}

fn screen(terminal: &Terminal<TestBackend>) -> String {
    let buffer = terminal.backend().buffer();
    let width = buffer.area.width as usize;
    buffer
        .content
        .chunks(width)
        .map(|row| row.iter().map(|c| c.symbol()).collect::<String>() + "\n")
        .collect()
}

/// Finds `text` on screen and returns its first cell.
fn find(buffer: &Buffer, text: &str) -> (u16, u16) {
    let width = buffer.area.width;
    for y in 0..buffer.area.height {
        let line: String = (0..width)
            .map(|x| buffer[(x, y)].symbol().to_string())
            .collect();
        if let Some(byte) = line.find(text) {
            let x = line[..byte].chars().count() as u16;
            return (x, y);
        }
    }
    panic!("{text:?} is not on screen:\n{buffer:?}");
}

fn is_danger(buffer: &Buffer, at: (u16, u16)) -> bool {
    let cell = &buffer[at];
    cell.fg == Color::Red && cell.modifier.contains(Modifier::BOLD)
}

#[test]
fn push_and_rollback_dialogs_carry_the_danger_flag_and_verify_does_not() {
    for (width, height) in SIZES {
        let terminal = draw(&confirm_push(width, height));
        let buffer = terminal.backend().buffer();
        let flag = find(buffer, "DANGER: changes hosts");
        assert!(is_danger(buffer, flag), "flag {:?}", buffer[flag]);
        let title = find(buffer, "push go1.22.10 to 3 hosts?");
        assert!(is_danger(buffer, title));
        // The dialog's border is drawn in the danger colour too.
        let corner = (title.0 - 2, title.1);
        assert_eq!(buffer[corner].symbol(), "┌");
        assert!(is_danger(buffer, corner));
        // The host already on go1.22.10 is warned about.
        find(buffer, "already active: nothing to do");

        let terminal = draw(&confirm_rollback_long(width, height));
        let buffer = terminal.backend().buffer();
        assert!(is_danger(buffer, find(buffer, "DANGER: changes hosts")));
        find(buffer, "more (j/k scroll)");

        let terminal = draw(&verify_confirm(width, height));
        let buffer = terminal.backend().buffer();
        let calm = find(buffer, "changes nothing on the hosts");
        assert_ne!(buffer[calm].fg, Color::Red);
        assert!(!screen(&terminal).contains("DANGER"));
        let title = find(buffer, "verify 1 host?");
        assert_ne!(buffer[title].fg, Color::Red);
    }
}

#[test]
fn the_footer_and_help_flag_dangerous_keys() {
    let mut model = healthy(160, 48);
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    assert!(is_danger(buffer, find(buffer, " p push ")));
    assert!(is_danger(buffer, find(buffer, " r rollback ")));
    let verify = find(buffer, " V verify ");
    assert!(!is_danger(buffer, (verify.0 + 1, verify.1)));
    keys(&mut model, "?");
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    assert!(is_danger(buffer, find(buffer, "⚠ push a bundle")));
    assert!(!is_danger(buffer, find(buffer, "verify the active Go")));
}

#[test]
fn without_colour_the_danger_flag_stays_bold() {
    let mut model = confirm_push(80, 24);
    model.settings.color = false;
    let terminal = draw(&model);
    let buffer = terminal.backend().buffer();
    let flag = &buffer[find(buffer, "DANGER")];
    assert_eq!(flag.fg, Color::Reset);
    assert!(flag.modifier.contains(Modifier::BOLD));
}

#[test]
fn operation_cells_are_coloured_by_how_they_stand() {
    let terminal = draw(&progress(160, 48));
    let buffer = terminal.backend().buffer();
    assert_eq!(buffer[find(buffer, "push upload 46%")].fg, Color::Cyan);
    assert_eq!(buffer[find(buffer, "verify ok")].fg, Color::Green);
    let terminal = draw(&failed_push_detail(160, 48));
    let buffer = terminal.backend().buffer();
    let failed = &buffer[find(buffer, "push failed at check_tree")];
    assert_eq!(failed.fg, Color::Red);
    assert_eq!(buffer[find(buffer, "go/bin/gofmt: FAILED")].fg, Color::Red);
}
