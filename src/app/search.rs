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
    pub query: String,
    /// The query takes keystrokes.
    pub typing: bool,
    pub matches: Vec<Match>,
    /// Index into `matches` of the one shown.
    pub current: Option<usize>,
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
        Some(AttrValue::Json(s)) => {
            found(s) || found(&v.map(AttrValue::display_text).unwrap_or_default())
        }
        Some(AttrValue::Text(s)) => found(s),
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
