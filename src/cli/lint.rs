//! `mlflow-tui lint [SOURCE] [ID] [--filter F] [--json] [--fail-on LEVEL]`: the explorer's
//! findings for one trace or every trace listed, for CI (exit code 1 when a finding is at or
//! above the level).

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use crate::model::Trace;
use crate::model::analysis::Analysis;
use crate::model::lint::{Finding, Level, lint};
use crate::text::{escape_json_unsafe, sanitize_line};

#[derive(Serialize)]
struct TraceFindings<'a> {
    trace_id: &'a str,
    name: Option<&'a str>,
    findings: Vec<Finding>,
}

/// A trace's findings.
pub fn findings(t: &Trace) -> Vec<Finding> {
    lint(t, &Analysis::of(t))
}

/// The text form: one line per finding under a line per trace.
pub fn render(t: &Trace, found: &[Finding]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}  {}  {} finding{}",
        sanitize_line(&t.info.trace_id),
        sanitize_line(t.name().unwrap_or("-")),
        found.len(),
        if found.len() == 1 { "" } else { "s" }
    );
    for f in found {
        let s = t.tree.span(f.span);
        let _ = writeln!(
            out,
            "  {:<7}  {:<15}  [{}] {} ({})  {}",
            f.level.as_str(),
            f.kind,
            sanitize_line(s.span_type.badge()),
            sanitize_line(&s.name),
            sanitize_line(&s.span_id),
            sanitize_line(&f.message)
        );
    }
    out
}

pub async fn run(
    args: &[String],
    filter: Option<String>,
    limit: usize,
    json: bool,
    fail_on: Level,
) -> Result<bool> {
    let (src_arg, id) = match args {
        [one] if super::looks_like_source(one) => (Some(one.as_str()), None),
        [id] => (None, Some(id.as_str())),
        [src, id, ..] => (Some(src.as_str()), Some(id.as_str())),
        [] => (None, None),
    };
    let src = super::open_source(src_arg)?;
    let ids: Vec<String> = match id {
        Some(id) => vec![id.to_string()],
        None => {
            let (infos, warnings) = super::fetch_all(src.as_ref(), &[], limit, filter).await?;
            super::warn_all(&warnings);
            infos.into_iter().map(|i| i.trace_id).collect()
        }
    };
    let mut failed = false;
    let mut all_json = Vec::new();
    let mut text = String::new();
    let mut traces = Vec::new();
    for id in &ids {
        let t = src.get(id).await?;
        super::warn_all(&t.warnings);
        traces.push(t);
    }
    let (mut n_findings, mut n_traces) = (0, 0);
    for t in &traces {
        let found = findings(t);
        failed |= found.iter().any(|f| f.level >= fail_on);
        if !found.is_empty() {
            n_traces += 1;
            n_findings += found.len();
        }
        if json {
            all_json.push(TraceFindings {
                trace_id: &t.info.trace_id,
                name: t.name(),
                findings: found,
            });
        } else if !found.is_empty() || ids.len() == 1 {
            text.push_str(&render(t, &found));
        }
    }
    if json {
        super::emit(&(escape_json_unsafe(serde_json::to_string_pretty(&all_json)?) + "\n"))?;
    } else {
        super::emit(&text)?;
        eprintln!(
            "mlflow-tui: {n_findings} finding{} in {n_traces} of {} trace{}",
            if n_findings == 1 { "" } else { "s" },
            traces.len(),
            if traces.len() == 1 { "" } else { "s" }
        );
    }
    Ok(failed)
}
