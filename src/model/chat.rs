//! Chat messages and tool definitions of a span, from `mlflow.chat.messages` (2.20-3.2 traces),
//! or derived from the inputs and outputs in the common provider shapes (OpenAI chat
//! completions and responses, Anthropic, Gemini, LangChain-style `messages`), as MLflow's UI does.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Span, keys};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolCall {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub name: String,
    pub arguments: String,
}

/// One message of a conversation. A tool's answer is a message of its own (role `tool`, the
/// call it answers in `tool_call_id`), whichever format carried it: OpenAI's `tool` role, an
/// Anthropic `tool_result` block, a Responses-API `function_call_output`, a Bedrock
/// `toolResult`, a Gemini `functionResponse`.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct ChatMessage {
    pub role: String,
    pub content: String,
    /// Thinking and reasoning summaries the model returned beside its answer.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasoning: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// A tool result that says it failed (Anthropic `is_error`, Bedrock `status: error`).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl ChatMessage {
    fn new(role: &str) -> Self {
        ChatMessage {
            role: role.to_string(),
            ..Default::default()
        }
    }
    fn is_blank(&self) -> bool {
        self.content.is_empty() && self.reasoning.is_empty() && self.tool_calls.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ToolDef {
    pub name: String,
    pub description: String,
    pub parameters: Option<Value>,
}

fn str_of<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a str> {
    keys.iter().find_map(|k| o.get(*k).and_then(Value::as_str))
}

/// A value as text: a string as is, content parts joined, anything else as compact JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(_) => {
            let mut m = ChatMessage::default();
            let mut results = Vec::new();
            read_content(v, &mut m, &mut results);
            m.content
        }
        Value::Object(o) => match str_of(o, &["text"]) {
            Some(t) => t.to_string(),
            None => v.to_string(),
        },
        other => other.to_string(),
    }
}

