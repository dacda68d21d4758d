//! The detail pane's documents: what each tab shows for a span or a trace, as sanitized
//! display lines (built once per selection/tab change, highlighted incrementally).

use std::fmt::Write as _;
use std::sync::Arc;

use ratatui::text::Line;

use crate::highlight::Checkpoint;
use crate::model::time::{
    format_duration_ms, format_duration_ns, format_local_ms, format_utc_short_ms,
};
use crate::model::{AttrValue, Span, Trace, chat};
use crate::text::{sanitize_block, sanitize_line};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Trace,
    Inputs,
    Outputs,
    Attributes,
    Events,
    Chat,
    Raw,
}

impl Tab {
    pub const ALL: [Tab; 7] = [
        Tab::Trace,
        Tab::Inputs,
        Tab::Outputs,
        Tab::Attributes,
        Tab::Events,
        Tab::Chat,
        Tab::Raw,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Trace => "Trace",
            Tab::Inputs => "Inputs",
            Tab::Outputs => "Outputs",
            Tab::Attributes => "Attributes",
            Tab::Events => "Events",
            Tab::Chat => "Chat",
            Tab::Raw => "Raw JSON",
        }
    }
    pub fn next(self) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Tab::ALL[(i + 1) % Tab::ALL.len()]
    }
    pub fn prev(self) -> Tab {
        let i = Tab::ALL.iter().position(|t| *t == self).unwrap_or(0);
        Tab::ALL[(i + Tab::ALL.len() - 1) % Tab::ALL.len()]
    }
}

/// Display lines longer than this are continued on the next line (marked `↪`): nothing is
/// cut, and no single line is too long to draw cheaply.
pub const MAX_LINE_CHARS: usize = 2_000;
/// Values bigger than this are prepared off the UI thread.
pub const BUILD_INLINE_BYTES: usize = 256 * 1024;
/// Highlighting stops after this many lines (the rest shows plain, still scrollable).
pub const HIGHLIGHT_MAX_LINES: usize = 200_000;
/// Lines highlighted right away; the rest is done in chunks as the user scrolls.
pub const HIGHLIGHT_FIRST: usize = 300;
pub const HIGHLIGHT_CHUNK: usize = 5_000;

/// What a document is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocKey {
    pub trace_id: String,
    pub span: Option<usize>,
    pub tab: Tab,
}

/// A document's text, before highlighting.
#[derive(Debug, Clone, Default)]
pub struct DocContent {
    pub lines: Vec<String>,
    /// Highlight as JSON.
    pub json: bool,
    /// The whole value, for copy, pager and editor.
    pub raw: String,
}

#[derive(Debug, Clone)]
pub struct DetailDoc {
    pub key: DocKey,
    pub lines: Arc<Vec<String>>,
    pub json: bool,
    pub raw: Arc<String>,
    /// Highlighted lines `0..styled.len()`.
    pub styled: Vec<Line<'static>>,
    pub checkpoint: Option<Checkpoint>,
    /// A highlight chunk is being made in the background.
    pub highlighting: bool,
}

fn push_block(out: &mut Vec<String>, text: &str) {
    for line in sanitize_block(text).lines() {
        push_line(out, line);
    }
}

/// A document holds at most this many display lines (a million-element array would otherwise
/// cost tens of MB of lines); the whole value stays available to copy and to the pager.
pub const MAX_DOC_LINES: usize = 200_000;

/// Adds one display line, continued in `MAX_LINE_CHARS` pieces when longer; nothing past
/// `MAX_DOC_LINES`.
fn push_line(out: &mut Vec<String>, line: &str) {
    if out.len() >= MAX_DOC_LINES {
        return;
    }
    let count = line.chars().count();
    if count <= MAX_LINE_CHARS {
        out.push(line.to_string());
        return;
    }
    let mut piece = String::new();
    let mut n = 0;
    let mut first = true;
    for c in line.chars() {
        piece.push(c);
        n += 1;
        if n == MAX_LINE_CHARS {
            if out.len() >= MAX_DOC_LINES {
                return;
            }
            out.push(if first {
                std::mem::take(&mut piece)
            } else {
                format!("↪{}", std::mem::take(&mut piece))
            });
            first = false;
            n = 0;
        }
    }
    if !piece.is_empty() {
        out.push(format!("↪{piece}"));
    }
}

/// A plain-text document whose value (for copy and pager) is its lines.
fn text_doc(lines: Vec<String>) -> DocContent {
    let raw = lines.join("\n");
    DocContent {
        lines,
        json: false,
        raw,
    }
}

fn value_doc(v: Option<&AttrValue>, what: &str) -> DocContent {
    let Some(v) = v else {
        return DocContent {
            lines: vec![format!("(no {what})")],
            json: false,
            raw: String::new(),
        };
    };
    let mut lines = Vec::new();
    match v {
        AttrValue::Json(_) => json_doc(v.pretty()),
        AttrValue::Text(t) => {
            push_block(&mut lines, t);
            DocContent {
                lines,
                json: false,
                raw: t.to_string(),
            }
        }
    }
}

