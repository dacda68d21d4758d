//! The trace list pane's state: the summaries loaded so far, the sort order (an index, rebuilt
//! when data or sort change, never per frame), selection and scroll (a [`Viewport`]), paging.

use std::collections::BTreeSet;

use crate::model::TraceInfo;
use crate::source::{Order, SortValue};
use crate::viewport::Viewport;

use super::ReqId;

/// What the quick filter searches in a trace: name, id, previews, user, session, tags. Kept as
/// is and lowercased (smart case: a query with an uppercase letter matches case-sensitively).
#[derive(Debug, Clone, Default)]
pub struct Haystack {
    pub text: Box<str>,
    pub lower: Box<str>,
}

impl Haystack {
    pub fn of(t: &TraceInfo) -> Self {
        let mut text = String::new();
        let mut add = |s: &str| {
            text.push_str(s);
            text.push('\u{1}');
        };
        add(&t.trace_id);
        add(t.name().unwrap_or(""));
        add(t.request_preview().unwrap_or(""));
        add(t.response_preview().unwrap_or(""));
        add(t.user().unwrap_or(""));
        add(t.session().unwrap_or(""));
        for (k, v) in &t.tags {
            if !k.starts_with("mlflow.") {
                add(k);
                add(v);
            }
        }
        let lower = text.to_lowercase();
        Haystack {
            text: text.into_boxed_str(),
            lower: lower.into_boxed_str(),
        }
    }

    pub fn matches(&self, query: &str, case_sensitive: bool) -> bool {
        if case_sensitive {
            self.text.contains(query)
        } else {
            self.lower.contains(query)
        }
    }
}

/// Smart case: a query with an uppercase letter is case-sensitive.
pub fn is_case_sensitive(query: &str) -> bool {
    query.chars().any(char::is_uppercase)
}

/// One list row's precomputed values (tokens and span count parse JSON metadata).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RowFacts {
    pub tokens: Option<u64>,
    pub spans: Option<u64>,
    /// Spans found stored, when the trace was opened and found incomplete.
    pub stored_spans: Option<u64>,
}

fn facts_of(t: &TraceInfo) -> RowFacts {
    RowFacts {
        tokens: t.token_usage().map(|u| u.total),
        spans: t.span_count_hint(),
        stored_spans: None,
    }
}

/// Pass and fail counts of one feedback name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Verdicts {
    pub name: String,
    pub pass: usize,
    pub fail: usize,
}

impl Verdicts {
    /// `correctness 67% pass (2/3)`.
    pub fn label(&self) -> String {
        let n = self.pass + self.fail;
        format!(
            "{} {}% pass ({}/{n})",
            self.name,
            (self.pass * 100 + n / 2) / n.max(1),
            self.pass
        )
    }
}

/// What a live poll changed in the list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiveMerge {
    /// Traces not listed before.
    pub added: Vec<String>,
    /// Listed traces whose summary changed (a running trace that finished).
    pub changed: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct TraceListState {
    pub traces: Vec<TraceInfo>,
    pub facts: Vec<RowFacts>,
    pub haystacks: Vec<Haystack>,
    /// trace id -> index in `traces`.
    pub by_id: std::collections::HashMap<String, u32>,
    /// Rows that arrived while following and have not been seen yet (parallel to `traces`).
    pub unseen: Vec<bool>,
    /// Every trace in sort order: indexes into `traces`.
    pub sorted: Vec<u32>,
    /// The rows shown: `sorted` narrowed by the quick filter.
    pub rows: Vec<u32>,
    /// The quick filter's text (empty: no filter).
    pub quick: String,
    pub sort: Order,
    /// Selection and scroll over `rows`.
    pub view: Viewport,
    pub relative_time: bool,
    /// The oldest and newest start among the traces (the time column's format).
    pub time_range: Option<(i64, i64)>,
    /// Experiments of the listed traces (the EXPERIMENT column shows when there are several).
    pub experiments_seen: BTreeSet<String>,
    /// Tag and metadata keys seen (the column chooser, filter completion).
    pub tag_keys: BTreeSet<String>,
    pub metadata_keys: BTreeSet<String>,
    /// Feedback and expectation names seen (their list columns, the failing-only key).
    pub feedback_names: BTreeSet<String>,
    pub expectation_names: BTreeSet<String>,
    /// Pass and fail counts per feedback name over the rows shown (worked out when the rows
    /// change), for the status line.
    pub verdicts: Vec<Verdicts>,
    /// Only the traces whose feedback of this name says fail (`!`).
    pub failing: Option<String>,
    pub next_page: Option<String>,
    /// The list request in flight.
    pub loading: Option<ReqId>,
    pub req: ReqId,
    /// The first page has arrived.
    pub loaded: bool,
    /// After a reload (new sort, filter, experiments): the trace to select again when it is
    /// in the first page.
    pub reselect: Option<String>,
    /// The sort was asked of the source (the first page is the true top); else it covers only
    /// the loaded rows.
    pub sorted_by_source: bool,
}

