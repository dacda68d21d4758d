//! The analyses on the 100,000-span trace (computed off the UI thread, in the loading task):
//! critical path, self time and rollups, folded repeats, lints; and one frame of the tree with
//! rollup columns and folds, and of the waterfall, at 200x50.
//! Input from `scripts/gen_bench_data.sh` (benches/data/, not committed).

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};

#[path = "support/mod.rs"]
mod support;
use mlflow_tui::app::{LoadedTrace, Msg};
use mlflow_tui::model::analysis::Analysis;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn analyses(c: &mut Criterion) {
    let trace = support::load_100k();
    let mut g = c.benchmark_group("analysis_100k");
    g.sample_size(10);
    g.bench_function("critical_path_rollups_folds", |b| {
        b.iter(|| black_box(Analysis::of(&trace)))
    });
    let a = Analysis::of(&trace);
    g.bench_function("lints", |b| {
        b.iter(|| black_box(mlflow_tui::model::lint::lint(&trace, &a)))
    });
    g.bench_function("loaded_trace_all_of_it", |b| {
        b.iter(|| black_box(LoadedTrace::new(Arc::clone(&trace))))
    });
    g.finish();

    // frames: the tree with rollups and folds, then the waterfall
    let mut app = support::app_listing(&trace);
    let loaded = LoadedTrace::new(Arc::clone(&trace));
    let req = 7;
    app.trace_req = req;
    app.loading_trace = Some(trace.info.trace_id.clone());
    mlflow_tui::update::update(
        &mut app,
        Msg::TraceLoaded {
            req,
            trace_id: trace.info.trace_id.clone(),
            result: Ok(loaded),
        },
    );
    let key = |c: char| {
        Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::NONE,
        ))
    };
    for c in ['\t', 'E', 'R'] {
        let msg = if c == '\t' {
            Msg::Key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Tab,
                crossterm::event::KeyModifiers::NONE,
            ))
        } else {
            key(c)
        };
        mlflow_tui::update::update(&mut app, msg);
    }
    for _ in 0..50 {
        mlflow_tui::update::update(&mut app, key('x'));
    }
    let mut terminal = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    let mut g = c.benchmark_group("frame_100k_200x50");
    g.bench_function("tree_with_rollups_and_folds", |b| {
        b.iter(|| {
            terminal
                .draw(|f| mlflow_tui::ui::render(f, black_box(&app)))
                .expect("draw");
        })
    });
    mlflow_tui::update::update(&mut app, key('W'));
    assert!(app.waterfall.is_some());
    g.bench_function("waterfall", |b| {
        b.iter(|| {
            terminal
                .draw(|f| mlflow_tui::ui::render(f, black_box(&app)))
                .expect("draw");
        })
    });
    g.finish();
}

criterion_group!(benches, analyses);
criterion_main!(benches);
