//! Spans described by OpenTelemetry's GenAI semantic conventions (`gen_ai.*` attributes and
//! events), OpenInference (Arize Phoenix: `openinference.span.kind`, `input.value`,
//! `llm.input_messages.*`) or OpenLLMetry/Traceloop (`traceloop.*`, `gen_ai.prompt.*`), read
//! as MLflow reads them: a span type, inputs, outputs (chat messages in OpenAI's shape, so the
//! Chat tab and the lints see them), and token usage. MLflow's own `mlflow.*` attributes win;
//! what is derived is kept apart from the attributes (exports stay faithful), and attributes
//! that only say again what the inputs and outputs say are shown once.

use serde_json::{Map, Value, json};

use super::{AttrValue, Span, SpanType, TokenUsage, keys};

/// What a span's OpenTelemetry attributes say, where MLflow's own attributes say nothing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Derived {
    /// What MLflow's server stores as `mlflow.spanInputs` when it ingests the span.
    pub inputs: Option<AttrValue>,
    /// … as `mlflow.spanOutputs`.
    pub outputs: Option<AttrValue>,
    /// … as `mlflow.chat.tokenUsage`.
    pub usage: Option<TokenUsage>,
    /// … as `mlflow.llm.model` and `mlflow.llm.provider`.
    pub model: Option<String>,
    pub provider: Option<String>,
    /// The conversation from flattened message attributes (`llm.input_messages.0.message.*`,
    /// `gen_ai.prompt.0.*`) or GenAI events, in OpenAI's shape, for the Chat tab when the
    /// inputs hold no messages (MLflow keeps only one of them).
    pub messages: Vec<Value>,
    /// Which convention it came from: `openinference`, `gen_ai`, `openllmetry`.
    pub convention: &'static str,
}

/// One convention, as MLflow's server translates it when it stores an OTLP span
/// (`mlflow/tracing/otel/translation`): the same keys, in the same order of precedence.
struct Convention {
    name: &'static str,
    kind_key: &'static str,
    kind: fn(&str) -> Option<SpanType>,
    input_tokens: &'static [&'static str],
    output_tokens: &'static [&'static str],
    total_tokens: &'static [&'static str],
    cache_read: &'static [&'static str],
    cache_write: &'static [&'static str],
    inputs: &'static [&'static str],
    outputs: &'static [&'static str],
    models: &'static [&'static str],
    provider: &'static str,
}

const OPENINFERENCE: Convention = Convention {
    name: "openinference",
    kind_key: "openinference.span.kind",
    kind: |k| {
        Some(match k {
            "TOOL" => SpanType::Tool,
            "CHAIN" => SpanType::Chain,
            "LLM" => SpanType::Llm,
            "RETRIEVER" => SpanType::Retriever,
            "EMBEDDING" => SpanType::Embedding,
            "AGENT" => SpanType::Agent,
            "RERANKER" => SpanType::Reranker,
            "UNKNOWN" => SpanType::Unknown,
            "GUARDRAIL" => SpanType::Guardrail,
            "EVALUATOR" => SpanType::Evaluator,
            _ => return None,
        })
    },
    input_tokens: &["llm.token_count.prompt"],
    output_tokens: &["llm.token_count.completion"],
    total_tokens: &["llm.token_count.total"],
    cache_read: &["llm.token_count.prompt_details.cache_read"],
    cache_write: &["llm.token_count.prompt_details.cache_write"],
    inputs: &["input.value"],
    outputs: &["output.value"],
    models: &[
        "llm.response.model_name",
        "llm.model_name",
        "llm.request.model_name",
        "embedding.model_name",
    ],
    provider: "llm.provider",
};

const GEN_AI: Convention = Convention {
    name: "gen_ai",
    kind_key: "gen_ai.operation.name",
    kind: |k| {
        Some(match k {
            "chat" => SpanType::ChatModel,
            "create_agent" | "invoke_agent" => SpanType::Agent,
            "embeddings" => SpanType::Embedding,
            "execute_tool" => SpanType::Tool,
            "generate_content" | "text_completion" | "response" => SpanType::Llm,
            _ => return None,
        })
    },
    input_tokens: &["gen_ai.usage.input_tokens"],
    output_tokens: &["gen_ai.usage.output_tokens"],
    total_tokens: &[],
    cache_read: &["gen_ai.usage.cache_read.input_tokens"],
    cache_write: &[
        "gen_ai.usage.cache_write.input_tokens",
        "gen_ai.usage.cache_creation.input_tokens",
    ],
    inputs: &["gen_ai.input.messages", "gen_ai.tool.call.arguments"],
    outputs: &["gen_ai.output.messages", "gen_ai.tool.call.result"],
    models: &["gen_ai.response.model", "gen_ai.request.model"],
    provider: "gen_ai.provider.name",
};

