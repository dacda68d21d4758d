//! Search inside the open trace: matches in span names, inputs, outputs, attributes and
//! events, in tree order. `n` / `N` walk them, expanding ancestors and opening the tab that
//! holds the match.

use crate::app::Tab;
use crate::model::{AttrValue, Span, Trace};

/// One place the query was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match {
    pub span: usize,
    /// The detail tab that shows it; `None` for the span's name (shown in the tree row).
    pub tab: Option<Tab>,
}

#[derive(Debug, Clone, Default)]
pub struct TraceSearch {
    /// The query that was run (empty: no search).
    pub query: String,
    pub matches: Vec<Match>,
    /// Index into `matches` of the one shown.
    pub current: Option<usize>,
    /// Spans with a match (marked in the tree), by span index.
    pub hits: Vec<bool>,
}

impl TraceSearch {
    /// Runs a search over a trace.
    pub fn run(trace: &Trace, query: &str) -> Self {
        let matches = find(trace, query);
        let mut hits = vec![false; trace.tree.len()];
        for m in &matches {
            if let Some(h) = hits.get_mut(m.span) {
                *h = true;
            }
        }
        TraceSearch {
            query: query.to_string(),
            matches,
            current: None,
            hits,
        }
    }

    pub fn is_hit(&self, span: usize) -> bool {
        self.hits.get(span).copied().unwrap_or(false)
    }
}

/// The byte ranges of `line` where `query` occurs (smart case), for highlighting.
pub fn occurrences(line: &str, query: &str) -> Vec<std::ops::Range<usize>> {
    if query.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    if query.chars().any(char::is_uppercase) {
        let mut from = 0;
        while let Some(i) = line[from..].find(query) {
            out.push(from + i..from + i + query.len());
            from += i + query.len();
        }
        return out;
    }
    // case-insensitive: compare lowercased characters, map back to the line's bytes
    let q: Vec<char> = query.chars().flat_map(char::to_lowercase).collect();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let mut j = 0;
        let mut k = i;
        while j < q.len() && k < chars.len() {
            let mut lc = chars[k].1.to_lowercase();
            if lc.next() != Some(q[j]) || lc.next().is_some() {
                break;
            }
            j += 1;
            k += 1;
        }
        if j == q.len() {
            let end = chars.get(k).map_or(line.len(), |(b, _)| *b);
            out.push(chars[i].0..end);
            i = k.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

fn finder(query: &str) -> impl Fn(&str) -> bool + '_ {
    let case_sensitive = query.chars().any(char::is_uppercase);
    let lower = query.to_lowercase();
    move |text: &str| {
        if case_sensitive {
            text.contains(query)
        } else {
            text.to_lowercase().contains(&lower)
        }
    }
}

fn value_has(v: Option<&AttrValue>, found: &impl Fn(&str) -> bool) -> bool {
    match v {
        Some(v) if v.json().is_some() => found(v.raw()) || found(&v.display_text()),
        Some(v) => found(v.raw()),
        None => false,
    }
}

fn span_matches(s: &Span, found: &impl Fn(&str) -> bool, out: &mut Vec<Option<Tab>>) {
    if found(&s.name) || found(s.span_type.as_str()) {
        out.push(None);
    }
    if value_has(s.inputs(), found) {
        out.push(Some(Tab::Inputs));
    }
    if value_has(s.outputs(), found) {
        out.push(Some(Tab::Outputs));
    }
    let in_attrs = s
        .attributes
        .iter()
        .filter(|(k, _)| {
            *k != crate::model::keys::SPAN_INPUTS && *k != crate::model::keys::SPAN_OUTPUTS
        })
        .any(|(k, v)| found(k) || found(&v.display_text()));
    if in_attrs {
        out.push(Some(Tab::Attributes));
    }
    let in_events = s.events.iter().any(|e| {
        found(&e.name)
            || e.attributes.iter().any(|(k, v)| {
                found(k)
                    || match v {
                        serde_json::Value::String(t) => found(t),
                        other => found(&other.to_string()),
                    }
            })
    });
    if in_events || found(&s.status_message) {
        out.push(Some(Tab::Events));
    }
}

/// Every match of `query` in the trace, depth first; a span matching in several places counts
/// once per tab.
pub fn find(trace: &Trace, query: &str) -> Vec<Match> {
    if query.is_empty() {
        return Vec::new();
    }
    let found = finder(query);
    let mut out = Vec::new();
    let mut tabs = Vec::new();
    for &i in trace.tree.preorder() {
        tabs.clear();
        span_matches(trace.tree.span(i), &found, &mut tabs);
        out.extend(tabs.iter().map(|&tab| Match { span: i, tab }));
    }
    out
}

/// The first display line that holds the query (smart case), to scroll the detail pane to.
pub fn line_of(lines: &[String], query: &str) -> Option<usize> {
    let found = finder(query);
    lines.iter().position(|l| found(l))
}

#[cfg(test)]
mod tests {
    use super::occurrences;

    #[test]
    fn finds_every_occurrence_smart_case() {
        assert_eq!(occurrences("Rag rag RAG", "rag"), vec![0..3, 4..7, 8..11]);
        assert_eq!(occurrences("Rag rag RAG", "RAG"), vec![8..11]);
        assert!(occurrences("世界rag", "RAG").is_empty());
        assert_eq!(occurrences("世界rag", "rag"), vec![6..9]);
    }
}
