//! `mlflow-tui stats [SOURCE] [--filter F] [--by name|model|user|session|experiment] [--json]`:
//! count, error rate, latency percentiles, tokens and cost over the listed traces, grouped, and
//! traces over time as a bar chart. The same numbers as the explorer's stats view.

use std::fmt::Write as _;

use anyhow::Result;

use crate::model::stats::{By, Stats, group_row, header_row, of_infos, of_traces};
use crate::text::{escape_json_unsafe, sanitize_line};

/// Vertical bars, eight levels, one per bucket.
pub fn bars(values: &[usize]) -> String {
    const LEVELS: [char; 9] = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = values.iter().copied().max().unwrap_or(0).max(1);
    values
        .iter()
        .map(|&v| {
            if v == 0 {
                '·'
            } else {
                LEVELS[(v * 8).div_ceil(max).clamp(1, 8)]
            }
        })
        .collect()
}

pub fn render(s: &Stats) -> String {
    let key_w = s
        .groups
        .iter()
        .map(|g| crate::text::width(&sanitize_line(&g.key)))
        .max()
        .unwrap_or(8)
        .clamp(10, 40);
    let mut out = header_row(s.by, key_w) + "\n";
    for g in s.groups.iter().chain(std::iter::once(&s.overall)) {
        out.push_str(&group_row(g, key_w));
        out.push('\n');
    }
    if !s.buckets.is_empty() {
        let counts: Vec<usize> = s.buckets.iter().map(|b| b.count).collect();
        let errors: Vec<usize> = s.buckets.iter().map(|b| b.errors).collect();
        let _ = writeln!(
            out,
            "\ntraces per {} from {}:\n  {}\nerrors:\n  {}",
            crate::model::time::format_duration_ms(s.bucket_ms),
            crate::model::time::format_local_ms(s.buckets[0].start_ms),
            bars(&counts),
            bars(&errors)
        );
    }
    out
}

pub async fn run(
    src: Option<&str>,
    experiments: &[String],
    filter: Option<String>,
    by: By,
    limit: usize,
    json: bool,
) -> Result<()> {
    let src = super::open_source(src)?;
    let (infos, warnings) = super::fetch_all(src.as_ref(), experiments, limit, filter).await?;
    super::warn_all(&warnings);
    let stats = if by == By::Model {
        let mut traces = Vec::with_capacity(infos.len());
        for i in &infos {
            traces.push(src.get(&i.trace_id).await?);
        }
        let refs: Vec<&crate::model::Trace> = traces.iter().map(|t| t.as_ref()).collect();
        of_traces(&refs)
    } else {
        let refs: Vec<&crate::model::TraceInfo> = infos.iter().collect();
        of_infos(&refs, by)
    };
    if json {
        return super::emit(&(escape_json_unsafe(serde_json::to_string_pretty(&stats)?) + "\n"));
    }
    super::emit(&render(&stats))
}
