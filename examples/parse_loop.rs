//! Parses one exported trace file N times in one process, for profiling the parser
//! (`perf record target/release/examples/parse_loop FILE 200`).

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: parse_loop FILE [N]"))?;
    let n: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
    let text = std::fs::read_to_string(&path)?;
    let start = std::time::Instant::now();
    let mut spans = 0;
    for _ in 0..n {
        spans += mlflow_tui::model::parse::parse_trace(&text)?.span_count();
    }
    println!(
        "{path}: {} spans, {:.2} ms per parse",
        spans / n.max(1),
        start.elapsed().as_secs_f64() * 1000.0 / n.max(1) as f64
    );
    Ok(())
}
