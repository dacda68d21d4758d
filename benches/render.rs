//! One full frame with a 100k-span trace fully expanded, at 200x50.
//! Input from `scripts/gen_bench_data.sh` (benches/data/, not committed).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use mlflow_tui::app::{Msg, OpenTrace, SpanTreeView};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frame(c: &mut Criterion) {
    let trace = support::load_100k();
    let mut app = support::app_listing(&trace);
    let analysis = mlflow_tui::model::analysis::Analysis::of(&trace);
    let mut view = SpanTreeView::new(&trace, &analysis);
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
        analysis: std::sync::Arc::new(analysis),
        findings: Default::default(),
        analysed: true,
        gaps: Vec::new(),
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
