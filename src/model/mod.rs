//! The trace model every pane and source uses: a trace is its info (the summary a list shows)
//! plus its spans, arranged in a [`tree::SpanTree`].

pub mod analysis;
pub mod attr;
pub mod chat;
pub mod diff;
pub mod filter;
pub mod lint;
pub mod mlflow_json;
pub mod parse;
pub mod review;
pub mod semconv;
pub mod sessions;
pub mod stats;
pub mod time;
pub mod transcript;
pub mod tree;

use std::collections::BTreeMap;

use serde::Serialize;

pub use attr::{AttrValue, Attributes};
pub use tree::SpanTree;

/// Well-known metadata and tag keys (see MLflow's `tracing/constant.py`).
pub mod keys {
    pub const TRACE_NAME: &str = "mlflow.traceName";
    pub const USER: &str = "mlflow.trace.user";
    pub const SESSION: &str = "mlflow.trace.session";
    pub const TOKEN_USAGE: &str = "mlflow.trace.tokenUsage";
    pub const COST: &str = "mlflow.trace.cost";
    pub const SIZE_STATS: &str = "mlflow.trace.sizeStats";
    pub const TRACE_INPUTS: &str = "mlflow.traceInputs";
    pub const TRACE_OUTPUTS: &str = "mlflow.traceOutputs";
    pub const SPANS_LOCATION: &str = "mlflow.trace.spansLocation";
    pub const ARTIFACT_LOCATION: &str = "mlflow.artifactLocation";

    pub const SPAN_TYPE: &str = "mlflow.spanType";
    pub const SPAN_INPUTS: &str = "mlflow.spanInputs";
    pub const SPAN_OUTPUTS: &str = "mlflow.spanOutputs";
    pub const SPAN_CHAT_USAGE: &str = "mlflow.chat.tokenUsage";
    pub const SPAN_CHAT_MESSAGES: &str = "mlflow.chat.messages";
    pub const SPAN_CHAT_TOOLS: &str = "mlflow.chat.tools";
    pub const SPAN_MODEL: &str = "mlflow.llm.model";
    pub const SPAN_PROVIDER: &str = "mlflow.llm.provider";
    pub const SPAN_COST: &str = "mlflow.llm.cost";
    pub const MESSAGE_FORMAT: &str = "mlflow.message.format";
}

/// The state of a whole trace (v3 `state`, v2 `status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default, PartialOrd, Ord)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TraceState {
    Ok,
    Error,
    InProgress,
    #[default]
    Unspecified,
}

impl TraceState {
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_uppercase().as_str() {
            "OK" | "STATE_OK" => TraceState::Ok,
            "ERROR" | "STATE_ERROR" => TraceState::Error,
            "IN_PROGRESS" | "STATE_IN_PROGRESS" => TraceState::InProgress,
            _ => TraceState::Unspecified,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TraceState::Ok => "OK",
            TraceState::Error => "ERROR",
            TraceState::InProgress => "IN_PROGRESS",
            TraceState::Unspecified => "UNSPECIFIED",
        }
    }
}

/// A span's status code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusCode {
    #[default]
    Unset,
    Ok,
    Error,
}

impl StatusCode {
    pub fn parse(s: &str) -> Self {
        let s = s.trim();
        let s = s.strip_prefix("STATUS_CODE_").unwrap_or(s);
        if s.eq_ignore_ascii_case("OK") {
            StatusCode::Ok
        } else if s.eq_ignore_ascii_case("ERROR") {
            StatusCode::Error
        } else {
            StatusCode::Unset
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            StatusCode::Unset => "UNSET",
            StatusCode::Ok => "OK",
            StatusCode::Error => "ERROR",
        }
    }
}

/// A span's type: one of MLflow's known types, or any other string a user chose.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum SpanType {
    Llm,
    ChatModel,
    Chain,
    Agent,
    Tool,
    Retriever,
    Parser,
    Embedding,
    Reranker,
    Memory,
    Workflow,
    Task,
    Guardrail,
    Evaluator,
    #[default]
    Unknown,
    Custom(String),
}

