//! MLflow's own JSON for a trace and its spans: the shape of MLflow 3's `Trace.to_json()` and
//! `Span.to_dict()` (base64 OpenTelemetry ids, attribute values as JSON-encoded strings,
//! `STATUS_CODE_*`), which MLflow's `Trace.from_json` reads back. The detail pane's JSON tab
//! shows it; the normalized form (hex ids, decoded attributes) has its own tab.

use base64::Engine;
use serde_json::{Map, Value, json};

use super::{Assessment, Span, StatusCode, Trace, TraceInfo};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn hex_bytes(hex: &str) -> Option<Vec<u8>> {
    if !hex.len().is_multiple_of(2) || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok())
        .collect()
}

/// The OpenTelemetry trace id behind an MLflow trace id: `tr-<32 hex>` in MLflow 3 (the hex is
/// the id); other ids get 16 bytes derived from their text, so that spans still agree.
pub fn otel_trace_id(trace_id: &str) -> [u8; 16] {
    let hex = trace_id.strip_prefix("tr-").unwrap_or(trace_id);
    if let Some(b) = hex_bytes(hex).filter(|b| b.len() == 16) {
        let mut out = [0u8; 16];
        out.copy_from_slice(&b);
        return out;
    }
    // FNV-1a over the id, twice with different seeds: stable across runs and platforms
    let mut out = [0u8; 16];
    for (half, seed) in [
        (0usize, 0xcbf2_9ce4_8422_2325u64),
        (8, 0x8422_2325_cbf2_9ce4),
    ] {
        let mut h = seed;
        for b in trace_id.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        out[half..half + 8].copy_from_slice(&h.to_be_bytes());
    }
    out
}

fn span_id_b64(hex: &str) -> String {
    match hex_bytes(hex) {
        Some(b) => b64(&b),
        None => b64(hex.as_bytes()),
    }
}

fn status_code(s: StatusCode) -> &'static str {
    match s {
        StatusCode::Unset => "STATUS_CODE_UNSET",
        StatusCode::Ok => "STATUS_CODE_OK",
        StatusCode::Error => "STATUS_CODE_ERROR",
    }
}

/// One span as MLflow's `Span.to_dict()` writes it.
pub fn span_json(span: &Span, otel_trace_id: &[u8; 16]) -> Value {
    let mut attrs = Map::new();
    for (k, v) in span.attributes.iter() {
        let stored = match (v.json(), v.raw()) {
            (Some(s), _) => s.to_string(),
            // Python's json writes NaN and the infinities bare: they were stored so
            (None, t @ ("NaN" | "Infinity" | "-Infinity")) => t.to_string(),
            (None, t) => Value::String(t.to_string()).to_string(),
        };
        attrs.insert(k.to_string(), Value::String(stored));
    }
    // what an OpenTelemetry span's conventions say, written as MLflow's server writes it when
    // it ingests the span: the file then reads the same anywhere
    if let Some(d) = &span.derived {
        use super::keys;
        let mut put = |k: &str, v: Value| {
            attrs
                .entry(k.to_string())
                .or_insert_with(|| Value::String(v.to_string()));
        };
        if span.span_type != super::SpanType::Unknown {
            put(
                keys::SPAN_TYPE,
                Value::String(span.span_type.as_str().to_string()),
            );
        }
        if let Some(v) = &d.inputs {
            put(keys::SPAN_INPUTS, v.to_value());
        }
        if let Some(v) = &d.outputs {
            put(keys::SPAN_OUTPUTS, v.to_value());
        }
        if let Some(u) = &d.usage {
            let mut m = Map::new();
            m.insert("input_tokens".into(), u.input.into());
            m.insert("output_tokens".into(), u.output.into());
            m.insert("total_tokens".into(), u.total.into());
            if let Some(c) = u.cache_read {
                m.insert("cache_read_input_tokens".into(), c.into());
            }
            if let Some(c) = u.cache_creation {
                m.insert("cache_creation_input_tokens".into(), c.into());
            }
            put(keys::SPAN_CHAT_USAGE, Value::Object(m));
        }
        if let Some(m) = &d.model {
            put(keys::SPAN_MODEL, Value::String(m.clone()));
        }
        if let Some(p) = &d.provider {
            put(keys::SPAN_PROVIDER, Value::String(p.clone()));
        }
    }
    let events: Vec<Value> = span
        .events
        .iter()
        .map(|e| {
            json!({
                "name": e.name,
                "time_unix_nano": e.time_ns,
                "attributes": e.attributes,
            })
        })
        .collect();
    json!({
        "trace_id": b64(otel_trace_id),
        "span_id": span_id_b64(&span.span_id),
        "parent_span_id": span.parent_id.as_deref().map(span_id_b64).unwrap_or_default(),
        "name": span.name,
        "start_time_unix_nano": span.start_ns,
        "end_time_unix_nano": span.end_ns,
        "events": events,
        "status": {"code": status_code(span.status), "message": span.status_message},
        "attributes": attrs,
    })
}

