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
}

impl SortKey {
    pub fn next(self) -> SortKey {
        match self {
            SortKey::Time => SortKey::Duration,
            SortKey::Duration => SortKey::Tokens,
            SortKey::Tokens => SortKey::Time,
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            SortKey::Time => "time",
            SortKey::Duration => "duration",
            SortKey::Tokens => "tokens",
        }
    }
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
    /// Rows in display order: indexes into `traces`.
    pub order: Vec<u32>,
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
        }
        self.facts = self
            .traces
            .iter()
            .map(|t| RowFacts {
                tokens: t.token_usage().map(|u| u.total),
                spans: t.span_count_hint(),
            })
            .collect();
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
        match self.sort {
            SortKey::Time => order.sort_by(|&a, &b| {
                t[b as usize]
                    .request_time_ms
                    .cmp(&t[a as usize].request_time_ms)
                    .then(a.cmp(&b))
            }),
            SortKey::Duration => order.sort_by(|&a, &b| {
                t[b as usize]
                    .duration_ms
                    .cmp(&t[a as usize].duration_ms)
                    .then(a.cmp(&b))
            }),
            SortKey::Tokens => order.sort_by(|&a, &b| {
                f[b as usize]
                    .tokens
                    .cmp(&f[a as usize].tokens)
                    .then(a.cmp(&b))
            }),
        }
        if self.ascending {
            order.reverse();
        }
        self.order = order;
        if let Some(id) = keep {
            self.select_id(&id);
        }
        self.selected = self.selected.min(self.order.len().saturating_sub(1));
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
