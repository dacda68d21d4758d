//! serde_json, simd-json and sonic-rs on the same exported trace files, two ways each:
//! a generic document (each library's own value type) and a typed read through serde into the
//! shapes mlflow-tui reads (spans with their attributes), which is how mlflow-tui parses.
//! Prints the median of N runs per parser and file, and each as a ratio to serde_json.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

#[derive(Deserialize)]
#[allow(dead_code)]
struct Doc {
    info: serde_json::Value,
    data: Data,
}

#[derive(Deserialize)]
struct Data {
    spans: Vec<Span>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Span {
    trace_id: String,
    span_id: String,
    parent_span_id: Option<String>,
    name: String,
    start_time_unix_nano: u64,
    end_time_unix_nano: Option<u64>,
    status: Status,
    attributes: BTreeMap<String, String>,
    events: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
#[allow(dead_code)]
struct Status {
    code: String,
    message: String,
}

fn median(mut f: impl FnMut(), runs: usize) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[t.len() / 2]
}

fn main() {
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(7);
    for path in std::env::args().skip(1) {
        let text = std::fs::read_to_string(&path).expect("read");
        let mb = text.len() as f64 / 1048576.0;
        println!("{path} ({mb:.1} MB), median of {runs} runs");
        let base_dom = median(
            || {
                let v: serde_json::Value = serde_json::from_str(&text).expect("serde_json");
                std::hint::black_box(v);
            },
            runs,
        );
        let simd_dom = median(
            || {
                let mut bytes = text.clone().into_bytes();
                let v = simd_json::to_owned_value(&mut bytes).expect("simd-json");
                std::hint::black_box(v);
            },
            runs,
        );
        let sonic_dom = median(
            || {
                let v: sonic_rs::Value = sonic_rs::from_str(&text).expect("sonic-rs");
                std::hint::black_box(v);
            },
            runs,
        );
        let base_typed = median(
            || {
                let d: Doc = serde_json::from_str(&text).expect("serde_json typed");
                std::hint::black_box(d.data.spans.len());
            },
            runs,
        );
        let simd_typed = median(
            || {
                let mut bytes = text.clone().into_bytes();
                let d: Doc = simd_json::serde::from_slice(&mut bytes).expect("simd-json typed");
                std::hint::black_box(d.data.spans.len());
            },
            runs,
        );
        let sonic_typed = median(
            || {
                let d: Doc = sonic_rs::from_str(&text).expect("sonic-rs typed");
                std::hint::black_box(d.data.spans.len());
            },
            runs,
        );
        let row = |name: &str, d: Duration, base: Duration| {
            println!(
                "  {name:<28} {:>8.1} ms  {:>6.0} MB/s  {:.2}x serde_json",
                d.as_secs_f64() * 1e3,
                mb / d.as_secs_f64(),
                base.as_secs_f64() / d.as_secs_f64()
            )
        };
        row("serde_json  document", base_dom, base_dom);
        row("simd-json   document", simd_dom, base_dom);
        row("sonic-rs    document", sonic_dom, base_dom);
        row("serde_json  typed (serde)", base_typed, base_typed);
        row("simd-json   typed (serde)", simd_typed, base_typed);
        row("sonic-rs    typed (serde)", sonic_typed, base_typed);
    }
}
