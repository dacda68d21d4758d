//! Any bytes as a trace file, through the whole explorer: the list and the trace are loaded by
//! `update`, every tab is shown, and each frame (rendered to an off-screen buffer) holds no
//! character that could act on a terminal.
#![no_main]
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use libfuzzer_sys::fuzz_target;
use mlflow_tui::app::{App, LoadedTrace, Msg};
use mlflow_tui::source::TracePage;
use mlflow_tui::text::is_unsafe;
use mlflow_tui::update::update;
use ratatui::{Terminal, backend::TestBackend};

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn check(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| mlflow_tui::ui::render(f, app))
        .expect("a frame draws");
    for cell in term.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(is_unsafe),
            "unsafe cell {:?}",
            cell.symbol()
        );
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok((traces, _)) = mlflow_tui::model::parse::parse_traces_file(&text) else {
        return;
    };
    let Some(first) = traces.into_iter().next() else {
        return;
    };
    let mut app = App::new("fuzz".into(), "all experiments".into());
    app.utc = true;
    app.now_ms = 1_700_000_000_000;
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
    let _ = update(&mut app, Msg::Resize(100, 30));
    let _ = mlflow_tui::update::start(&mut app);
    let req = app.list.req;
    let page = TracePage {
        traces: vec![first.summary()],
        ..Default::default()
    };
    let _ = update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: Ok(page),
        },
    );
    let id = first.info.trace_id.clone();
    let loaded = LoadedTrace::new(std::sync::Arc::new(first));
    let req = app.trace_req;
    let _ = update(
        &mut app,
        Msg::TraceLoaded {
            req,
            trace_id: id,
            result: Ok(loaded),
        },
    );
    check(&mut term, &app);
    let _ = update(&mut app, key(KeyCode::Tab));
    for _ in 0..3 {
        let _ = update(&mut app, key(KeyCode::Char('j')));
        for _ in 0..7 {
            let _ = update(&mut app, key(KeyCode::Char(']')));
            check(&mut term, &app);
        }
    }
});
