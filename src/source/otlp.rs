//! An OTLP/HTTP receiver as a source: apps export OpenTelemetry spans to `/v1/traces`
//! (protobuf or JSON bodies, gzip or not), the spans of many requests are assembled into
//! traces (running until their root ends), and the explorer lists them like any other source.
//! `--save FILE.jsonl` appends every finished trace as MLflow trace JSON, which opens later as
//! an ordinary source.
//!
//! Safety: it binds to loopback unless told otherwise; a request body is limited (before and
//! after gzip), and so is what is kept (the oldest traces go first, and are counted); a
//! malformed body gets a 400 and never stops the receiver. The HTTP server (axum, on a runtime
//! of its own) and the store share one mutex, which the UI never touches: sources run in tasks.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode as Http};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value};
use prost::Message;
use serde_json::Value;

use super::{Experiment, ListQuery, LocalStore, Notify, SourceError, TracePage};
use crate::model::parse::info_from_spans;
use crate::model::{
    AttrValue, Attributes, Span, SpanEvent, SpanType, StatusCode, Trace, TraceInfo,
};

/// The default address: OTLP/HTTP's port, on loopback.
pub const DEFAULT_ADDR: &str = "127.0.0.1:4318";
/// A request body at most this big, as sent and once ungzipped.
pub const MAX_BODY: usize = 32 * 1024 * 1024;
/// Traces kept; the oldest go first.
pub const MAX_TRACES: usize = 20_000;
/// Spans kept in one trace; more are dropped and counted.
pub const MAX_SPANS_PER_TRACE: usize = 200_000;

/// A trace being assembled.
struct Pending {
    spans: Vec<Span>,
    ids: HashSet<String>,
    resource: BTreeMap<String, String>,
    info: TraceInfo,
    /// The experiment the exporter named (`x-mlflow-experiment-id`, as MLflow's server reads).
    experiment: Option<String>,
    /// Written to the save file.
    saved: bool,
    /// When spans of it last arrived (ms since the epoch, this machine's clock): follow mode's
    /// polls find traces by it too, so an app whose clock is behind is not missed.
    received_ms: i64,
}

impl Pending {
    /// A trace is running until its root has ended.
    fn finished(&self) -> bool {
        self.spans
            .iter()
            .any(|s| s.parent_id.is_none() && s.end_ns.is_some())
    }

    fn trace(&self) -> Trace {
        let mut t = Trace::new(self.info.clone(), self.spans.clone());
        t.info = t.summary();
        t
    }

    /// The summary the list shows, worked out again when spans arrive.
    fn refresh(&mut self, id: &str) {
        let mut info = info_from_spans(&self.spans, Some(id.to_string()));
        if !self.finished() {
            info.state = crate::model::TraceState::InProgress;
            info.duration_ms = None;
        }
        for (k, v) in &self.resource {
            info.tags.insert(k.clone(), v.clone());
        }
        info.experiment_id = self.experiment.clone();
        info.metadata.insert(
            crate::model::keys::SIZE_STATS.to_string(),
            serde_json::json!({ "num_spans": self.spans.len() }).to_string(),
        );
        // the previews and the token total, as MLflow's server works them out on ingest
        // (MLflow previews are 1,000 characters)
        let preview = |v: &AttrValue| v.display_text().chars().take(1000).collect::<String>();
        if let Some(root) = self.spans.iter().find(|s| s.parent_id.is_none()) {
            info.request_preview = root.inputs().map(preview);
            info.response_preview = root.outputs().map(preview);
        }
        let mut usage = crate::model::TokenUsage::default();
        let mut counted = false;
        for s in &self.spans {
            if let Some(u) = s.token_usage() {
                usage.add(&u);
                counted = true;
            }
        }
        if counted {
            info.metadata.insert(
                crate::model::keys::TOKEN_USAGE.to_string(),
                serde_json::json!({
                    "input_tokens": usage.input,
                    "output_tokens": usage.output,
                    "total_tokens": usage.total,
                })
                .to_string(),
            );
        }
        // what MLflow's own spans say about the trace
        if let Some(root) = self.spans.iter().find(|s| s.parent_id.is_none()) {
            for (attr, key) in [
                ("mlflow.trace.user", crate::model::keys::USER),
                ("mlflow.trace.session", crate::model::keys::SESSION),
                ("session.id", crate::model::keys::SESSION),
                ("user.id", crate::model::keys::USER),
            ] {
                if let Some(v) = root.attr(attr).and_then(AttrValue::as_string) {
                    info.metadata.insert(key.to_string(), v);
                }
            }
        }
        self.info = info;
    }
}

