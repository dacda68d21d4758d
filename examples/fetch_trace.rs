//! Fetches one trace from a tracking server and parses it, several times; prints the best and
//! the median wall time. Used by `scripts/compare_server.sh`.

use std::time::Instant;

use mlflow_tui::source::Source;
use mlflow_tui::source::http::HttpSource;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (url, id) = match (args.next(), args.next()) {
        (Some(u), Some(i)) => (u, i),
        _ => anyhow::bail!("usage: fetch_trace URL TRACE_ID [RUNS]"),
    };
    let runs: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(7);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let src = HttpSource::new(&url)?;
    let mut times = Vec::new();
    let mut spans = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let trace = rt.block_on(src.get(&id))?;
        times.push(t.elapsed().as_secs_f64());
        spans = trace.span_count();
    }
    times.sort_by(f64::total_cmp);
    println!(
        "mlflow-tui fetch+parse: {spans} spans, best {:.3} s, median {:.3} s",
        times[0],
        times[times.len() / 2]
    );
    Ok(())
}