impl TraceListState {
    /// The selected row (position in `rows`).
    pub fn selected(&self) -> usize {
        self.view.cursor()
    }

    pub fn selected_trace(&self) -> Option<&TraceInfo> {
        self.rows
            .get(self.selected())
            .and_then(|&i| self.traces.get(i as usize))
    }

    /// Sets the viewport's length to the rows shown (its height stays as last fitted).
    fn refit(&mut self) {
        let h = self.view.height();
        self.view.fit(self.rows.len(), h);
    }

    /// Is every trace of the listing here (no further page on the source)?
    pub fn complete(&self) -> bool {
        self.next_page.is_none()
    }

    pub fn selected_id(&self) -> Option<String> {
        self.selected_trace().map(|t| t.trace_id.clone())
    }

    /// Adds or replaces traces, keeping the selection on the same trace (by id).
    pub fn set_traces(&mut self, traces: Vec<TraceInfo>, append: bool) {
        let keep = self.selected_id();
        if !append {
            self.traces.clear();
            self.facts.clear();
            self.haystacks.clear();
            self.by_id.clear();
            self.unseen.clear();
            self.time_range = None;
            self.experiments_seen.clear();
        }
        // offset paging can repeat a trace when new ones arrive between pages
        self.push_new(traces, false);
        self.resort();
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    /// Appends the traces not listed yet, with their facts and search text (a page costs its
    /// own size). Returns how many were added.
    fn push_new(&mut self, traces: Vec<TraceInfo>, unseen: bool) -> usize {
        let before = self.traces.len();
        for t in traces {
            if self.by_id.contains_key(&t.trace_id) {
                continue;
            }
            self.by_id
                .insert(t.trace_id.clone(), self.traces.len() as u32);
            self.note(&t);
            self.facts.push(facts_of(&t));
            self.haystacks.push(Haystack::of(&t));
            self.unseen.push(unseen);
            self.traces.push(t);
        }
        self.traces.len() - before
    }

    /// Keeps what the columns and completions need to know about a trace that changed.
    pub fn note_info(&mut self, t: &TraceInfo) {
        self.note(t);
    }

    /// Keeps what the columns and completions need to know about a trace.
    fn note(&mut self, t: &TraceInfo) {
        let ms = t.request_time_ms;
        self.time_range = Some(match self.time_range {
            None => (ms, ms),
            Some((a, b)) => (a.min(ms), b.max(ms)),
        });
        if let Some(e) = &t.experiment_id
            && !self.experiments_seen.contains(e)
        {
            self.experiments_seen.insert(e.clone());
        }
        for k in t.tags.keys() {
            if !self.tag_keys.contains(k) && self.tag_keys.len() < 500 {
                self.tag_keys.insert(k.clone());
            }
        }
        for k in t.metadata.keys() {
            if !self.metadata_keys.contains(k) && self.metadata_keys.len() < 500 {
                self.metadata_keys.insert(k.clone());
            }
        }
        for a in &t.assessments {
            let names = match a.kind.as_str() {
                "feedback" => &mut self.feedback_names,
                "expectation" => &mut self.expectation_names,
                _ => continue,
            };
            if !names.contains(&a.name) && names.len() < 100 {
                names.insert(a.name.clone());
            }
        }
    }

    /// The traces of the rows shown, in their order.
    pub fn shown(&self) -> impl Iterator<Item = &TraceInfo> {
        self.rows.iter().map(|&i| &self.traces[i as usize])
    }

    /// What the rows shown cover, after `what` (`27 traces`): the loaded ones only when the
    /// source has more, narrowed by the quick filter or to failing traces.
    pub fn scope_note(&self, what: String) -> String {
        let mut note = what;
        if !self.complete() {
            note.push_str(" loaded (the source has more)");
        }
        if !self.quick.is_empty() {
            note.push_str(", narrowed by the quick filter");
        }
        if let Some(name) = &self.failing {
            note.push_str(&format!(", only those failing {name}"));
        }
        note
    }

    /// Counts pass and fail per feedback name over the rows shown.
    fn count_verdicts(&mut self) {
        let mut out: Vec<Verdicts> = Vec::new();
        for name in &self.feedback_names {
            let mut v = Verdicts {
                name: name.clone(),
                ..Default::default()
            };
            for &i in &self.rows {
                match self.traces[i as usize]
                    .assessment("feedback", name)
                    .and_then(|a| a.verdict())
                {
                    Some(true) => v.pass += 1,
                    Some(false) => v.fail += 1,
                    None => {}
                }
            }
            if v.pass + v.fail > 0 {
                out.push(v);
            }
        }
        self.verdicts = out;
    }

    /// Merges a live poll: new traces are added (marked unseen), known ones whose summary
    /// changed (a running trace that finished) are replaced. The selection stays on its trace,
    /// and the rows on screen stay where they are when the view is scrolled away from the top.
    pub fn merge_live(&mut self, infos: Vec<TraceInfo>) -> LiveMerge {
        let mut merge = LiveMerge::default();
        let mut fresh = Vec::new();
        for t in infos {
            match self.by_id.get(&t.trace_id) {
                Some(&i) => {
                    let i = i as usize;
                    if super::follow::changed(&self.traces[i], &t) {
                        merge.changed.push(t.trace_id.clone());
                        self.note(&t);
                        self.facts[i] = facts_of(&t);
                        self.haystacks[i] = Haystack::of(&t);
                        self.traces[i] = t;
                    }
                }
                None => fresh.push(t),
            }
        }
        merge.added = fresh.iter().map(|t| t.trace_id.clone()).collect();
        if merge.added.is_empty() && merge.changed.is_empty() {
            return merge;
        }
        let top = (self.view.offset() > 0)
            .then(|| self.rows.get(self.view.offset()).map(|&i| i as usize))
            .flatten()
            .map(|i| self.traces[i].trace_id.clone());
        self.push_new(fresh, true);
        self.resort();
        // keep the first row on screen in place while the user is scrolled away
        if let Some(id) = top
            && let Some(&i) = self.by_id.get(&id)
            && let Some(p) = self.rows.iter().position(|&o| o == i)
        {
            self.view.set_offset(p);
        }
        merge
    }

    /// Keeps the newest `max` traces (by request time) and the one selected; the rest go.
    /// Returns how many were dropped.
    pub fn retain_newest(&mut self, max: usize) -> usize {
        let n = self.traces.len();
        if n <= max {
            return 0;
        }
        let keep_sel = self.rows.get(self.selected()).map(|&i| i as usize);
        let mut by_time: Vec<usize> = (0..n).collect();
        by_time.sort_by(|&a, &b| {
            self.traces[b]
                .request_time_ms
                .cmp(&self.traces[a].request_time_ms)
        });
        let mut keep = vec![false; n];
        for &i in by_time.iter().take(max) {
            keep[i] = true;
        }
        if let Some(s) = keep_sel {
            keep[s] = true;
        }
        let top = self
            .rows
            .get(self.view.offset())
            .map(|&i| self.traces[i as usize].trace_id.clone());
        let selected = self.selected_id();
        fn keep_marked<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut k = keep.iter();
            v.retain(|_| *k.next().unwrap_or(&false));
        }
        keep_marked(&mut self.traces, &keep);
        keep_marked(&mut self.facts, &keep);
        keep_marked(&mut self.haystacks, &keep);
        keep_marked(&mut self.unseen, &keep);
        self.by_id = self
            .traces
            .iter()
            .enumerate()
            .map(|(i, t)| (t.trace_id.clone(), i as u32))
            .collect();
        self.resort();
        if let Some(id) = selected {
            self.select_id(&id);
        }
        if let Some(id) = top
            && let Some(&i) = self.by_id.get(&id)
            && let Some(p) = self.rows.iter().position(|&o| o == i)
        {
            self.view.set_offset(p);
        }
        n - self.traces.len()
    }

