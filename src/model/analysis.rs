//! What a trace's timing and shape say: the critical path (Jaeger's definition), self time and
//! subtree rollups of every span, runs of repeated siblings (folded in the tree), and lints.
//! Computed once per loaded trace, off the UI thread, without recursion (10,000-deep traces).

use super::{Span, SpanTree, SpanType, StatusCode, TokenUsage, Trace};

/// A piece of the critical path: `span` determines the trace's end from `start_ns` to `end_ns`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    pub span: usize,
    pub start_ns: u64,
    pub end_ns: u64,
}

impl Segment {
    pub fn len_ns(&self) -> u64 {
        self.end_ns.saturating_sub(self.start_ns)
    }
}

/// What a span and everything below it add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rollup {
    /// Tokens, each model call counted once (a wrapper that reports its call's usage is not
    /// added again).
    pub tokens: Option<TokenUsage>,
    pub cost: Option<f64>,
    /// Model calls (LLM and chat-model spans, nested ones counted once).
    pub llm_calls: u32,
    pub tool_calls: u32,
    /// Spans with an error (status ERROR or an exception event).
    pub errors: u32,
    pub spans: u32,
}

/// Where the critical path's time goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeSplit {
    pub llm_ns: u64,
    pub tool_ns: u64,
    pub retrieval_ns: u64,
    /// The program's own time (every other span type).
    pub program_ns: u64,
}

impl TimeSplit {
    pub fn total_ns(&self) -> u64 {
        self.llm_ns + self.tool_ns + self.retrieval_ns + self.program_ns
    }
}

/// A run of consecutive siblings with the same name and type (folded as one row).
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    /// The siblings, in order.
    pub spans: Vec<usize>,
    pub name: String,
    pub span_type: SpanType,
    pub p50_ns: u64,
    pub max_ns: u64,
    pub errors: u32,
}

/// A run folds when it has at least this many spans.
pub const FOLD_AT: usize = 3;

#[derive(Debug, Clone, Default)]
pub struct Analysis {
    pub self_ns: Vec<u64>,
    pub rollup: Vec<Rollup>,
    /// Spans on the critical path.
    pub on_path: Vec<bool>,
    /// The critical path, latest first as Jaeger walks it, then sorted by start.
    pub path: Vec<Segment>,
    pub split: TimeSplit,
    pub runs: Vec<Run>,
    /// span -> the run it belongs to (`u32::MAX`: none).
    run_of: Vec<u32>,
    /// The trace's duration the percentages are of.
    pub trace_ns: u64,
}

fn is_llm(t: &SpanType) -> bool {
    matches!(t, SpanType::Llm | SpanType::ChatModel)
}

fn has_error(s: &Span) -> bool {
    s.status == StatusCode::Error || s.events.iter().any(|e| e.name == "exception")
}

/// A span's name without the `_N` MLflow appends to same-named siblings (2.x, 3.5).
pub fn base_name(name: &str) -> &str {
    match name.rsplit_once('_') {
        Some((head, tail))
            if !head.is_empty() && !tail.is_empty() && tail.bytes().all(|b| b.is_ascii_digit()) =>
        {
            head
        }
        _ => name,
    }
}

impl Analysis {
    /// What the span tree needs to be drawn: the runs of repeated siblings it folds, with no
    /// per-span figures until [`Analysis::of`] has worked them out (one pass; the explorer
    /// draws a giant trace with this and fills in the rest when it is ready; the figures'
    /// lists stay empty meanwhile, so the two do not take their memory twice).
    pub fn folds(trace: &Trace) -> Self {
        let tree = &trace.tree;
        let n = tree.len();
        let (t0, t1) = tree.time_range();
        let mut a = Analysis {
            run_of: vec![u32::MAX; n],
            trace_ns: t1.saturating_sub(t0),
            ..Default::default()
        };
        if n > 0 {
            a.find_runs(tree);
        }
        a
    }

    pub fn of(trace: &Trace) -> Self {
        let mut a = Self::folds(trace);
        let tree = &trace.tree;
        let n = tree.len();
        let (_, t1) = tree.time_range();
        let end_of = |i: usize| tree.span(i).end_ns.unwrap_or(t1).max(tree.span(i).start_ns);
        if n == 0 {
            return a;
        }
        a.self_ns = vec![0; n];
        a.rollup = vec![Rollup::default(); n];
        a.on_path = vec![false; n];
        // self time: the span's time not covered by any child
        for i in 0..n {
            let (s, e) = (tree.span(i).start_ns, end_of(i));
            let mut covered = 0u64;
            let mut reach = s;
            for &c in tree.children(i) {
                let (cs, ce) = (tree.span(c).start_ns.max(reach), end_of(c).min(e));
                if ce > cs {
                    covered += ce - cs;
                    reach = ce;
                }
            }
            a.self_ns[i] = (e - s).saturating_sub(covered);
        }
        // rollups, children before parents
        for &i in tree.preorder().iter().rev() {
            let s = tree.span(i);
            let mut r = Rollup {
                spans: 1,
                errors: u32::from(has_error(s)),
                ..Default::default()
            };
            let mut child_tokens: Option<TokenUsage> = None;
            let mut child_cost: Option<f64> = None;
            let (mut llm, mut tools) = (0u32, 0u32);
            for &c in tree.children(i) {
                let cr = a.rollup[c];
                r.spans += cr.spans;
                r.errors += cr.errors;
                llm += cr.llm_calls;
                tools += cr.tool_calls;
                if let Some(t) = cr.tokens {
                    child_tokens.get_or_insert_with(TokenUsage::default).add(&t);
                }
                if let Some(c) = cr.cost {
                    *child_cost.get_or_insert(0.0) += c;
                }
            }
            r.tokens = s.token_usage().or(child_tokens);
            r.cost = s.cost().map(|c| c.total).or(child_cost);
            r.llm_calls = if is_llm(&s.span_type) { 1 } else { llm };
            r.tool_calls = if s.span_type == SpanType::Tool {
                1
            } else {
                tools
            };
            a.rollup[i] = r;
        }
        a.critical_path(tree, t1);
        a
    }

