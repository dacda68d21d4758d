//! The OTLP receiver's throughput: spans per second it ingests over loopback HTTP while follow
//! mode's poll keeps asking what is new, and how long that poll (what the explorer waits on)
//! takes meanwhile. The yardstick, measured in the same run: the same requests to an HTTP
//! server of the same stack (axum) that reads each body and throws it away; the ratio says
//! what decoding, assembling and keeping the spans cost over merely receiving them.
//!
//! `cargo bench --bench otlp` (not criterion: one timed run of each, printed as a table).
//! Requests are what OpenTelemetry's batch span processor sends: 512 spans each, protobuf,
//! traces of 16 GenAI spans (chat, tool, agent) with messages and token counts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mlflow_tui::source::{ListQuery, Source};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;

const SPANS_PER_REQUEST: usize = 512;
const SPANS_PER_TRACE: usize = 16;
const REQUESTS: usize = 400; // 204,800 spans, 12,800 traces
const CLIENTS: usize = 4;

fn kv(k: &str, v: any_value::Value) -> KeyValue {
    KeyValue {
        key: k.into(),
        value: Some(AnyValue { value: Some(v) }),
        key_strindex: 0,
    }
}

fn s(v: &str) -> any_value::Value {
    any_value::Value::StringValue(v.into())
}

