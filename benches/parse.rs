//! Parsing speed of exported traces written by the real MLflow SDK.
//! Inputs come from `scripts/gen_bench_data.sh` (benches/data/, not committed).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use mlflow_tui::model::parse::parse_trace;

fn input(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("benches/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run scripts/gen_bench_data.sh first",
            path.display()
        )
    })
}

fn parse(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for (name, file, samples) in [
        ("5k_spans", "spans-5k.json", 50),
        ("100k_spans", "spans-100k.json", 10),
    ] {
        let text = input(file);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.sample_size(samples);
        g.measurement_time(Duration::from_secs(if samples > 20 { 5 } else { 15 }));
        g.bench_function(name, |b| {
            b.iter(|| {
                let t = parse_trace(black_box(&text)).expect("parses");
                assert!(t.span_count() > 1000);
                t
            })
        });
    }
    g.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
