//! The span tree pane's state: which spans are expanded, the visible rows (recomputed only when
//! that changes), the selection and the scroll offset, and one prebuilt row per span (built once
//! per loaded trace; render only slices the visible window).

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;

use crate::model::time::format_duration_ns;
use crate::model::{Span, SpanTree, SpanType, StatusCode, Trace};
use crate::text::sanitize_line;
use crate::viewport::Viewport;

/// One span's row, prebuilt when the trace loads.
#[derive(Debug, Clone, PartialEq)]
pub struct RowText {
    pub error: bool,
    pub running: bool,
    pub tokens: Option<u64>,
    /// Start and end within the trace, as fractions of its span (for the timeline bar).
    pub bar: (f32, f32),
}

/// A row's type badge, name and duration: made when the row is drawn (rows on screen only;
/// made for every span up front, they were most of the time to first draw a giant tree).
pub fn row_badge(s: &crate::model::Span) -> std::borrow::Cow<'_, str> {
    sanitize_line(s.span_type.badge())
}

pub fn row_name(s: &crate::model::Span) -> std::borrow::Cow<'_, str> {
    sanitize_line(&s.name)
}

pub fn row_duration(s: &crate::model::Span) -> String {
    s.duration_ns()
        .map(format_duration_ns)
        .unwrap_or_else(|| "running".into())
}

#[derive(Debug, Clone)]
pub struct SpanTreeView {
    /// Shared with the copies of the view kept in the cache of recent traces.
    pub rows_text: Arc<Vec<RowText>>,
    pub expanded: Vec<bool>,
    /// Visible spans, depth first.
    pub rows: Vec<u32>,
    /// span index -> its row, `u32::MAX` when hidden
    row_of: Vec<u32>,
    /// Selection and scroll over `rows`.
    pub scroll: Viewport,
    /// Span types hidden by the span filter (their names, as MLflow writes them).
    pub hidden_types: BTreeSet<String>,
    /// Hide plumbing: untyped (UNKNOWN) and PARSER spans.
    pub hide_plumbing: bool,
    /// Spans the span filter lets through.
    shown: usize,
    /// Runs of repeated siblings (from the analysis): span -> run (`u32::MAX`: none), each
    /// run's spans, and whether it is unfolded. A folded run shows as one row: its first span.
    run_of: Vec<u32>,
    runs: Vec<Vec<u32>>,
    pub run_open: Vec<bool>,
    /// Subtree rollup columns (self time, Σ tokens, Σ cost, calls, % of the trace).
    pub rollups: bool,
}

/// Is this span plumbing (glue code rather than a step worth seeing)?
pub fn is_plumbing(s: &Span) -> bool {
    matches!(s.span_type, SpanType::Unknown | SpanType::Parser)
}

/// Traces up to this many spans open fully expanded; bigger ones to this depth.
pub const EXPAND_ALL_UP_TO: usize = 2_000;
pub const DEFAULT_DEPTH: u32 = 2;

impl SpanTreeView {
    pub fn new(trace: &Trace, analysis: &crate::model::analysis::Analysis) -> Self {
        let tree = &trace.tree;
        let (t0, t1) = tree.time_range();
        let total = t1.saturating_sub(t0).max(1) as f64;
        let rows_text = tree
            .spans()
            .iter()
            .map(|s| {
                let start = s.start_ns.saturating_sub(t0) as f64 / total;
                let end = s.end_ns.unwrap_or(t1).max(s.start_ns).saturating_sub(t0) as f64 / total;
                RowText {
                    error: s.status == StatusCode::Error,
                    running: s.end_ns.is_none(),
                    tokens: s.token_usage().map(|u| u.total),
                    bar: (start.clamp(0.0, 1.0) as f32, end.clamp(0.0, 1.0) as f32),
                }
            })
            .collect::<Vec<_>>()
            .into();
        let depth_limit = if tree.len() <= EXPAND_ALL_UP_TO {
            u32::MAX
        } else {
            DEFAULT_DEPTH
        };
        let expanded = (0..tree.len())
            .map(|i| tree.depth(i) + 1 < depth_limit)
            .collect();
        let mut v = SpanTreeView {
            rows_text,
            expanded,
            rows: Vec::new(),
            row_of: vec![u32::MAX; tree.len()],
            scroll: Viewport::list(),
            hidden_types: BTreeSet::new(),
            hide_plumbing: false,
            shown: tree.len(),
            run_of: (0..tree.len())
                .map(|i| analysis.run_of(i).map_or(u32::MAX, |r| r as u32))
                .collect(),
            runs: analysis
                .runs
                .iter()
                .map(|r| r.spans.iter().map(|&i| i as u32).collect())
                .collect(),
            run_open: vec![false; analysis.runs.len()],
            rollups: false,
        };
        v.recompute(tree);
        v
    }

