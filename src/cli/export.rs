//! `mlflow-tui export SOURCE ID [--format mlflow|markdown|otlp-json] [-o FILE]`, and the same
//! for the explorer's export key: MLflow's own `Trace.to_json()` (read back by MLflow's
//! `Trace.from_json`), Markdown to paste into an issue or a pull request (the tree, the
//! conversation, the errors), or OTLP JSON (an `ExportTraceServiceRequest`, as OTLP/HTTP JSON
//! sends it).

use std::fmt::Write as _;

use anyhow::Result;
use serde_json::{Value, json};

use crate::model::transcript::{Entry, transcript};
use crate::model::{StatusCode, Trace, mlflow_json};
use crate::text::{escape_json_unsafe, sanitize_block, sanitize_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// MLflow's Trace.to_json()
    Mlflow,
    /// for an issue or a pull request
    Markdown,
    /// OTLP/HTTP JSON (ExportTraceServiceRequest)
    OtlpJson,
}

impl Format {
    pub fn parse(s: &str) -> Option<Format> {
        match s.to_ascii_lowercase().as_str() {
            "mlflow" | "json" => Some(Format::Mlflow),
            "markdown" | "md" => Some(Format::Markdown),
            "otlp-json" | "otlp" => Some(Format::OtlpJson),
            _ => None,
        }
    }
    pub fn extension(self) -> &'static str {
        match self {
            Format::Mlflow => "json",
            Format::Markdown => "md",
            Format::OtlpJson => "otlp.json",
        }
    }
}

/// The trace in a format, as text.
pub fn render(t: &Trace, format: Format) -> Result<String> {
    Ok(match format {
        Format::Mlflow => {
            escape_json_unsafe(serde_json::to_string_pretty(&mlflow_json::trace_json(t))?) + "\n"
        }
        Format::OtlpJson => escape_json_unsafe(serde_json::to_string_pretty(&otlp_json(t))?) + "\n",
        Format::Markdown => markdown(t),
    })
}

fn any_value(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({ "stringValue": s }),
        Value::Bool(b) => json!({ "boolValue": b }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "intValue": n.to_string() }),
        Value::Number(n) => json!({ "doubleValue": n.as_f64() }),
        Value::Array(a) => {
            json!({ "arrayValue": { "values": a.iter().map(any_value).collect::<Vec<_>>() } })
        }
        Value::Object(o) => {
            json!({ "kvlistValue": { "values": o.iter().map(|(k, v)| json!({"key": k, "value": any_value(v)})).collect::<Vec<_>>() } })
        }
        Value::Null => json!({}),
    }
}