fn arguments_text(v: Option<&Value>) -> String {
    match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

fn push_text(m: &mut ChatMessage, t: &str) {
    if t.is_empty() {
        return;
    }
    if !m.content.is_empty() {
        m.content.push('\n');
    }
    m.content.push_str(t);
}

fn tool_result(id: Option<&str>, content: String, is_error: bool) -> ChatMessage {
    ChatMessage {
        role: "tool".into(),
        content,
        tool_call_id: id.map(str::to_string),
        is_error,
        ..Default::default()
    }
}

/// Reads content parts into the message (text, reasoning, tool calls); tool results found
/// among them become messages of their own in `results`.
fn read_content(content: &Value, m: &mut ChatMessage, results: &mut Vec<ChatMessage>) {
    let parts = match content {
        Value::Array(parts) => parts,
        Value::Null => return,
        Value::String(s) => return push_text(m, s),
        other => return push_text(m, &value_text(other)),
    };
    for p in parts {
        let Some(o) = p.as_object() else {
            if let Some(s) = p.as_str() {
                push_text(m, s);
            } else if !p.is_null() {
                push_text(m, &p.to_string());
            }
            continue;
        };
        match o.get("type").and_then(Value::as_str) {
            Some("thinking") => m
                .reasoning
                .push(str_of(o, &["thinking"]).unwrap_or_default().to_string()),
            Some("redacted_thinking") => m.reasoning.push("[redacted thinking]".into()),
            // GenAI and Responses-API reasoning parts
            Some("reasoning") | Some("reasoning_text") | Some("summary_text") => m.reasoning.push(
                str_of(o, &["content", "text"])
                    .unwrap_or_default()
                    .to_string(),
            ),
            Some("tool_use") | Some("server_tool_use") | Some("mcp_tool_use") => {
                m.tool_calls.push(ToolCall {
                    id: str_of(o, &["id"]).map(str::to_string),
                    name: str_of(o, &["name"]).unwrap_or("?").to_string(),
                    arguments: arguments_text(o.get("input")),
                })
            }
            Some(t) if t == "tool_result" || t.ends_with("_tool_result") => {
                results.push(tool_result(
                    str_of(o, &["tool_use_id", "id"]),
                    o.get("content").map(value_text).unwrap_or_default(),
                    o.get("is_error").and_then(Value::as_bool).unwrap_or(false),
                ))
            }
            Some("refusal") => push_text(
                m,
                &format!("[refusal] {}", str_of(o, &["refusal"]).unwrap_or("")),
            ),
            ty => {
                // Bedrock converse blocks: {"text"}, {"toolUse"}, {"toolResult"},
                // {"reasoningContent"}; Gemini parts: {"text"}, {"functionCall"},
                // {"functionResponse"}, {"thought": true, "text"}
                if let Some(u) = o.get("toolUse").and_then(Value::as_object) {
                    m.tool_calls.push(ToolCall {
                        id: str_of(u, &["toolUseId"]).map(str::to_string),
                        name: str_of(u, &["name"]).unwrap_or("?").to_string(),
                        arguments: arguments_text(u.get("input")),
                    });
                } else if let Some(r) = o.get("toolResult").and_then(Value::as_object) {
                    results.push(tool_result(
                        str_of(r, &["toolUseId"]),
                        r.get("content").map(value_text).unwrap_or_default(),
                        str_of(r, &["status"]) == Some("error"),
                    ));
                } else if let Some(r) = o.get("reasoningContent") {
                    let t = r
                        .pointer("/reasoningText/text")
                        .and_then(Value::as_str)
                        .unwrap_or("[reasoning]");
                    m.reasoning.push(t.to_string());
                } else if let Some(c) = o
                    .get("functionCall")
                    .or_else(|| o.get("function_call"))
                    .and_then(Value::as_object)
                {
                    m.tool_calls.push(ToolCall {
                        id: str_of(c, &["id"]).map(str::to_string),
                        name: str_of(c, &["name"]).unwrap_or("?").to_string(),
                        arguments: arguments_text(c.get("args").or_else(|| c.get("arguments"))),
                    });
                } else if let Some(r) = o
                    .get("functionResponse")
                    .or_else(|| o.get("function_response"))
                    .and_then(Value::as_object)
                {
                    let mut res = tool_result(
                        str_of(r, &["id"]),
                        r.get("response").map(value_text).unwrap_or_default(),
                        false,
                    );
                    res.name = str_of(r, &["name"]).map(str::to_string);
                    results.push(res);
                } else if o.get("thought").and_then(Value::as_bool) == Some(true) {
                    m.reasoning
                        .push(str_of(o, &["text"]).unwrap_or_default().to_string());
                } else if let Some(t) = str_of(o, &["text", "content"]) {
                    // OpenAI and Anthropic parts hold `text`; GenAI parts `content`
                    push_text(m, t);
                } else if let Some(json) = o.get("json") {
                    push_text(m, &json.to_string());
                } else {
                    push_text(m, &format!("[{}]", ty.unwrap_or("part")));
                }
            }
        }
    }
}

/// OpenAI `tool_calls` (LangChain's `{name, args, id}` too) and the legacy `function_call`.
fn read_tool_calls(o: &Map<String, Value>, m: &mut ChatMessage) {
    if let Some(calls) = o.get("tool_calls").and_then(Value::as_array) {
        for c in calls {
            let f = c.get("function").unwrap_or(c);
            m.tool_calls.push(ToolCall {
                id: c.get("id").and_then(Value::as_str).map(str::to_string),
                name: f
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string(),
                arguments: arguments_text(f.get("arguments").or_else(|| f.get("args"))),
            });
        }
    }
    if let Some(f) = o.get("function_call").and_then(Value::as_object) {
        m.tool_calls.push(ToolCall {
            id: None,
            name: str_of(f, &["name"]).unwrap_or("?").to_string(),
            arguments: arguments_text(f.get("arguments")),
        });
    }
}

/// A Responses-API item that is not a message: a call, a call's output, reasoning.
fn response_item(o: &Map<String, Value>, ty: &str) -> Option<ChatMessage> {
    let id = || str_of(o, &["call_id", "id"]).map(str::to_string);
    if ty == "reasoning" {
        let mut m = ChatMessage::new("assistant");
        for key in ["summary", "content"] {
            if let Some(parts) = o.get(key).and_then(Value::as_array) {
                for p in parts {
                    if let Some(t) = p.get("text").and_then(Value::as_str) {
                        m.reasoning.push(t.to_string());
                    }
                }
            }
        }
        if m.reasoning.is_empty() {
            m.reasoning.push("[reasoning]".into());
        }
        return Some(m);
    }
    if ty.ends_with("_call_output") {
        return Some(tool_result(
            str_of(o, &["call_id", "id"]),
            o.get("output").map(value_text).unwrap_or_default(),
            false,
        ));
    }
    if ty.ends_with("_call") {
        let mut m = ChatMessage::new("assistant");
        // a built-in tool (web search, file search, MCP…) is named by its type
        let name = str_of(o, &["name"]).unwrap_or(ty).to_string();
        let arguments = match o.get("arguments").or_else(|| o.get("input")) {
            Some(a) => arguments_text(Some(a)),
            None => {
                let rest: Map<String, Value> = o
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "id" | "type" | "status" | "call_id"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                Value::Object(rest).to_string()
            }
        };
        m.tool_calls.push(ToolCall {
            id: id(),
            name,
            arguments,
        });
        return Some(m);
    }
    None
}

/// PydanticAI's messages: a request's parts are the system prompt, the user's words and tool
/// returns (each a message of its own); a response's parts are text, thinking and tool calls.
fn pydantic_ai_messages(kind: &str, parts: &[Value]) -> Vec<ChatMessage> {
    let mut out = Vec::new();
    let mut reply = ChatMessage::new("assistant");
    for p in parts {
        let Some(o) = p.as_object() else { continue };
        let content = || o.get("content").map(value_text).unwrap_or_default();
        match o.get("part_kind").and_then(Value::as_str).unwrap_or("") {
            "system-prompt" => out.push(ChatMessage {
                content: content(),
                ..ChatMessage::new("system")
            }),
            "user-prompt" => out.push(ChatMessage {
                content: content(),
                ..ChatMessage::new("user")
            }),
            k @ ("tool-return" | "retry-prompt") => {
                let mut r =
                    tool_result(str_of(o, &["tool_call_id"]), content(), k == "retry-prompt");
                r.name = str_of(o, &["tool_name"]).map(str::to_string);
                out.push(r);
            }
            "text" => push_text(&mut reply, &content()),
            "thinking" => reply.reasoning.push(content()),
            "tool-call" | "builtin-tool-call" => reply.tool_calls.push(ToolCall {
                id: str_of(o, &["tool_call_id"]).map(str::to_string),
                name: str_of(o, &["tool_name"]).unwrap_or("?").to_string(),
                arguments: arguments_text(o.get("args")),
            }),
            _ => {}
        }
    }
    if kind == "response" && !reply.is_blank() {
        out.push(reply);
    }
    out
}

/// The role LangChain's serialized messages carry in their class name.
fn langchain_role(o: &Map<String, Value>) -> Option<&'static str> {
    let class = o.get("id")?.as_array()?.last()?.as_str()?;
    Some(match class {
        "HumanMessage" | "HumanMessageChunk" => "user",
        "AIMessage" | "AIMessageChunk" => "assistant",
        "SystemMessage" => "system",
        "ToolMessage" | "FunctionMessage" => "tool",
        _ => "message",
    })
}

