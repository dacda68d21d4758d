//! Span attribute values. MLflow stores each value as a JSON-encoded string (`"\"AGENT\""`,
//! `"{\"q\": 1}"`); we decode that layer exactly once, when the span is parsed, and keep the
//! result as JSON text (cheap to store, parsed again only when a pane needs the tree of values).
//! A value that is not JSON (OTLP-ingested or third-party) is kept as plain text.

use std::borrow::Cow;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use serde_json::Value;

#[derive(Debug, Clone)]
pub enum AttrValue {
    /// Valid JSON text.
    Json(Box<str>),
    /// A value that was not JSON, kept as written.
    Text(Box<str>),
    /// Valid JSON text that spans side by side hold alike (every span's trace id, a run of
    /// spans of one type), kept once for all of them ([`AttrValue::share`]). The same value
    /// as [`AttrValue::Json`] of the same text.
    Shared(Arc<str>),
}

impl PartialEq for AttrValue {
    fn eq(&self, other: &Self) -> bool {
        self.json().is_some() == other.json().is_some() && self.raw() == other.raw()
    }
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

    /// The JSON text, when the value is JSON.
    pub fn json(&self) -> Option<&str> {
        match self {
            AttrValue::Json(s) => Some(s),
            AttrValue::Shared(s) => Some(s),
            AttrValue::Text(_) => None,
        }
    }

    /// Makes this value and `other` one shared copy when they are the same short JSON (a
    /// span's value and the same key's on the span before it, when a trace is parsed).
    pub fn share(&mut self, other: &mut AttrValue) {
        const SHORT: usize = 256;
        if self.len() > SHORT || self.json().is_none() || self != other {
            return;
        }
        let shared = match other {
            AttrValue::Shared(s) => Arc::clone(s),
            _ => {
                let s: Arc<str> = Arc::from(other.raw());
                *other = AttrValue::Shared(Arc::clone(&s));
                s
            }
        };
        *self = AttrValue::Shared(shared);
    }

    /// The value as a JSON tree (a string value for `Text`, and for JSON nested deeper than
    /// the parser's recursion limit).
    pub fn to_value(&self) -> Value {
        match self.json() {
            Some(s) => serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())),
            None => Value::String(self.raw().to_string()),
        }
    }

    /// A string value without its JSON quotes; numbers and booleans as written. `None` for
    /// objects, arrays and null.
    pub fn as_string(&self) -> Option<String> {
        let Some(s) = self.json() else {
            return Some(self.raw().to_string());
        };
        let t = s.trim_start();
        if t.starts_with('"') {
            serde_json::from_str::<String>(s).ok()
        } else if t.starts_with('{') || t.starts_with('[') || t.starts_with("null") {
            None
        } else {
            Some(t.trim_end().to_string())
        }
    }

    /// Text for one-line display: strings unquoted, everything else as compact JSON.
    pub fn display_text(&self) -> String {
        match self.json() {
            None => self.raw().to_string(),
            Some(s) => match s.trim_start().as_bytes().first() {
                Some(b'"') => serde_json::from_str::<String>(s).unwrap_or_else(|_| s.to_string()),
                _ => s.to_string(),
            },
        }
    }

    /// Pretty-printed JSON (or the text as is).
    pub fn pretty(&self) -> String {
        match self.json() {
            None => self.raw().to_string(),
            Some(s) => match serde_json::from_str::<Value>(s) {
                Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| s.to_string()),
                Err(_) => s.to_string(),
            },
        }
    }

    pub fn raw(&self) -> &str {
        match self {
            AttrValue::Json(s) | AttrValue::Text(s) => s,
            AttrValue::Shared(s) => s,
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
        match self.json() {
            Some(text) => match serde_json::value::RawValue::from_string(text.to_string()) {
                Ok(raw) => raw.serialize(s),
                Err(_) => s.serialize_str(text),
            },
            None => s.serialize_str(self.raw()),
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
    pub fn get_mut(&mut self, key: &str) -> Option<&mut AttrValue> {
        self.0
            .binary_search_by(|(k, _)| k.as_ref().cmp(key))
            .ok()
            .map(|i| &mut self.0[i].1)
    }
    /// Shares each short value that `prev` holds alike under the same key
    /// ([`AttrValue::share`]).
    pub fn share_with(&mut self, prev: &mut Attributes) {
        // both lists are sorted by key: one walk down both
        let mut theirs = prev.0.iter_mut().peekable();
        for (k, v) in &mut self.0 {
            while theirs.next_if(|(pk, _)| pk < k).is_some() {}
            if let Some((_, p)) = theirs.next_if(|(pk, _)| pk == k) {
                v.share(p);
            }
        }
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
    fn short_json_alike_is_shared_and_reads_the_same() {
        let (mut a, mut b) = (
            AttrValue::decode("\"tr-1\"".into()),
            AttrValue::decode("\"tr-1\"".into()),
        );
        a.share(&mut b);
        let (AttrValue::Shared(x), AttrValue::Shared(y)) = (&a, &b) else {
            panic!("not shared: {a:?} {b:?}");
        };
        assert!(Arc::ptr_eq(x, y));
        // a third alike shares the same copy
        let mut c = AttrValue::decode("\"tr-1\"".into());
        c.share(&mut b);
        assert!(matches!(&c, AttrValue::Shared(z) if Arc::ptr_eq(x, z)));
        // shared or not, the value is the same
        assert_eq!(c, AttrValue::decode("\"tr-1\"".into()));
        assert_eq!(c.as_string().as_deref(), Some("tr-1"));
        assert_eq!(c.to_value(), Value::from("tr-1"));
        assert_eq!(
            serde_json::to_string(&c).unwrap(),
            serde_json::to_string(&AttrValue::decode("\"tr-1\"".into())).unwrap()
        );
        // text, long values and values that differ stay apart; text never equals JSON
        for (mut x, mut y) in [
            (AttrValue::Text("x y".into()), AttrValue::Text("x y".into())),
            (
                AttrValue::decode(format!("\"{}\"", "l".repeat(300))),
                AttrValue::decode(format!("\"{}\"", "l".repeat(300))),
            ),
            (AttrValue::decode("1".into()), AttrValue::decode("2".into())),
        ] {
            x.share(&mut y);
            assert!(!matches!(x, AttrValue::Shared(_)), "{x:?}");
            assert!(!matches!(y, AttrValue::Shared(_)), "{y:?}");
        }
        assert_ne!(AttrValue::Text("1".into()), AttrValue::decode("1".into()));
    }

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