impl SpanType {
    pub fn parse(s: &str) -> Self {
        match s {
            "LLM" => SpanType::Llm,
            "CHAT_MODEL" => SpanType::ChatModel,
            "CHAIN" => SpanType::Chain,
            "AGENT" => SpanType::Agent,
            "TOOL" => SpanType::Tool,
            "RETRIEVER" => SpanType::Retriever,
            "PARSER" => SpanType::Parser,
            "EMBEDDING" => SpanType::Embedding,
            "RERANKER" => SpanType::Reranker,
            "MEMORY" => SpanType::Memory,
            "WORKFLOW" => SpanType::Workflow,
            "TASK" => SpanType::Task,
            "GUARDRAIL" => SpanType::Guardrail,
            "EVALUATOR" => SpanType::Evaluator,
            "UNKNOWN" | "" => SpanType::Unknown,
            other => SpanType::Custom(other.to_string()),
        }
    }
    pub fn as_str(&self) -> &str {
        match self {
            SpanType::Llm => "LLM",
            SpanType::ChatModel => "CHAT_MODEL",
            SpanType::Chain => "CHAIN",
            SpanType::Agent => "AGENT",
            SpanType::Tool => "TOOL",
            SpanType::Retriever => "RETRIEVER",
            SpanType::Parser => "PARSER",
            SpanType::Embedding => "EMBEDDING",
            SpanType::Reranker => "RERANKER",
            SpanType::Memory => "MEMORY",
            SpanType::Workflow => "WORKFLOW",
            SpanType::Task => "TASK",
            SpanType::Guardrail => "GUARDRAIL",
            SpanType::Evaluator => "EVALUATOR",
            SpanType::Unknown => "UNKNOWN",
            SpanType::Custom(s) => s,
        }
    }
    /// A short badge for the tree and the headless output.
    pub fn badge(&self) -> &str {
        match self {
            SpanType::Llm => "LLM",
            SpanType::ChatModel => "CHAT",
            SpanType::Chain => "CHAIN",
            SpanType::Agent => "AGENT",
            SpanType::Tool => "TOOL",
            SpanType::Retriever => "RETR",
            SpanType::Parser => "PARSE",
            SpanType::Embedding => "EMBED",
            SpanType::Reranker => "RERANK",
            SpanType::Memory => "MEM",
            SpanType::Workflow => "FLOW",
            SpanType::Task => "TASK",
            SpanType::Guardrail => "GUARD",
            SpanType::Evaluator => "EVAL",
            SpanType::Unknown => "SPAN",
            SpanType::Custom(s) => s,
        }
    }
}

impl Serialize for SpanType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Token counts, from `mlflow.chat.tokenUsage` (span) or `mlflow.trace.tokenUsage` (trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct TokenUsage {
    pub input: u64,
    pub output: u64,
    pub total: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_creation: Option<u64>,
}

impl TokenUsage {
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        let obj = v.as_object()?;
        let get = |k: &str| obj.get(k).and_then(attr::as_u64);
        let input = get("input_tokens").or_else(|| get("prompt_tokens"));
        let output = get("output_tokens").or_else(|| get("completion_tokens"));
        let total = get("total_tokens");
        if input.is_none() && output.is_none() && total.is_none() {
            return None;
        }
        let (i, o) = (input.unwrap_or(0), output.unwrap_or(0));
        Some(TokenUsage {
            input: i,
            output: o,
            total: total.unwrap_or(i.saturating_add(o)),
            cache_read: get("cache_read_input_tokens"),
            cache_creation: get("cache_creation_input_tokens"),
        })
    }
    /// `121 in / 40 out / 161 total`, and the cached input tokens when the provider reported
    /// them (`/ 1500 cache read / 200 cache write`).
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} in / {} out / {} total",
            self.input, self.output, self.total
        );
        if let Some(c) = self.cache_read {
            s.push_str(&format!(" / {c} cache read"));
        }
        if let Some(c) = self.cache_creation {
            s.push_str(&format!(" / {c} cache write"));
        }
        s
    }
    pub fn add(&mut self, o: &TokenUsage) {
        self.input = self.input.saturating_add(o.input);
        self.output = self.output.saturating_add(o.output);
        self.total = self.total.saturating_add(o.total);
        let add_opt = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        self.cache_read = add_opt(self.cache_read, o.cache_read);
        self.cache_creation = add_opt(self.cache_creation, o.cache_creation);
    }
}

/// Cost in the provider's currency units (`mlflow.llm.cost`, `mlflow.trace.cost`).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Cost {
    pub input: f64,
    pub output: f64,
    pub total: f64,
}

impl Cost {
    pub fn from_json(v: &serde_json::Value) -> Option<Self> {
        let obj = v.as_object()?;
        let get = |k: &str| obj.get(k).and_then(serde_json::Value::as_f64);
        let total = get("total_cost");
        let (i, o) = (get("input_cost"), get("output_cost"));
        if total.is_none() && i.is_none() && o.is_none() {
            return None;
        }
        Some(Cost {
            input: i.unwrap_or(0.0),
            output: o.unwrap_or(0.0),
            total: total.unwrap_or(i.unwrap_or(0.0) + o.unwrap_or(0.0)),
        })
    }
}

