//! The trace list pane's state: the summaries loaded so far, the sort order (an index, rebuilt
//! when data or sort change, never per frame), selection, scroll, paging.

use crate::model::TraceInfo;

use super::ReqId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Time,
    Duration,
    Tokens,
    Name,
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Time => SortKey::Duration,
            SortKey::Duration => SortKey::Tokens,
            SortKey::Tokens => SortKey::Name,
            SortKey::Name => SortKey::Time,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Time => "time",
            SortKey::Duration => "duration",
            SortKey::Tokens => "tokens",
            SortKey::Name => "name",
        }
    }
}

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
}

#[derive(Debug, Clone, Default)]
pub struct TraceListState {
    pub traces: Vec<TraceInfo>,
    pub facts: Vec<RowFacts>,
    pub haystacks: Vec<Haystack>,
    /// Every trace in sort order: indexes into `traces`.
    pub sorted: Vec<u32>,
    /// The rows shown: `sorted` narrowed by the quick filter.
    pub order: Vec<u32>,
    /// The quick filter's text (empty: no filter).
    pub quick: String,
    /// The quick filter takes keystrokes.
    pub typing: bool,
    pub sort: SortKey,
    pub ascending: bool,
    /// Selected row (position in `order`).
    pub selected: usize,
    pub offset: usize,
    pub relative_time: bool,
    pub next_page: Option<String>,
    /// The list request in flight.
    pub loading: Option<ReqId>,
    pub req: ReqId,
    /// The first page has arrived.
    pub loaded: bool,
}

impl TraceListState {
    pub fn selected_trace(&self) -> Option<&TraceInfo> {
        self.order
            .get(self.selected)
            .and_then(|&i| self.traces.get(i as usize))
    }

    pub fn selected_id(&self) -> Option<String> {
        self.selected_trace().map(|t| t.trace_id.clone())
    }

    /// Adds or replaces traces, keeping the selection on the same trace (by id).
    pub fn set_traces(&mut self, traces: Vec<TraceInfo>, append: bool) {
        let keep = self.selected_id();
        if append {
            let known: std::collections::HashSet<String> =
                self.traces.iter().map(|t| t.trace_id.clone()).collect();
            // offset paging can repeat a trace when new ones arrive between pages
            self.traces
                .extend(traces.into_iter().filter(|t| !known.contains(&t.trace_id)));
        } else {
            self.traces = traces;
            self.facts.clear();
            self.haystacks.clear();
        }
        // facts and search text for the new rows only: a page appended costs its own size
        let start = self.facts.len();
        for t in &self.traces[start..] {
            self.facts.push(RowFacts {
                tokens: t.token_usage().map(|u| u.total),
                spans: t.span_count_hint(),
            });
            self.haystacks.push(Haystack::of(t));
        }
        self.resort();
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    pub fn resort(&mut self) {
        let keep = self.selected_id();
        let mut order: Vec<u32> = (0..self.traces.len() as u32).collect();
        let t = &self.traces;
        let f = &self.facts;
        // descending by the key (names ascending), ties in arrival order
        fn by<K: Ord>(order: &mut [u32], key: impl Fn(usize) -> K) {
            order.sort_by(|&a, &b| key(b as usize).cmp(&key(a as usize)).then(a.cmp(&b)));
        }
        match self.sort {
            SortKey::Time => by(&mut order, |i| t[i].request_time_ms),
            SortKey::Duration => by(&mut order, |i| t[i].duration_ms),
            SortKey::Tokens => by(&mut order, |i| f[i].tokens),
            SortKey::Name => by(&mut order, |i| std::cmp::Reverse(t[i].name().unwrap_or(""))),
        }
        if self.ascending {
            order.reverse();
        }
        self.sorted = order;
        self.apply_quick(false);
        if let Some(id) = keep {
            self.select_id(&id);
        }
        self.selected = self.selected.min(self.order.len().saturating_sub(1));
    }

    /// Narrows `sorted` to the rows that match the quick filter. With `narrowing`, the query
    /// only grew, so only the rows shown now are searched again (each keystroke gets cheaper).
    pub fn apply_quick(&mut self, narrowing: bool) {
        if self.quick.is_empty() {
            self.order = self.sorted.clone();
            return;
        }
        let cs = is_case_sensitive(&self.quick);
        let q = if cs {
            self.quick.clone()
        } else {
            self.quick.to_lowercase()
        };
        let from = if narrowing { &self.order } else { &self.sorted };
        let hay = &self.haystacks;
        self.order = from
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
        self.selected = 0;
        if let Some(id) = keep {
            self.select_id(&id);
        }
    }

    pub fn select_id(&mut self, id: &str) -> bool {
        match self
            .order
            .iter()
            .position(|&i| self.traces[i as usize].trace_id == id)
        {
            Some(p) => {
                self.selected = p;
                true
            }
            None => false,
        }
    }
}
