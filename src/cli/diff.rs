//! `mlflow-tui diff SOURCE ID_A ID_B [--json]`, or across sources `SOURCE_A ID_A SOURCE_B
//! ID_B` (before and after a change): the two span trees aligned, with the changes in latency,
//! tokens and cost per span, spans added and removed, and which inputs or outputs changed.

use std::fmt::Write as _;

use anyhow::Result;

use crate::model::diff::{Side, TraceDiff, diff};
use crate::model::time::format_duration_ns;
use crate::text::{escape_json_unsafe, sanitize_line};

fn signed_ns(d: i64) -> String {
    let s = format_duration_ns(d.unsigned_abs());
    if d >= 0 {
        format!("+{s}")
    } else {
        format!("-{s}")
    }
}

/// The text form: a summary line, then the aligned tree.
pub fn render(d: &TraceDiff) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} → {}",
        sanitize_line(&d.a_id),
        sanitize_line(&d.b_id)
    );
    let ms = |m: Option<i64>| m.map(|m| format!("{m}ms")).unwrap_or_else(|| "-".into());
    let tok = |t: Option<u64>| t.map(|t| t.to_string()).unwrap_or_else(|| "-".into());
    let _ = writeln!(
        out,
        "  duration {} → {}   tokens {} → {}   spans: {} matched, {} added, {} removed, {} with changed inputs or outputs\n",
        ms(d.a_ms),
        ms(d.b_ms),
        tok(d.a_tokens),
        tok(d.b_tokens),
        d.matched,
        d.added,
        d.removed,
        d.changed_io
    );
    for r in &d.rows {
        let mark = match r.side {
            Side::Both if r.io_changed => '~',
            Side::Both => ' ',
            Side::Added => '+',
            Side::Removed => '-',
        };
        let indent = "  ".repeat((r.depth as usize).min(30));
        let mut line = format!(
            "{mark} {indent}[{}] {}",
            sanitize_line(crate::model::SpanType::parse(&r.span_type).badge()),
            sanitize_line(&r.name)
        );
        match (r.a_ns, r.b_ns) {
            (Some(a), Some(b)) => {
                let _ = write!(
                    line,
                    "  {} → {} ({})",
                    format_duration_ns(a),
                    format_duration_ns(b),
                    signed_ns(b as i64 - a as i64)
                );
            }
            (Some(a), None) => {
                let _ = write!(line, "  {}", format_duration_ns(a));
            }
            (None, Some(b)) => {
                let _ = write!(line, "  {}", format_duration_ns(b));
            }
            _ => {}
        }
        if let Some(dt) = r.delta_tokens().filter(|d| *d != 0) {
            let _ = write!(line, "  tokens {dt:+}");
        }
        if let (Some(a), Some(b)) = (r.a_cost, r.b_cost)
            && (b - a).abs() > 1e-12
        {
            let _ = write!(line, "  cost {:+.6}", b - a);
        }
        if r.a_error != r.b_error {
            line.push_str(if r.b_error {
                "  now fails"
            } else {
                "  now succeeds"
            });
        }
        let _ = writeln!(out, "{line}");
    }
    out
}

pub async fn run(args: &[String], json: bool) -> Result<()> {
    let (sa, a, sb, b) = match args {
        [a, b] => (None, a, None, b),
        [s, a, b] => (Some(s.as_str()), a, Some(s.as_str()), b),
        [sa, a, sb, b] => (Some(sa.as_str()), a, Some(sb.as_str()), b),
        _ => anyhow::bail!("diff takes SOURCE ID_A ID_B, or SOURCE_A ID_A SOURCE_B ID_B"),
    };
    let src_a = super::open_source(sa)?;
    let src_b = if sb == sa {
        std::sync::Arc::clone(&src_a)
    } else {
        super::open_source(sb)?
    };
    let (ta, tb) = tokio::join!(src_a.get(a), src_b.get(b));
    let (ta, tb) = (ta?, tb?);
    super::warn_all(&ta.warnings);
    super::warn_all(&tb.warnings);
    let d = diff(&ta, &tb);
    if json {
        return super::emit(&(escape_json_unsafe(serde_json::to_string_pretty(&d)?) + "\n"));
    }
    super::emit(&render(&d))
}