const OPENLLMETRY: Convention = Convention {
    name: "openllmetry",
    kind_key: "traceloop.span.kind",
    kind: |k| {
        Some(match k {
            "workflow" => SpanType::Workflow,
            "task" => SpanType::Task,
            "agent" => SpanType::Agent,
            "tool" => SpanType::Tool,
            "unknown" => SpanType::Unknown,
            _ => return None,
        })
    },
    input_tokens: &["gen_ai.usage.prompt_tokens"],
    output_tokens: &["gen_ai.usage.completion_tokens"],
    total_tokens: &["llm.usage.total_tokens"],
    cache_read: &[],
    cache_write: &[],
    // `gen_ai.prompt.N.content` and friends are matched by pattern below
    inputs: &["traceloop.entity.input"],
    outputs: &["traceloop.entity.output"],
    models: &[],
    provider: "gen_ai.system",
};

const CONVENTIONS: [&Convention; 3] = [&OPENINFERENCE, &GEN_AI, &OPENLLMETRY];

/// Attributes that carry a span's inputs or outputs under another convention: shown as the
/// Inputs, Outputs and Chat tabs, not again among the attributes (MLflow's web UI shows them
/// twice: MLflow issues 26078, 25718).
pub fn is_io_key(k: &str) -> bool {
    CONVENTIONS
        .iter()
        .any(|c| c.inputs.contains(&k) || c.outputs.contains(&k))
        || k == "gen_ai.system_instructions"
        || k.starts_with("gen_ai.prompt.")
        || k.starts_with("gen_ai.completion.")
        || k.starts_with("llm.input_messages.")
        || k.starts_with("llm.output_messages.")
}

/// A value as MLflow's translation sees it: JSON-decoded when it is JSON text (once more
/// when it was encoded twice, as stores keep OTLP strings).
fn decoded(v: &AttrValue) -> Value {
    match v.to_value() {
        Value::String(s) => serde_json::from_str(&s).unwrap_or(Value::String(s)),
        other => other,
    }
}

/// Python's truthiness, which MLflow's translation uses to skip empty values.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// The first of `keys` that the span has with a non-empty value.
fn first<'a>(span: &'a Span, keys: &[&str]) -> Option<&'a AttrValue> {
    keys.iter()
        .filter_map(|k| span.attr(k))
        .find(|v| truthy(&decoded(v)))
}

/// A value as MLflow's server stores it: a JSON string that holds JSON text (an OTLP string
/// attribute, as stores keep it) loses one layer of encoding, unless the text is a number or
/// a boolean (`sanitize_attributes`).
fn unwrapped(v: &AttrValue) -> AttrValue {
    if let Value::String(s) = v.to_value()
        && let Ok(inner) = serde_json::from_str::<Value>(&s)
        && matches!(inner, Value::String(_) | Value::Array(_) | Value::Object(_))
    {
        return AttrValue::Json(s.into_boxed_str());
    }
    v.clone()
}

