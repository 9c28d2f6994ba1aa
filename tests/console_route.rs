//! The console's detail pane shows how a host is reached: its jump hosts, first hop first.

#[allow(dead_code)]
#[path = "support/sample.rs"]
mod sample;
#[allow(dead_code, unused_macros)]
#[path = "support/screen.rs"]
mod screen;

use std::path::Path;

use crossterm::event::KeyCode;
use offgo::tui::testing::Model;

fn screen_text(model: &Model) -> String {
    let terminal = screen::draw(model);
    let buffer = terminal.backend().buffer();
    let mut text = String::new();
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            text.push_str(buffer[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[test]
fn the_detail_pane_names_the_route_through_the_jump_hosts() {
    let text = "[[hosts]]\nname = \"bastion-1\"\naddress = \"10.0.0.1\"\n\
                [[hosts]]\nname = \"web-03\"\naddress = \"10.2.0.3\"\n\
                proxy_jump = \"bastion-1,ops@10.1.0.1\"\n";
    let inventory = offgo::core::inventory::parse(text, Path::new("inv.toml")).unwrap();
    let mut model = Model::new(&std::sync::Arc::new(inventory), sample::settings(160, 48));
    screen::key(&mut model, KeyCode::Enter);
    assert!(
        !screen_text(&model).contains("route"),
        "a direct host shows no route"
    );
    screen::key(&mut model, KeyCode::Esc);
    screen::key(&mut model, KeyCode::Char('j'));
    screen::key(&mut model, KeyCode::Enter);
    let shown = screen_text(&model);
    assert!(
        shown.contains("via bastion-1 → ops@10.1.0.1 → web-03"),
        "{shown}"
    );
}
