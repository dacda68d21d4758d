//! The quick filter at 100k traces: one keystroke that has to search every trace (the worst
//! case: the first letter, or a backspace), and one that narrows what is shown.

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use mlflow_tui::app::TraceListState;
use mlflow_tui::source::ListQuery;

fn traces_100k() -> Vec<mlflow_tui::model::TraceInfo> {
    let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let src = mlflow_tui::source::open(demo.to_str()).expect("demo opens");
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let page = rt
        .block_on(src.list(ListQuery {
            max_results: 0,
            ..Default::default()
        }))
        .expect("demo lists");
    let mut out = Vec::with_capacity(100_000);
    for i in 0..100_000usize {
        let mut t = page.traces[i % page.traces.len()].clone();
        t.trace_id = format!("tr-{i:032x}");
        t.request_time_ms -= i as i64;
        out.push(t);
    }
    out
}

fn quick_filter(c: &mut Criterion) {
    let mut list = TraceListState::default();
    list.set_traces(traces_100k(), false);
    c.bench_function("quick_filter_keystroke_full_scan_100k", |b| {
        b.iter(|| {
            list.set_quick(String::new());
            list.set_quick(black_box("tra".to_string()));
            assert!(!list.rows.is_empty());
        })
    });
    c.bench_function("quick_filter_keystroke_case_sensitive_100k", |b| {
        b.iter(|| {
            list.set_quick(String::new());
            list.set_quick(black_box("Lisbon".to_string()));
        })
    });
    list.set_quick("tra".into());
    c.bench_function("quick_filter_keystroke_narrowing_100k", |b| {
        b.iter(|| {
            list.set_quick("tra".into());
            list.set_quick(black_box("trav".to_string()));
        })
    });
}

criterion_group!(benches, quick_filter);
criterion_main!(benches);