fn kv(out: &mut Vec<String>, key: &str, value: &str) {
    let v = sanitize_line(value);
    push_line(out, &format!("{:<12}{}", sanitize_line(key), v));
}

pub fn format_time(ms: i64, utc: bool) -> String {
    if utc {
        format_utc_short_ms(ms)
    } else {
        format_local_ms(ms)
    }
}

fn trace_doc(t: &Trace, utc: bool) -> DocContent {
    let info = &t.info;
    let mut out = Vec::new();
    kv(&mut out, "Trace", &info.trace_id);
    kv(&mut out, "Name", t.name().unwrap_or("-"));
    kv(&mut out, "State", info.state.as_str());
    kv(&mut out, "Started", &format_time(info.request_time_ms, utc));
    kv(
        &mut out,
        "Latency",
        &t.duration_ms()
            .map(format_duration_ms)
            .unwrap_or_else(|| "-".into()),
    );
    kv(&mut out, "Spans", &t.span_count().to_string());
    if let Some(u) = t.token_usage() {
        kv(
            &mut out,
            "Tokens",
            &format!("{} in / {} out / {} total", u.input, u.output, u.total),
        );
    }
    if let Some(c) = info.cost() {
        kv(
            &mut out,
            "Cost",
            &format!("{:.6} (in {:.6}, out {:.6})", c.total, c.input, c.output),
        );
    }
    kv(&mut out, "User", info.user().unwrap_or("-"));
    kv(&mut out, "Session", info.session().unwrap_or("-"));
    if let Some(e) = &info.experiment_id {
        kv(&mut out, "Experiment", e);
    }
    if let Some(r) = t.request_preview() {
        kv(&mut out, "Request", &r);
    }
    if let Some(r) = t.response_preview() {
        kv(&mut out, "Response", &r);
    }
    if !info.assessments.is_empty() {
        out.push(String::new());
        out.push("Assessments".into());
        for a in &info.assessments {
            let value = a
                .value
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "-".into());
            let mut line = format!("  {} {} = {}", a.kind, a.name, value);
            if let (Some(st), Some(id)) = (&a.source_type, &a.source_id) {
                let _ = write!(line, "  ({st} {id})");
            }
            if let Some(r) = &a.rationale {
                let _ = write!(line, "  {r}");
            }
            if let Some(e) = &a.error {
                let _ = write!(line, "  error: {e}");
            }
            push_line(&mut out, &sanitize_line(&line));
        }
    }
    for (title, map) in [("Tags", &info.tags), ("Metadata", &info.metadata)] {
        if map.is_empty() {
            continue;
        }
        out.push(String::new());
        out.push(title.into());
        for (k, v) in map {
            push_line(
                &mut out,
                &format!("  {}: {}", sanitize_line(k), sanitize_line(v)),
            );
        }
    }
    if !t.warnings.is_empty() {
        out.push(String::new());
        out.push("Warnings".into());
        for w in &t.warnings {
            push_line(&mut out, &format!("  {}", sanitize_line(w)));
        }
    }
    text_doc(out)
}

fn attributes_doc(s: &Span) -> DocContent {
    let mut out = Vec::new();
    let user: Vec<_> = s.user_attributes().collect();
    if user.is_empty() {
        out.push("(no user attributes)".into());
    }
    for (k, v) in user {
        push_line(
            &mut out,
            &format!("{}: {}", sanitize_line(k), sanitize_line(&v.display_text())),
        );
    }
    out.push(String::new());
    out.push("── mlflow.* ──".into());
    for (k, v) in s.mlflow_attributes() {
        push_line(
            &mut out,
            &format!("{}: {}", sanitize_line(k), sanitize_line(&v.display_text())),
        );
    }
    if let Some(m) = s.model() {
        out.push(String::new());
        push_line(&mut out, &format!("model: {}", sanitize_line(&m)));
    }
    if let Some(u) = s.token_usage() {
        push_line(
            &mut out,
            &format!(
                "tokens: {} in / {} out / {} total",
                u.input, u.output, u.total
            ),
        );
    }
    if let Some(c) = s.cost() {
        push_line(&mut out, &format!("cost: {:.6}", c.total));
    }
    text_doc(out)
}