/// One stored message as chat messages: usually one; a turn that carries tool results
/// (Anthropic, Bedrock, Gemini) becomes one message per result, after its own text.
fn messages_from(v: &Value) -> Vec<ChatMessage> {
    // OpenTelemetry GenAI messages (`{"role", "parts": [...]}`): OpenAI's shape first
    let typed_parts = v
        .get("parts")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p.get("type").is_some()));
    if typed_parts && v.get("content").is_none() {
        let converted = crate::model::semconv::openai_message(v);
        if converted.iter().all(|m| m.get("parts").is_none()) {
            return converted.iter().flat_map(messages_from).collect();
        }
    }
    let Some(o) = v.as_object() else {
        return Vec::new();
    };
    // PydanticAI: a request or a response of typed parts
    if let (Some(kind), Some(Value::Array(parts))) =
        (o.get("kind").and_then(Value::as_str), o.get("parts"))
        && (kind == "request" || kind == "response")
    {
        return pydantic_ai_messages(kind, parts);
    }
    if let Some(ty) = o.get("type").and_then(Value::as_str)
        && ty != "message"
        && let Some(m) = response_item(o, ty)
    {
        return vec![m];
    }
    // LangChain's serialized form: {"lc": 1, "id": [..., "AIMessage"], "kwargs": {...}}
    if let (Some(role), Some(kwargs)) = (langchain_role(o), o.get("kwargs"))
        && o.get("role").is_none()
    {
        let mut inner = kwargs.clone();
        if let Some(k) = inner.as_object_mut() {
            k.entry("role").or_insert_with(|| Value::from(role));
        }
        return messages_from(&inner);
    }
    let Some(role) = str_of(o, &["role", "type"]) else {
        return Vec::new();
    };
    let mut m = ChatMessage::new(role);
    let mut results = Vec::new();
    // LlamaIndex keeps a message's content in `blocks` ({"block_type": "text", "text"})
    if let Some(c) = o
        .get("content")
        .filter(|c| !c.is_null())
        .or_else(|| o.get("parts"))
        .or_else(|| o.get("blocks"))
    {
        read_content(c, &mut m, &mut results);
    }
    if let Some(extra) = o.get("additional_kwargs").and_then(Value::as_object) {
        read_tool_calls(extra, &mut m);
    }
    for key in ["reasoning_content", "reasoning"] {
        if let Some(r) = o.get(key).and_then(Value::as_str).filter(|r| !r.is_empty()) {
            m.reasoning.push(r.to_string());
        }
    }
    read_tool_calls(o, &mut m);
    m.tool_call_id = str_of(o, &["tool_call_id"]).map(str::to_string);
    m.name = str_of(o, &["name"]).map(str::to_string);
    let mut out = Vec::new();
    if !m.is_blank() || results.is_empty() {
        out.push(m);
    }
    out.extend(results);
    out
}