/// The trace as OTLP JSON. Attribute values keep MLflow's encoding (a JSON text in a string
/// value), as MLflow's own OTLP exporter sends them; ids are hex.
pub fn otlp_json(t: &Trace) -> Value {
    let trace_id: String = mlflow_json::otel_trace_id(&t.info.trace_id)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let spans: Vec<Value> = t
        .tree
        .preorder()
        .iter()
        .map(|&i| {
            let s = t.tree.span(i);
            let attrs: Vec<Value> = s
                .attributes
                .iter()
                .map(|(k, v)| {
                    let text = match v.json() {
                        Some(j) => j.to_string(),
                        None => Value::String(v.raw().to_string()).to_string(),
                    };
                    json!({"key": k, "value": {"stringValue": text}})
                })
                .collect();
            let events: Vec<Value> = s
                .events
                .iter()
                .map(|e| {
                    json!({
                        "timeUnixNano": e.time_ns.to_string(),
                        "name": e.name,
                        "attributes": e.attributes.iter().map(|(k, v)| json!({"key": k, "value": any_value(v)})).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let mut o = json!({
                "traceId": trace_id,
                "spanId": s.span_id,
                "name": s.name,
                "kind": 1,
                "startTimeUnixNano": s.start_ns.to_string(),
                "endTimeUnixNano": s.end_ns.unwrap_or(s.start_ns).to_string(),
                "attributes": attrs,
                "events": events,
                "status": {
                    "code": match s.status { StatusCode::Unset => 0, StatusCode::Ok => 1, StatusCode::Error => 2 },
                    "message": s.status_message,
                },
            });
            if let Some(p) = &s.parent_id {
                o["parentSpanId"] = Value::String(p.clone());
            }
            o
        })
        .collect();
    json!({
        "resourceSpans": [{
            "resource": {"attributes": [
                {"key": "service.name", "value": {"stringValue": "mlflow-tui-export"}},
                {"key": "mlflow.traceRequestId", "value": {"stringValue": t.info.trace_id}},
            ]},
            "scopeSpans": [{"scope": {"name": "mlflow"}, "spans": spans}],
        }]
    })
}

/// Markdown for an issue or a pull request: a header table, the span tree, the conversation
/// of the trace's model calls, and its errors with stack traces. Text from the trace is
/// sanitized; code blocks keep what they hold from closing the block.
pub fn markdown(t: &Trace) -> String {
    let fence = |s: &str| sanitize_block(s).replace("```", "`\u{200b}``");
    let mut out = String::new();
    let info = &t.info;
    let _ = writeln!(
        out,
        "# Trace `{}` {}\n",
        sanitize_line(&info.trace_id),
        sanitize_line(t.name().unwrap_or(""))
    );
    let _ = writeln!(out, "| | |\n|---|---|");
    let _ = writeln!(out, "| state | {} |", info.state.as_str());
    if let Some(ms) = t.duration_ms() {
        let _ = writeln!(
            out,
            "| duration | {} |",
            crate::model::time::format_duration_ms(ms)
        );
    }
    let _ = writeln!(out, "| spans | {} |", t.span_count());
    if let Some(u) = t.token_usage() {
        let _ = writeln!(out, "| tokens | {} |", u.summary());
    }
    if let Some(c) = info.cost() {
        let _ = writeln!(out, "| cost | {:.6} |", c.total);
    }
    for (k, v) in [("user", info.user()), ("session", info.session())] {
        if let Some(v) = v {
            let _ = writeln!(out, "| {k} | {} |", sanitize_line(v).replace('|', "\\|"));
        }
    }
    let _ = writeln!(
        out,
        "\n## Spans\n\n```text\n{}```\n",
        fence(&super::render_show(t, None))
    );
    // the conversation: the trace's transcript (each message once, failures in place)
    let mut convo = String::new();
    for e in transcript(t) {
        let m = match e {
            Entry::Message { message, .. } => message,
            Entry::Failure { span, error, .. } => {
                let _ = writeln!(
                    convo,
                    "✗ **{}** failed: {}\n",
                    sanitize_line(&t.tree.span(span).name),
                    sanitize_line(&error)
                );
                continue;
            }
        };
        let mut head = sanitize_line(&m.role).into_owned();
        if let Some(id) = &m.tool_call_id {
            head.push_str(&format!(" [{}]", sanitize_line(id)));
        }
        if m.is_error {
            head.push_str(" · error");
        }
        let _ = writeln!(convo, "**{head}**");
        for r in &m.reasoning {
            let _ = writeln!(convo, "\n> thinking: {}", sanitize_line(r));
        }
        if !m.content.is_empty() {
            let _ = writeln!(convo, "\n```text\n{}\n```", fence(&m.content));
        }
        for c in &m.tool_calls {
            let _ = writeln!(
                convo,
                "\n→ `{}({})`",
                sanitize_line(&c.name),
                sanitize_line(&c.arguments).replace('`', "'")
            );
        }
        convo.push('\n');
    }
    if !convo.is_empty() {
        let _ = writeln!(out, "## Conversation\n\n{convo}");
    }
    let mut errors = String::new();
    for &i in t.tree.preorder() {
        let s = t.tree.span(i);
        for e in s.exceptions() {
            let _ = writeln!(
                errors,
                "### `{}` in {}\n\n{}\n\n```text\n{}\n```\n",
                sanitize_line(&e.kind),
                sanitize_line(&s.name),
                sanitize_line(&e.message),
                fence(&e.stacktrace)
            );
        }
    }
    if !errors.is_empty() {
        let _ = writeln!(out, "## Errors\n\n{errors}");
    }
    out
}

pub async fn run(src: Option<&str>, id: &str, format: Format, file: Option<&str>) -> Result<()> {
    let src = super::open_source(src)?;
    let trace = src.get(id).await?;
    super::warn_all(&trace.warnings);
    let text = render(&trace, format)?;
    match file {
        Some("-") | None => super::emit(&text),
        Some(path) => {
            std::fs::write(path, text)
                .map_err(|e| anyhow::anyhow!("{path}: {}", crate::source::io_reason(&e)))?;
            eprintln!("mlflow-tui: wrote {path}");
            Ok(())
        }
    }
}
