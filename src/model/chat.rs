//! Chat messages and tool definitions of a span, from `mlflow.chat.messages` (2.20-3.2 traces),
//! or derived from the inputs and outputs in the common provider shapes (OpenAI chat
//! completions and responses, Anthropic, Gemini, LangChain-style `messages`), as MLflow's UI does.

use serde_json::Value;

use super::{Span, keys};

#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    pub id: Option<String>,
    pub name: String,
    pub arguments: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
    pub tool_calls: Vec<ToolCall>,
    pub tool_call_id: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub parameters: Option<Value>,
}

fn text_of(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        // content parts: [{"type":"text","text":…}, {"type":"image_url",…}]
        Value::Array(parts) => parts
            .iter()
            .map(|p| match p {
                Value::String(s) => s.clone(),
                // OpenAI and Anthropic parts hold `text`; GenAI parts `content`
                Value::Object(o) => o
                    .get("text")
                    .or_else(|| o.get("content"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| {
                        let ty = o.get("type").and_then(Value::as_str).unwrap_or("part");
                        format!("[{ty}]")
                    }),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

fn tool_calls_of(m: &serde_json::Map<String, Value>) -> Vec<ToolCall> {
    let mut out = Vec::new();
    if let Some(calls) = m.get("tool_calls").and_then(Value::as_array) {
        for c in calls {
            let f = c.get("function").unwrap_or(c);
            let args = match f.get("arguments").or_else(|| f.get("args")) {
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            };
            out.push(ToolCall {
                id: c.get("id").and_then(Value::as_str).map(str::to_string),
                name: f
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                arguments: args,
            });
        }
    }
    // Anthropic: content blocks of type tool_use
    if let Some(Value::Array(parts)) = m.get("content") {
        for p in parts {
            if p.get("type").and_then(Value::as_str) == Some("tool_use") {
                out.push(ToolCall {
                    id: p.get("id").and_then(Value::as_str).map(str::to_string),
                    name: p
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("?")
                        .to_string(),
                    arguments: p.get("input").map(Value::to_string).unwrap_or_default(),
                });
            }
        }
    }
    out
}

fn message_of(v: &Value) -> Option<ChatMessage> {
    // OpenTelemetry GenAI messages (`{"role", "parts": [...]}`): OpenAI's shape first
    if v.get("parts").is_some_and(Value::is_array) && v.get("content").is_none() {
        let mut it = crate::model::semconv::openai_message(v).into_iter();
        let first = it.next()?;
        if first.get("parts").is_none() {
            return message_of(&first);
        }
    }
    let m = v.as_object()?;
    let role = m
        .get("role")
        .or_else(|| m.get("type"))
        .and_then(Value::as_str)?
        .to_string();
    let content = m
        .get("content")
        .or_else(|| m.get("parts"))
        .map(text_of)
        .unwrap_or_default();
    Some(ChatMessage {
        role,
        content,
        tool_calls: tool_calls_of(m),
        tool_call_id: m
            .get("tool_call_id")
            .and_then(Value::as_str)
            .map(str::to_string),
        name: m.get("name").and_then(Value::as_str).map(str::to_string),
    })
}

fn messages_of(list: &Value) -> Vec<ChatMessage> {
    list.as_array()
        .map(|a| {
            a.iter()
                .flat_map(|m| {
                    // a GenAI message can hold a tool's answer beside text: several messages
                    if m.get("parts").is_some_and(Value::is_array) && m.get("content").is_none() {
                        crate::model::semconv::openai_message(m)
                            .iter()
                            .filter_map(message_of)
                            .collect()
                    } else {
                        message_of(m).into_iter().collect::<Vec<_>>()
                    }
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Messages in a span's inputs: `{"messages": [...]}`, `[...]`, Gemini `contents`.
fn input_messages(inputs: &Value) -> Vec<ChatMessage> {
    if let Some(list) = inputs.get("messages") {
        return messages_of(list);
    }
    if let Some(list) = inputs.get("contents") {
        return messages_of(list);
    }
    if let Some(list) = inputs.get("input").filter(|v| v.is_array()) {
        return messages_of(list);
    }
    if inputs.is_array() {
        return messages_of(inputs);
    }
    Vec::new()
}

/// Messages in a span's outputs: OpenAI `choices[].message`, a single message, Anthropic
/// `{"role":"assistant","content":[…]}`, responses-API `output`.
fn output_messages(outputs: &Value) -> Vec<ChatMessage> {
    if let Some(choices) = outputs.get("choices").and_then(Value::as_array) {
        return choices
            .iter()
            .filter_map(|c| c.get("message").and_then(message_of))
            .collect();
    }
    if let Some(list) = outputs.get("output").filter(|v| v.is_array()) {
        return messages_of(list);
    }
    // GenAI output messages: a list
    if outputs.is_array() {
        return messages_of(outputs);
    }
    if let Some(m) = message_of(outputs) {
        return vec![m];
    }
    Vec::new()
}

/// The conversation of a span, if it has one.
pub fn messages(span: &Span) -> Vec<ChatMessage> {
    if let Some(v) = span.attr(keys::SPAN_CHAT_MESSAGES) {
        let list = messages_of(&v.to_value());
        if !list.is_empty() {
            return list;
        }
    }
    let mut out = span
        .inputs()
        .map(|v| input_messages(&v.to_value()))
        .unwrap_or_default();
    if out.is_empty() {
        // flattened message attributes or GenAI events (OpenTelemetry spans)
        return span
            .derived
            .as_ref()
            .map(|d| d.messages.iter().filter_map(message_of).collect())
            .unwrap_or_default();
    }
    if let Some(o) = span.outputs() {
        out.extend(output_messages(&o.to_value()));
    }
    out
}

/// Tool definitions offered to the model (`mlflow.chat.tools`, or `tools` in the inputs).
pub fn tools(span: &Span) -> Vec<ToolDef> {
    let v = span
        .attr(keys::SPAN_CHAT_TOOLS)
        .map(|a| a.to_value())
        .or_else(|| {
            span.inputs()
                .and_then(|i| i.to_value().get("tools").cloned())
        })
        .unwrap_or(Value::Null);
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    let f = t.get("function").unwrap_or(t);
                    Some(ToolDef {
                        name: f.get("name")?.as_str()?.to_string(),
                        description: f
                            .get("description")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                            .to_string(),
                        parameters: f
                            .get("parameters")
                            .or_else(|| f.get("input_schema"))
                            .cloned(),
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::parse::parse_span;

    #[test]
    fn openai_shapes() {
        let s = parse_span(
            r#"{"name":"chat","span_id":"aa","attributes":{
            "mlflow.spanInputs":"{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
            "mlflow.spanOutputs":"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"c1\",\"type\":\"function\",\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\":1}\"}}]}}]}",
            "mlflow.chat.tools":"[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"description\":\"adds\"}}]"}}"#,
        )
        .unwrap();
        let m = messages(&s);
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].content, "hi");
        assert_eq!(m[1].tool_calls[0].name, "add");
        assert_eq!(m[1].tool_calls[0].arguments, "{\"a\":1}");
        assert_eq!(tools(&s)[0].description, "adds");
    }

    /// An OpenTelemetry span as an MLflow store keeps it (every attribute JSON-encoded, the
    /// GenAI messages a string holding JSON, so encoded twice) and without MLflow's own
    /// inputs: read as MLflow's server reads it, its conversation in the Chat tab.
    #[test]
    fn gen_ai_spans_from_a_store_read_as_mlflow_reads_them() {
        let input = r#"[{"role":"user","parts":[{"type":"text","content":"Weather?"}]}]"#;
        let output = r#"[{"role":"assistant","parts":[{"type":"text","content":"Sunny."},{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}]}]"#;
        let enc = |s: &str| serde_json::to_string(&serde_json::to_string(s).unwrap()).unwrap();
        let text = format!(
            r#"{{"name":"chat","span_id":"aa","attributes":{{
            "gen_ai.operation.name":"\"chat\"",
            "gen_ai.request.model":"\"gpt-4o\"",
            "gen_ai.usage.input_tokens":"12",
            "gen_ai.input.messages":{},
            "gen_ai.output.messages":{}}}}}"#,
            enc(input),
            enc(output)
        );
        let s = parse_span(&text).unwrap();
        assert_eq!(s.span_type, crate::model::SpanType::ChatModel);
        assert_eq!(s.model().as_deref(), Some("gpt-4o"));
        assert_eq!(s.token_usage().map(|u| u.input), Some(12));
        assert!(s.inputs().is_some_and(|v| v.to_value().is_array()));
        let m = messages(&s);
        assert_eq!(m.len(), 2, "{m:?}");
        assert_eq!(
            (m[0].role.as_str(), m[0].content.as_str()),
            ("user", "Weather?")
        );
        assert_eq!(m[1].content, "Sunny.");
        assert_eq!(m[1].tool_calls[0].name, "get_weather");
    }

    #[test]
    fn no_chat_for_plain_spans() {
        let s = parse_span(
            r#"{"name":"x","span_id":"aa","attributes":{"mlflow.spanInputs":"{\"q\":1}"}}"#,
        )
        .unwrap();
        assert!(messages(&s).is_empty());
        assert!(tools(&s).is_empty());
    }
}
