//! Span attribute values. MLflow stores each value as a JSON-encoded string (`"\"AGENT\""`,
//! `"{\"q\": 1}"`); we decode that layer exactly once, when the span is parsed, and keep the
//! result as JSON text (cheap to store, parsed again only when a pane needs the tree of values).
//! A value that is not JSON (OTLP-ingested or third-party) is kept as plain text.

use std::borrow::Cow;

use serde::{Serialize, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    /// Valid JSON text.
    Json(Box<str>),
    /// A value that was not JSON, kept as written.
    Text(Box<str>),
}

impl AttrValue {
    /// Decodes one stored attribute string (the JSON-encoded value).
    pub fn decode(stored: String) -> Self {
        if is_json(&stored) {
            AttrValue::Json(stored.into_boxed_str())
        } else {
            AttrValue::Text(stored.into_boxed_str())
        }
    }

    /// Wraps a value that is already decoded (OTLP AnyValue, YAML, a non-string JSON value).
    pub fn from_value(v: &Value) -> Self {
        AttrValue::Json(v.to_string().into_boxed_str())
    }

    /// The value as a JSON tree (a string value for `Text`, and for JSON nested deeper than
    /// the parser's recursion limit).
    pub fn to_value(&self) -> Value {
        match self {
            AttrValue::Json(s) => {
                serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
            }
            AttrValue::Text(s) => Value::String(s.to_string()),
        }
    }

    /// A string value without its JSON quotes; numbers and booleans as written. `None` for
    /// objects, arrays and null.
    pub fn as_string(&self) -> Option<String> {
        match self {
            AttrValue::Text(s) => Some(s.to_string()),
            AttrValue::Json(s) => {
                let t = s.trim_start();
                if t.starts_with('"') {
                    serde_json::from_str::<String>(s).ok()
                } else if t.starts_with('{') || t.starts_with('[') || t.starts_with("null") {
                    None
                } else {
                    Some(t.trim_end().to_string())
                }
            }
        }
    }

    /// Text for one-line display: strings unquoted, everything else as compact JSON.
    pub fn display_text(&self) -> String {
        match self {
            AttrValue::Text(s) => s.to_string(),
            AttrValue::Json(s) => match s.trim_start().as_bytes().first() {
                Some(b'"') => serde_json::from_str::<String>(s).unwrap_or_else(|_| s.to_string()),
                _ => s.to_string(),
            },
        }
    }

    /// Pretty-printed JSON (or the text as is).
    pub fn pretty(&self) -> String {
        match self {
            AttrValue::Text(s) => s.to_string(),
            AttrValue::Json(s) => match serde_json::from_str::<Value>(s) {
                Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| s.to_string()),
                Err(_) => s.to_string(),
            },
        }
    }

    pub fn raw(&self) -> &str {
        match self {
            AttrValue::Json(s) | AttrValue::Text(s) => s,
        }
    }

    pub fn len(&self) -> usize {
        self.raw().len()
    }

    pub fn is_empty(&self) -> bool {
        self.raw().is_empty()
    }
}

impl Serialize for AttrValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AttrValue::Json(text) => {
                match serde_json::value::RawValue::from_string(text.to_string()) {
                    Ok(raw) => raw.serialize(s),
                    Err(_) => s.serialize_str(text),
                }
            }
            AttrValue::Text(text) => s.serialize_str(text),
        }
    }
}

/// True if `s` is one complete JSON value. Long values (inputs and outputs, the bulk of a
/// trace) are judged by their first and last characters, which is what the writers produce;
/// one that only looks like JSON still shows as its text (see [`AttrValue::to_value`]).
pub fn is_json(s: &str) -> bool {
    const FULL_CHECK: usize = 256;
    if s.len() <= FULL_CHECK {
        return serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok();
    }
    let t = s.trim();
    matches!(
        (t.as_bytes().first(), t.as_bytes().last()),
        (Some(b'{'), Some(b'}')) | (Some(b'['), Some(b']')) | (Some(b'"'), Some(b'"'))
    )
}

/// A span's attributes: keys sorted, looked up by binary search. Smaller than a map for the
/// handful of attributes a span has, which matters at 100k spans.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attributes(Vec<(AttrKey, AttrValue)>);

/// An attribute key: MLflow's own keys repeat on every span, so they are shared statics.
pub type AttrKey = Cow<'static, str>;

/// Keys that every MLflow span carries; kept as statics instead of one allocation each.
const KNOWN_KEYS: [&str; 16] = [
    "mlflow.traceRequestId",
    "mlflow.spanType",
    "mlflow.spanInputs",
    "mlflow.spanOutputs",
    "mlflow.spanFunctionName",
    "mlflow.spanLogLevel",
    "mlflow.chat.tokenUsage",
    "mlflow.chat.tools",
    "mlflow.chat.messages",
    "mlflow.message.format",
    "mlflow.llm.model",
    "mlflow.llm.provider",
    "mlflow.llm.cost",
    "mlflow.spanDescription",
    "mlflow.spanStartTimeNs",
    "mlflow.experimentId",
];

/// The key as a shared static when it is one of MLflow's, else owned.
pub fn attr_key(k: &str) -> AttrKey {
    match KNOWN_KEYS.iter().find(|known| **known == k) {
        Some(known) => Cow::Borrowed(known),
        None => Cow::Owned(k.to_owned()),
    }
}

impl Attributes {
    pub fn new(mut items: Vec<(AttrKey, AttrValue)>) -> Self {
        items.sort_by(|a, b| a.0.cmp(&b.0));
        // a key written twice: the last one wins, as in a JSON object
        items.reverse();
        items.dedup_by(|a, b| a.0 == b.0);
        items.reverse();
        items.shrink_to_fit();
        Attributes(items)
    }
    pub fn get(&self, key: &str) -> Option<&AttrValue> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }
    pub fn iter(&self) -> impl Iterator<Item = (&str, &AttrValue)> {
        self.0.iter().map(|(k, v)| (k.as_ref(), v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Attributes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// A non-negative integer from a JSON number or a numeric string.
pub fn as_u64(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_kind() {
        let s = AttrValue::decode("\"AGENT\"".into());
        assert_eq!(s.as_string().as_deref(), Some("AGENT"));
        assert_eq!(s.display_text(), "AGENT");
        let n = AttrValue::decode("20".into());
        assert_eq!(n.as_string().as_deref(), Some("20"));
        let o = AttrValue::decode("{\"q\": \"hi\"}".into());
        assert!(o.as_string().is_none());
        assert_eq!(o.to_value()["q"], "hi");
        let t = AttrValue::decode("not json".into());
        assert_eq!(t, AttrValue::Text("not json".into()));
        let nan = AttrValue::decode("NaN".into());
        assert!(matches!(nan, AttrValue::Text(_)));
    }

    #[test]
    fn serializes_json_as_json() {
        let o = AttrValue::decode("{\"q\": [1, 2]}".into());
        assert_eq!(serde_json::to_string(&o).unwrap(), "{\"q\": [1, 2]}");
        let t = AttrValue::decode("x\u{1b}".into());
        assert_eq!(serde_json::to_string(&t).unwrap(), "\"x\\u001b\"");
    }
}
