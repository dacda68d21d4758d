//! Any bytes as a trace summary: a v2/v3 JSON TraceInfo, a search answer from a server, or an
//! mlruns `trace_info.yaml`. Never a panic; every derived value computes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use mlflow_tui::model::parse::parse_info;

fn touch(info: &mlflow_tui::model::TraceInfo) {
    let _ = (
        info.name(),
        info.user(),
        info.session(),
        info.request_preview(),
        info.response_preview(),
    );
    let _ = (info.token_usage(), info.span_count_hint());
    let _ = mlflow_tui::cli::render_list(std::slice::from_ref(info));
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
        if let Ok(info) = parse_info(&v) {
            touch(&info);
        }
        let page = mlflow_tui::source::http::page_from(&v);
        for info in &page.traces {
            touch(info);
        }
    }
    if let Ok(v) = serde_yaml_ng::from_str::<serde_json::Value>(&text)
        && let Ok(info) = parse_info(&v)
    {
        touch(&info);
    }
});
