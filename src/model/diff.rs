//! Comparing two traces: their span trees aligned by the path of names and types (the n-th
//! `TOOL search` under the m-th `AGENT step` matches its namesake), with the change in latency,
//! tokens and cost of every matched span, the spans only one side has, and a line diff of a
//! matched span's inputs and outputs.

use std::collections::HashMap;

use serde::Serialize;

use super::analysis::base_name;
use super::{SpanType, Trace};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Both,
    /// Only in the first trace (removed in the second).
    Removed,
    /// Only in the second trace (added).
    Added,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffRow {
    pub depth: u32,
    pub name: String,
    pub span_type: String,
    pub side: Side,
    #[serde(skip)]
    pub a: Option<usize>,
    #[serde(skip)]
    pub b: Option<usize>,
    pub a_ns: Option<u64>,
    pub b_ns: Option<u64>,
    pub a_tokens: Option<u64>,
    pub b_tokens: Option<u64>,
    pub a_cost: Option<f64>,
    pub b_cost: Option<f64>,
    /// Inputs or outputs differ (matched spans).
    pub io_changed: bool,
    pub a_error: bool,
    pub b_error: bool,
}

impl DiffRow {
    pub fn delta_ns(&self) -> Option<i64> {
        Some(self.b_ns? as i64 - self.a_ns? as i64)
    }
    pub fn delta_tokens(&self) -> Option<i64> {
        Some(self.b_tokens.unwrap_or(0) as i64 - self.a_tokens.unwrap_or(0) as i64)
            .filter(|_| self.a_tokens.is_some() || self.b_tokens.is_some())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TraceDiff {
    pub a_id: String,
    pub b_id: String,
    pub rows: Vec<DiffRow>,
    pub matched: usize,
    pub added: usize,
    pub removed: usize,
    pub changed_io: usize,
    pub a_ms: Option<i64>,
    pub b_ms: Option<i64>,
    pub a_tokens: Option<u64>,
    pub b_tokens: Option<u64>,
}

/// The alignment key of every span: its path of (name without MLflow's `_N`, type, how many
/// same-named, same-typed siblings came before it).
fn keys(t: &Trace) -> Vec<String> {
    let tree = &t.tree;
    let mut out = vec![String::new(); tree.len()];
    let mut seen: HashMap<(Option<usize>, String), u32> = HashMap::new();
    for &i in tree.preorder() {
        let s = tree.span(i);
        let own = format!("{}\u{1}{}", base_name(&s.name), s.span_type.as_str());
        let p = tree.parent(i);
        let n = seen.entry((p, own.clone())).or_insert(0);
        let key = match p {
            Some(p) => format!("{}\u{2}{own}#{n}", out[p]),
            None => format!("{own}#{n}"),
        };
        *n += 1;
        out[i] = key;
    }
    out
}

pub fn diff(a: &Trace, b: &Trace) -> TraceDiff {
    let (ka, kb) = (keys(a), keys(b));
    let in_b: HashMap<&str, usize> = kb
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    let in_a: HashMap<&str, usize> = ka
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_str(), i))
        .collect();
    // the merged tree: a key's children in the order they appear (the first trace's first)
    let mut children: HashMap<String, Vec<String>> = HashMap::new();
    let mut roots: Vec<String> = Vec::new();
    let parent_key = |k: &str| k.rsplit_once('\u{2}').map(|(p, _)| p.to_string());
    for k in ka.iter().chain(kb.iter()) {
        match parent_key(k) {
            Some(p) => {
                let v = children.entry(p).or_default();
                if !v.contains(k) {
                    v.push(k.clone());
                }
            }
            None => {
                if !roots.contains(k) {
                    roots.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::new();
    let mut stack: Vec<(String, u32)> = roots.into_iter().rev().map(|k| (k, 0)).collect();
    let (mut matched, mut added, mut removed, mut changed_io) = (0, 0, 0, 0);
    while let Some((k, depth)) = stack.pop() {
        let ia = in_a.get(k.as_str()).copied();
        let ib = in_b.get(k.as_str()).copied();
        let sa = ia.map(|i| a.tree.span(i));
        let sb = ib.map(|i| b.tree.span(i));
        let Some(s) = sa.or(sb) else {
            continue;
        };
        let side = match (ia, ib) {
            (Some(_), Some(_)) => Side::Both,
            (Some(_), None) => Side::Removed,
            _ => Side::Added,
        };
        let io_changed = match (sa, sb) {
            (Some(x), Some(y)) => {
                x.inputs().map(|v| v.raw()) != y.inputs().map(|v| v.raw())
                    || x.outputs().map(|v| v.raw()) != y.outputs().map(|v| v.raw())
            }
            _ => false,
        };
        match side {
            Side::Both => matched += 1,
            Side::Added => added += 1,
            Side::Removed => removed += 1,
        }
        if io_changed {
            changed_io += 1;
        }
        rows.push(DiffRow {
            depth,
            name: base_name(&s.name).to_string(),
            span_type: s.span_type.as_str().to_string(),
            side,
            a: ia,
            b: ib,
            a_ns: sa.and_then(|s| s.duration_ns()),
            b_ns: sb.and_then(|s| s.duration_ns()),
            a_tokens: sa.and_then(|s| s.token_usage()).map(|u| u.total),
            b_tokens: sb.and_then(|s| s.token_usage()).map(|u| u.total),
            a_cost: sa.and_then(|s| s.cost()).map(|c| c.total),
            b_cost: sb.and_then(|s| s.cost()).map(|c| c.total),
            io_changed,
            a_error: sa.is_some_and(|s| s.is_error()),
            b_error: sb.is_some_and(|s| s.is_error()),
        });
        if let Some(kids) = children.get(&k) {
            for c in kids.iter().rev() {
                stack.push((c.clone(), depth + 1));
            }
        }
    }
    TraceDiff {
        a_id: a.info.trace_id.clone(),
        b_id: b.info.trace_id.clone(),
        rows,
        matched,
        added,
        removed,
        changed_io,
        a_ms: a.duration_ms(),
        b_ms: b.duration_ms(),
        a_tokens: a.token_usage().map(|u| u.total),
        b_tokens: b.token_usage().map(|u| u.total),
    }
}

/// One line of a text diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DiffLine {
    /// ' ' same, '-' only in the first, '+' only in the second.
    pub tag: char,
    pub text: String,
}

/// A line diff of two texts (pretty-printed JSON for values), with `context` unchanged lines
/// around each change and the rest left out (a `…` line says how many).
pub fn line_diff(old: &str, new: &str, context: usize) -> Vec<DiffLine> {
    let d = similar::TextDiff::from_lines(old, new);
    let mut out = Vec::new();
    for group in d.grouped_ops(context) {
        if !out.is_empty() {
            out.push(DiffLine {
                tag: ' ',
                text: "…".into(),
            });
        }
        for op in group {
            for change in d.iter_changes(&op) {
                let tag = match change.tag() {
                    similar::ChangeTag::Equal => ' ',
                    similar::ChangeTag::Delete => '-',
                    similar::ChangeTag::Insert => '+',
                };
                out.push(DiffLine {
                    tag,
                    text: change.value().trim_end_matches('\n').to_string(),
                });
            }
        }
    }
    out
}

/// The matched spans' inputs and outputs, diffed (pretty JSON).
pub fn io_diff(a: &Trace, ia: usize, b: &Trace, ib: usize) -> Vec<DiffLine> {
    let (x, y) = (a.tree.span(ia), b.tree.span(ib));
    let pretty = |v: Option<&super::AttrValue>| v.map(|v| v.pretty()).unwrap_or_default();
    let note = |text: &str| DiffLine {
        tag: ' ',
        text: text.into(),
    };
    let mut out = Vec::new();
    for (title, old, new) in [
        ("── inputs ──", x.inputs(), y.inputs()),
        ("── outputs ──", x.outputs(), y.outputs()),
    ] {
        out.push(note(title));
        let lines = line_diff(&pretty(old), &pretty(new), 3);
        if lines.is_empty() {
            out.push(note("(the same)"));
        }
        out.extend(lines);
    }
    out
}

/// Is this a span type a diff's summary counts as a model call?
pub fn is_model(t: &str) -> bool {
    matches!(SpanType::parse(t), SpanType::Llm | SpanType::ChatModel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, StatusCode, TraceInfo};

    fn span(id: &str, parent: Option<&str>, name: &str, start: u64, end: u64) -> Span {
        Span {
            span_id: id.into(),
            parent_id: parent.map(Into::into),
            name: name.into(),
            span_type: SpanType::Tool,
            status: StatusCode::Ok,
            status_message: String::new(),
            start_ns: start,
            end_ns: Some(end),
            attributes: Default::default(),
            events: vec![],
            derived: None,
        }
    }

    #[test]
    fn aligns_by_path_and_counts_changes() {
        let a = Trace::new(
            TraceInfo::default(),
            vec![
                span("r", None, "agent", 0, 100),
                span("1", Some("r"), "search", 0, 10),
                span("2", Some("r"), "search", 10, 20),
                span("3", Some("r"), "answer", 20, 100),
            ],
        );
        let b = Trace::new(
            TraceInfo::default(),
            vec![
                span("r", None, "agent", 0, 150),
                span("1", Some("r"), "search_1", 0, 10),
                span("3", Some("r"), "answer", 20, 150),
                span("4", Some("r"), "rerank", 10, 20),
            ],
        );
        let d = diff(&a, &b);
        let rows: Vec<(String, Side)> = d.rows.iter().map(|r| (r.name.clone(), r.side)).collect();
        assert_eq!(
            rows,
            vec![
                ("agent".into(), Side::Both),
                ("search".into(), Side::Both),
                ("search".into(), Side::Removed),
                ("answer".into(), Side::Both),
                ("rerank".into(), Side::Added),
            ]
        );
        assert_eq!((d.matched, d.added, d.removed), (3, 1, 1));
        assert_eq!(d.rows[3].delta_ns(), Some(50));
        let lines = line_diff("a\nb\nc\n", "a\nB\nc\n", 1);
        let tags: String = lines.iter().map(|l| l.tag).collect();
        assert_eq!(tags, " -+ ");
    }
}
