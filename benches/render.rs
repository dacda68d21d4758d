//! One full frame with a 100k-span trace fully expanded, at 200x50.
//! Input from `scripts/gen_bench_data.sh` (benches/data/, not committed).

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use mlflow_tui::app::{App, Msg, OpenTrace, SpanTreeView};
use mlflow_tui::model::parse::parse_trace;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frame(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/data/spans-100k.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/gen_bench_data.sh first",
            path.display()
        )
    });
    let trace = Arc::new(parse_trace(&text).expect("parses"));
    drop(text);
    let mut app = App::new(
        "json benches/data/spans-100k.json".into(),
        "all experiments".into(),
    );
    mlflow_tui::update::update(&mut app, Msg::Resize(200, 50));
    let mut page = mlflow_tui::source::TracePage::default();
    page.traces.push(trace.summary());
    let req = app.list.req + 1;
    app.list.req = req;
    app.list.loading = Some(req);
    app.trace_req = u64::MAX; // keep the list from asking for the trace: it is set below
    mlflow_tui::update::update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: Ok(page),
        },
    );
    let mut view = SpanTreeView::new(&trace);
    view.expand_to_depth(&trace.tree, None);
    assert_eq!(view.rows.len(), 100_000);
    // in the middle of the tree, so rows above and below are off screen
    view.scroll.fit(view.rows.len(), 40);
    view.scroll.set_offset(49_980);
    view.select_row(50_000);
    app.open = Some(OpenTrace {
        trace,
        view,
        search: Default::default(),
    });
    app.focus = mlflow_tui::app::Focus::SpanTree;
    // one key press: the detail pane builds (and highlights) the selected span's inputs
    let down = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('j'),
        crossterm::event::KeyModifiers::NONE,
    );
    mlflow_tui::update::update(&mut app, Msg::Key(down));
    let down = crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char(']'),
        crossterm::event::KeyModifiers::NONE,
    );
    mlflow_tui::update::update(&mut app, Msg::Key(down));
    assert!(app.detail.doc.is_some());
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("frame_100k_spans_expanded_200x50", |b| {
        b.iter(|| {
            terminal
                .draw(|f| mlflow_tui::ui::render(f, black_box(&app)))
                .expect("draw");
        })
    });
}

criterion_group!(benches, frame);
criterion_main!(benches);
