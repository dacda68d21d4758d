//! Reads and parses one exported trace file once, for measuring time and peak memory from
//! outside (`scripts/measure_parse.sh` runs it under `/usr/bin/time -v`).

use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .ok_or_else(|| anyhow::anyhow!("usage: parse_file FILE"))?;
    mlflow_tui::return_freed_memory_at_once();
    let start = Instant::now();
    // as the program opens a one-trace file: parsed as it is read (PARSE_WHOLE=1: read whole,
    // then parsed, as files of up to 16 MB are)
    let streamed = match std::env::var_os("PARSE_WHOLE") {
        Some(_) => None,
        None => mlflow_tui::model::parse::parse_trace_streamed(&mut std::fs::File::open(&path)?)?,
    };
    let read = start.elapsed();
    let trace = match streamed {
        Some(t) => t,
        None => {
            let text = std::fs::read_to_string(&path)?;
            mlflow_tui::model::parse::parse_trace(&text)?
        }
    };
    let elapsed = start.elapsed();
    if std::env::var_os("PARSE_DETAIL").is_some() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        for l in status
            .lines()
            .filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM"))
        {
            eprintln!("after parse, text dropped: {l}");
        }
    }
    if std::env::var_os("PARSE_DETAIL").is_some() {
        let spans = trace.tree.spans().to_vec();
        let t = Instant::now();
        let tree = mlflow_tui::model::SpanTree::build(spans);
        eprintln!(
            "read {:?}, tree build {:?} ({} spans)",
            read,
            t.elapsed(),
            tree.len()
        );
        let t = Instant::now();
        let analysis = mlflow_tui::model::analysis::Analysis::of(&trace);
        eprintln!("analysis {:?}", t.elapsed());
        let t = Instant::now();
        let findings = mlflow_tui::model::lint::lint(&trace, &analysis);
        eprintln!("lints {:?} ({} findings)", t.elapsed(), findings.len());
        let t = Instant::now();
        let view = mlflow_tui::app::SpanTreeView::new(&trace, &analysis);
        eprintln!(
            "span tree view {:?} ({} rows)",
            t.elapsed(),
            view.rows.len()
        );
        let t = Instant::now();
        let plain = mlflow_tui::model::analysis::Analysis::default();
        let view = mlflow_tui::app::SpanTreeView::new(&trace, &plain);
        eprintln!(
            "span tree view without analysis {:?} ({} rows)",
            t.elapsed(),
            view.rows.len()
        );
    }
    println!(
        "{path}: {} spans, depth {}, read+parse {:.1} ms",
        trace.span_count(),
        trace.tree.max_depth(),
        elapsed.as_secs_f64() * 1000.0
    );
    Ok(())
}
