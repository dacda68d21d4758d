//! One frame per hostile-corpus file (tests/hostile), with its trace open on its heaviest span
//! and tab, at 200x50: the time a redraw takes when a trace holds a 10 MB string, a
//! million-element array, JSON nested 10,000 deep, escapes and wide text. Target: 16 ms.

use std::hint::black_box;
use std::path::PathBuf;

#[path = "../tests/common/mod.rs"]
mod common;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::KeyCode;
use mlflow_tui::source::json::JsonStore;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn frames(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut group = c.benchmark_group("hostile_frame");
    for path in files {
        if JsonStore::open(&path).is_err() {
            continue; // refused as a whole (nested 10,000 deep): no frame to draw
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        // the runtime's commands carried out at once against the file
        let mut h = common::Harness::new(&path, (200, 50));
        // the first span's inputs: where the big values are
        h.app.focus = mlflow_tui::app::Focus::SpanTree;
        h.key(KeyCode::Char(']'));
        assert!(h.app.detail.doc.is_some(), "{name}: a document to show");
        let app = h.app;
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        group.bench_function(&name, |b| {
            b.iter(|| {
                term.draw(|f| mlflow_tui::ui::render(f, black_box(&app)))
                    .unwrap();
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = frames
}
criterion_main!(benches);