#[derive(Default)]
struct Store {
    traces: HashMap<String, Pending>,
    /// Trace ids, oldest first (for retention).
    order: VecDeque<String>,
    max_traces: usize,
    /// Traces dropped to keep `max_traces`, and spans over the per-trace limit.
    dropped_traces: u64,
    dropped_spans: u64,
    /// Requests received, refused, spans taken.
    requests: u64,
    refused: u64,
    spans: u64,
    save: Option<(PathBuf, std::fs::File)>,
    save_error: Option<String>,
    notify: Option<Notify>,
}

/// The receiver: the store its server fills.
pub struct OtlpStore {
    store: Arc<Mutex<Store>>,
    addr: SocketAddr,
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// An OTLP attribute value as JSON.
pub fn json_of(v: &AnyValue) -> Value {
    match &v.value {
        Some(any_value::Value::StringValue(s)) => Value::String(s.clone()),
        Some(any_value::Value::BoolValue(b)) => Value::Bool(*b),
        Some(any_value::Value::IntValue(i)) => Value::from(*i),
        Some(any_value::Value::DoubleValue(d)) => serde_json::Number::from_f64(*d)
            .map(Value::Number)
            .unwrap_or(Value::Null),
        Some(any_value::Value::ArrayValue(a)) => {
            Value::Array(a.values.iter().map(json_of).collect())
        }
        Some(any_value::Value::KvlistValue(kv)) => Value::Object(
            kv.values
                .iter()
                .map(|k| (k.key.clone(), k.value.as_ref().map_or(Value::Null, json_of)))
                .collect(),
        ),
        Some(any_value::Value::BytesValue(b)) => Value::String(hex(b)),
        // an index into a profile's string table, which trace requests do not carry
        Some(any_value::Value::StringValueStrindex(_)) | None => Value::Null,
    }
}

/// An attribute as the model keeps it: strings decoded as MLflow's JSON-encoded values are,
/// other values as their JSON.
fn attr_of(v: &AnyValue) -> AttrValue {
    match &v.value {
        // as MLflow's server keeps it: JSON text of a string, list or object as that JSON;
        // anything else (plain text, or "42") as a string
        Some(any_value::Value::StringValue(s)) => {
            let trimmed = s.trim_start();
            if trimmed.starts_with(['{', '[', '"'])
                && serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok()
            {
                AttrValue::Json(s.clone().into_boxed_str())
            } else {
                AttrValue::from_value(&Value::String(s.clone()))
            }
        }
        _ => AttrValue::from_value(&json_of(v)),
    }
}

/// One OTLP span in the model (MLflow's attributes first, then what the GenAI, OpenInference
/// and OpenLLMetry conventions say).
pub fn span_of(s: &opentelemetry_proto::tonic::trace::v1::Span) -> Span {
    let attributes = Attributes::new(
        s.attributes
            .iter()
            .map(|kv| {
                (
                    crate::model::attr::attr_key(&kv.key),
                    kv.value
                        .as_ref()
                        .map_or(AttrValue::Json("null".into()), attr_of),
                )
            })
            .collect(),
    );
    let span_type = attributes
        .get(crate::model::keys::SPAN_TYPE)
        .and_then(AttrValue::as_string)
        .map(|t| SpanType::parse(&t))
        .unwrap_or_default();
    let (status, status_message) = match &s.status {
        Some(st) => (
            match st.code {
                1 => StatusCode::Ok,
                2 => StatusCode::Error,
                _ => StatusCode::Unset,
            },
            st.message.clone(),
        ),
        None => (StatusCode::Unset, String::new()),
    };
    let mut span = Span {
        span_id: hex(&s.span_id),
        parent_id: (!s.parent_span_id.is_empty()).then(|| hex(&s.parent_span_id)),
        name: s.name.clone(),
        span_type,
        status,
        status_message,
        start_ns: s.start_time_unix_nano,
        end_ns: (s.end_time_unix_nano > 0).then_some(s.end_time_unix_nano),
        attributes,
        events: s
            .events
            .iter()
            .map(|e| SpanEvent {
                name: e.name.clone(),
                time_ns: e.time_unix_nano,
                attributes: e
                    .attributes
                    .iter()
                    .map(|kv| {
                        (
                            kv.key.clone(),
                            kv.value.as_ref().map_or(Value::Null, json_of),
                        )
                    })
                    .collect(),
            })
            .collect(),
        derived: None,
    };
    crate::model::semconv::derive_received(&mut span);
    span
}

/// Decodes a request body: protobuf, or OTLP JSON (hex ids, camelCase), gzip or not.
pub fn decode(
    body: &[u8],
    content_type: &str,
    gzip: bool,
) -> Result<ExportTraceServiceRequest, String> {
    let raw;
    let bytes: &[u8] = if gzip {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(body)
            .take(MAX_BODY as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| format!("bad gzip body: {e}"))?;
        if out.len() > MAX_BODY {
            return Err(format!("the body is over {MAX_BODY} bytes once ungzipped"));
        }
        raw = out;
        &raw
    } else {
        body
    };
    if content_type.contains("json") {
        serde_json::from_slice(bytes).map_err(|e| format!("bad OTLP JSON: {e}"))
    } else {
        ExportTraceServiceRequest::decode(bytes).map_err(|e| format!("bad OTLP protobuf: {e}"))
    }
}

impl Store {
    /// Takes a request's spans; returns how many.
    fn ingest(&mut self, req: ExportTraceServiceRequest, experiment: Option<&str>) -> usize {
        let mut n = 0;
        let mut touched: HashSet<String> = HashSet::new();
        for rs in &req.resource_spans {
            let resource: BTreeMap<String, String> = rs
                .resource
                .iter()
                .flat_map(|r| &r.attributes)
                // MLflow keeps the resource's attributes as the trace's tags, but for the SDK's
                // own (`telemetry.sdk.*`)
                .filter(|kv| !kv.key.starts_with("telemetry.sdk."))
                .map(|kv| {
                    let v = kv.value.as_ref().map_or(Value::Null, json_of);
                    (
                        kv.key.clone(),
                        v.as_str().map_or_else(|| v.to_string(), str::to_string),
                    )
                })
                .collect();
            for ss in &rs.scope_spans {
                for s in &ss.spans {
                    let span = span_of(s);
                    // MLflow's own spans name their trace; others get MLflow's tr- id
                    let id = span
                        .attr("mlflow.traceRequestId")
                        .and_then(AttrValue::as_string)
                        .unwrap_or_else(|| format!("tr-{}", hex(&s.trace_id)));
                    if !self.traces.contains_key(&id) {
                        self.order.push_back(id.clone());
                        self.traces.insert(
                            id.clone(),
                            Pending {
                                spans: Vec::new(),
                                ids: HashSet::new(),
                                resource: resource.clone(),
                                experiment: experiment.map(str::to_string),
                                info: TraceInfo::default(),
                                saved: false,
                                received_ms: 0,
                            },
                        );
                    }
                    let Some(p) = self.traces.get_mut(&id) else {
                        continue;
                    };
                    if p.spans.len() >= MAX_SPANS_PER_TRACE {
                        self.dropped_spans += 1;
                        continue;
                    }
                    // a span sent again (a retried export) replaces the old one
                    if !p.ids.insert(span.span_id.clone()) {
                        p.spans.retain(|o| o.span_id != span.span_id);
                    }
                    p.spans.push(span);
                    n += 1;
                    touched.insert(id);
                }
            }
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        for id in touched {
            if let Some(p) = self.traces.get_mut(&id) {
                p.refresh(&id);
                p.received_ms = now;
            }
        }
        self.spans += n as u64;
        while self.order.len() > self.max_traces {
            if let Some(old) = self.order.pop_front() {
                self.traces.remove(&old);
                self.dropped_traces += 1;
            }
        }
        self.save_finished();
        n
    }

    /// Appends the traces that finished since the last look to the save file.
    fn save_finished(&mut self) {
        let Some((path, file)) = self.save.as_mut() else {
            return;
        };
        for id in &self.order {
            let Some(p) = self.traces.get_mut(id) else {
                continue;
            };
            if p.saved || !p.finished() {
                continue;
            }
            p.saved = true;
            let line = crate::model::mlflow_json::trace_json(&p.trace()).to_string();
            if let Err(e) = writeln!(file, "{line}").and_then(|_| file.flush()) {
                self.save_error = Some(format!("{}: {}", path.display(), super::io_reason(&e)));
            }
        }
    }
}

/// The traces a request's spans make on their own (what the receiver would list after it):
/// for the fuzz target and tests.
pub fn assemble(req: ExportTraceServiceRequest) -> Vec<Trace> {
    let mut s = Store {
        max_traces: MAX_TRACES,
        ..Default::default()
    };
    s.ingest(req, None);
    s.order
        .iter()
        .filter_map(|id| s.traces.get(id))
        .map(Pending::trace)
        .collect()
}

async fn receive(
    store: Arc<Mutex<Store>>,
    headers: HeaderMap,
    body: Bytes,
) -> (Http, [(&'static str, &'static str); 1], Vec<u8>) {
    let content_type = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/x-protobuf")
        .to_ascii_lowercase();
    let gzip = headers
        .get("content-encoding")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|e| e.eq_ignore_ascii_case("gzip"));
    let json = content_type.contains("json");
    let experiment = headers
        .get("x-mlflow-experiment-id")
        .and_then(|v| v.to_str().ok())
        .map(|e| e.chars().take(256).collect::<String>());
    let ok_type = if json {
        "application/json"
    } else {
        "application/x-protobuf"
    };
    let decoded = tokio::task::spawn_blocking(move || decode(&body, &content_type, gzip)).await;
    let req = match decoded {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => {
            // counted, and the explorer told (its status line says so)
            let notify = store.lock().ok().and_then(|mut s| {
                s.requests += 1;
                s.refused += 1;
                s.notify.clone()
            });
            if let Some(f) = notify {
                f();
            }
            return (
                Http::BAD_REQUEST,
                [("content-type", "text/plain")],
                e.into_bytes(),
            );
        }
        Err(e) => {
            return (
                Http::INTERNAL_SERVER_ERROR,
                [("content-type", "text/plain")],
                e.to_string().into_bytes(),
            );
        }
    };
    let notify = match store.lock() {
        Ok(mut s) => {
            s.requests += 1;
            let n = s.ingest(req, experiment.as_deref());
            if n > 0 { s.notify.clone() } else { None }
        }
        Err(_) => None,
    };
    if let Some(f) = notify {
        f();
    }
    // an empty ExportTraceServiceResponse
    let body = if json { b"{}".to_vec() } else { Vec::new() };
    (Http::OK, [("content-type", ok_type)], body)
}

impl OtlpStore {
    /// Binds `addr` and starts serving `/v1/traces` on a thread of its own.
    pub fn start(
        addr: &str,
        save: Option<PathBuf>,
        max_traces: usize,
    ) -> Result<Self, SourceError> {
        let std_listener = std::net::TcpListener::bind(addr).map_err(|e| {
            SourceError::Other(format!("cannot listen on {addr}: {}", super::io_reason(&e)))
        })?;
        let local = std_listener
            .local_addr()
            .map_err(|e| SourceError::Other(format!("{addr}: {e}")))?;
        std_listener
            .set_nonblocking(true)
            .map_err(|e| SourceError::Other(format!("{addr}: {e}")))?;
        let save = match save {
            Some(p) => {
                let f = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(&p)
                    .map_err(|e| SourceError::bad_file(&p, super::io_reason(&e)))?;
                Some((p, f))
            }
            None => None,
        };
        let store = Arc::new(Mutex::new(Store {
            max_traces: max_traces.max(1),
            save,
            ..Default::default()
        }));
        let shared = Arc::clone(&store);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| SourceError::Other(format!("starting the receiver: {e}")))?;
        std::thread::Builder::new()
            .name("otlp-receiver".into())
            .spawn(move || {
                rt.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(std_listener) else {
                        return;
                    };
                    let app = axum::Router::new()
                        .route(
                            "/v1/traces",
                            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                                receive(Arc::clone(&shared), headers, body)
                            }),
                        )
                        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY));
                    let _ = axum::serve(listener, app).await;
                });
            })
            .map_err(|e| SourceError::Other(format!("starting the receiver: {e}")))?;
        Ok(OtlpStore { store, addr: local })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Requests, refused requests, spans taken, traces and spans dropped, the save file's error.
    pub fn counters(&self) -> (u64, u64, u64, u64, u64, Option<String>) {
        self.store.lock().map_or((0, 0, 0, 0, 0, None), |s| {
            (
                s.requests,
                s.refused,
                s.spans,
                s.dropped_traces,
                s.dropped_spans,
                s.save_error.clone(),
            )
        })
    }

    /// Calls `f` after each request that brought spans (follow mode polls then).
    pub fn set_notify(&self, f: Option<Notify>) {
        if let Ok(mut s) = self.store.lock() {
            s.notify = f;
        }
    }
}