    /// Jaeger's critical path: from the root's end, the last child to finish before the point
    /// reached is on the path, down to its own end; where no child finishes before that point,
    /// the span's own time is, back to its start, and the walk returns to the parent at that
    /// start. Children that end after their parent count only up to the parent's end.
    fn critical_path(&mut self, tree: &SpanTree, t1: u64) {
        let end_of = |i: usize| tree.span(i).end_ns.unwrap_or(t1).max(tree.span(i).start_ns);
        // the root the trace is about: the longest top-level span
        let Some(&root) = tree
            .roots()
            .iter()
            .max_by_key(|&&r| end_of(r).saturating_sub(tree.span(r).start_ns))
        else {
            return;
        };
        let mut cur = root;
        // where the walk stands in `cur`'s time, and whether a child must end strictly before
        // it (on the way back up from a child: that child's start)
        let mut bound: Option<u64> = None;
        let mut strict = false;
        // children by clamped end, latest first, worked out per span when first visited
        let mut sorted: Vec<Option<Vec<(u64, usize)>>> = vec![None; tree.len()];
        // where the search of each span's children resumes: the point reached in a span only
        // moves back in time, so a child passed over once never qualifies again (without
        // this, a span with many children costs a scan of them per child walked)
        let mut resume: Vec<usize> = vec![0; tree.len()];
        let mut steps = 0usize;
        loop {
            steps += 1;
            if steps > 4 * tree.len() + 8 {
                break; // cannot happen on a tree; a guard all the same
            }
            let s = tree.span(cur);
            let end = end_of(cur);
            let upto = bound.unwrap_or(end).min(end);
            let kids = sorted[cur].get_or_insert_with(|| {
                let mut v: Vec<(u64, usize)> = tree
                    .children(cur)
                    .iter()
                    .filter(|&&c| tree.span(c).start_ns <= end)
                    .map(|&c| (end_of(c).min(end), c))
                    .collect();
                v.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
                v
            });
            let from = resume[cur].min(kids.len());
            let found = kids[from..]
                .iter()
                .position(|(ce, _)| if strict { *ce < upto } else { *ce <= upto });
            if let Some(k) = found {
                resume[cur] = from + k;
            } else {
                resume[cur] = kids.len();
            }
            let next = found.map(|k| kids[from + k]);
            match next {
                Some((ce, c)) => {
                    if upto > ce {
                        self.path.push(Segment {
                            span: cur,
                            start_ns: ce,
                            end_ns: upto,
                        });
                    }
                    cur = c;
                    bound = Some(ce);
                    strict = false;
                }
                None => {
                    if upto > s.start_ns {
                        self.path.push(Segment {
                            span: cur,
                            start_ns: s.start_ns,
                            end_ns: upto,
                        });
                    }
                    if cur == root {
                        break;
                    }
                    match tree.parent(cur) {
                        Some(p) => {
                            bound = Some(s.start_ns);
                            strict = true;
                            cur = p;
                        }
                        None => break,
                    }
                }
            }
        }
        self.path.sort_by_key(|g| (g.start_ns, g.end_ns));
        for g in &self.path {
            self.on_path[g.span] = true;
            let t = &tree.span(g.span).span_type;
            let d = g.len_ns();
            match t {
                SpanType::Llm | SpanType::ChatModel => self.split.llm_ns += d,
                SpanType::Tool => self.split.tool_ns += d,
                SpanType::Retriever | SpanType::Reranker | SpanType::Embedding => {
                    self.split.retrieval_ns += d
                }
                _ => self.split.program_ns += d,
            }
        }
    }

