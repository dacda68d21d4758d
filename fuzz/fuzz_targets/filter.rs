//! Any text as an MLflow search filter: parsing gives a filter or an error with a column inside
//! the text; a parsed filter checks against both store kinds and evaluates without panicking.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlflow_tui::model::filter::{self, Store};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match filter::parse(&text) {
        Ok(f) => {
            let _ = f.check(Store::Sql);
            let _ = f.check(Store::File);
            let info = sample();
            let _ = f.matches(&info, None);
            let _ = f.matches(&info, Some(&[]));
        }
        Err(e) => {
            assert!(
                e.column <= text.chars().count() + 1,
                "column {} past the end",
                e.column
            );
            let _ = e.to_string();
        }
    }
    // LIKE patterns on their own, against themselves
    let _ = filter::like(&text, &text);
});

fn sample() -> mlflow_tui::model::TraceInfo {
    let v = serde_json::json!({
        "trace_id": "tr-1", "request_time": "2025-01-01T00:00:00Z", "execution_duration": "1.5s",
        "state": "OK", "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "1"}},
        "tags": {"mlflow.traceName": "agent", "env": "dev"},
        "trace_metadata": {"mlflow.trace.user": "ana", "mlflow.trace.tokenUsage": "{\"input_tokens\": 3}"},
        "request_preview": "hello", "response_preview": "world"
    });
    mlflow_tui::model::parse::parse_info(&v).expect("the sample parses")
}