fn is_assistant_side(m: &ChatMessage) -> bool {
    matches!(m.role.as_str(), "assistant" | "ai" | "model")
}

/// Responses-API output items arrive one per reasoning, call and message: a run of them
/// from the assistant reads as one message.
fn merge_assistant_runs(list: Vec<ChatMessage>) -> Vec<ChatMessage> {
    let mut out: Vec<ChatMessage> = Vec::with_capacity(list.len());
    for m in list {
        if let Some(prev) = out.last_mut()
            && is_assistant_side(prev)
            && is_assistant_side(&m)
            && prev.tool_calls.is_empty()
            && prev.tool_call_id.is_none()
        {
            let content = m.content;
            push_text(prev, &content);
            prev.reasoning.extend(m.reasoning);
            prev.tool_calls.extend(m.tool_calls);
            continue;
        }
        out.push(m);
    }
    out
}

fn is_response_item(v: &Value) -> bool {
    v.get("type")
        .and_then(Value::as_str)
        .is_some_and(|t| t == "reasoning" || t.ends_with("_call") || t == "message")
}

fn messages_of(list: &Value) -> Vec<ChatMessage> {
    let Some(items) = list.as_array() else {
        return Vec::new();
    };
    // LangChain's chat-model inputs: a batch of message lists
    if items.iter().all(Value::is_array) {
        return items.iter().flat_map(messages_of).collect();
    }
    let out: Vec<ChatMessage> = items.iter().flat_map(messages_from).collect();
    if items.iter().any(is_response_item) {
        merge_assistant_runs(out)
    } else {
        out
    }
}

/// A system prompt given beside the messages: Anthropic and Bedrock `system`, Responses-API
/// `instructions`, Gemini `system_instruction` (or `config.system_instruction`).
fn system_prompt(inputs: &Value) -> Option<ChatMessage> {
    let v = inputs
        .get("system")
        .or_else(|| inputs.get("instructions"))
        .or_else(|| inputs.get("system_instruction"))
        .or_else(|| inputs.pointer("/config/system_instruction"))?;
    let mut m = ChatMessage::new("system");
    let mut results = Vec::new();
    match v {
        Value::Object(o) if o.contains_key("parts") => {
            read_content(&o["parts"], &mut m, &mut results)
        }
        other => read_content(other, &mut m, &mut results),
    }
    (!m.content.is_empty()).then_some(m)
}