/// An assessment (feedback, expectation or issue) attached to a trace.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Assessment {
    pub id: String,
    pub name: String,
    /// `feedback`, `expectation` or `issue`.
    pub kind: String,
    pub value: Option<serde_json::Value>,
    pub source_type: Option<String>,
    pub source_id: Option<String>,
    pub rationale: Option<String>,
    pub span_id: Option<String>,
    pub error: Option<String>,
    pub valid: Option<bool>,
    /// The id of the assessment this one replaces (a person correcting a judge).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub overrides: Option<String>,
}

impl Assessment {
    /// Pass or fail, for a feedback whose value says so: a boolean, or `yes`/`no`,
    /// `pass`/`fail`, `true`/`false` (any case).
    pub fn verdict(&self) -> Option<bool> {
        match self.value.as_ref()? {
            serde_json::Value::Bool(b) => Some(*b),
            serde_json::Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "yes" | "pass" | "passed" | "true" | "correct" => Some(true),
                "no" | "fail" | "failed" | "false" | "incorrect" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }
    /// The value for a list cell: `pass`/`fail` for verdicts, else the value (strings without
    /// their quotes), `error` when the assessment failed to run.
    pub fn short_value(&self) -> String {
        if let Some(v) = self.verdict() {
            return if v { "pass" } else { "fail" }.into();
        }
        match &self.value {
            Some(serde_json::Value::String(s)) => s.clone(),
            // a stored integer comes back as 4.0 through MLflow's protobuf JSON: one spelling
            Some(serde_json::Value::Number(n))
                if n.as_f64()
                    .is_some_and(|f| f.fract() == 0.0 && f.abs() < 9.0e15) =>
            {
                format!("{}", n.as_f64().unwrap_or_default() as i64)
            }
            Some(v) => v.to_string(),
            None if self.error.is_some() => "error".into(),
            None => "-".into(),
        }
    }
    /// Still in force: not replaced by another.
    pub fn is_valid(&self) -> bool {
        self.valid != Some(false)
    }
    /// Who gave it, in words: a person, an LLM judge, code.
    pub fn source_label(&self) -> String {
        let kind = match self.source_type.as_deref() {
            Some("HUMAN") => "person",
            Some("LLM_JUDGE") => "LLM judge",
            Some("CODE") => "code",
            Some(other) => other,
            None => "unknown source",
        };
        match self.source_id.as_deref().filter(|s| !s.is_empty()) {
            Some(id) => format!("{kind} {id}"),
            None => kind.to_string(),
        }
    }
}

/// Which MLflow generation wrote a trace's info.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub enum Schema {
    V2,
    #[default]
    V3,
}

/// A trace's info: what the list shows, without spans.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct TraceInfo {
    pub trace_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experiment_id: Option<String>,
    /// Start of the trace, milliseconds since the Unix epoch.
    pub request_time_ms: i64,
    /// Duration in milliseconds; `None` while in progress or when not recorded.
    pub duration_ms: Option<i64>,
    pub state: TraceState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_preview: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_preview: Option<String>,
    pub metadata: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub assessments: Vec<Assessment>,
    pub schema: Schema,
}

impl TraceInfo {
    /// The trace name: tag `mlflow.traceName`.
    pub fn name(&self) -> Option<&str> {
        self.tags.get(keys::TRACE_NAME).map(String::as_str)
    }
    pub fn user(&self) -> Option<&str> {
        self.metadata
            .get(keys::USER)
            .or_else(|| self.tags.get(keys::USER))
            .map(String::as_str)
    }
    pub fn session(&self) -> Option<&str> {
        self.metadata
            .get(keys::SESSION)
            .or_else(|| self.tags.get(keys::SESSION))
            .map(String::as_str)
    }
    /// Token totals the trace recorded in its metadata.
    pub fn token_usage(&self) -> Option<TokenUsage> {
        let raw = self.metadata.get(keys::TOKEN_USAGE)?;
        TokenUsage::from_json(&serde_json::from_str(raw).ok()?)
    }
    pub fn cost(&self) -> Option<Cost> {
        let raw = self.metadata.get(keys::COST)?;
        Cost::from_json(&serde_json::from_str(raw).ok()?)
    }
    /// The assessment in force of a kind (`feedback`, `expectation`) and name: the last one
    /// given that was not replaced.
    pub fn assessment(&self, kind: &str, name: &str) -> Option<&Assessment> {
        self.assessments
            .iter()
            .rev()
            .find(|a| a.kind == kind && a.name == name && a.is_valid())
    }
    /// The number of spans the trace recorded (`mlflow.trace.sizeStats.num_spans`); a hint only.
    pub fn span_count_hint(&self) -> Option<u64> {
        let raw = self.metadata.get(keys::SIZE_STATS)?;
        let v: serde_json::Value = serde_json::from_str(raw).ok()?;
        v.get("num_spans").and_then(attr::as_u64)
    }
    /// The request preview: the stored one, else the (cut) trace inputs from the metadata.
    pub fn request_preview(&self) -> Option<&str> {
        self.request_preview
            .as_deref()
            .or_else(|| self.metadata.get(keys::TRACE_INPUTS).map(String::as_str))
    }
    pub fn response_preview(&self) -> Option<&str> {
        self.response_preview
            .as_deref()
            .or_else(|| self.metadata.get(keys::TRACE_OUTPUTS).map(String::as_str))
    }
    pub fn end_time_ms(&self) -> Option<i64> {
        self.duration_ms
            .map(|d| self.request_time_ms.saturating_add(d))
    }
}

