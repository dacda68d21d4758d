//! The checks each fuzz target makes, shared: `fuzz/fuzz_targets/*.rs` call them on what
//! libFuzzer generates, and `tests/hostile.rs` on every input that ever crashed one
//! (`tests/fuzz_regressions/<target>/`). Each panics when a property does not hold.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlflow_tui::app::{App, LoadedTrace, Msg, Tab, detail};
use mlflow_tui::model::filter::{self, Store};
use mlflow_tui::model::parse::{self, parse_info};
use mlflow_tui::source::TracePage;
use mlflow_tui::text::{self, is_unsafe};
use mlflow_tui::update::update;
use ratatui::{Terminal, backend::TestBackend};

/// Any bytes as an exported trace file (`Trace.to_json()`, a listing, JSON Lines, a bare
/// `traces.json`): parsing never panics, and every trace it yields builds its span tree, its
/// summary and every detail tab, with nothing unsafe in the lines meant for the terminal.
pub fn trace_file(data: &[u8]) {
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
            for tab in Tab::ALL {
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
}

/// Any bytes as an OTLP/HTTP request body (the first byte picks protobuf, JSON or gzip):
/// decoding never panics; what decodes assembles into traces whose every tab and `show`
/// are safe for the terminal, and whose MLflow JSON (what `--save` writes) reads back with
/// the same spans.
pub fn otlp(data: &[u8]) {
    use mlflow_tui::source::otlp;
    let Some((&mode, body)) = data.split_first() else {
        return;
    };
    let (content_type, gzip) = match mode % 3 {
        0 => ("application/x-protobuf", false),
        1 => ("application/json", false),
        _ => ("application/x-protobuf", true),
    };
    let Ok(req) = otlp::decode(body, content_type, gzip) else {
        return;
    };
    for t in otlp::assemble(req).into_iter().take(4) {
        let json = mlflow_tui::model::mlflow_json::trace_json(&t).to_string();
        let back = mlflow_tui::model::parse::parse_trace(&json)
            .unwrap_or_else(|e| panic!("the saved trace does not read back: {e}"));
        assert_eq!(
            back.span_count(),
            t.span_count(),
            "spans lost on the way back"
        );
        trace_file(json.as_bytes());
    }
}

/// Any bytes as a span artifact (`traces.json`, OTLP JSON from `traces/get`, a single span of
/// any MLflow generation): never a panic, and a span tree always builds.
pub fn spans_doc(data: &[u8]) {
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
}

/// Any bytes as a trace summary: a v2/v3 JSON TraceInfo, a search answer from a server, or an
/// mlruns `trace_info.yaml`. Never a panic; every derived value computes.
pub fn trace_info(data: &[u8]) {
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
}

/// Any text as an MLflow search filter: parsing gives a filter or an error with a column inside
/// the text; a parsed filter checks against both store kinds and evaluates without panicking.
pub fn filter(data: &[u8]) {
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
}
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

/// Any text through the sanitizer and the width-aware cutters: nothing unsafe comes out, and
/// cutting to a width never exceeds it.
pub fn sanitize(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let line = text::sanitize_line(&s);
    assert!(
        !line.chars().any(is_unsafe),
        "sanitize_line let through {line:?}"
    );
    let block = text::sanitize_block(&s);
    assert!(
        !block.chars().any(|c| c != '\n' && is_unsafe(c)),
        "sanitize_block let through {block:?}"
    );
    let w = (data.first().copied().unwrap_or(0) % 64) as usize;
    let cut = text::truncate(&line, w);
    assert!(
        text::width(&cut) <= w,
        "truncate to {w} gave width {}",
        text::width(&cut)
    );
    let fitted = text::fit(&line, w);
    assert_eq!(text::width(&fitted), w, "fit to {w}: {fitted:?}");
    let p = text::preview(&s, w);
    assert!(!p.chars().any(is_unsafe), "preview let through {p:?}");
    assert!(
        text::width(&p) <= w.max(1),
        "preview to {w} gave width {}",
        text::width(&p)
    );
    let json = text::escape_json_unsafe(serde_json::to_string(&*s).expect("a string serializes"));
    assert!(
        !json.chars().any(is_unsafe),
        "escaped JSON let through {json:?}"
    );
    let back: String = serde_json::from_str(&json).expect("escaped JSON parses");
    assert_eq!(back, s, "escaping changed the value");
}

/// Any bytes as a trace file, through the whole explorer: the list and the trace are loaded by
/// `update`, every tab is shown, and each frame (rendered to an off-screen buffer) holds no
/// character that could act on a terminal.
pub fn render(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let Ok((traces, _)) = mlflow_tui::model::parse::parse_traces_file(&text) else {
        return;
    };
    let Some(first) = traces.into_iter().next() else {
        return;
    };
    let mut app = App::new("fuzz".into(), "all experiments".into());
    app.utc = true;
    app.now_ms = 1_700_000_000_000;
    let mut term = Terminal::new(TestBackend::new(100, 30)).expect("a test terminal");
    let _ = update(&mut app, Msg::Resize(100, 30));
    let _ = mlflow_tui::update::start(&mut app);
    let req = app.list.req;
    let page = TracePage {
        traces: vec![first.summary()],
        ..Default::default()
    };
    let _ = update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: Ok(page),
        },
    );
    let id = first.info.trace_id.clone();
    let loaded = LoadedTrace::new(std::sync::Arc::new(first));
    let req = app.trace_req;
    let _ = update(
        &mut app,
        Msg::TraceLoaded {
            req,
            trace_id: id,
            result: Ok(loaded),
        },
    );
    check_frame(&mut term, &app);
    let _ = update(&mut app, key(KeyCode::Tab));
    for _ in 0..3 {
        let _ = update(&mut app, key(KeyCode::Char('j')));
        for _ in 0..7 {
            let _ = update(&mut app, key(KeyCode::Char(']')));
            check_frame(&mut term, &app);
        }
    }
}

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

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

fn check_frame(term: &mut Terminal<TestBackend>, app: &App) {
    term.draw(|f| mlflow_tui::ui::render(f, app))
        .expect("a frame draws");
    for cell in term.backend().buffer().content() {
        assert!(
            !cell.symbol().chars().any(is_unsafe),
            "unsafe cell {:?}",
            cell.symbol()
        );
    }
}