    /// Unseen rows above the first row on screen (the "N new" marker).
    pub fn new_above(&self) -> usize {
        self.rows[..self.view.offset().min(self.rows.len())]
            .iter()
            .filter(|&&i| self.unseen.get(i as usize).copied().unwrap_or(false))
            .count()
    }

    /// Marks the rows at positions `from..to` of the list as seen; true if any was unseen.
    pub fn mark_seen(&mut self, from: usize, to: usize) -> bool {
        let to = to.min(self.rows.len());
        let mut any = false;
        for &i in &self.rows[from.min(to)..to] {
            if let Some(u) = self.unseen.get_mut(i as usize) {
                any |= *u;
                *u = false;
            }
        }
        any
    }

    /// The oldest request time among traces still running.
    pub fn oldest_running_ms(&self) -> Option<i64> {
        self.traces
            .iter()
            .filter(|t| t.state == crate::model::TraceState::InProgress)
            .map(|t| t.request_time_ms)
            .min()
    }

    pub fn newest_ms(&self) -> Option<i64> {
        self.traces.iter().map(|t| t.request_time_ms).max()
    }

    pub fn resort(&mut self) {
        let keep = self.selected_id();
        let mut order: Vec<u32> = (0..self.traces.len() as u32).collect();
        let t = &self.traces;
        let f = &self.facts;
        let key = self.sort.key;
        let value = |i: usize| match key {
            crate::source::OrderKey::Tokens => f[i]
                .tokens
                .map_or(SortValue::Missing, |n| SortValue::Num(n as i64)),
            k => SortValue::of(&t[i], k),
        };
        let values: Vec<SortValue> = (0..t.len()).map(value).collect();
        let asc = self.sort.ascending;
        // ties keep the order the traces arrived in (the source's order)
        order.sort_by(|&a, &b| {
            let o = values[a as usize].cmp(&values[b as usize]);
            let o = if asc { o } else { o.reverse() };
            o.then(a.cmp(&b))
        });
        self.sorted = order;
        self.apply_quick(false);
        self.refit();
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    /// Narrows `sorted` to the rows that match the quick filter. With `narrowing`, the query
    /// only grew, so only the rows shown now are searched again (each keystroke gets cheaper).
    pub fn apply_quick(&mut self, narrowing: bool) {
        self.narrow(narrowing);
        self.count_verdicts();
    }

    fn narrow(&mut self, narrowing: bool) {
        self.narrow_quick(narrowing);
        if let Some(name) = &self.failing {
            let t = &self.traces;
            self.rows.retain(|&i| {
                t[i as usize]
                    .assessment("feedback", name)
                    .and_then(|a| a.verdict())
                    == Some(false)
            });
        }
    }

    /// Shows only the traces failing a feedback (or all again), keeping the selection on the
    /// same trace when it still shows.
    pub fn set_failing(&mut self, name: Option<String>) {
        let keep = self.selected_id();
        self.failing = name;
        self.apply_quick(false);
        self.refit();
        self.view.select(0);
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    fn narrow_quick(&mut self, narrowing: bool) {
        if self.quick.is_empty() {
            self.rows = self.sorted.clone();
            return;
        }
        let cs = is_case_sensitive(&self.quick);
        let q = if cs {
            self.quick.clone()
        } else {
            self.quick.to_lowercase()
        };
        let from = if narrowing { &self.rows } else { &self.sorted };
        let hay = &self.haystacks;
        self.rows = from
            .iter()
            .copied()
            .filter(|&i| hay[i as usize].matches(&q, cs))
            .collect();
    }

    /// Sets the quick filter, keeping the selection on the same trace when it still shows.
    pub fn set_quick(&mut self, query: String) {
        let keep = self.selected_id();
        let narrowing = !self.quick.is_empty()
            && query.starts_with(self.quick.as_str())
            && is_case_sensitive(&query) == is_case_sensitive(&self.quick);
        self.quick = query;
        self.apply_quick(narrowing);
        self.refit();
        self.view.select(0);
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    /// The keys every tag or metadata value column could show, for the column chooser.
    pub fn column_choices(&self) -> Vec<super::Column> {
        let mut out: Vec<super::Column> = super::Column::BUILT_IN.to_vec();
        out.extend(self.tag_keys.iter().map(|k| super::Column::Tag(k.clone())));
        out.extend(
            self.metadata_keys
                .iter()
                .map(|k| super::Column::Metadata(k.clone())),
        );
        out.extend(
            self.feedback_names
                .iter()
                .map(|k| super::Column::Feedback(k.clone())),
        );
        out.extend(
            self.expectation_names
                .iter()
                .map(|k| super::Column::Expectation(k.clone())),
        );
        out
    }

    pub fn select_id(&mut self, id: &str) -> bool {
        let Some(&want) = self.by_id.get(id) else {
            return false;
        };
        match self.rows.iter().position(|&i| i == want) {
            Some(p) => {
                self.refit();
                self.view.select(p);
                true
            }
            None => false,
        }
    }
}