impl LocalStore for OtlpStore {
    fn describe(&self) -> String {
        format!("otlp http://{}/v1/traces", self.addr)
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        Ok(Vec::new())
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::Sql)? {
            return Ok(page);
        }
        let s = self
            .store
            .lock()
            .map_err(|_| SourceError::Other("the receiver's store failed".into()))?;
        let infos: Vec<TraceInfo> = s
            .traces
            .values()
            .filter(|p| {
                query.since_ms.is_none_or(|t| p.received_ms >= t) || query.is_recent(&p.info)
            })
            .map(|p| p.info.clone())
            .collect();
        drop(s);
        let mut page = super::page_of(infos, query)?;
        let (_, refused, _, dropped, dropped_spans, save_error) = self.counters();
        if refused > 0 {
            page.warnings
                .push(format!("{refused} request(s) refused as malformed (400)"));
        }
        if dropped > 0 {
            page.warnings.push(format!(
                "{dropped} old trace(s) dropped to keep the newest {}",
                self.store.lock().map_or(0, |s| s.max_traces)
            ));
        }
        if dropped_spans > 0 {
            page.warnings.push(format!(
                "{dropped_spans} span(s) dropped over {MAX_SPANS_PER_TRACE} in one trace"
            ));
        }
        if let Some(e) = save_error {
            page.warnings.push(format!("saving: {e}"));
        }
        Ok(page)
    }

    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let s = self
            .store
            .lock()
            .map_err(|_| SourceError::Other("the receiver's store failed".into()))?;
        match s.traces.get(trace_id) {
            Some(p) => Ok(Arc::new(p.trace())),
            None => Err(SourceError::NotFound(format!(
                "no trace {trace_id} received (or it was dropped to keep the newest)"
            ))),
        }
    }

    fn notify(&self, f: Option<Notify>) -> bool {
        self.set_notify(f);
        true
    }

    fn empty_hint(&self) -> Vec<String> {
        vec![
            format!(
                "waiting for spans at http://{}/v1/traces; point the app at it:",
                self.addr
            ),
            format!(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://{}/v1/traces",
                self.addr
            ),
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf".into(),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::common::v1::KeyValue;
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span as PSpan, Status};

    fn kv(k: &str, v: &str) -> KeyValue {
        KeyValue {
            key: k.into(),
            key_strindex: 0,
            value: Some(AnyValue {
                value: Some(any_value::Value::StringValue(v.into())),
            }),
        }
    }

    fn request(spans: Vec<PSpan>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans {
                    spans,
                    ..Default::default()
                }],
                ..Default::default()
            }],
        }
    }

    fn pspan(id: u8, parent: Option<u8>, end: u64) -> PSpan {
        PSpan {
            trace_id: vec![7; 16],
            span_id: vec![id; 8],
            parent_span_id: parent.map(|p| vec![p; 8]).unwrap_or_default(),
            name: format!("s{id}"),
            start_time_unix_nano: 1_000 + u64::from(id),
            end_time_unix_nano: end,
            status: Some(Status {
                code: 1,
                message: String::new(),
            }),
            attributes: vec![kv("gen_ai.operation.name", "chat")],
            ..Default::default()
        }
    }

    #[test]
    fn spans_of_many_requests_make_one_trace_running_until_its_root_ends() {
        let mut s = Store {
            max_traces: 10,
            ..Default::default()
        };
        s.ingest(request(vec![pspan(2, Some(1), 5_000)]), None);
        let id = format!("tr-{}", "07".repeat(16));
        assert_eq!(
            s.traces[&id].info.state,
            crate::model::TraceState::InProgress
        );
        s.ingest(request(vec![pspan(1, None, 9_000)]), None);
        let p = &s.traces[&id];
        assert_eq!(p.info.state, crate::model::TraceState::Ok);
        assert_eq!(p.spans.len(), 2);
        assert_eq!(p.trace().tree.roots().len(), 1);
        assert_eq!(p.spans[0].span_type, SpanType::ChatModel);
    }

    #[test]
    fn json_bodies_and_gzip_decode_and_garbage_is_refused() {
        let body = br#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","name":"x","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#;
        let r = decode(body, "application/json", false).unwrap();
        assert_eq!(r.resource_spans[0].scope_spans[0].spans[0].name, "x");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&request(vec![pspan(1, None, 3)]).encode_to_vec())
            .unwrap();
        let r = decode(&gz.finish().unwrap(), "application/x-protobuf", true).unwrap();
        assert_eq!(r.resource_spans[0].scope_spans[0].spans.len(), 1);
        assert!(decode(b"\xff\xff\xff", "application/x-protobuf", false).is_err());
        assert!(decode(b"{", "application/json", false).is_err());
        assert!(decode(b"not gzip", "application/json", true).is_err());
    }

    #[test]
    fn retention_drops_the_oldest_and_counts() {
        let mut s = Store {
            max_traces: 2,
            ..Default::default()
        };
        for t in 0..5u8 {
            let mut sp = pspan(1, None, 3);
            sp.trace_id = vec![t; 16];
            s.ingest(request(vec![sp]), None);
        }
        assert_eq!(s.traces.len(), 2);
        assert_eq!(s.dropped_traces, 3);
    }
}