    /// Rebuilds the visible rows from the expanded flags: one pass over the depth-first order.
    pub fn recompute(&mut self, tree: &SpanTree) {
        let keep = self.selected_span();
        let shown = self.filter_mask(tree);
        self.shown = shown
            .as_ref()
            .map_or(tree.len(), |m| m.iter().filter(|k| **k).count());
        self.rows.clear();
        self.row_of.iter_mut().for_each(|r| *r = u32::MAX);
        let mut skip_deeper_than: Option<u32> = None;
        for &i in tree.preorder() {
            let d = tree.depth(i);
            if let Some(limit) = skip_deeper_than {
                if d > limit {
                    continue;
                }
                skip_deeper_than = None;
            }
            if shown.as_ref().is_some_and(|m| !m[i]) {
                // filtered out, and so is everything below it (parents of shown spans stay)
                skip_deeper_than = Some(d);
                continue;
            }
            // a folded run: its first span stands for all of them (one row), the others and
            // everything below them are not rows
            if let Some(r) = self.folded_run(i) {
                let first = self.runs[r][0] as usize;
                if i != first {
                    skip_deeper_than = Some(d);
                    continue;
                }
                self.row_of[i] = self.rows.len() as u32;
                self.rows.push(i as u32);
                skip_deeper_than = Some(d);
                continue;
            }
            self.row_of[i] = self.rows.len() as u32;
            self.rows.push(i as u32);
            if !self.expanded[i] && !tree.children(i).is_empty() {
                skip_deeper_than = Some(d);
            }
        }
        // keep the selected span, or the nearest visible ancestor when it was folded away
        let h = self.scroll.height();
        self.scroll.fit(self.rows.len(), h);
        let mut cur = keep;
        while let Some(s) = cur {
            if let Some(r) = self.row_of(s) {
                self.scroll.select(r);
                break;
            }
            cur = tree.parent(s);
        }
    }

    /// The run a span belongs to, when that run is folded.
    pub fn folded_run(&self, span: usize) -> Option<usize> {
        let r = *self.run_of.get(span)?;
        (r != u32::MAX && !self.run_open[r as usize]).then_some(r as usize)
    }

    /// The folded run a row stands for (its first span's row).
    pub fn fold_row(&self, row: usize) -> Option<usize> {
        let span = *self.rows.get(row)? as usize;
        let r = self.folded_run(span)?;
        (self.runs[r][0] as usize == span).then_some(r)
    }

    /// The run a span belongs to, folded or not.
    pub fn run_of_span(&self, span: usize) -> Option<usize> {
        let r = *self.run_of.get(span)?;
        (r != u32::MAX).then_some(r as usize)
    }

