//! What the benches share: the 100,000-span input and an explorer listing it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use mlflow_tui::app::{App, Msg};
use mlflow_tui::model::Trace;
use mlflow_tui::model::parse::parse_trace;

/// `benches/data/spans-100k.json`, parsed (made by scripts/gen_bench_data.sh).
pub fn load_100k() -> Arc<Trace> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/data/spans-100k.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/gen_bench_data.sh first",
            path.display()
        )
    });
    Arc::new(parse_trace(&text).expect("parses"))
}

/// An explorer at 200x50 listing the trace (not yet open: the list does not ask for it).
pub fn app_listing(trace: &Trace) -> App {
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
    app
}
