//! Any bytes as a span artifact (`traces.json`, OTLP JSON from `traces/get`, a single span of
//! any MLflow generation): never a panic, and a span tree always builds.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlflow_tui::model::parse;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok((spans, trace_id, _warnings)) = parse::parse_spans_doc(&text) {
        let info = parse::info_from_spans(&spans, trace_id);
        let t = mlflow_tui::model::Trace::new(info, spans);
        let _ = t.tree.preorder();
        let _ = (
            t.request_preview(),
            t.response_preview(),
            t.token_usage(),
            t.duration_ms(),
        );
    }
    let _ = parse::parse_span(&text);
    let _ = parse::parse_trace(&text);
});
