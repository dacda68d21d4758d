//! Snapshots of each pane and state, rendered into a TestBackend at fixed sizes.
#![allow(non_snake_case)] // snapshot tests are named <pane>__<scenario>

mod common;

use common::*;
use crossterm::event::KeyCode;
use mlflow_tui::app::{App, Msg};

fn assert_clean(screen: &str) {
    for (n, line) in screen.lines().enumerate() {
        assert!(
            !line.chars().any(mlflow_tui::text::is_unsafe),
            "row {n}: {line:?}"
        );
    }
}

fn bare_app(size: (u16, u16)) -> App {
    let mut app = App::new("sqlite /data/mlflow.db".into(), "all experiments".into());
    app.utc = true;
    mlflow_tui::update::update(&mut app, Msg::Resize(size.0, size.1));
    app
}

fn screen_of(app: &App) -> String {
    let backend = ratatui::backend::TestBackend::new(app.size.0, app.size.1);
    let mut t = ratatui::Terminal::new(backend).unwrap();
    t.draw(|f| mlflow_tui::ui::render(f, app)).unwrap();
    buffer_text(t.backend().buffer())
}

#[test]
fn trace_list__empty() {
    let mut app = bare_app((100, 20));
    let req = app.list.req + 1;
    app.list.req = req;
    app.list.loading = Some(req);
    mlflow_tui::update::update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: Ok(Default::default()),
        },
    );
    insta::assert_snapshot!(screen_of(&app));
}

#[test]
fn trace_list__loading() {
    let mut app = bare_app((100, 20));
    let _ = mlflow_tui::update::start(&mut app);
    let s = screen_of(&app);
    assert!(s.contains("loading traces…"));
    insta::assert_snapshot!(s);
}

#[test]
fn trace_list__error() {
    let mut app = bare_app((100, 20));
    let _ = mlflow_tui::update::start(&mut app);
    let req = app.list.req;
    mlflow_tui::update::update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: Err(mlflow_tui::source::SourceError::Database(
                "/data/mlflow.db: the database is locked by another process; try again".into(),
            )),
        },
    );
    insta::assert_snapshot!(screen_of(&app));
}

#[test]
fn all_panes__loaded() {
    let mut h = Harness::new(&demo(), (160, 40));
    select_trace_named(&mut h, "travel_agent");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn detail__chat_tab() {
    let mut h = Harness::new(&demo(), (140, 36));
    select_trace_named(&mut h, "travel_agent");
    h.key(KeyCode::Enter);
    h.keys("jjj"); // llm_step_1, which called search_flights
    for _ in 0..4 {
        h.keys("]");
    }
    insta::assert_snapshot!(h.screen());
}

#[test]
fn detail__exception() {
    let mut h = Harness::new(&demo(), (140, 36));
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    h.keys("G]]]"); // parse_config, Events
    let s = h.screen();
    assert!(s.contains("ValueError: bad config: missing 'model'"));
    insta::assert_snapshot!(s);
}

#[test]
fn detail__hostile_content() {
    let mut h = Harness::new(&fixtures().join("v3/sqlite"), (140, 36));
    let id = manifest("v3/sqlite")["hostile"].clone();
    assert!(h.app.list.select_id(&id));
    h.keys("jk"); // follow the selection
    h.key(KeyCode::Enter);
    h.keys("]");
    let s = h.screen();
    assert_clean(&s);
    assert!(s.contains("evil␛[31mRED"), "{s}");
    assert!(s.contains("<U+202E>"), "{s}");
    insta::assert_snapshot!(s);
    // every tab of every span of it stays clean
    for _ in 0..3 {
        for _ in 0..7 {
            h.keys("]");
            assert_clean(&h.screen());
        }
        h.keys("j");
    }
}

#[test]
fn all_panes__small_40x12() {
    let mut h = Harness::new(&demo(), (40, 12));
    select_trace_named(&mut h, "travel_agent");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn help__overlay() {
    let mut h = Harness::new(&demo(), (100, 40));
    h.keys("?");
    insta::assert_snapshot!(h.screen());
}

#[test]
fn every_small_size_renders_without_panic() {
    let mut h = Harness::new(&demo(), (40, 12));
    select_trace_named(&mut h, "travel_agent");
    h.key(KeyCode::Enter);
    h.keys("j");
    for w in 0..=42u16 {
        for ht in 0..=13u16 {
            h.send(Msg::Resize(w, ht));
            for keys in ["j", "]", "?", "?"] {
                h.keys(keys);
                let _ = h.screen();
            }
        }
    }
}

#[test]
fn no_color_means_no_colour() {
    let mut h = Harness::new(&demo(), (120, 30));
    h.app.color = false;
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    h.keys("G");
    let backend = ratatui::backend::TestBackend::new(120, 30);
    let mut t = ratatui::Terminal::new(backend).unwrap();
    t.draw(|f| mlflow_tui::ui::render(f, &h.app)).unwrap();
    let buf = t.backend().buffer();
    for cell in buf.content() {
        assert_eq!(cell.fg, ratatui::style::Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, ratatui::style::Color::Reset, "{cell:?}");
    }
}

/// The span tree says what is wrong with a span's place in it, beside its name: an orphan, a
/// duplicate id, an end before its start (drawn from the tree's own flags).
#[test]
fn span_tree__marks_of_a_broken_structure() {
    let text = std::fs::read_to_string(fixtures().join("v3/export/rag.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let root = doc["data"]["spans"][0].clone();
    let template = doc["data"]["spans"][1].clone();
    let span = |id: &str, parent: &serde_json::Value, name: &str| {
        let mut s = template.clone();
        s["span_id"] = id.into();
        s["parent_span_id"] = parent.clone();
        s["name"] = name.into();
        s
    };
    let mut backwards = span("dddddddddddddddd", &root["span_id"], "ends_before_start");
    backwards["end_time_unix_nano"] = 5.into();
    doc["data"]["spans"] = serde_json::json!([
        root.clone(),
        span(
            "aaaaaaaaaaaaaaaa",
            &"ffffffffffffffff".into(),
            "orphan_span"
        ),
        span("bbbbbbbbbbbbbbbb", &root["span_id"], "first_of_two"),
        span("bbbbbbbbbbbbbbbb", &root["span_id"], "second_of_two"),
        backwards,
    ]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.json");
    std::fs::write(&file, doc.to_string()).unwrap();
    let mut h = Harness::new(&file, (200, 30));
    h.app.focus = mlflow_tui::app::Focus::TraceList;
    h.keys("g");
    h.key(KeyCode::Enter);
    let screen = h.screen();
    for (name, mark) in [
        ("orphan_span", "(orphan)"),
        ("second_of_two", "(duplicate id)"),
        ("ends_before_start", "(ends before"),
    ] {
        let line = screen
            .lines()
            .find(|l| l.contains(name))
            .unwrap_or_else(|| panic!("no {name} on screen:\n{screen}"));
        assert!(line.contains(mark), "{name} without {mark}: {line}");
    }
    assert!(
        !screen
            .lines()
            .any(|l| l.contains("first_of_two") && l.contains("(duplicate id)")),
        "{screen}"
    );
}