/// An event recorded on a span (exceptions, stream chunks, anything the user added).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpanEvent {
    pub name: String,
    pub time_ns: u64,
    /// Event attributes are raw OTel values (not JSON-encoded strings).
    pub attributes: BTreeMap<String, serde_json::Value>,
}

/// An exception recorded on a span.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Exception {
    #[serde(rename = "type")]
    pub kind: String,
    pub message: String,
    pub stacktrace: String,
}

/// One span, normalized across MLflow's span JSON generations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Span {
    /// 16 hex digits (the OTel span id).
    pub span_id: String,
    pub parent_id: Option<String>,
    pub name: String,
    pub span_type: SpanType,
    pub status: StatusCode,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub status_message: String,
    /// Start and end in nanoseconds since the Unix epoch.
    pub start_ns: u64,
    pub end_ns: Option<u64>,
    /// Every attribute, decoded once; `mlflow.*` plumbing included (see [`Span::user_attributes`]).
    pub attributes: Attributes,
    pub events: Vec<SpanEvent>,
    /// What OpenTelemetry's GenAI, OpenInference or OpenLLMetry attributes say where MLflow's
    /// own say nothing (inputs, outputs, tokens); kept apart from the attributes.
    #[serde(skip)]
    pub derived: Option<Box<semconv::Derived>>,
}

impl Span {
    /// Duration in nanoseconds; `None` while running. An end before the start counts as 0.
    pub fn duration_ns(&self) -> Option<u64> {
        self.end_ns.map(|e| e.saturating_sub(self.start_ns))
    }
    pub fn attr(&self, key: &str) -> Option<&AttrValue> {
        self.attributes.get(key)
    }
    /// The span's inputs: MLflow's, else what another convention's attributes say.
    pub fn inputs(&self) -> Option<&AttrValue> {
        self.attr(keys::SPAN_INPUTS)
            .or_else(|| self.derived.as_ref()?.inputs.as_ref())
    }
    pub fn outputs(&self) -> Option<&AttrValue> {
        self.attr(keys::SPAN_OUTPUTS)
            .or_else(|| self.derived.as_ref()?.outputs.as_ref())
    }
    /// Attributes a user set: everything but the `mlflow.*` plumbing.
    pub fn user_attributes(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.attributes
            .iter()
            .filter(|(k, _)| !k.starts_with("mlflow."))
    }
    /// The `mlflow.*` plumbing attributes, kept apart but viewable.
    pub fn mlflow_attributes(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.attributes
            .iter()
            .filter(|(k, _)| k.starts_with("mlflow."))
    }
    pub fn token_usage(&self) -> Option<TokenUsage> {
        match self.attr(keys::SPAN_CHAT_USAGE) {
            Some(v) => TokenUsage::from_json(&v.to_value()),
            None => self.derived.as_ref()?.usage,
        }
    }
    /// The model: MLflow's attribute, else what the conventions say (and a `model` field of
    /// the inputs or outputs they give, where MLflow's server looks too).
    pub fn model(&self) -> Option<String> {
        if let Some(m) = self.attr(keys::SPAN_MODEL).and_then(AttrValue::as_string) {
            return Some(m);
        }
        self.derived.as_ref().and_then(|d| d.model.clone())
    }
    /// The model's provider (`mlflow.llm.provider`, else the conventions').
    pub fn provider(&self) -> Option<String> {
        self.attr(keys::SPAN_PROVIDER)
            .and_then(AttrValue::as_string)
            .or_else(|| self.derived.as_ref().and_then(|d| d.provider.clone()))
    }
    pub fn cost(&self) -> Option<Cost> {
        Cost::from_json(&self.attr(keys::SPAN_COST)?.to_value())
    }
    /// Exceptions from `exception` events.
    pub fn exceptions(&self) -> Vec<Exception> {
        self.events
            .iter()
            .filter(|e| e.name == "exception")
            .map(|e| {
                let get = |k: &str| {
                    e.attributes
                        .get(k)
                        .map(|v| match v {
                            serde_json::Value::String(s) => s.clone(),
                            other => other.to_string(),
                        })
                        .unwrap_or_default()
                };
                Exception {
                    kind: get("exception.type"),
                    message: get("exception.message"),
                    stacktrace: get("exception.stacktrace"),
                }
            })
            .collect()
    }
    pub fn is_error(&self) -> bool {
        self.status == StatusCode::Error
    }
}