/// Messages in a span's inputs: `{"messages": [...]}`, `[...]`, Gemini `contents`,
/// Responses-API `input`, with a system prompt given beside them first.
fn input_messages(inputs: &Value) -> Vec<ChatMessage> {
    let list = if let Some(list) = inputs.get("messages") {
        messages_of(list)
    } else if let Some(list) = inputs.get("contents") {
        match list {
            Value::String(s) => vec![ChatMessage {
                content: s.clone(),
                ..ChatMessage::new("user")
            }],
            other => messages_of(other),
        }
    } else if let Some(list) = inputs.get("input").filter(|v| v.is_array()) {
        messages_of(list)
    } else if let (Some(Value::String(s)), Some(_)) = (inputs.get("input"), inputs.get("model")) {
        // the Responses API takes a bare string as the user's message
        vec![ChatMessage {
            content: s.clone(),
            ..ChatMessage::new("user")
        }]
    } else if inputs.is_array() {
        messages_of(inputs)
    } else {
        Vec::new()
    };
    if list.is_empty() {
        return list;
    }
    match system_prompt(inputs) {
        Some(sys) if list.first().is_none_or(|m| m.role != "system") => {
            std::iter::once(sys).chain(list).collect()
        }
        _ => list,
    }
}

/// Messages in a span's outputs: OpenAI `choices[].message`, a single message (Anthropic
/// `{"role":"assistant","content":[…]}`), Responses-API `output`, Gemini `candidates`,
/// Bedrock `output.message`, LangChain `generations`, DSPy's list of completions.
fn output_messages(outputs: &Value) -> Vec<ChatMessage> {
    if let Some(choices) = outputs.get("choices").and_then(Value::as_array) {
        return choices
            .iter()
            .flat_map(|c| match c.get("message") {
                Some(m) => messages_from(m),
                None => completion_text(c),
            })
            .collect();
    }
    if let Some(list) = outputs.get("output").filter(|v| v.is_array()) {
        return messages_of(list);
    }
    if let Some(m) = outputs.pointer("/output/message") {
        return messages_from(m);
    }
    // LlamaIndex: {"message": {...}, "raw": …}
    if let Some(m) = outputs.get("message").filter(|m| m.is_object()) {
        return messages_from(m);
    }
    if let Some(cands) = outputs.get("candidates").and_then(Value::as_array) {
        return cands
            .iter()
            .filter_map(|c| c.get("content"))
            .flat_map(messages_from)
            .collect();
    }
    if let Some(gens) = outputs.get("generations").and_then(Value::as_array) {
        return gens
            .iter()
            .flat_map(|g| g.as_array().cloned().unwrap_or_else(|| vec![g.clone()]))
            .flat_map(|g| match g.get("message") {
                Some(m) => {
                    let mut list = messages_from(m);
                    for m in &mut list {
                        if m.role == "ai" || m.role == "AIMessageChunk" {
                            m.role = "assistant".into();
                        }
                    }
                    list
                }
                None => completion_text(&g),
            })
            .collect();
    }
    // GenAI output messages, or a list of completions (DSPy: strings or {"text": …})
    if let Some(items) = outputs.as_array() {
        return items
            .iter()
            .flat_map(|i| match i {
                Value::String(_) => completion_text(i),
                Value::Object(o) if !o.contains_key("role") && o.contains_key("text") => {
                    completion_text(i)
                }
                other => messages_from(other),
            })
            .collect();
    }
    messages_from(outputs)
}

