//! Console speed at 10,000 hosts: one frame (probed, and while half the fleet is still being
//! probed), folding a full fleet's probe reports, one filter keystroke. Prints the median of many runs next to its target; run with
//! `cargo bench --bench console`.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use offgo::tui::testing::{apply as update, apply_all as update_all, Model, Msg};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

#[allow(dead_code)]
#[path = "../tests/support/sample.rs"]
mod sample;

const HOSTS: usize = 10_000;
const RUNS: usize = 51;

fn key(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE))
}

/// Median time of `measure` over [`RUNS`] runs, each on fresh input from `setup`. What
/// `measure` returns is dropped after the clock stops: freeing a 10,000-host model is not
/// what is measured.
fn median<T, R>(mut setup: impl FnMut() -> T, mut measure: impl FnMut(T) -> R) -> Duration {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            let output = measure(input);
            let elapsed = start.elapsed();
            drop(output);
            elapsed
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn report(name: &str, time: Duration, target: Duration) {
    let verdict = if time <= target { "ok" } else { "OVER TARGET" };
    println!(
        "{name:<44} median {:>9.3} ms   target < {:>3} ms   {verdict}",
        time.as_secs_f64() * 1e3,
        target.as_millis()
    );
}

fn main() {
    let fleet = sample::large_fleet(HOSTS);
    let probed = fleet.model(160, 48);

    for (width, height) in [(160, 48), (80, 24)] {
        let mut model = probed.clone();
        update(&mut model, Msg::Resize { width, height });
        let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
            Ok(t) => t,
            Err(e) => match e {},
        };
        let time = median(
            || (),
            |()| {
                let _ = terminal.draw(|frame| {
                    offgo::tui::testing::render(&model, frame);
                });
            },
        );
        report(
            &format!("render one frame, {HOSTS} hosts, {width}x{height}"),
            time,
            Duration::from_millis(2),
        );
    }

    // While the start-up probe runs: every host started, half of them answered.
    let mut probing = Model::new(&fleet.inventory, sample::settings(160, 48));
    let msgs: Vec<Msg> = (0..HOSTS)
        .map(sample::started)
        .chain(fleet.probed_msgs().into_iter().step_by(2))
        .collect();
    update_all(&mut probing, msgs);
    let mut terminal = match Terminal::new(TestBackend::new(160, 48)) {
        Ok(t) => t,
        Err(e) => match e {},
    };
    let time = median(
        || (),
        |()| {
            let _ = terminal.draw(|frame| {
                offgo::tui::testing::render(&probing, frame);
            });
        },
    );
    report(
        &format!("render one frame, {HOSTS} hosts, half probing"),
        time,
        Duration::from_millis(2),
    );

    let fresh = sample::large_fleet(HOSTS);
    let empty = Model::new(&fresh.inventory, sample::settings(160, 48));
    let time = median(
        || (empty.clone(), fresh.probed_msgs()),
        |(mut model, msgs)| {
            update_all(&mut model, msgs);
            model
        },
    );
    report(
        &format!("fold {HOSTS} HostProbed events"),
        time,
        Duration::from_millis(20),
    );

    let mut filtering = probed.clone();
    for c in "/node-0".chars() {
        update(&mut filtering, key(c));
    }
    let time = median(
        || filtering.clone(),
        |mut model| {
            update(&mut model, key('1'));
            model
        },
    );
    report(
        &format!("filter keystroke over {HOSTS} hosts"),
        time,
        Duration::from_millis(5),
    );

    let time = median(
        || probed.clone(),
        |mut model| {
            update(&mut model, key('s'));
            update(&mut model, key('s'));
            model
        },
    );
    report(
        &format!("re-sort {HOSTS} hosts by Go version (info)"),
        time,
        Duration::from_millis(20),
    );
}
