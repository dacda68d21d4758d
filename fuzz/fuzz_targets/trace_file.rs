//! Any bytes as an exported trace file (`Trace.to_json()`, a listing, JSON Lines, a bare
//! `traces.json`): parsing never panics, and every trace it yields builds its span tree, its
//! summary and every detail tab, with nothing unsafe in the lines meant for the terminal.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlflow_tui::app::{LoadedTrace, Tab, detail};
use mlflow_tui::text::is_unsafe;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok((traces, _warnings)) = mlflow_tui::model::parse::parse_traces_file(&text) else {
        return;
    };
    for t in traces.into_iter().take(4) {
        let _ = t.summary();
        let t = std::sync::Arc::new(t);
        let loaded = LoadedTrace::new(t.clone());
        let _ = loaded.view.rows.len();
        let spans: Vec<Option<usize>> = std::iter::once(None)
            .chain((0..t.span_count().min(3)).map(Some))
            .collect();
        for span in spans {
            for tab in [
                Tab::Trace,
                Tab::Inputs,
                Tab::Outputs,
                Tab::Attributes,
                Tab::Events,
                Tab::Chat,
                Tab::Raw,
            ] {
                let doc = detail::build(&t, span, tab, true);
                for line in &doc.lines {
                    assert!(
                        !line.chars().any(is_unsafe),
                        "unsafe character in {tab:?}: {line:?}"
                    );
                }
            }
        }
        let shown = mlflow_tui::cli::render_show(&t, None);
        assert!(
            !shown.chars().any(|c| c != '\n' && is_unsafe(c)),
            "unsafe character in show"
        );
    }
});