/// A completion given as text (a string, or an object holding `text`): the assistant's.
fn completion_text(v: &Value) -> Vec<ChatMessage> {
    let text = match v {
        Value::String(s) => s.as_str(),
        other => match other.get("text").and_then(Value::as_str) {
            Some(t) => t,
            None => return Vec::new(),
        },
    };
    vec![ChatMessage {
        content: text.to_string(),
        ..ChatMessage::new("assistant")
    }]
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
            .map(|d| d.messages.iter().flat_map(messages_from).collect())
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

    fn span_with(inputs: serde_json::Value, outputs: serde_json::Value) -> Span {
        let enc = |v: &serde_json::Value| {
            serde_json::to_string(&serde_json::to_string(v).unwrap()).unwrap()
        };
        parse_span(&format!(
            r#"{{"name":"call","span_id":"aa","attributes":{{"mlflow.spanInputs":{},"mlflow.spanOutputs":{}}}}}"#,
            enc(&inputs),
            enc(&outputs)
        ))
        .unwrap()
    }

    /// Gemini (`google-genai`): `contents` with parts, a function call and its response, a
    /// thought, the system instruction in the config.
    #[test]
    fn gemini_contents_and_candidates() {
        let s = span_with(
            serde_json::json!({
                "model": "gemini-2.5-flash",
                "config": {"system_instruction": "Be brief."},
                "contents": [
                    {"role": "user", "parts": [{"text": "Weather?"}]},
                    {"role": "model", "parts": [{"function_call": {"name": "get_weather", "args": {"city": "Paris"}}}]},
                    {"role": "user", "parts": [{"function_response": {"name": "get_weather", "response": {"temp": 18}}}]}
                ]
            }),
            serde_json::json!({"candidates": [{"content": {"role": "model", "parts": [
                {"text": "Checking the numbers.", "thought": true},
                {"text": "18°C."}
            ]}}]}),
        );
        let m = messages(&s);
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(
            roles,
            ["system", "user", "model", "tool", "model"],
            "{m:#?}"
        );
        assert_eq!(m[0].content, "Be brief.");
        assert_eq!(m[2].tool_calls[0].name, "get_weather");
        assert_eq!(m[2].tool_calls[0].arguments, r#"{"city":"Paris"}"#);
        assert_eq!(m[3].content, r#"{"temp":18}"#);
        assert_eq!(m[3].name.as_deref(), Some("get_weather"));
        assert_eq!(m[4].reasoning, ["Checking the numbers."]);
        assert_eq!(m[4].content, "18°C.");
    }

    /// Bedrock converse: content blocks, a tool result that failed, reasoning, `system`.
    #[test]
    fn bedrock_converse_blocks() {
        let s = span_with(
            serde_json::json!({
                "modelId": "anthropic.claude",
                "system": [{"text": "Be brief."}],
                "messages": [
                    {"role": "user", "content": [{"text": "Weather?"}]},
                    {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "get_weather", "input": {"city": "Paris"}}}]},
                    {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "timeout"}], "status": "error"}}]}
                ]
            }),
            serde_json::json!({"output": {"message": {"role": "assistant", "content": [
                {"reasoningContent": {"reasoningText": {"text": "The tool failed."}}},
                {"text": "Unknown."}
            ]}}}),
        );
        let m = messages(&s);
        let roles: Vec<&str> = m.iter().map(|m| m.role.as_str()).collect();
        assert_eq!(
            roles,
            ["system", "user", "assistant", "tool", "assistant"],
            "{m:#?}"
        );
        assert_eq!(m[2].tool_calls[0].id.as_deref(), Some("t1"));
        assert_eq!(m[2].tool_calls[0].arguments, r#"{"city":"Paris"}"#);
        assert_eq!(
            (
                m[3].tool_call_id.as_deref(),
                m[3].content.as_str(),
                m[3].is_error
            ),
            (Some("t1"), "timeout", true)
        );
        assert_eq!(m[4].reasoning, ["The tool failed."]);
        assert_eq!(m[4].content, "Unknown.");
    }

    /// A function's own `input` argument is not a conversation; the Responses API's is.
    #[test]
    fn a_bare_input_string_is_a_message_only_for_a_model_call() {
        let plain = span_with(
            serde_json::json!({"input": "hello"}),
            serde_json::json!("x"),
        );
        assert!(messages(&plain).is_empty());
        let call = span_with(
            serde_json::json!({"model": "o4-mini", "input": "hello", "instructions": "Be brief."}),
            serde_json::json!({"output": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "hi"}]}]}),
        );
        let m = messages(&call);
        let got: Vec<(&str, &str)> = m
            .iter()
            .map(|m| (m.role.as_str(), m.content.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("system", "Be brief."),
                ("user", "hello"),
                ("assistant", "hi")
            ]
        );
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