/// A whole trace: its info and its spans, as a tree.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    pub info: TraceInfo,
    pub tree: SpanTree,
    /// Problems met while reading the trace that did not stop it loading (a bad span, a
    /// missing artifact), for the status line.
    pub warnings: Vec<String>,
}

impl Trace {
    pub fn new(info: TraceInfo, spans: Vec<Span>) -> Self {
        Trace {
            info,
            tree: SpanTree::build(spans),
            warnings: Vec::new(),
        }
    }
    pub fn spans(&self) -> &[Span] {
        self.tree.spans()
    }
    pub fn root(&self) -> Option<&Span> {
        self.tree.roots().first().map(|&i| self.tree.span(i))
    }
    /// What is missing from the stored trace, as MLflow would judge it: fewer spans than its
    /// recorded count (MLflow's store refuses it as "not fully exported yet"), no root span
    /// (MLflow calls the span data corrupted), spans whose parent was never stored. Empty
    /// when the trace is whole; a running trace is expected to be partial.
    pub fn gaps(&self) -> Vec<String> {
        let mut out = Vec::new();
        let stored = self.tree.len() as u64;
        if let Some(n) = self.info.span_count_hint()
            && stored < n
            && self.info.state != TraceState::InProgress
        {
            out.push(format!(
                "{stored} of {n} spans stored (MLflow would not load it: not fully exported yet)"
            ));
        }
        if stored > 0 {
            let has_root = self.tree.spans().iter().any(|s| s.parent_id.is_none());
            // the tree marked the spans whose parent id names no span when it was built
            let orphans = (0..self.tree.len())
                .filter(|&i| self.tree.flags(i).orphan)
                .count();
            if !has_root {
                out.push("no root span (MLflow would call its span data corrupted)".into());
            }
            if orphans > 0 {
                out.push(format!(
                    "{orphans} span{} whose parent was never stored",
                    if orphans == 1 { "" } else { "s" }
                ));
            }
        }
        out
    }
    /// The trace name: the stored one, else the root span's name.
    pub fn name(&self) -> Option<&str> {
        self.info
            .name()
            .or_else(|| self.root().map(|s| s.name.as_str()))
    }
    /// Token totals: the trace's own record, else the sum over spans.
    pub fn token_usage(&self) -> Option<TokenUsage> {
        self.info.token_usage().or_else(|| self.tree.token_total())
    }
    pub fn span_count(&self) -> usize {
        self.tree.len()
    }
    /// Duration: the info's, else the root span's.
    pub fn duration_ms(&self) -> Option<i64> {
        self.info.duration_ms.or_else(|| {
            self.root()
                .and_then(Span::duration_ns)
                .map(|d| (d / 1_000_000) as i64)
        })
    }
    /// The info with what the spans can fill in where it is missing (previews, name, duration).
    pub fn summary(&self) -> TraceInfo {
        let mut info = self.info.clone();
        if info.request_preview().is_none() {
            info.request_preview = self.request_preview();
        }
        if info.response_preview().is_none() {
            info.response_preview = self.response_preview();
        }
        if info.name().is_none()
            && let Some(n) = self.name()
        {
            info.tags
                .insert(keys::TRACE_NAME.to_string(), n.to_string());
        }
        if info.duration_ms.is_none() {
            info.duration_ms = self.duration_ms();
        }
        info
    }

    /// The request preview: the stored one, else derived from the root span's inputs.
    pub fn request_preview(&self) -> Option<String> {
        self.info
            .request_preview()
            .map(str::to_string)
            .or_else(|| self.root()?.inputs().map(AttrValue::display_text))
    }
    pub fn response_preview(&self) -> Option<String> {
        self.info
            .response_preview()
            .map(str::to_string)
            .or_else(|| self.root()?.outputs().map(AttrValue::display_text))
    }
}