fn int_of(v: &AttrValue) -> Option<u64> {
    match decoded(v) {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn int(span: &Span, keys: &[&str]) -> Option<u64> {
    keys.iter().find_map(|k| span.attr(k).and_then(int_of))
}

fn text(span: &Span, k: &str) -> Option<String> {
    match decoded(span.attr(k)?) {
        Value::String(s) => Some(s),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

/// The span type the conventions give, in MLflow's order of precedence.
fn span_type(span: &Span) -> Option<(SpanType, &'static str)> {
    CONVENTIONS.iter().find_map(|c| {
        let kind = text(span, c.kind_key)?;
        (c.kind)(&kind).map(|t| (t, c.name))
    })
}

/// OpenLLMetry's numbered attributes MLflow reads for inputs and outputs: the first
/// `gen_ai.prompt.N.content` (or a tool call's arguments), the first
/// `gen_ai.completion.N.content`.
fn numbered<'a>(span: &'a Span, prefix: &str, leaf: fn(&str) -> bool) -> Option<&'a AttrValue> {
    span.attributes
        .iter()
        .filter(|(k, _)| {
            k.strip_prefix(prefix)
                .and_then(|rest| rest.split_once('.'))
                .is_some_and(|(n, rest)| n.parse::<usize>().is_ok() && leaf(rest))
        })
        .map(|(_, v)| v)
        .find(|v| truthy(&decoded(v)))
}

fn prompt_leaf(rest: &str) -> bool {
    rest == "content"
        || rest
            .strip_prefix("tool_calls.")
            .and_then(|r| r.split_once('.'))
            .is_some_and(|(n, leaf)| n.parse::<usize>().is_ok() && leaf == "arguments")
}

/// A GenAI message (`{"role", "parts": [{"type": "text", "content"}, {"type": "tool_call",
/// …}, {"type": "tool_call_response", …}]}`) in OpenAI's chat shape.
pub fn openai_message(m: &Value) -> Vec<Value> {
    let Some(o) = m.as_object() else {
        return Vec::new();
    };
    let role = o.get("role").and_then(Value::as_str).unwrap_or("user");
    let Some(parts) = o.get("parts").and_then(Value::as_array) else {
        // already OpenAI-like
        return vec![m.clone()];
    };
    let mut text = Vec::new();
    let mut reasoning = Vec::new();
    let mut calls = Vec::new();
    let mut out = Vec::new();
    let as_text = |v: Option<&Value>| match v {
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
        None => String::new(),
    };
    for p in parts {
        match p.get("type").and_then(Value::as_str) {
            Some("tool_call") => calls.push(json!({
                "id": p.get("id"),
                "type": "function",
                "function": {
                    "name": p.get("name").and_then(Value::as_str).unwrap_or("?"),
                    "arguments": as_text(p.get("arguments")),
                },
            })),
            Some("tool_call_response") => out.push(json!({
                "role": "tool",
                "tool_call_id": p.get("id"),
                "content": as_text(p.get("response").or_else(|| p.get("result"))),
            })),
            Some("reasoning") => {
                if let Some(c) = p.get("content").and_then(Value::as_str) {
                    reasoning.push(c.to_string());
                }
            }
            _ => {
                if let Some(c) = p.get("content").and_then(Value::as_str) {
                    text.push(c.to_string());
                }
            }
        }
    }
    if !text.is_empty() || !calls.is_empty() || !reasoning.is_empty() {
        let mut msg = Map::new();
        msg.insert("role".into(), json!(role));
        msg.insert(
            "content".into(),
            if text.is_empty() {
                Value::Null
            } else {
                json!(text.join("\n"))
            },
        );
        if !calls.is_empty() {
            msg.insert("tool_calls".into(), Value::Array(calls));
        }
        if !reasoning.is_empty() {
            msg.insert("reasoning".into(), json!(reasoning.join("\n")));
        }
        out.insert(0, Value::Object(msg));
    }
    out
}

/// Flattened messages (`PREFIX.{i}.message.role`, OpenInference; `PREFIX.{i}.role`,
/// OpenLLMetry) gathered into OpenAI-shaped messages, in index order.
fn flattened(span: &Span, prefix: &str) -> Vec<Value> {
    let mut by_index: std::collections::BTreeMap<usize, Map<String, Value>> = Default::default();
    for (k, v) in span.attributes.iter() {
        let Some(rest) = k.strip_prefix(prefix) else {
            continue;
        };
        let Some((idx, field)) = rest.split_once('.') else {
            continue;
        };
        let Ok(i) = idx.parse::<usize>() else {
            continue;
        };
        let field = field.strip_prefix("message.").unwrap_or(field);
        let m = by_index.entry(i).or_default();
        match field {
            "role" | "content" | "name" | "tool_call_id" => {
                m.insert(field.into(), json!(v.display_text()));
            }
            f if f.starts_with("tool_calls.") => {
                // tool_calls.{j}.tool_call.function.name / .arguments
                let rest = &f["tool_calls.".len()..];
                if let Some((j, leaf)) = rest.split_once('.')
                    && let Ok(j) = j.parse::<usize>()
                    && j < 1024
                {
                    let calls = m
                        .entry("tool_calls")
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(a) = calls {
                        while a.len() <= j {
                            a.push(json!({"type": "function", "function": {}}));
                        }
                        let leaf = leaf.strip_prefix("tool_call.").unwrap_or(leaf);
                        match leaf {
                            "function.name" | "name" => {
                                a[j]["function"]["name"] = json!(v.display_text())
                            }
                            "function.arguments" | "arguments" => {
                                a[j]["function"]["arguments"] = json!(v.display_text())
                            }
                            "id" => a[j]["id"] = json!(v.display_text()),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
    by_index.into_values().map(Value::Object).collect()
}

/// Messages from GenAI events (`gen_ai.user.message`, `gen_ai.choice`, …), the older form.
fn event_messages(span: &Span) -> Vec<Value> {
    let mut out = Vec::new();
    for e in &span.events {
        let role = match e.name.as_str() {
            "gen_ai.system.message" => "system",
            "gen_ai.user.message" => "user",
            "gen_ai.assistant.message" | "gen_ai.choice" => "assistant",
            "gen_ai.tool.message" => "tool",
            _ => continue,
        };
        let content = match e
            .attributes
            .get("content")
            .or_else(|| e.attributes.get("message").and_then(|m| m.get("content")))
        {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        out.push(json!({"role": role, "content": content}));
    }
    out
}

/// MLflow's server looks for a `model` field in the inputs and outputs last.
fn model_in_io(inputs: Option<&AttrValue>, outputs: Option<&AttrValue>) -> Option<String> {
    [inputs, outputs]
        .into_iter()
        .flatten()
        .filter(|v| v.raw().contains("\"model\""))
        .find_map(|v| match v.to_value().get("model") {
            Some(Value::String(m)) => Some(m.clone()),
            _ => None,
        })
}

/// [`derive`] for a span that arrived over OTLP: MLflow's server translates every such span
/// when it stores it, its own SDK's too (a model named in the inputs becomes the model).
pub fn derive_received(span: &mut Span) {
    derive(span);
    if span.model().is_none()
        && let Some(m) = model_in_io(span.inputs(), span.outputs())
    {
        span.derived.get_or_insert_with(Default::default).model = Some(m);
    }
}

/// Works out what a span's OpenTelemetry conventions say and MLflow's attributes do not, as
/// MLflow's server does when it stores an OTLP span, and the conversation besides.
pub fn derive(span: &mut Span) {
    // most spans (MLflow's own) carry none of it: one pass over the keys says so
    let any = span.attributes.iter().any(|(k, _)| {
        k.starts_with("gen_ai.")
            || k.starts_with("llm.")
            || k.starts_with("openinference.")
            || k.starts_with("traceloop.")
            || k.starts_with("embedding.")
            || k == "input.value"
            || k == "output.value"
    }) || span.events.iter().any(|e| e.name.starts_with("gen_ai."));
    if !any {
        return;
    }
    let mut d = Derived::default();
    if span.span_type == SpanType::Unknown
        && let Some((t, name)) = span_type(span)
    {
        span.span_type = t;
        d.convention = name;
    }
    let mark = |d: &mut Derived, name: &'static str| {
        if d.convention.is_empty() {
            d.convention = name;
        }
    };
    if span.attr(keys::SPAN_INPUTS).is_none() {
        d.inputs = CONVENTIONS
            .iter()
            .find_map(|c| first(span, c.inputs).map(|v| (c.name, v)))
            .or_else(|| numbered(span, "gen_ai.prompt.", prompt_leaf).map(|v| ("openllmetry", v)))
            .map(|(name, v)| {
                mark(&mut d, name);
                unwrapped(v)
            });
    }
    if span.attr(keys::SPAN_OUTPUTS).is_none() {
        d.outputs = CONVENTIONS
            .iter()
            .find_map(|c| first(span, c.outputs).map(|v| (c.name, v)))
            .or_else(|| {
                numbered(span, "gen_ai.completion.", |r| r == "content").map(|v| ("openllmetry", v))
            })
            .map(|(name, v)| {
                mark(&mut d, name);
                unwrapped(v)
            });
    }
    if span.attr(keys::SPAN_CHAT_USAGE).is_none() {
        d.usage = CONVENTIONS.iter().find_map(|c| {
            let (i, o, t) = (
                int(span, c.input_tokens),
                int(span, c.output_tokens),
                int(span, c.total_tokens),
            );
            if i.is_none() && o.is_none() && t.is_none() {
                return None;
            }
            let total = t.or(i.zip(o).map(|(i, o)| i.saturating_add(o)));
            Some(TokenUsage {
                input: i.unwrap_or(0),
                output: o.unwrap_or(0),
                total: total.unwrap_or(i.unwrap_or(0).saturating_add(o.unwrap_or(0))),
                cache_read: int(span, c.cache_read),
                cache_creation: int(span, c.cache_write),
            })
        });
    }
    if span.attr(keys::SPAN_MODEL).is_none() {
        d.model = CONVENTIONS.iter().find_map(|c| {
            first(span, c.models).and_then(|v| match decoded(v) {
                Value::String(s) => Some(s),
                _ => None,
            })
        });
    }
    if span.attr(keys::SPAN_MODEL).is_none() && d.model.is_none() {
        d.model = model_in_io(d.inputs.as_ref(), d.outputs.as_ref());
    }
    if span.attr(keys::SPAN_PROVIDER).is_none() {
        d.provider = CONVENTIONS.iter().find_map(|c| {
            first(span, &[c.provider]).and_then(|v| match decoded(v) {
                Value::String(s) => Some(s),
                _ => None,
            })
        });
    }
    // the conversation, from the flattened forms MLflow does not read
    let mut msgs = flattened(span, "llm.input_messages.");
    msgs.extend(flattened(span, "llm.output_messages."));
    if msgs.is_empty() {
        msgs = flattened(span, "gen_ai.prompt.");
        msgs.extend(flattened(span, "gen_ai.completion."));
    }
    if msgs.is_empty() {
        msgs = event_messages(span);
    }
    d.messages = msgs;
    if d.inputs.is_some()
        || d.outputs.is_some()
        || d.usage.is_some()
        || d.model.is_some()
        || d.provider.is_some()
        || !d.messages.is_empty()
    {
        if d.convention.is_empty() {
            d.convention = "gen_ai";
        }
        span.derived = Some(Box::new(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attributes, StatusCode};

    fn span(attrs: &[(&str, Value)]) -> Span {
        let mut s = Span {
            span_id: "a".into(),
            parent_id: None,
            name: "chat gpt-4o".into(),
            span_type: SpanType::Unknown,
            status: StatusCode::Ok,
            status_message: String::new(),
            start_ns: 0,
            end_ns: Some(1),
            attributes: Attributes::new(
                attrs
                    .iter()
                    .map(|(k, v)| (crate::model::attr::attr_key(k), AttrValue::from_value(v)))
                    .collect(),
            ),
            events: vec![],
            derived: None,
        };
        derive(&mut s);
        s
    }

    #[test]
    fn gen_ai_messages_become_a_conversation() {
        let input =
            json!([{"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}]);
        let output = json!([{"role": "assistant", "parts": [{"type": "tool_call", "id": "c1", "name": "get_weather", "arguments": {"city": "Paris"}}], "finish_reason": "tool_call"}]);
        let s = span(&[
            ("gen_ai.operation.name", json!("chat")),
            ("gen_ai.request.model", json!("gpt-4o")),
            ("gen_ai.input.messages", json!(input.to_string())),
            ("gen_ai.output.messages", json!(output.to_string())),
            ("gen_ai.usage.input_tokens", json!(12)),
            ("gen_ai.usage.output_tokens", json!(3)),
        ]);
        assert_eq!(s.span_type, SpanType::ChatModel);
        let msgs = crate::model::chat::messages(&s);
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert_eq!(msgs[0].content, "Weather in Paris?");
        assert_eq!(msgs[1].tool_calls[0].name, "get_weather");
        assert!(msgs[1].tool_calls[0].arguments.contains("Paris"));
        let u = s.token_usage().unwrap();
        assert_eq!((u.input, u.output, u.total), (12, 3, 15));
        assert_eq!(s.model().as_deref(), Some("gpt-4o"));
    }

    #[test]
    fn openinference_flattened_messages() {
        let s = span(&[
            ("openinference.span.kind", json!("LLM")),
            ("input.value", json!("{\"messages\": []}")),
            ("llm.input_messages.0.message.role", json!("user")),
            ("llm.input_messages.0.message.content", json!("hi there")),
            ("llm.output_messages.0.message.role", json!("assistant")),
            ("llm.output_messages.0.message.content", json!("hello")),
            ("llm.token_count.prompt", json!(5)),
            ("llm.token_count.completion", json!(2)),
        ]);
        assert_eq!(s.span_type, SpanType::Llm);
        let msgs = crate::model::chat::messages(&s);
        let texts: Vec<&str> = msgs.iter().map(|m| m.content.as_str()).collect();
        assert_eq!(texts, ["hi there", "hello"]);
        assert_eq!(s.token_usage().unwrap().total, 7);
    }

    #[test]
    fn mlflow_attributes_win() {
        let s = span(&[
            ("mlflow.spanType", json!("\"TOOL\"")),
            ("mlflow.spanInputs", json!("{\"q\": 1}")),
            ("openinference.span.kind", json!("LLM")),
            ("input.value", json!("other")),
        ]);
        assert!(s.derived.as_ref().is_none_or(|d| d.inputs.is_none()));
        assert!(is_io_key("input.value"));
        assert!(is_io_key("llm.input_messages.0.message.role"));
    }
}