fn iso_ms(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_else(|| "1970-01-01T00:00:00.000Z".into())
}

fn assessment_json(a: &Assessment, trace_id: &str, at_ms: i64) -> Value {
    let mut o = Map::new();
    o.insert("assessment_id".into(), json!(a.id));
    o.insert("assessment_name".into(), json!(a.name));
    o.insert("trace_id".into(), json!(trace_id));
    if let Some(s) = &a.span_id {
        o.insert("span_id".into(), json!(s));
    }
    let mut source = Map::new();
    source.insert(
        "source_type".into(),
        json!(a.source_type.as_deref().unwrap_or("CODE")),
    );
    if let Some(id) = &a.source_id {
        source.insert("source_id".into(), json!(id));
    }
    o.insert("source".into(), Value::Object(source));
    o.insert("create_time".into(), json!(iso_ms(at_ms)));
    o.insert("last_update_time".into(), json!(iso_ms(at_ms)));
    let value = a.value.clone().unwrap_or(Value::Null);
    if a.kind == "expectation" {
        o.insert("expectation".into(), json!({ "value": value }));
    } else {
        let mut f = Map::new();
        f.insert("value".into(), value);
        if let Some(e) = &a.error {
            f.insert("error".into(), json!({ "error_message": e }));
        }
        o.insert("feedback".into(), Value::Object(f));
    }
    if let Some(r) = &a.rationale {
        o.insert("rationale".into(), json!(r));
    }
    if let Some(v) = a.valid {
        o.insert("valid".into(), json!(v));
    }
    Value::Object(o)
}

/// A trace's info as MLflow 3's `TraceInfo.to_dict()` writes it.
pub fn info_json(info: &TraceInfo) -> Value {
    let mut o = Map::new();
    o.insert("trace_id".into(), json!(info.trace_id));
    if let Some(c) = &info.client_request_id {
        o.insert("client_request_id".into(), json!(c));
    }
    o.insert(
        "trace_location".into(),
        json!({
            "type": "MLFLOW_EXPERIMENT",
            "mlflow_experiment": {"experiment_id": info.experiment_id.clone().unwrap_or_default()},
        }),
    );
    o.insert("request_time".into(), json!(iso_ms(info.request_time_ms)));
    o.insert(
        "state".into(),
        json!(match info.state {
            super::TraceState::Unspecified => "STATE_UNSPECIFIED",
            s => s.as_str(),
        }),
    );
    o.insert("trace_metadata".into(), json!(info.metadata));
    o.insert(
        "assessments".into(),
        Value::Array(
            info.assessments
                .iter()
                .map(|a| assessment_json(a, &info.trace_id, info.request_time_ms))
                .collect(),
        ),
    );
    o.insert("tags".into(), json!(info.tags));
    if let Some(p) = &info.request_preview {
        o.insert("request_preview".into(), json!(p));
    }
    if let Some(p) = &info.response_preview {
        o.insert("response_preview".into(), json!(p));
    }
    if let Some(d) = info.duration_ms {
        o.insert("execution_duration_ms".into(), json!(d));
    }
    Value::Object(o)
}

/// A whole trace as `Trace.to_json()` writes it: `{"info": …, "data": {"spans": […]}}`.
pub fn trace_json(t: &Trace) -> Value {
    let id = otel_trace_id(&t.info.trace_id);
    let spans: Vec<Value> = t
        .tree
        .preorder()
        .iter()
        .map(|&i| span_json(t.tree.span(i), &id))
        .collect();
    json!({"info": info_json(&t.info), "data": {"spans": spans}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_base64_of_the_otel_bytes() {
        let id = otel_trace_id("tr-eb78a4daef1f83561c5d3bccb6b04542");
        assert_eq!(b64(&id), "63ik2u8fg1YcXTvMtrBFQg==");
        assert_eq!(span_id_b64("bba5009f9ffeb59a"), "u6UAn5/+tZo=");
        // any other id still gives 16 stable bytes
        assert_eq!(otel_trace_id("x"), otel_trace_id("x"));
        assert_ne!(otel_trace_id("x"), otel_trace_id("y"));
    }
}