/// Request `r`: its traces' spans, children first, each trace's root last.
fn request(r: usize) -> Vec<u8> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    let mut spans = Vec::with_capacity(SPANS_PER_REQUEST);
    for i in 0..SPANS_PER_REQUEST {
        let global = r * SPANS_PER_REQUEST + i;
        let t = global / SPANS_PER_TRACE;
        let k = global % SPANS_PER_TRACE;
        let root = k == SPANS_PER_TRACE - 1;
        let mut trace_id = [0u8; 16];
        trace_id[8..].copy_from_slice(&(t as u64 + 1).to_be_bytes());
        let span_id = |k: usize| (((t as u64) << 8) | (k as u64 + 1)).to_be_bytes().to_vec();
        let attributes = if root {
            vec![kv("gen_ai.operation.name", s("invoke_agent"))]
        } else if k.is_multiple_of(2) {
            vec![
                kv("gen_ai.operation.name", s("chat")),
                kv("gen_ai.request.model", s("gpt-4o-mini")),
                kv(
                    "gen_ai.input.messages",
                    s(
                        r#"[{"role":"user","parts":[{"type":"text","content":"What is the weather in Paris, and should I take an umbrella tomorrow?"}]}]"#,
                    ),
                ),
                kv(
                    "gen_ai.output.messages",
                    s(
                        r#"[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]"#,
                    ),
                ),
                kv("gen_ai.usage.input_tokens", any_value::Value::IntValue(42)),
                kv("gen_ai.usage.output_tokens", any_value::Value::IntValue(7)),
            ]
        } else {
            vec![
                kv("gen_ai.operation.name", s("execute_tool")),
                kv("gen_ai.tool.name", s("get_weather")),
                kv("gen_ai.tool.call.arguments", s(r#"{"city":"Paris"}"#)),
                kv(
                    "gen_ai.tool.call.result",
                    s(r#"{"forecast":"rain","celsius":14}"#),
                ),
            ]
        };
        spans.push(Span {
            trace_id: trace_id.to_vec(),
            span_id: span_id(k),
            parent_span_id: if root {
                Vec::new()
            } else {
                span_id(SPANS_PER_TRACE - 1)
            },
            name: if root {
                "agent".into()
            } else {
                format!("step {k}")
            },
            start_time_unix_nano: now + k as u64 * 1_000,
            end_time_unix_nano: now + 1_000_000 + k as u64 * 1_000,
            attributes,
            ..Default::default()
        });
    }
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: None,
            scope_spans: vec![ScopeSpans {
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
    .encode_to_vec()
}

/// Posts every body to `url` from `CLIENTS` concurrent clients; the seconds it took.
async fn post_all(url: &str, bodies: &Arc<Vec<Vec<u8>>>) -> f64 {
    post_with(url, bodies, &[]).await
}

async fn post_with(url: &str, bodies: &Arc<Vec<Vec<u8>>>, headers: &[(&str, &str)]) -> f64 {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = client.clone();
        let bodies = Arc::clone(bodies);
        let url = url.to_string();
        let headers = headers.clone();
        tasks.push(tokio::spawn(async move {
            for body in bodies.iter().skip(c).step_by(CLIENTS) {
                let mut req = client
                    .post(&url)
                    .header("content-type", "application/x-protobuf");
                for (k, v) in &headers {
                    req = req.header(k, v);
                }
                let r = req.body(body.clone()).send().await.expect("posted");
                assert!(r.status().is_success(), "{}", r.status());
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed().as_secs_f64()
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or(0.0)
}

fn main() {
    let bodies: Arc<Vec<Vec<u8>>> = Arc::new((0..REQUESTS).map(request).collect());
    let bytes: usize = bodies.iter().map(Vec::len).sum();
    let spans = REQUESTS * SPANS_PER_REQUEST;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();

    // the yardstick: the same HTTP stack, bodies read and dropped
    let sink = rt.block_on(async {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        let app = axum::Router::new()
            .route(
                "/v1/traces",
                axum::routing::post(|body: axum::body::Bytes| async move {
                    std::hint::black_box(body.len());
                    ""
                }),
            )
            .layer(axum::extract::DefaultBodyLimit::max(64 << 20));
        tokio::spawn(async move { axum::serve(l, app).await });
        addr
    });
    let sink_s = rt.block_on(post_all(&format!("http://{sink}/v1/traces"), &bodies));

    // the receiver, with follow mode's poll running all along
    let src = mlflow_tui::source::listen("127.0.0.1:0", None).expect("listening");
    let describe = src.describe();
    let addr = describe
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap()
        .to_string();
    let done = Arc::new(AtomicBool::new(false));
    let poller = {
        let src: Arc<dyn Source> = Arc::clone(&src);
        let done = Arc::clone(&done);
        rt.spawn(async move {
            let mut took = Vec::new();
            let mut seen = 0;
            while !done.load(Ordering::Relaxed) {
                let t = Instant::now();
                let page = src
                    .list(ListQuery::poll(Vec::new(), None, None))
                    .await
                    .expect("listed");
                took.push(t.elapsed().as_secs_f64() * 1000.0);
                seen = seen.max(page.traces.len());
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            (took, seen)
        })
    };
    let recv_s = rt.block_on(post_all(&format!("http://{addr}/v1/traces"), &bodies));
    done.store(true, Ordering::Relaxed);
    let (mut took, seen) = rt.block_on(poller).unwrap();
    let all = rt
        .block_on(src.list(ListQuery {
            max_results: 100_000,
            ..ListQuery::poll(Vec::new(), None, None)
        }))
        .unwrap();
    assert_eq!(
        all.traces.len(),
        spans / SPANS_PER_TRACE,
        "every trace kept"
    );

    let mb = bytes as f64 / 1e6;
    println!(
        "{REQUESTS} requests of {SPANS_PER_REQUEST} spans ({spans} spans, {} traces, {mb:.1} MB of protobuf), {CLIENTS} clients, loopback",
        spans / SPANS_PER_TRACE
    );
    println!("| what | seconds | spans/s | MB/s | ratio |");
    println!("|---|---|---|---|---|");
    println!(
        "| axum reading and dropping the bodies (yardstick) | {sink_s:.2} | {:.0} | {:.1} | 1.00× |",
        spans as f64 / sink_s,
        mb / sink_s
    );
    println!(
        "| mlflow-tui's receiver: decode, map, assemble, keep | {recv_s:.2} | {:.0} | {:.1} | {:.2}× the time |",
        spans as f64 / recv_s,
        mb / recv_s,
        recv_s / sink_s
    );
    // MLflow's own server, when one is given (scripts/live_servers.sh exports its address):
    // a twentieth of the requests, which take it long enough
    if let Ok(server) = std::env::var("MLFLOW_TUI_SERVER_V3") {
        let part: Arc<Vec<Vec<u8>>> =
            Arc::new(bodies.iter().take(REQUESTS / 20).cloned().collect());
        let n = part.len() * SPANS_PER_REQUEST;
        let t = rt.block_on(post_with(
            &format!("{}/v1/traces", server.trim_end_matches('/')),
            &part,
            &[("x-mlflow-experiment-id", "0")],
        ));
        println!(
            "| MLflow's server, its own /v1/traces ({} requests) | {t:.2} | {:.0} | — | {:.1}× slower per span than mlflow-tui |",
            part.len(),
            n as f64 / t,
            (t / n as f64) / (recv_s / spans as f64)
        );
    }
    let n = took.len();
    println!(
        "follow mode's poll meanwhile ({n} polls, up to {seen} traces listed): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        percentile(&mut took, 0.5),
        percentile(&mut took, 0.99),
        percentile(&mut took, 1.0)
    );
}