    /// The spans of a run.
    pub fn run_spans(&self, r: usize) -> impl Iterator<Item = usize> + '_ {
        self.runs.get(r).into_iter().flatten().map(|&i| i as usize)
    }

    /// Folds or unfolds a run; the selection stays on its span (or the run's row).
    pub fn set_run_open(&mut self, tree: &SpanTree, r: usize, open: bool) {
        if let Some(o) = self.run_open.get_mut(r)
            && *o != open
        {
            *o = open;
            self.recompute(tree);
        }
    }

    /// The first span ids of unfolded runs (kept across reloads of the same trace).
    pub fn open_run_ids(&self, tree: &SpanTree) -> HashSet<String> {
        self.runs
            .iter()
            .zip(&self.run_open)
            .filter(|(_, o)| **o)
            .map(|(r, _)| tree.span(r[0] as usize).span_id.clone())
            .collect()
    }

    pub fn restore_open_runs(&mut self, tree: &SpanTree, ids: &HashSet<String>) {
        for (k, r) in self.runs.iter().enumerate() {
            self.run_open[k] = ids.contains(&tree.span(r[0] as usize).span_id);
        }
    }

    /// The selected row.
    pub fn selected(&self) -> usize {
        self.scroll.cursor()
    }

    /// Spans the filter lets through (folded or not).
    pub fn shown_count(&self) -> usize {
        self.shown
    }

    /// Is a span filter on (some spans hidden by type or as plumbing)?
    pub fn filtered(&self) -> bool {
        !self.hidden_types.is_empty() || self.hide_plumbing
    }

    /// Selects a row (clamped to the rows there are).
    pub fn select_row(&mut self, row: usize) {
        let h = self.scroll.height();
        self.scroll.fit(self.rows.len(), h);
        self.scroll.select(row);
    }

    /// Which spans the span filter keeps: those of a shown type, every span with an error or
    /// an exception, and every ancestor of a kept span. `None` when no filter is set.
    fn filter_mask(&self, tree: &SpanTree) -> Option<Vec<bool>> {
        if self.hidden_types.is_empty() && !self.hide_plumbing {
            return None;
        }
        let mut keep: Vec<bool> = tree
            .spans()
            .iter()
            .map(|s| {
                let hidden = self.hidden_types.contains(s.span_type.as_str())
                    || (self.hide_plumbing && is_plumbing(s));
                !hidden || s.is_error() || !s.exceptions().is_empty()
            })
            .collect();
        // children come after their parents depth first: walk backwards to lift kept-ness up
        for &i in tree.preorder().iter().rev() {
            if keep[i]
                && let Some(p) = tree.parent(i)
            {
                keep[p] = true;
            }
        }
        Some(keep)
    }

    /// The span types in the trace with their counts, for the span filter.
    pub fn type_counts(tree: &SpanTree) -> Vec<(String, usize)> {
        let mut m: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
        for s in tree.spans() {
            *m.entry(s.span_type.as_str().to_string()).or_default() += 1;
        }
        m.into_iter().collect()
    }

    pub fn selected_span(&self) -> Option<usize> {
        self.rows.get(self.selected()).map(|&i| i as usize)
    }

    pub fn row_of(&self, span: usize) -> Option<usize> {
        self.row_of
            .get(span)
            .copied()
            .filter(|&r| r != u32::MAX)
            .map(|r| r as usize)
    }

    /// Selects a span, expanding its ancestors and unfolding the runs on the way, so that it
    /// has a row of its own.
    pub fn select_span(&mut self, tree: &SpanTree, span: usize) {
        let own_row = self
            .row_of(span)
            .is_some_and(|r| self.fold_row(r).is_none());
        if !own_row {
            let path = tree.ancestors(span);
            let mut changed = false;
            for &a in &path[..path.len().saturating_sub(1)] {
                if !self.expanded[a] {
                    self.expanded[a] = true;
                    changed = true;
                }
            }
            for &a in &path {
                if let Some(r) = self.folded_run(a) {
                    self.run_open[r] = true;
                    changed = true;
                }
            }
            if changed {
                self.recompute(tree);
            }
        }
        if let Some(r) = self.row_of(span) {
            self.select_row(r);
        }
    }

    pub fn set_expanded(&mut self, tree: &SpanTree, span: usize, open: bool) {
        if tree.children(span).is_empty() || self.expanded[span] == open {
            return;
        }
        self.expanded[span] = open;
        self.recompute(tree);
    }

    /// Expands to a depth (`None`: everything, repeated siblings unfolded too).
    pub fn expand_to_depth(&mut self, tree: &SpanTree, depth: Option<u32>) {
        for i in 0..self.expanded.len() {
            self.expanded[i] = depth.is_none_or(|d| tree.depth(i) + 1 < d);
        }
        if depth.is_none() {
            self.run_open.iter_mut().for_each(|o| *o = true);
        }
        self.recompute(tree);
    }

    /// Folds every run of repeated siblings again.
    pub fn fold_runs(&mut self, tree: &SpanTree) {
        self.run_open.iter_mut().for_each(|o| *o = false);
        self.recompute(tree);
    }

    /// The expanded span ids, to carry expansion over when the same trace loads again.
    pub fn expanded_ids(&self, tree: &SpanTree) -> HashSet<String> {
        self.expanded
            .iter()
            .enumerate()
            .filter(|(_, e)| **e)
            .map(|(i, _)| tree.span(i).span_id.clone())
            .collect()
    }

    pub fn restore_expanded(&mut self, tree: &SpanTree, ids: &HashSet<String>) {
        for i in 0..self.expanded.len() {
            self.expanded[i] = ids.contains(&tree.span(i).span_id);
        }
        self.recompute(tree);
    }
}
