//! Parsing every JSON shape MLflow writes: trace info (v2 and v3, export and REST), span JSON of
//! all three generations (3.x base64 ids, 3.5.0 hex ids, 2.x `context`), and OTLP-proto spans.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::attr::{AttrKey, attr_key};
use super::time::{parse_proto_duration_ms, parse_rfc3339_ms};
use super::{
    Assessment, AttrValue, Attributes, Schema, Span, SpanEvent, SpanType, StatusCode, Trace,
    TraceInfo, TraceState, keys,
};
use parts::{
    SPLIT_MIN_BYTES, SPLIT_PART_BYTES, STREAM_BLOCK_BYTES, parse_doc_split, parse_doc_streamed,
};

mod parts;

/// Why a document could not be read as an MLflow trace.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParseError {
    #[error("not JSON: {0}")]
    NotJson(String),
    #[error("not an MLflow trace: {0}")]
    NotTrace(String),
}

// ---------------------------------------------------------------------------------------------
// Small lenient field types

/// A time or count: a JSON number (u64, negative clamps to 0, float truncates) or a numeric string.
#[derive(Debug, Clone, Copy, Default)]
struct Num(Option<u64>);

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_u64<E>(self, v: u64) -> Result<Num, E> {
                Ok(Num(Some(v)))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Num, E> {
                Ok(Num(Some(v.max(0) as u64)))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Num, E> {
                Ok(Num(if v.is_finite() {
                    Some(v.max(0.0) as u64)
                } else {
                    None
                }))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Num, E> {
                let t = v.trim();
                Ok(Num(t.parse::<u64>().ok().or_else(|| {
                    t.parse::<i64>().ok().map(|x| x.max(0) as u64)
                })))
            }
            fn visit_unit<E>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_none<E>(self) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Num, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_bool<E>(self, _: bool) -> Result<Num, E> {
                Ok(Num(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Num, A::Error> {
                while m.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(Num(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Num, A::Error> {
                while s.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(Num(None))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string field that tolerates numbers, booleans and null (kept as text or absent).
#[derive(Debug, Clone, Default)]
struct Str(Option<String>);

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Str, E> {
                Ok(Str(Some(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Str, E> {
                Ok(Str(Some(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_bool<E>(self, v: bool) -> Result<Str, E> {
                Ok(Str(Some(v.to_string())))
            }
            fn visit_unit<E>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_none<E>(self) -> Result<Str, E> {
                Ok(Str(None))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Str, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Str, A::Error> {
                let v = Value::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(Str(Some(v.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<Str, A::Error> {
                let v = Value::deserialize(de::value::SeqAccessDeserializer::new(s))?;
                Ok(Str(Some(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A span's `status`: `{"code": "STATUS_CODE_OK" | 1, "message": "..."}` (3.x, OTLP) or a bare
/// string; read without building a JSON map for every span. Anything else is unset.
#[derive(Default)]
struct RawStatus {
    code: Option<StatusCode>,
    message: String,
}

impl<'de> Deserialize<'de> for RawStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        /// A status code: a name, or OTLP's enum number (0 unset, 1 ok, 2 error).
        struct Code(StatusCode);
        impl<'de> Deserialize<'de> for Code {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match Value::deserialize(d)? {
                    Value::String(s) => Ok(Code(StatusCode::parse(&s))),
                    Value::Number(n) => Ok(Code(match n.as_u64() {
                        Some(1) => StatusCode::Ok,
                        Some(2) => StatusCode::Error,
                        _ => StatusCode::Unset,
                    })),
                    _ => Ok(Code(StatusCode::Unset)),
                }
            }
        }
        /// A message: a string, else nothing.
        struct Message(String);
        impl<'de> Deserialize<'de> for Message {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                match Value::deserialize(d)? {
                    Value::String(s) => Ok(Message(s)),
                    _ => Ok(Message(String::new())),
                }
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a span status")
            }
            fn visit_str<E>(self, v: &str) -> Result<RawStatus, E> {
                Ok(RawStatus {
                    code: Some(StatusCode::parse(v)),
                    message: String::new(),
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<RawStatus, A::Error> {
                let mut out = RawStatus {
                    code: Some(StatusCode::Unset),
                    message: String::new(),
                };
                while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                    match k.as_ref() {
                        "code" => out.code = Some(m.next_value::<Code>()?.0),
                        "message" => out.message = m.next_value::<Message>()?.0,
                        _ => {
                            m.next_value::<de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<RawStatus, A::Error> {
                while s.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(RawStatus::default())
            }
            fn visit_bool<E>(self, _: bool) -> Result<RawStatus, E> {
                Ok(RawStatus::default())
            }
            fn visit_i64<E>(self, _: i64) -> Result<RawStatus, E> {
                Ok(RawStatus::default())
            }
            fn visit_u64<E>(self, _: u64) -> Result<RawStatus, E> {
                Ok(RawStatus::default())
            }
            fn visit_f64<E>(self, _: f64) -> Result<RawStatus, E> {
                Ok(RawStatus::default())
            }
            fn visit_unit<E>(self) -> Result<RawStatus, E> {
                Ok(RawStatus::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// One stored attribute value: a JSON string holding JSON text (decoded once, here), or, from
/// writers that did not encode, a bare JSON value.
struct StoredAttr(AttrValue);

impl<'de> Deserialize<'de> for StoredAttr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StoredAttr;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute value")
            }
            fn visit_str<E>(self, v: &str) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::decode(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::decode(v)))
            }
            fn visit_u64<E>(self, v: u64) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::Json(v.to_string().into())))
            }
            fn visit_i64<E>(self, v: i64) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::Json(v.to_string().into())))
            }
            fn visit_f64<E>(self, v: f64) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::from_value(&Value::from(v))))
            }
            fn visit_bool<E>(self, v: bool) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::Json(v.to_string().into())))
            }
            fn visit_unit<E>(self) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::Json("null".into())))
            }
            fn visit_none<E>(self) -> Result<StoredAttr, E> {
                Ok(StoredAttr(AttrValue::Json("null".into())))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<StoredAttr, D::Error> {
                d.deserialize_any(V)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<StoredAttr, A::Error> {
                let v = Value::deserialize(de::value::MapAccessDeserializer::new(m))?;
                Ok(StoredAttr(AttrValue::from_value(&v)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, s: A) -> Result<StoredAttr, A::Error> {
                let v = Value::deserialize(de::value::SeqAccessDeserializer::new(s))?;
                Ok(StoredAttr(AttrValue::from_value(&v)))
            }
        }
        d.deserialize_any(V)
    }
}

/// Span attributes: MLflow's `{key: "<json>"}` map, or OTLP's `[{key, value: AnyValue}]` list.
#[derive(Debug, Default)]
struct Attrs(Vec<(AttrKey, AttrValue)>);

/// A map key read without allocating when it is one of MLflow's own.
struct Key(AttrKey);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<Key, E> {
                Ok(Key(attr_key(v)))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Deserialize<'de> for Attrs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Attrs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an attribute map or list")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Attrs, A::Error> {
                let mut out = Vec::with_capacity(m.size_hint().unwrap_or(8));
                while let Some((Key(k), StoredAttr(v))) = m.next_entry::<Key, StoredAttr>()? {
                    out.push((k, v));
                }
                Ok(Attrs(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Attrs, A::Error> {
                let mut out = Vec::new();
                while let Some(kv) = s.next_element::<OtlpKv>()? {
                    if let Some(k) = kv.key {
                        out.push((attr_key(&k), AttrValue::from_value(&any_value(&kv.value))));
                    }
                }
                Ok(Attrs(out))
            }
            fn visit_unit<E>(self) -> Result<Attrs, E> {
                Ok(Attrs::default())
            }
            fn visit_none<E>(self) -> Result<Attrs, E> {
                Ok(Attrs::default())
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
struct OtlpKv {
    key: Option<String>,
    #[serde(default)]
    value: Value,
}

/// Converts an OTLP AnyValue (`{"string_value": …}`, `{"kvlist_value": {"values": […]}}`, also
/// camelCase) into a plain JSON value. Anything else passes through unchanged.
pub fn any_value(v: &Value) -> Value {
    let Some(obj) = v.as_object() else {
        return v.clone();
    };
    if obj.len() != 1 {
        return if obj.is_empty() {
            Value::Null
        } else {
            v.clone()
        };
    }
    let Some((k, inner)) = obj.iter().next() else {
        return Value::Null;
    };
    match k.as_str() {
        "string_value" | "stringValue" => inner.clone(),
        "bool_value" | "boolValue" => inner.clone(),
        "int_value" | "intValue" => match inner {
            Value::String(s) => s
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| inner.clone()),
            _ => inner.clone(),
        },
        "double_value" | "doubleValue" => inner.clone(),
        "bytes_value" | "bytesValue" => inner.clone(),
        "array_value" | "arrayValue" => Value::Array(
            inner
                .get("values")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(any_value).collect())
                .unwrap_or_default(),
        ),
        "kvlist_value" | "kvlistValue" => {
            let mut m = serde_json::Map::new();
            if let Some(values) = inner.get("values").and_then(Value::as_array) {
                for kv in values {
                    if let Some(key) = kv.get("key").and_then(Value::as_str) {
                        m.insert(
                            key.to_string(),
                            any_value(kv.get("value").unwrap_or(&Value::Null)),
                        );
                    }
                }
            }
            Value::Object(m)
        }
        _ => v.clone(),
    }
}

// ---------------------------------------------------------------------------------------------
// Spans

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawContext {
    span_id: Str,
    trace_id: Str,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawEvent {
    name: Str,
    time_unix_nano: Num,
    timestamp: Num,
    attributes: Value,
}

/// The union of every span JSON generation's keys.
#[derive(Deserialize, Default)]
#[serde(default)]
struct RawSpan {
    // 3.x and OTLP
    span_id: Str,
    parent_span_id: Str,
    trace_id: Str,
    name: Str,
    start_time_unix_nano: Num,
    end_time_unix_nano: Num,
    status: RawStatus,
    // 2.x
    context: Option<RawContext>,
    parent_id: Str,
    start_time: Num,
    end_time: Num,
    status_code: Str,
    status_message: Str,
    // OTLP/JSON camelCase
    #[serde(rename = "spanId")]
    span_id_camel: Str,
    #[serde(rename = "parentSpanId")]
    parent_span_id_camel: Str,
    #[serde(rename = "startTimeUnixNano")]
    start_camel: Num,
    #[serde(rename = "endTimeUnixNano")]
    end_camel: Num,
    // common
    attributes: Attrs,
    events: Option<Vec<RawEvent>>,
}

impl RawSpan {
    /// The MLflow trace id of the trace this span says it is in, if it says.
    fn mlflow_trace_id(&self) -> Option<String> {
        self.trace_id
            .0
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(mlflow_trace_id)
    }
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}

/// Normalizes a span or trace id to lowercase hex: hex stays (a `0x` prefix is dropped), base64
/// (MLflow 3.x stored JSON, OTLP proto JSON) is decoded.
pub fn normalize_id(id: &str) -> String {
    let id = id.trim();
    let plain = id
        .strip_prefix("0x")
        .or_else(|| id.strip_prefix("0X"))
        .unwrap_or(id);
    if !plain.is_empty()
        && plain.len().is_multiple_of(2)
        && plain.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return plain.to_ascii_lowercase();
    }
    if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(id)
        && !bytes.is_empty()
    {
        return hex(&bytes);
    }
    id.to_string()
}

/// An MLflow trace id from a span's trace id: `tr-<hex>`, kept as is when it already has a prefix.
fn mlflow_trace_id(raw: &str) -> String {
    if raw.starts_with("tr-") || raw.contains(':') {
        return raw.to_string();
    }
    format!("tr-{}", normalize_id(raw))
}

fn status_from(raw: &RawSpan) -> (StatusCode, String) {
    if let Some(code) = &raw.status_code.0 {
        return (
            StatusCode::parse(code),
            raw.status_message.0.clone().unwrap_or_default(),
        );
    }
    (
        raw.status.code.unwrap_or(StatusCode::Unset),
        raw.status.message.clone(),
    )
}

fn event_from(raw: RawEvent) -> SpanEvent {
    let attributes: BTreeMap<String, Value> = match raw.attributes {
        Value::Object(m) => m.into_iter().collect(),
        Value::Array(list) => list
            .iter()
            .filter_map(|kv| {
                let k = kv.get("key")?.as_str()?.to_string();
                Some((k, any_value(kv.get("value").unwrap_or(&Value::Null))))
            })
            .collect(),
        _ => BTreeMap::new(),
    };
    SpanEvent {
        name: raw.name.0.unwrap_or_default(),
        time_ns: raw.time_unix_nano.0.or(raw.timestamp.0).unwrap_or(0),
        attributes,
    }
}

fn span_from(raw: RawSpan) -> Span {
    let (status, status_message) = status_from(&raw);
    let ctx = raw.context.unwrap_or_default();
    let span_id = raw
        .span_id
        .0
        .or(ctx.span_id.0)
        .or(raw.span_id_camel.0)
        .map(|s| normalize_id(&s))
        .unwrap_or_default();
    let parent_id = raw
        .parent_span_id
        .0
        .or(raw.parent_id.0)
        .or(raw.parent_span_id_camel.0)
        .filter(|p| !p.trim().is_empty())
        .map(|p| normalize_id(&p));
    let start_ns = raw
        .start_time_unix_nano
        .0
        .or(raw.start_time.0)
        .or(raw.start_camel.0)
        .unwrap_or(0);
    let end_ns = raw
        .end_time_unix_nano
        .0
        .or(raw.end_time.0)
        .or(raw.end_camel.0);
    let attributes = Attributes::new(raw.attributes.0);
    let span_type = attributes
        .get(keys::SPAN_TYPE)
        .and_then(AttrValue::as_string)
        .map(|t| SpanType::parse(&t))
        .unwrap_or_default();
    let mut span = Span {
        span_id,
        parent_id,
        name: raw.name.0.unwrap_or_default(),
        span_type,
        status,
        status_message,
        start_ns,
        end_ns,
        attributes,
        events: raw
            .events
            .unwrap_or_default()
            .into_iter()
            .map(event_from)
            .collect(),
        derived: None,
    };
    super::semconv::derive(&mut span);
    span
}

/// Adds a span to a list being parsed, its short attribute values shared with the span's
/// before it when they are alike ([`Attributes::share_with`]): every MLflow span carries its
/// trace's id, and at 100k spans one copy instead of 100k is megabytes.
fn push_span(spans: &mut Vec<Span>, mut span: Span) {
    if let Some(prev) = spans.last_mut() {
        span.attributes.share_with(&mut prev.attributes);
    }
    spans.push(span);
}

/// Parses one span of any generation from its JSON text.
pub fn parse_span(text: &str) -> Result<Span, ParseError> {
    serde_json::from_str::<RawSpan>(text)
        .map(span_from)
        .map_err(|e| ParseError::NotTrace(format!("span: {e}")))
}

/// Spans, the trace id seen in them (if any), and a warning per span that could not be read.
pub type SpanList = (Vec<Span>, Option<String>, Vec<String>);

/// A span list parsed straight into spans, one at a time, without keeping the raw JSON: the
/// fast path. Any bad span fails the whole list; the caller then takes the tolerant path.
struct FastSpans(SpanList);

impl<'de> Deserialize<'de> for FastSpans {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FastSpans;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of spans")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<FastSpans, A::Error> {
                let mut spans = Vec::with_capacity(seq.size_hint().unwrap_or(16));
                let mut trace_id = None;
                while let Some(r) = seq.next_element::<RawSpan>()? {
                    if trace_id.is_none() {
                        trace_id = r.mlflow_trace_id();
                    }
                    push_span(&mut spans, span_from(r));
                }
                Ok(FastSpans(finish_span_list(spans, trace_id, Vec::new())))
            }
        }
        d.deserialize_seq(V)
    }
}

/// A span list kept as raw JSON per span, for the tolerant path.
struct TolerantSpans(SpanList);

impl<'de> Deserialize<'de> for TolerantSpans {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<Box<RawValue>>::deserialize(d).map(|raws| TolerantSpans(parse_span_list(raws)))
    }
}

/// Prefers the trace id recorded in the spans' `mlflow.traceRequestId` (2.x ids differ from
/// the OTel trace id).
fn finish_span_list(
    spans: Vec<Span>,
    mut trace_id: Option<String>,
    warnings: Vec<String>,
) -> SpanList {
    if let Some(id) = spans.first().and_then(|s| {
        s.attr("mlflow.traceRequestId")
            .and_then(AttrValue::as_string)
    }) {
        trace_id = Some(id);
    }
    (spans, trace_id, warnings)
}

/// Parses a list of spans, one at a time so that one bad span does not lose the others.
/// Returns the spans, the trace id found in them (if any), and a warning per bad span.
fn parse_span_list(raws: Vec<Box<RawValue>>) -> SpanList {
    let mut spans = Vec::with_capacity(raws.len());
    let mut warnings = Vec::new();
    let mut trace_id = None;
    for (i, raw) in raws.into_iter().enumerate() {
        match serde_json::from_str::<RawSpan>(raw.get()) {
            Ok(r) => {
                if trace_id.is_none() {
                    trace_id = r.mlflow_trace_id();
                }
                push_span(&mut spans, span_from(r));
            }
            Err(e) => warnings.push(format!("span #{i} skipped: {e}")),
        }
    }
    finish_span_list(spans, trace_id, warnings)
}

// ---------------------------------------------------------------------------------------------
// Trace info

fn str_map(v: Option<&Value>) -> BTreeMap<String, String> {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match v {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), text(v))).collect(),
        // v2 REST: [{key, value}]
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(|kv| {
                let k = kv.get("key")?.as_str()?.to_string();
                Some((k, kv.get("value").map(text).unwrap_or_default()))
            })
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn opt_str(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn opt_i64(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|u| u.min(i64::MAX as u64) as i64))
            .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses one assessment dict (export JSON, REST, the file store's YAML converted to JSON).
pub fn parse_assessment(v: &Value) -> Assessment {
    let g = |k: &str| opt_str(v.get(k));
    let (kind, value, error) = if let Some(fb) = v.get("feedback") {
        (
            "feedback",
            fb.get("value").cloned(),
            fb.get("error").map(|e| {
                opt_str(e.get("error_message"))
                    .or_else(|| opt_str(e.get("error_code")))
                    .unwrap_or_else(|| e.to_string())
            }),
        )
    } else if let Some(ex) = v.get("expectation") {
        let val = ex.get("value").cloned().or_else(|| {
            ex.get("serialized_value")
                .and_then(|s| s.get("value"))
                .cloned()
        });
        ("expectation", val, None)
    } else if let Some(is) = v.get("issue") {
        ("issue", Some(is.clone()), None)
    } else {
        ("feedback", None, None)
    };
    let source = v.get("source");
    Assessment {
        id: g("assessment_id").unwrap_or_default(),
        name: g("assessment_name")
            .or_else(|| g("name"))
            .unwrap_or_default(),
        kind: kind.to_string(),
        value,
        source_type: source.and_then(|s| opt_str(s.get("source_type"))),
        source_id: source.and_then(|s| opt_str(s.get("source_id"))),
        rationale: g("rationale"),
        span_id: g("span_id"),
        error,
        valid: v.get("valid").and_then(Value::as_bool),
        overrides: g("overrides"),
    }
}

/// Parses a trace info dict of either generation: v3 (`trace_id`, `request_time`, `state`, …,
/// from `to_json`, YAML or REST v3) or v2 (`request_id`, `timestamp_ms`, `status`, …).
pub fn parse_info(v: &Value) -> Result<TraceInfo, ParseError> {
    let obj = v
        .as_object()
        .ok_or_else(|| ParseError::NotTrace("trace info is not an object".into()))?;
    let assessments = obj
        .get("assessments")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(parse_assessment).collect())
        .unwrap_or_default();
    if let Some(id) = obj.get("request_id") {
        let trace_id = opt_str(Some(id)).unwrap_or_default();
        return Ok(TraceInfo {
            trace_id,
            client_request_id: None,
            experiment_id: opt_str(obj.get("experiment_id")),
            request_time_ms: opt_i64(obj.get("timestamp_ms")).unwrap_or(0),
            duration_ms: opt_i64(obj.get("execution_time_ms")),
            state: TraceState::parse(
                obj.get("status")
                    .and_then(Value::as_str)
                    .unwrap_or_default(),
            ),
            request_preview: None,
            response_preview: None,
            metadata: str_map(obj.get("request_metadata")),
            tags: str_map(obj.get("tags")),
            assessments,
            schema: Schema::V2,
        });
    }
    let Some(trace_id) = opt_str(obj.get("trace_id")) else {
        return Err(ParseError::NotTrace(
            "trace info has neither trace_id nor request_id".into(),
        ));
    };
    let request_time_ms = match obj.get("request_time") {
        Some(Value::String(s)) => parse_rfc3339_ms(s).unwrap_or(0),
        other => opt_i64(other).unwrap_or(0),
    };
    let duration_ms = opt_i64(obj.get("execution_duration_ms")).or_else(|| {
        obj.get("execution_duration")
            .and_then(Value::as_str)
            .and_then(parse_proto_duration_ms)
    });
    let experiment_id = obj
        .get("trace_location")
        .and_then(|l| l.get("mlflow_experiment"))
        .and_then(|e| opt_str(e.get("experiment_id")))
        .or_else(|| opt_str(obj.get("experiment_id")));
    Ok(TraceInfo {
        trace_id,
        client_request_id: opt_str(obj.get("client_request_id")),
        experiment_id,
        request_time_ms,
        duration_ms,
        state: TraceState::parse(obj.get("state").and_then(Value::as_str).unwrap_or_default()),
        request_preview: opt_str(obj.get("request_preview"))
            .or_else(|| opt_str(obj.get("request"))),
        response_preview: opt_str(obj.get("response_preview"))
            .or_else(|| opt_str(obj.get("response"))),
        metadata: str_map(
            obj.get("trace_metadata")
                .or_else(|| obj.get("request_metadata")),
        ),
        tags: str_map(obj.get("tags")),
        assessments,
        schema: Schema::V3,
    })
}

// ---------------------------------------------------------------------------------------------
// Documents

#[derive(Deserialize)]
struct RawData<S> {
    spans: Option<S>,
    request: Option<Value>,
    response: Option<Value>,
}

/// A trace document: `{"info": …, "data": {"spans": …}}` (`Trace.to_json`), or a bare
/// `traces.json` artifact `{"spans": […]}`. `S` is the span list: [`FastSpans`] first, and
/// [`TolerantSpans`] when one span is malformed.
#[derive(Deserialize)]
struct RawDoc<S> {
    info: Option<Value>,
    data: Option<RawData<S>>,
    spans: Option<S>,
    request: Option<Value>,
    response: Option<Value>,
}

trait SpanListOf {
    fn into_list(self) -> SpanList;
}
impl SpanListOf for FastSpans {
    fn into_list(self) -> SpanList {
        self.0
    }
}
impl SpanListOf for TolerantSpans {
    fn into_list(self) -> SpanList {
        self.0
    }
}

/// The parts of a document: info, request, response, span list.
type Doc = (
    Option<Value>,
    Option<Value>,
    Option<Value>,
    Option<SpanList>,
);

/// Parses a document: the fast path, and the tolerant one when the JSON is fine but a span
/// is not. A large document is first tried in parts, on as many cores as there are
/// ([`parts`]).
fn parse_doc(text: &str) -> Result<Doc, ParseError> {
    if let Some(doc) = parse_doc_split(text, cores(), SPLIT_MIN_BYTES, SPLIT_PART_BYTES) {
        return Ok(doc);
    }
    parse_doc_whole(text)
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// Parses the span list of a `traces.json` artifact as it is read ([`parse_trace_streamed`]);
/// `Ok(None)`: read it whole and use [`parse_spans_doc`].
pub fn parse_spans_streamed(input: &mut dyn std::io::Read) -> std::io::Result<Option<SpanList>> {
    Ok(parse_doc_streamed(input, cores(), STREAM_BLOCK_BYTES)?.and_then(|(_, _, _, spans)| spans))
}

/// Parses one exported trace as it is read, its span list in runs parsed on every core while
/// the next run is read: the whole text is never held, only its spans (a 60 MB export opens
/// in the memory its spans take). `Ok(None)` when the document is not one that can be read
/// so (no span list last in it, a span a run cannot take, text that is not UTF-8): the
/// caller reads it again whole and parses it with [`parse_trace`], which says what is wrong.
pub fn parse_trace_streamed(input: &mut dyn std::io::Read) -> std::io::Result<Option<Trace>> {
    Ok(parse_doc_streamed(input, cores(), STREAM_BLOCK_BYTES)?
        .and_then(|(info, req, resp, spans)| trace_from_parts(info, req, resp, spans).ok()))
}

/// Parses a document on one core.
fn parse_doc_whole(text: &str) -> Result<Doc, ParseError> {
    match serde_json::from_str::<RawDoc<FastSpans>>(text) {
        Ok(d) => {
            let (spans, req, resp) = split_doc(d.data, d.spans, d.request, d.response);
            Ok((d.info, req, resp, spans.map(SpanListOf::into_list)))
        }
        Err(e) if e.is_data() => match serde_json::from_str::<RawDoc<TolerantSpans>>(text) {
            Ok(d) => {
                let (spans, req, resp) = split_doc(d.data, d.spans, d.request, d.response);
                Ok((d.info, req, resp, spans.map(SpanListOf::into_list)))
            }
            Err(e) => Err(not_json_or_shape(e)),
        },
        Err(e) => Err(not_json_or_shape(e)),
    }
}

type DocParts<S> = (Option<S>, Option<Value>, Option<Value>);

fn split_doc<S>(
    data: Option<RawData<S>>,
    spans: Option<S>,
    request: Option<Value>,
    response: Option<Value>,
) -> DocParts<S> {
    match data {
        Some(d) => (
            spans.or(d.spans),
            d.request.or(request),
            d.response.or(response),
        ),
        None => (spans, request, response),
    }
}

fn preview_text(v: Option<Value>) -> Option<String> {
    match v? {
        Value::Null => None,
        Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Parses the span list of a `traces.json` artifact. Returns spans, a trace id seen in them,
/// and warnings.
pub fn parse_spans_doc(text: &str) -> Result<SpanList, ParseError> {
    let (_, _, _, spans) = parse_doc(text)?;
    spans.ok_or_else(|| ParseError::NotTrace("no \"spans\" list".into()))
}

fn not_json_or_shape(e: serde_json::Error) -> ParseError {
    if e.is_data() {
        // valid JSON of the wrong shape
        ParseError::NotTrace(e.to_string())
    } else {
        ParseError::NotJson(e.to_string())
    }
}

/// Builds a trace from the parts of a document.
fn trace_from_parts(
    info: Option<Value>,
    request: Option<Value>,
    response: Option<Value>,
    spans: Option<SpanList>,
) -> Result<Trace, ParseError> {
    if info.is_none() && spans.is_none() {
        return Err(ParseError::NotTrace(
            "expected \"info\" and \"data\" (Trace.to_json) or a \"spans\" list".into(),
        ));
    }
    let (spans, span_trace_id, warnings) = spans.unwrap_or_default();
    let mut info = match info {
        Some(v) => parse_info(&v)?,
        None => info_from_spans(&spans, span_trace_id),
    };
    if info.request_preview.is_none() {
        info.request_preview = preview_text(request);
    }
    if info.response_preview.is_none() {
        info.response_preview = preview_text(response);
    }
    let mut trace = Trace::new(info, spans);
    trace.warnings = warnings;
    Ok(trace)
}

/// A trace info synthesized from spans alone (a bare `traces.json`).
pub fn info_from_spans(spans: &[Span], trace_id: Option<String>) -> TraceInfo {
    let root = spans
        .iter()
        .filter(|s| s.parent_id.is_none())
        .min_by_key(|s| s.start_ns)
        .or_else(|| spans.iter().min_by_key(|s| s.start_ns));
    let start = root.map(|s| s.start_ns).unwrap_or(0);
    let state = match root.map(|s| (s.status, s.end_ns)) {
        Some((_, None)) => TraceState::InProgress,
        Some((StatusCode::Error, _)) => TraceState::Error,
        Some(_) => TraceState::Ok,
        None => TraceState::Unspecified,
    };
    let mut tags = BTreeMap::new();
    if let Some(r) = root {
        tags.insert(keys::TRACE_NAME.to_string(), r.name.clone());
    }
    TraceInfo {
        trace_id: trace_id.unwrap_or_else(|| "(unknown)".into()),
        request_time_ms: (start / 1_000_000).min(i64::MAX as u64) as i64,
        duration_ms: root
            .and_then(Span::duration_ns)
            .map(|d| (d / 1_000_000) as i64),
        state,
        tags,
        ..TraceInfo::default()
    }
}

/// Parses one exported trace (`Trace.to_json()`), or a bare `traces.json` artifact.
pub fn parse_trace(text: &str) -> Result<Trace, ParseError> {
    let (info, request, response, spans) = parse_doc(text)?;
    trace_from_parts(info, request, response, spans)
}

/// Parses a JSON file that holds one or more traces: one trace, an array of traces, an object
/// with a `traces` list (as `mlflow traces search --output json` prints), or JSON Lines.
/// Returns the traces and a warning per bad entry (a bad line does not lose the good ones).
pub fn parse_traces_file(text: &str) -> Result<(Vec<Trace>, Vec<String>), ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.is_empty() {
        return Err(ParseError::NotJson("the file is empty".into()));
    }
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<Box<RawValue>>>(trimmed) {
            Ok(items) => collect_items(items),
            Err(e) if e.is_data() => Err(ParseError::NotTrace(e.to_string())),
            Err(e) => Err(ParseError::NotJson(e.to_string())),
        };
    }
    if !trimmed.starts_with('{') {
        return Err(
            match serde_json::from_str::<serde::de::IgnoredAny>(trimmed) {
                Ok(_) => ParseError::NotTrace("expected a JSON object or array".into()),
                Err(e) => ParseError::NotJson(e.to_string()),
            },
        );
    }
    #[derive(Deserialize)]
    struct Listing {
        traces: Vec<Box<RawValue>>,
    }
    match parse_trace(trimmed) {
        Ok(t) => Ok((vec![t], Vec::new())),
        // `{"traces": [...]}`, as `mlflow traces search --output json` prints
        Err(ParseError::NotTrace(why)) => match serde_json::from_str::<Listing>(trimmed) {
            Ok(l) => collect_items(l.traces),
            Err(_) => Err(ParseError::NotTrace(why)),
        },
        Err(ParseError::NotJson(whole_err)) => {
            // JSON Lines: one trace per line.
            let mut traces = Vec::new();
            let mut warnings = Vec::new();
            for (n, line) in trimmed.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                match parse_trace(line) {
                    Ok(t) => traces.push(t),
                    Err(e) => warnings.push(format!("line {}: {e}", n + 1)),
                }
            }
            if traces.is_empty() {
                return Err(ParseError::NotJson(whole_err));
            }
            Ok((traces, warnings))
        }
    }
}

/// One trace of a file, as the list needs it: its summary and where its text is.
#[derive(Debug, Clone)]
pub struct Located {
    pub info: TraceInfo,
    /// Byte range of the trace's own text in the file's text.
    pub range: std::ops::Range<usize>,
}

/// A trace's summary from its `info` alone, when that holds all the list shows (id, name,
/// both previews, duration): what MLflow 3's `Trace.to_json()` writes, with `info` first, so
/// nothing after it is read. `None` when the spans are needed.
pub fn quick_summary(text: &str) -> Option<TraceInfo> {
    const STOP: &str = "mlflow-tui: info read";
    struct FirstInfo<'a>(&'a mut Option<Value>);
    impl<'de> Visitor<'de> for FirstInfo<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a trace object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<(), A::Error> {
            while let Some(k) = m.next_key::<std::borrow::Cow<'de, str>>()? {
                if k == "info" {
                    *self.0 = Some(m.next_value()?);
                    // stop here: the spans are not read
                    return Err(de::Error::custom(STOP));
                }
                m.next_value::<de::IgnoredAny>()?;
            }
            Ok(())
        }
    }
    let mut raw = None;
    let mut de = serde_json::Deserializer::from_str(text);
    let _ = de.deserialize_map(FirstInfo(&mut raw));
    let info = parse_info(&raw?).ok()?;
    let complete = !info.trace_id.is_empty()
        && info.name().is_some()
        && info.request_preview.is_some()
        && info.response_preview.is_some()
        && (info.duration_ms.is_some() || info.state == TraceState::InProgress);
    complete.then_some(info)
}

/// Does a line after the first start with `{` (JSON Lines; a compact or indented single
/// object never has one: newlines inside strings are escaped)?
fn looks_like_json_lines(text: &str) -> bool {
    text.get(1..).is_some_and(|rest| rest.contains("\n{"))
}

/// The summary of one trace's text: from its info alone when that suffices, else parsed whole.
fn summary_of(text: &str) -> Result<TraceInfo, ParseError> {
    match quick_summary(text) {
        Some(info) => Ok(info),
        None => parse_trace(text).map(|t| t.summary()),
    }
}

/// Where the traces of a file are, with their summaries, reading no span that the summaries
/// do not need: the listing of a file, as [`parse_traces_file`] reads it (one trace, an array,
/// a `{"traces": [...]}` listing, JSON Lines), each trace's text to be parsed when opened.
pub fn index_traces_file(text: &str) -> Result<(Vec<Located>, Vec<String>), ParseError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let base = text.len() - trimmed.len();
    let at = |part: &str| {
        let start = part.as_ptr() as usize - text.as_ptr() as usize;
        start..start + part.len()
    };
    let items = |list: Vec<&str>| -> Result<(Vec<Located>, Vec<String>), ParseError> {
        let mut out = Vec::with_capacity(list.len());
        let mut warnings = Vec::new();
        for (i, item) in list.into_iter().enumerate() {
            match summary_of(item) {
                Ok(info) => out.push(Located {
                    info,
                    range: at(item),
                }),
                Err(e) => warnings.push(format!("trace #{i}: {e}")),
            }
        }
        if out.is_empty() && !warnings.is_empty() {
            return Err(ParseError::NotTrace(warnings.remove(0)));
        }
        Ok((out, warnings))
    };
    if trimmed.starts_with('[') {
        return match serde_json::from_str::<Vec<&RawValue>>(trimmed) {
            Ok(list) => items(list.into_iter().map(RawValue::get).collect()),
            Err(e) if e.is_data() => Err(ParseError::NotTrace(e.to_string())),
            Err(e) => Err(ParseError::NotJson(e.to_string())),
        };
    }
    if trimmed.starts_with('{') && !looks_like_json_lines(trimmed) {
        if let Some(info) = quick_summary(trimmed) {
            return Ok((
                vec![Located {
                    info,
                    range: base..text.len(),
                }],
                Vec::new(),
            ));
        }
        #[derive(Deserialize)]
        struct Listing<'a> {
            #[serde(borrow)]
            traces: Vec<&'a RawValue>,
        }
        match parse_trace(trimmed) {
            Ok(t) => {
                return Ok((
                    vec![Located {
                        info: t.summary(),
                        range: base..text.len(),
                    }],
                    Vec::new(),
                ));
            }
            Err(ParseError::NotTrace(why)) => {
                return match serde_json::from_str::<Listing>(trimmed) {
                    Ok(l) => items(l.traces.into_iter().map(RawValue::get).collect()),
                    Err(_) => Err(ParseError::NotTrace(why)),
                };
            }
            Err(_) => {}
        }
    }
    if !trimmed.starts_with('{') {
        return parse_traces_file(text).map(|_| (Vec::new(), Vec::new()));
    }
    // JSON Lines: one trace per line
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut first_error = None;
    for (n, line) in trimmed.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match summary_of(line) {
            Ok(info) => out.push(Located {
                info,
                range: at(line),
            }),
            Err(e) => {
                warnings.push(format!("line {}: {e}", n + 1));
                first_error.get_or_insert(e);
            }
        }
    }
    if out.is_empty() {
        // not JSON Lines after all: the whole text's own error
        return match parse_trace(trimmed) {
            Ok(t) => Ok((
                vec![Located {
                    info: t.summary(),
                    range: base..text.len(),
                }],
                Vec::new(),
            )),
            Err(e) => Err(match e {
                ParseError::NotTrace(_) => first_error.unwrap_or(e),
                e => e,
            }),
        };
    }
    Ok((out, warnings))
}

fn collect_items(items: Vec<Box<RawValue>>) -> Result<(Vec<Trace>, Vec<String>), ParseError> {
    let mut traces = Vec::with_capacity(items.len());
    let mut warnings = Vec::new();
    for (i, item) in items.iter().enumerate() {
        match parse_trace(item.get()) {
            Ok(t) => traces.push(t),
            Err(e) => warnings.push(format!("trace #{i}: {e}")),
        }
    }
    if traces.is_empty() && !warnings.is_empty() {
        return Err(ParseError::NotTrace(warnings.remove(0)));
    }
    Ok((traces, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_every_generation() {
        assert_eq!(normalize_id("ugJcywGuifI="), "ba025ccb01ae89f2");
        assert_eq!(normalize_id("ba025ccb01ae89f2"), "ba025ccb01ae89f2");
        assert_eq!(normalize_id("0xBA025CCB01AE89F2"), "ba025ccb01ae89f2");
        assert_eq!(
            mlflow_trace_id("9jZhsh0iH8LYEGqzrli5TQ=="),
            "tr-f63661b21d221fc2d8106ab3ae58b94d"
        );
        assert_eq!(mlflow_trace_id("tr-abc"), "tr-abc");
    }

    #[test]
    fn spans_side_by_side_share_their_trace_id() {
        let span = |i: usize| {
            format!(
                r#"{{"span_id": "{i:016x}", "name": "s{i}", "attributes": {{"mlflow.traceRequestId": "\"tr-1\"", "mlflow.spanInputs": "{{\"n\": {i}}}"}}}}"#
            )
        };
        let spans: Vec<String> = (0..4).map(span).collect();
        let t = parse_trace(&format!(r#"{{"spans": [{}]}}"#, spans.join(", "))).unwrap();
        let ids: Vec<&AttrValue> = t
            .tree
            .spans()
            .iter()
            .map(|s| s.attr("mlflow.traceRequestId").unwrap())
            .collect();
        let AttrValue::Shared(first) = ids[0] else {
            panic!("{:?}", ids[0]);
        };
        assert!(
            ids.iter()
                .all(|v| matches!(v, AttrValue::Shared(s) if std::sync::Arc::ptr_eq(s, first)))
        );
        assert_eq!(t.info.trace_id, "tr-1");
        // values that differ are each their own
        let inputs: Vec<_> = t.tree.spans().iter().map(|s| s.inputs().unwrap()).collect();
        assert!(inputs.iter().all(|v| matches!(v, AttrValue::Json(_))));
        assert_eq!(inputs[3].raw(), r#"{"n": 3}"#);
    }

    #[test]
    fn v3_span() {
        let s = parse_span(
            r#"{"trace_id":"9jZhsh0iH8LYEGqzrli5TQ==","span_id":"ugJcywGuifI=","parent_span_id":null,
            "name":"agent","start_time_unix_nano":1795254248079889196,"end_time_unix_nano":1795254248155856626,
            "events":[{"name":"exception","time_unix_nano":1795254248158590464,
              "attributes":{"exception.type":"ValueError","exception.message":"boom","exception.stacktrace":"T"}}],
            "status":{"code":"STATUS_CODE_ERROR","message":"ValueError: boom"},
            "attributes":{"mlflow.spanType":"\"AGENT\"","mlflow.spanInputs":"{\"q\": \"hello\"}",
              "mlflow.chat.tokenUsage":"{\"input_tokens\": 10, \"output_tokens\": 5, \"total_tokens\": 15}"}}"#,
        )
        .unwrap();
        assert_eq!(s.span_id, "ba025ccb01ae89f2");
        assert_eq!(s.parent_id, None);
        assert_eq!(s.span_type, SpanType::Agent);
        assert_eq!(s.status, StatusCode::Error);
        assert_eq!(s.duration_ns(), Some(75_967_430));
        assert_eq!(s.token_usage().unwrap().total, 15);
        assert_eq!(s.exceptions()[0].kind, "ValueError");
        assert_eq!(s.inputs().unwrap().to_value()["q"], "hello");
    }

    #[test]
    fn v2_span() {
        let s = parse_span(
            r#"{"name":"agent","context":{"span_id":"0xc034fdaac6b566ec","trace_id":"e0f6"},
            "parent_id":"0x1111222233334444","start_time":5,"end_time":9,"status_code":"OK",
            "status_message":"","attributes":{"mlflow.spanType":"\"TOOL\""},
            "events":[{"name":"e","timestamp":7,"attributes":{"k":1}}]}"#,
        )
        .unwrap();
        assert_eq!(s.span_id, "c034fdaac6b566ec");
        assert_eq!(s.parent_id.as_deref(), Some("1111222233334444"));
        assert_eq!(s.status, StatusCode::Ok);
        assert_eq!(s.span_type, SpanType::Tool);
        assert_eq!(s.events[0].time_ns, 7);
    }

    #[test]
    fn otlp_proto_span() {
        let s = parse_span(
            r#"{"trace_id":"YHPzjuvRjf1wpPLXenwSbQ==","span_id":"8q0o0c1aMes=","parent_span_id":"kgWjQgeVaQ8=",
            "name":"tool","start_time_unix_nano":"1795254258450375681","end_time_unix_nano":1795254258451186936,
            "attributes":[{"key":"mlflow.spanType","value":{"string_value":"TOOL"}},
              {"key":"mlflow.spanInputs","value":{"kvlist_value":{"values":[{"key":"x","value":{"int_value":3}}]}}}],
            "events":[{"time_unix_nano":1,"name":"exception","attributes":[{"key":"exception.type","value":{"string_value":"ValueError"}}]}],
            "status":{"code":"STATUS_CODE_OK"}}"#,
        )
        .unwrap();
        assert_eq!(s.span_type, SpanType::Tool);
        assert_eq!(s.start_ns, 1795254258450375681);
        assert_eq!(s.inputs().unwrap().to_value()["x"], 3);
        assert_eq!(s.exceptions()[0].kind, "ValueError");
        assert_eq!(s.parent_id.as_deref(), Some("9205a3420795690f"));
    }

    #[test]
    fn wrong_types_are_tolerated() {
        let s = parse_span(r#"{"name":5,"span_id":true,"start_time_unix_nano":-3,"end_time_unix_nano":"x","status":7}"#)
            .unwrap();
        assert_eq!(s.name, "5");
        assert_eq!(s.start_ns, 0);
        assert_eq!(s.end_ns, None);
    }

    #[test]
    fn v3_info_rest_and_export() {
        let rest: Value = serde_json::from_str(
            r#"{"trace_id":"tr-1","request_time":"2026-11-21T09:44:18.365Z","execution_duration":"0.087s",
            "state":"OK","trace_metadata":{"mlflow.trace.user":"alice"},"tags":{"mlflow.traceName":"agent"},
            "trace_location":{"type":"MLFLOW_EXPERIMENT","mlflow_experiment":{"experiment_id":"1"}}}"#,
        )
        .unwrap();
        let i = parse_info(&rest).unwrap();
        assert_eq!(i.duration_ms, Some(87));
        assert_eq!(i.user(), Some("alice"));
        assert_eq!(i.name(), Some("agent"));
        assert_eq!(i.experiment_id.as_deref(), Some("1"));
        let v2: Value = serde_json::from_str(
            r#"{"request_id":"abc","experiment_id":"4","timestamp_ms":1795254442249,"execution_time_ms":7,
            "status":"ERROR","request_metadata":[{"key":"k","value":"v"}],"tags":[{"key":"mlflow.traceName","value":"f"}]}"#,
        )
        .unwrap();
        let i = parse_info(&v2).unwrap();
        assert_eq!(i.schema, Schema::V2);
        assert_eq!(i.state, TraceState::Error);
        assert_eq!(i.metadata["k"], "v");
        assert_eq!(i.name(), Some("f"));
    }

    #[test]
    fn bad_documents() {
        assert!(matches!(
            parse_trace("not json"),
            Err(ParseError::NotJson(_))
        ));
        assert!(matches!(
            parse_trace("{\"a\":1}"),
            Err(ParseError::NotTrace(_))
        ));
        assert!(matches!(parse_traces_file(""), Err(ParseError::NotJson(_))));
        assert!(matches!(
            parse_traces_file("[1,2]"),
            Err(ParseError::NotTrace(_))
        ));
        assert!(parse_traces_file("42").is_err());
    }

    #[test]
    fn bare_spans_document() {
        let t = parse_trace(
            r#"{"spans":[{"trace_id":"9jZhsh0iH8LYEGqzrli5TQ==","span_id":"ugJcywGuifI=","name":"root",
            "start_time_unix_nano":2000000,"end_time_unix_nano":5000000,"status":{"code":"STATUS_CODE_OK"},"attributes":{}}]}"#,
        )
        .unwrap();
        assert_eq!(t.info.trace_id, "tr-f63661b21d221fc2d8106ab3ae58b94d");
        assert_eq!(t.info.name(), Some("root"));
        assert_eq!(t.info.duration_ms, Some(3));
    }

    /// A GetTrace answer's inner object (`traces/get?allow_partial=true`): OTLP spans with typed
    /// attribute values, next to `trace_info`, read by the same span-document parser.
    #[test]
    fn get_trace_answer_spans() {
        let inner = r#"{"trace_info":{"trace_id":"tr-1"},"spans":[{"trace_id":"YHPzjuvRjf1wpPLXenwSbQ==",
            "span_id":"8q0o0c1aMes=","parent_span_id":"","name":"tool","start_time_unix_nano":1795254258450375681,
            "end_time_unix_nano":null,"attributes":[{"key":"mlflow.spanType","value":{"string_value":"TOOL"}},
            {"key":"mlflow.spanInputs","value":{"kvlist_value":{"values":[{"key":"x","value":{"int_value":3}}]}}}],
            "status":{"code":"STATUS_CODE_UNSET"}}]}"#;
        let (spans, _, warnings) = parse_spans_doc(inner).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].name, "tool");
        assert_eq!(spans[0].span_type.as_str(), "TOOL");
        assert!(spans[0].duration_ns().is_none(), "still running");
        assert!(spans[0].inputs().is_some());
    }

    #[test]
    fn one_bad_span_keeps_the_rest() {
        let t =
            parse_trace(r#"{"spans":[{"name":"ok","span_id":"aa"}, {"name":"bad","events":5}]}"#)
                .unwrap();
        assert_eq!(t.span_count(), 1);
        assert_eq!(t.warnings.len(), 1);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        assert!(parse_trace(&deep).is_err());
        let inside = format!(
            r#"{{"spans":[{{"name":"x","span_id":"aa","attributes":{{"mlflow.spanInputs":"{}{}"}}}}]}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let t = parse_trace(&inside).unwrap();
        // too deep to build a tree of values: shown as its text, never a crash
        let v = t.spans()[0].inputs().unwrap().to_value();
        assert!(v.as_str().is_some_and(|s| s.len() == 20_000));
    }
}