fn events_doc(s: &Span) -> DocContent {
    let mut out = Vec::new();
    if !s.status_message.is_empty() {
        push_line(
            &mut out,
            &format!(
                "status {}: {}",
                s.status.as_str(),
                sanitize_line(&s.status_message)
            ),
        );
        out.push(String::new());
    }
    if s.events.is_empty() {
        out.push("(no events)".into());
    }
    for e in &s.events {
        let offset = e.time_ns.saturating_sub(s.start_ns);
        push_line(
            &mut out,
            &format!(
                "{}  +{}",
                sanitize_line(&e.name),
                format_duration_ns(offset)
            ),
        );
        if e.name == "exception" {
            let get = |k: &str| {
                e.attributes.get(k).map(|v| match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
            };
            push_line(
                &mut out,
                &format!(
                    "  ✗ {}: {}",
                    sanitize_line(&get("exception.type").unwrap_or_default()),
                    sanitize_line(&get("exception.message").unwrap_or_default())
                ),
            );
            if let Some(st) = get("exception.stacktrace") {
                for l in sanitize_block(&st).lines() {
                    push_line(&mut out, &format!("    {l}"));
                }
            }
            continue;
        }
        for (k, v) in &e.attributes {
            let v = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            push_line(
                &mut out,
                &format!("  {}: {}", sanitize_line(k), sanitize_line(&v)),
            );
        }
    }
    text_doc(out)
}

fn chat_doc(s: &Span) -> DocContent {
    let mut out = Vec::new();
    let tools = chat::tools(s);
    if !tools.is_empty() {
        let names: Vec<String> = tools
            .iter()
            .map(|t| sanitize_line(&t.name).into_owned())
            .collect();
        push_line(&mut out, &format!("tools: {}", names.join(", ")));
        out.push(String::new());
    }
    let msgs = chat::messages(s);
    if msgs.is_empty() {
        out.push("(no chat messages in this span)".into());
    }
    for m in msgs {
        let mut head = format!("── {}", sanitize_line(&m.role));
        if let Some(n) = &m.name {
            let _ = write!(head, " ({})", sanitize_line(n));
        }
        if let Some(id) = &m.tool_call_id {
            let _ = write!(head, " [{}]", sanitize_line(id));
        }
        head.push_str(" ──");
        out.push(head);
        if !m.content.is_empty() {
            push_block(&mut out, &m.content);
        }
        for c in &m.tool_calls {
            let id =
                c.id.as_deref()
                    .map(|i| format!("  [{}]", sanitize_line(i)))
                    .unwrap_or_default();
            push_line(
                &mut out,
                &format!(
                    "→ {}({}){id}",
                    sanitize_line(&c.name),
                    sanitize_line(&c.arguments)
                ),
            );
        }
        out.push(String::new());
    }
    text_doc(out)
}

fn raw_doc<T: serde::Serialize>(v: &T) -> DocContent {
    json_doc(serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("(cannot show: {e})")))
}

/// Pretty JSON text as a document: one sanitized display line per line, highlighted.
fn json_doc(pretty: String) -> DocContent {
    let mut lines = Vec::new();
    for l in pretty.lines() {
        push_line(&mut lines, &sanitize_line(l));
    }
    DocContent {
        lines,
        json: true,
        raw: pretty,
    }
}

/// Does this span have a conversation to show?
pub fn has_chat(s: &Span) -> bool {
    !chat::messages(s).is_empty()
}

/// Bytes a tab's value holds (to decide whether to build it off the UI thread).
pub fn weight(t: &Trace, span: Option<usize>, tab: Tab) -> usize {
    let Some(s) = span.and_then(|i| t.tree.get(i)) else {
        return 0;
    };
    match tab {
        Tab::Inputs => s.inputs().map_or(0, AttrValue::len),
        Tab::Outputs => s.outputs().map_or(0, AttrValue::len),
        Tab::Trace => 0,
        _ => s.attributes.iter().map(|(_, v)| v.len()).sum::<usize>() + s.events.len() * 256,
    }
}

/// Builds a tab's content for a span (or for the trace when `span` is `None` or the tab is
/// `Trace`).
pub fn build(t: &Trace, span: Option<usize>, tab: Tab, utc: bool) -> DocContent {
    let mut doc = build_uncapped(t, span, tab, utc);
    if doc.lines.len() >= MAX_DOC_LINES {
        doc.lines.truncate(MAX_DOC_LINES - 1);
        doc.lines.push(format!(
            "… more than {MAX_DOC_LINES} lines: the rest is not shown here (v opens the whole value in $PAGER, y copies it)"
        ));
    }
    doc
}

fn build_uncapped(t: &Trace, span: Option<usize>, tab: Tab, utc: bool) -> DocContent {
    let s = span.and_then(|i| t.tree.get(i));
    match (tab, s) {
        (Tab::Trace, _) | (_, None) => match tab {
            Tab::Raw => raw_doc(&t.info),
            _ => trace_doc(t, utc),
        },
        (Tab::Inputs, Some(s)) => value_doc(s.inputs(), "inputs"),
        (Tab::Outputs, Some(s)) => value_doc(s.outputs(), "outputs"),
        (Tab::Attributes, Some(s)) => attributes_doc(s),
        (Tab::Events, Some(s)) => events_doc(s),
        (Tab::Chat, Some(s)) => chat_doc(s),
        (Tab::Raw, Some(s)) => raw_doc(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_continue_and_nothing_is_cut() {
        let mut out = Vec::new();
        let long = "x".repeat(MAX_LINE_CHARS * 2 + 5);
        push_line(&mut out, &long);
        assert_eq!(out.len(), 3);
        assert!(out[1].starts_with('↪'));
        let total: usize = out
            .iter()
            .map(|l| l.trim_start_matches('↪').chars().count())
            .sum();
        assert_eq!(total, long.len());
    }

    #[test]
    fn tabs_cycle() {
        assert_eq!(Tab::Raw.next(), Tab::Trace);
        assert_eq!(Tab::Trace.prev(), Tab::Raw);
    }
}
