//! Lints: what in a trace is probably wrong, each finding pointing at its span. A tool called
//! again and again with the same arguments (a loop), empty outputs, an LLM call cut at its
//! length limit, an exception swallowed (recorded under a span that ended OK), retries, a span
//! much slower than its siblings, and prompts near the model's context window.

use serde::Serialize;
use serde_json::Value;

use super::analysis::{Analysis, base_name};
use super::{Span, SpanType, StatusCode, Trace};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn parse(s: &str) -> Option<Level> {
        match s.to_ascii_lowercase().as_str() {
            "info" => Some(Level::Info),
            "warning" | "warn" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub level: Level,
    /// `loop`, `empty_output`, `length_limit`, `swallowed_error`, `retry`, `slow_span`,
    /// `context_limit`.
    pub kind: &'static str,
    #[serde(skip)]
    pub span: usize,
    pub span_id: String,
    pub span_name: String,
    pub message: String,
}

/// Context windows of common models, in tokens (prefix match on the model name).
const CONTEXT: &[(&str, u64)] = &[
    ("gpt-4.1", 1_047_576),
    ("gpt-4o", 128_000),
    ("gpt-4-turbo", 128_000),
    ("gpt-4", 8_192),
    ("gpt-3.5-turbo", 16_385),
    ("gpt-5", 400_000),
    ("o1", 200_000),
    ("o3", 200_000),
    ("o4", 200_000),
    ("claude", 200_000),
    ("gemini-1.5-pro", 2_097_152),
    ("gemini", 1_048_576),
    ("llama-3", 128_000),
    ("mistral-large", 128_000),
];

pub fn context_window(model: &str) -> Option<u64> {
    let m = model.to_ascii_lowercase();
    let m = m.rsplit('/').next().unwrap_or(&m);
    CONTEXT
        .iter()
        .find(|(p, _)| m.starts_with(p))
        .map(|(_, n)| *n)
}

fn is_empty_value(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Why a model stopped, when it stopped on its length limit.
fn length_stop(outputs: &Value) -> Option<String> {
    let reasons = [
        outputs
            .pointer("/choices/0/finish_reason")
            .and_then(Value::as_str),
        outputs.get("stop_reason").and_then(Value::as_str),
        outputs
            .pointer("/candidates/0/finishReason")
            .or_else(|| outputs.pointer("/candidates/0/finish_reason"))
            .and_then(Value::as_str),
        outputs.get("stopReason").and_then(Value::as_str),
        outputs
            .pointer("/generations/0/0/generation_info/finish_reason")
            .and_then(Value::as_str),
        outputs
            .pointer("/incomplete_details/reason")
            .and_then(Value::as_str),
    ];
    reasons.into_iter().flatten().find_map(|r| {
        matches!(
            r.to_ascii_lowercase().as_str(),
            "length" | "max_tokens" | "max_output_tokens"
        )
        .then(|| r.to_string())
    })
}

fn errored(s: &Span) -> bool {
    s.status == StatusCode::Error || s.events.iter().any(|e| e.name == "exception")
}

fn finding(level: Level, kind: &'static str, t: &Trace, span: usize, message: String) -> Finding {
    let s = t.tree.span(span);
    Finding {
        level,
        kind,
        span,
        span_id: s.span_id.clone(),
        span_name: s.name.clone(),
        message,
    }
}

fn short(text: &str, n: usize) -> String {
    crate::text::preview(text, n)
}

/// Every finding of a trace, in tree order, most severe kinds first within a span.
pub fn lint(t: &Trace, a: &Analysis) -> Vec<Finding> {
    let tree = &t.tree;
    let mut out = Vec::new();
    // loops: a tool called three times or more with the same arguments
    let mut calls: std::collections::HashMap<(String, String), Vec<usize>> =
        std::collections::HashMap::new();
    for &i in tree.preorder() {
        let s = tree.span(i);
        if s.span_type == SpanType::Tool {
            let args = s.inputs().map(|v| v.raw().to_string()).unwrap_or_default();
            calls
                .entry((base_name(&s.name).to_string(), args))
                .or_default()
                .push(i);
        }
    }
    let mut loops: Vec<(usize, usize, String, String)> = calls
        .into_iter()
        .filter(|(_, v)| v.len() >= 3)
        .map(|((name, args), v)| (v[0], v.len(), name, args))
        .collect();
    loops.sort();
    for (first, n, name, args) in loops {
        out.push(finding(
            Level::Warning,
            "loop",
            t,
            first,
            format!(
                "tool {} called {n} times with the same arguments {}",
                short(&name, 40),
                short(&args, 60)
            ),
        ));
    }
    for &i in tree.preorder() {
        let s = tree.span(i);
        let outputs = s.outputs().map(|v| v.to_value());
        // an LLM call cut at its length limit
        if let Some(o) = &outputs
            && let Some(r) = length_stop(o)
        {
            out.push(finding(
                Level::Warning,
                "length_limit",
                t,
                i,
                format!("the model stopped on its length limit ({r}): the output is cut"),
            ));
        }
        // empty outputs where something was expected
        let expects = matches!(
            s.span_type,
            SpanType::Llm
                | SpanType::ChatModel
                | SpanType::Tool
                | SpanType::Retriever
                | SpanType::Agent
        );
        if expects
            && !errored(s)
            && s.end_ns.is_some()
            && let Some(o) = &outputs
            && is_empty_value(o)
        {
            let what = if s.span_type == SpanType::Retriever {
                "the retriever returned no documents".to_string()
            } else {
                format!("empty output ({})", short(&o.to_string(), 20))
            };
            out.push(finding(Level::Warning, "empty_output", t, i, what));
        }
        // an exception recorded under a span that ended OK
        let exc = s.exceptions();
        if !exc.is_empty() && s.status != StatusCode::Error {
            out.push(finding(
                Level::Warning,
                "swallowed_error",
                t,
                i,
                format!(
                    "{}: {} was recorded but the span ended {}",
                    short(&exc[0].kind, 40),
                    short(&exc[0].message, 60),
                    s.status.as_str()
                ),
            ));
        }
        // an error under a parent that ended OK: retried, or swallowed
        if errored(s)
            && s.status == StatusCode::Error
            && let Some(p) = tree.parent(i)
            && tree.span(p).status != StatusCode::Error
        {
            let sibs = tree.children(p);
            let me = sibs.iter().position(|&c| c == i).unwrap_or(0);
            let retried = sibs[me + 1..].iter().find(|&&c| {
                let o = tree.span(c);
                base_name(&o.name) == base_name(&s.name) && o.span_type == s.span_type
            });
            let msg = exc
                .first()
                .map(|e| format!("{}: {}", short(&e.kind, 40), short(&e.message, 60)))
                .unwrap_or_else(|| short(&s.status_message, 60));
            match retried {
                Some(&r) => out.push(finding(
                    Level::Info,
                    "retry",
                    t,
                    i,
                    format!(
                        "failed ({msg}) and was tried again{}",
                        if errored(tree.span(r)) {
                            ", which failed too"
                        } else {
                            ", which succeeded"
                        }
                    ),
                )),
                None => out.push(finding(
                    Level::Warning,
                    "swallowed_error",
                    t,
                    i,
                    format!(
                        "failed ({msg}) but {} ended {}: the error was swallowed",
                        short(&tree.span(p).name, 40),
                        tree.span(p).status.as_str()
                    ),
                )),
            }
        }
        // context window
        if matches!(s.span_type, SpanType::Llm | SpanType::ChatModel)
            && let (Some(u), Some(m)) = (s.token_usage(), s.model())
            && let Some(w) = context_window(&m)
            && u.input * 10 >= w * 9
        {
            out.push(finding(
                if u.input >= w {
                    Level::Error
                } else {
                    Level::Warning
                },
                "context_limit",
                t,
                i,
                format!(
                    "{} input tokens of {m}'s {w}-token context ({}%)",
                    u.input,
                    u.input * 100 / w
                ),
            ));
        }
    }
    // a span much slower than its same-named siblings
    for run in &a.runs {
        let durations: Vec<u64> = run
            .spans
            .iter()
            .map(|&i| tree.span(i).duration_ns().unwrap_or(0))
            .collect();
        let median = run.p50_ns;
        for (k, &i) in run.spans.iter().enumerate() {
            let d = durations[k];
            if median > 0 && d >= median * 5 && d - median >= 10_000_000 {
                out.push(finding(
                    Level::Info,
                    "slow_span",
                    t,
                    i,
                    format!(
                        "{} took {}, {}x the median of its {} siblings ({})",
                        short(&run.name, 40),
                        crate::model::time::format_duration_ns(d),
                        d / median,
                        run.spans.len(),
                        crate::model::time::format_duration_ns(median)
                    ),
                ));
            }
        }
    }
    // each span's place in the tree's order (a list, not a map: 100k spans)
    let mut order = vec![0u32; if out.is_empty() { 0 } else { tree.len() }];
    for (k, &i) in tree.preorder().iter().enumerate() {
        if let Some(o) = order.get_mut(i) {
            *o = u32::try_from(k).unwrap_or(u32::MAX);
        }
    }
    out.sort_by_key(|f| {
        (
            order.get(f.span).copied().unwrap_or(0),
            std::cmp::Reverse(f.level),
        )
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_context_windows() {
        assert_eq!(context_window("gpt-4o-mini"), Some(128_000));
        assert_eq!(context_window("openai/gpt-4o"), Some(128_000));
        assert_eq!(context_window("claude-3-5-sonnet-20241022"), Some(200_000));
        assert_eq!(context_window("my-model"), None);
    }

    #[test]
    fn length_stops_in_every_provider_shape() {
        let openai: Value =
            serde_json::from_str(r#"{"choices":[{"finish_reason":"length"}]}"#).unwrap();
        assert!(length_stop(&openai).is_some());
        let anthropic: Value = serde_json::from_str(r#"{"stop_reason":"max_tokens"}"#).unwrap();
        assert!(length_stop(&anthropic).is_some());
        let gemini: Value =
            serde_json::from_str(r#"{"candidates":[{"finishReason":"MAX_TOKENS"}]}"#).unwrap();
        assert!(length_stop(&gemini).is_some());
        let ok: Value = serde_json::from_str(r#"{"choices":[{"finish_reason":"stop"}]}"#).unwrap();
        assert!(length_stop(&ok).is_none());
    }
}