    fn find_runs(&mut self, tree: &SpanTree) {
        let mut groups: Vec<&[usize]> = vec![tree.roots()];
        for i in 0..tree.len() {
            groups.push(tree.children(i));
        }
        for kids in groups {
            let mut at = 0;
            while at < kids.len() {
                let first = tree.span(kids[at]);
                let key = (base_name(&first.name), &first.span_type);
                let mut to = at + 1;
                while to < kids.len() {
                    let s = tree.span(kids[to]);
                    if (base_name(&s.name), &s.span_type) != key {
                        break;
                    }
                    to += 1;
                }
                if to - at >= FOLD_AT {
                    let spans: Vec<usize> = kids[at..to].to_vec();
                    let mut d: Vec<u64> = spans
                        .iter()
                        .map(|&i| tree.span(i).duration_ns().unwrap_or(0))
                        .collect();
                    d.sort_unstable();
                    let run = Run {
                        name: key.0.to_string(),
                        span_type: key.1.clone(),
                        p50_ns: d[d.len() / 2],
                        max_ns: d.last().copied().unwrap_or(0),
                        errors: spans.iter().filter(|&&i| has_error(tree.span(i))).count() as u32,
                        spans,
                    };
                    let idx = self.runs.len() as u32;
                    for &i in &run.spans {
                        self.run_of[i] = idx;
                    }
                    self.runs.push(run);
                }
                at = to;
            }
        }
    }

    /// The run a span belongs to.
    pub fn run_of(&self, span: usize) -> Option<usize> {
        self.run_of
            .get(span)
            .copied()
            .filter(|&r| r != u32::MAX)
            .map(|r| r as usize)
    }

    /// The span's share of the trace's duration, in percent.
    pub fn percent(&self, trace: &Trace, span: usize) -> f64 {
        let d = trace.tree.span(span).duration_ns().unwrap_or(0);
        if self.trace_ns == 0 {
            return 0.0;
        }
        d as f64 * 100.0 / self.trace_ns as f64
    }

    /// The next span on the critical path after `span` (in time), wrapping; the first when
    /// `span` is not on it.
    pub fn next_on_path(&self, span: Option<usize>, forward: bool) -> Option<usize> {
        // each span once, in the order the path first reaches it
        let mut spans: Vec<usize> = Vec::new();
        let mut seen = vec![false; self.on_path.len()];
        for g in &self.path {
            if !seen[g.span] {
                seen[g.span] = true;
                spans.push(g.span);
            }
        }
        if spans.is_empty() {
            return None;
        }
        let pos = span.and_then(|s| spans.iter().position(|&x| x == s));
        Some(match (pos, forward) {
            (None, true) => spans[0],
            (None, false) => spans[spans.len() - 1],
            (Some(p), true) => spans[(p + 1) % spans.len()],
            (Some(p), false) => spans[(p + spans.len() - 1) % spans.len()],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Span, SpanType, StatusCode, TraceInfo};

    fn span(id: &str, parent: Option<&str>, start: u64, end: u64, t: SpanType) -> Span {
        Span {
            span_id: id.into(),
            parent_id: parent.map(Into::into),
            name: id.into(),
            span_type: t,
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
    fn the_critical_path_follows_the_last_child_to_finish() {
        // root 0-100: a (10-40) and b (20-90) in parallel, then root's own 90-100;
        // b calls c (30-80)
        let t = Trace::new(
            TraceInfo::default(),
            vec![
                span("root", None, 0, 100, SpanType::Agent),
                span("a", Some("root"), 10, 40, SpanType::Tool),
                span("b", Some("root"), 20, 90, SpanType::Llm),
                span("c", Some("b"), 30, 80, SpanType::Retriever),
            ],
        );
        let a = Analysis::of(&t);
        let name = |i: usize| t.tree.span(i).name.clone();
        let path: Vec<(String, u64, u64)> = a
            .path
            .iter()
            .map(|g| (name(g.span), g.start_ns, g.end_ns))
            .collect();
        assert_eq!(
            path,
            vec![
                ("root".into(), 0, 20),
                ("b".into(), 20, 30),
                ("c".into(), 30, 80),
                ("b".into(), 80, 90),
                ("root".into(), 90, 100),
            ]
        );
        assert!(!a.on_path[t.tree.find("a").unwrap()]);
        assert_eq!(a.split.total_ns(), 100);
        assert_eq!(a.split.retrieval_ns, 50);
        assert_eq!(a.split.llm_ns, 20);
        // self time: root 100 - union(10-90) = 20
        assert_eq!(a.self_ns[t.tree.find("root").unwrap()], 20);
        assert_eq!(a.rollup[0].spans, 4);
    }

    #[test]
    fn repeated_siblings_make_a_run() {
        let mut spans = vec![span("root", None, 0, 100, SpanType::Agent)];
        for i in 0..5 {
            let mut s = span(
                &format!("search_{i}"),
                Some("root"),
                i * 10,
                i * 10 + 5,
                SpanType::Tool,
            );
            s.span_id = format!("s{i}");
            spans.push(s);
        }
        let t = Trace::new(TraceInfo::default(), spans);
        let a = Analysis::of(&t);
        assert_eq!(a.runs.len(), 1);
        assert_eq!(a.runs[0].spans.len(), 5);
        assert_eq!(a.runs[0].name, "search");
        assert_eq!(a.rollup[0].tool_calls, 5);
    }
}
