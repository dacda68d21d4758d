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
use crate::viewport::Viewport;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Trace,
    Inputs,
    Outputs,
    Attributes,
    Events,
    Chat,
    /// MLflow's own JSON (`Span.to_dict()`, `TraceInfo.to_dict()`).
    Json,
    /// The normalized form mlflow-tui reads every generation into (`show --json`).
    Normalized,
    /// The whole trace as one conversation (not in the tab bar: its own key opens it, full
    /// screen, and goes back).
    Transcript,
}

impl Tab {
    pub const ALL: [Tab; 8] = [
        Tab::Trace,
        Tab::Inputs,
        Tab::Outputs,
        Tab::Attributes,
        Tab::Events,
        Tab::Chat,
        Tab::Json,
        Tab::Normalized,
    ];
    pub fn title(self) -> &'static str {
        match self {
            Tab::Trace => "Trace",
            Tab::Inputs => "Inputs",
            Tab::Outputs => "Outputs",
            Tab::Attributes => "Attributes",
            Tab::Events => "Events",
            Tab::Chat => "Chat",
            Tab::Json => "MLflow JSON",
            Tab::Normalized => "Normalized",
            Tab::Transcript => "Transcript",
        }
    }
    /// Tabs of prose (messages), which wrap by default.
    pub fn is_prose(self) -> bool {
        matches!(self, Tab::Chat | Tab::Transcript)
    }
    /// A document about the whole trace, whichever span is selected.
    pub fn is_trace_wide(self) -> bool {
        matches!(self, Tab::Trace | Tab::Transcript)
    }
    /// The title when the tab bar is narrow.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Trace => "Tr",
            Tab::Inputs => "In",
            Tab::Outputs => "Out",
            Tab::Attributes => "Attr",
            Tab::Events => "Ev",
            Tab::Chat => "Chat",
            Tab::Json => "JSON",
            Tab::Normalized => "Norm",
            Tab::Transcript => "Transcript",
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
    /// Which load of the trace (a running trace is loaded again as it grows): the address of
    /// its `Arc`, so that a refreshed trace gets its documents built again.
    pub rev: usize,
    /// Whether the trace's analyses were in when it was built (its Trace tab shows them).
    pub analysed: bool,
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
    /// The document's rows on screen at the pane's width (wrapped or not).
    pub rows: DocRows,
}

/// How a document's lines become rows on screen: one row per line, or (wrapping) as many rows
/// as each line needs at the pane's width. Worked out when the document, the width or wrapping
/// changes, never per frame.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocRows {
    pub width: usize,
    pub wrap: bool,
    /// Wrapping: the first row of each line (empty when not wrapping).
    pub starts: Vec<u32>,
    /// Rows in all.
    pub total: usize,
    /// The widest line, in columns (for sideways scrolling).
    pub widest: usize,
}

impl DocRows {
    pub fn build(lines: &[String], width: usize, wrap: bool) -> Self {
        let width = width.max(1);
        let mut widest = 0;
        let mut starts = Vec::new();
        let mut total = 0usize;
        if wrap {
            starts.reserve(lines.len());
            for l in lines {
                starts.push(total.min(u32::MAX as usize) as u32);
                total += crate::text::wrapped_rows(l, width);
            }
        } else {
            total = lines.len();
            for l in lines {
                widest = widest.max(crate::text::width(l));
            }
        }
        DocRows {
            width,
            wrap,
            starts,
            total,
            widest,
        }
    }

    /// The line shown on a row, and which of its wrapped pieces.
    pub fn line_at(&self, row: usize) -> (usize, usize) {
        if !self.wrap {
            return (row, 0);
        }
        let line = self
            .starts
            .partition_point(|&s| s as usize <= row)
            .saturating_sub(1);
        (line, row - self.starts.get(line).map_or(0, |&s| s as usize))
    }

    /// The first row of a line.
    pub fn row_of_line(&self, line: usize) -> usize {
        if !self.wrap {
            return line;
        }
        self.starts.get(line).map_or(self.total, |&s| s as usize)
    }
}

/// The detail pane: the tab, the document and how it scrolls.
#[derive(Debug, Clone)]
pub struct DetailState {
    pub tab: Tab,
    /// Rows on screen (wrapped rows when wrapping).
    pub scroll: Viewport,
    /// Columns scrolled to the right (not wrapping).
    pub hscroll: usize,
    /// Wrap long lines (every tab but Chat).
    pub wrap: bool,
    /// Wrap in the Chat tab (on by default: messages are prose).
    pub wrap_chat: bool,
    pub doc: Option<DetailDoc>,
    /// A document is being prepared off the UI thread.
    pub preparing: bool,
    pub req: super::ReqId,
    /// The selected span has a conversation (the Chat tab is lit); worked out when the
    /// selection changes, not per frame.
    pub chat: bool,
}

impl Default for DetailState {
    fn default() -> Self {
        DetailState {
            tab: Tab::Trace,
            scroll: Viewport::document(),
            hscroll: 0,
            wrap: false,
            wrap_chat: true,
            doc: None,
            preparing: false,
            req: 0,
            chat: false,
        }
    }
}

impl DetailState {
    /// Does the current tab wrap?
    pub fn wraps(&self) -> bool {
        if self.tab.is_prose() {
            self.wrap_chat
        } else {
            self.wrap
        }
    }
}

/// The trace tab's analysis lines: where the critical path's time goes, the findings, and
/// the trace's address in MLflow's web UI.
pub fn analysis_lines(o: &super::OpenTrace, web: Option<String>) -> Vec<String> {
    let a = &o.analysis;
    let mut out = vec![String::new(), "Analysis".into()];
    if !o.analysed {
        out.push(format!(
            "  working out the critical path, rollups and findings of {} spans…",
            o.trace.span_count()
        ));
        return out;
    }
    let total = a.split.total_ns();
    if total > 0 {
        let pct = |n: u64| n * 100 / total;
        out.push(format!(
            "  critical path {}: LLM {}% · tools {}% · retrieval {}% · the program's own {}%",
            format_duration_ns(total),
            pct(a.split.llm_ns),
            pct(a.split.tool_ns),
            pct(a.split.retrieval_ns),
            pct(a.split.program_ns)
        ));
    }
    if let Some(r) = o
        .trace
        .tree
        .roots()
        .first()
        .and_then(|&r| a.rollup.get(r).copied())
    {
        out.push(format!(
            "  {} model call{}, {} tool call{}, {} span{} with errors",
            r.llm_calls,
            if r.llm_calls == 1 { "" } else { "s" },
            r.tool_calls,
            if r.tool_calls == 1 { "" } else { "s" },
            r.errors,
            if r.errors == 1 { "" } else { "s" }
        ));
    }
    let folds = a.runs.len();
    if folds > 0 {
        out.push(format!(
            "  {folds} run{} of repeated siblings folded in the tree",
            if folds == 1 { "" } else { "s" }
        ));
    }
    out.push(match o.findings.len() {
        0 => "  no findings".to_string(),
        n => format!(
            "  {n} finding{} (L lists them)",
            if n == 1 { "" } else { "s" }
        ),
    });
    for f in o.findings.iter().take(5) {
        push_line(
            &mut out,
            &format!(
                "    {} {}: {}",
                f.level.as_str(),
                sanitize_line(&o.trace.tree.span(f.span).name),
                sanitize_line(&f.message)
            ),
        );
    }
    if let Some(u) = web {
        out.push(String::new());
        push_line(&mut out, &format!("Web UI      {}", sanitize_line(&u)));
    }
    out
}

/// The span summary at the top of the detail pane: id, parent, type, status, start offset in
/// the trace, duration, model, tokens (in/out/cache), cost. Sanitized.
pub fn span_summary(
    t: &Trace,
    span: usize,
    analysis: Option<&crate::model::analysis::Analysis>,
) -> Vec<String> {
    let Some(s) = t.tree.get(span) else {
        return Vec::new();
    };
    let (t0, _) = t.tree.time_range();
    let mut first = format!(
        "{} {}  id {}",
        sanitize_line(s.span_type.as_str()),
        s.status.as_str(),
        sanitize_line(&s.span_id)
    );
    match &s.parent_id {
        Some(p) => {
            let _ = write!(first, "  parent {}", sanitize_line(p));
        }
        None => first.push_str("  (root)"),
    }
    let mut second = format!(
        "start +{}  duration {}",
        format_duration_ns(s.start_ns.saturating_sub(t0)),
        s.duration_ns()
            .map(format_duration_ns)
            .unwrap_or_else(|| "running".into())
    );
    if let Some(m) = s.model() {
        let _ = write!(second, "  model {}", sanitize_line(&m));
    }
    if let Some(u) = s.token_usage() {
        let _ = write!(second, "  tokens {} in / {} out", u.input, u.output);
        if let Some(c) = u.cache_read {
            let _ = write!(second, " / {c} cache read");
        }
        if let Some(c) = u.cache_creation {
            let _ = write!(second, " / {c} cache write");
        }
    }
    if let Some(c) = s.cost() {
        let _ = write!(second, "  cost {:.6}", c.total);
    }
    if let Some(a) = analysis
        && let (Some(own), Some(r)) = (a.self_ns.get(span), a.rollup.get(span))
    {
        let _ = write!(
            first,
            "  self {}  {:.0}% of the trace",
            format_duration_ns(*own),
            a.percent(t, span)
        );
        if r.spans > 1 {
            let _ = write!(
                second,
                "  below: {} spans, {} model / {} tool calls",
                r.spans - 1,
                r.llm_calls,
                r.tool_calls
            );
            if let Some(tk) = r.tokens {
                let _ = write!(second, ", Σ {} tokens", tk.total);
            }
            if let Some(c) = r.cost {
                let _ = write!(second, ", Σ cost {c:.6}");
            }
        }
        if a.on_path.get(span).copied().unwrap_or(false) {
            first.push_str("  ▌critical path");
        }
    }
    vec![first, second]
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
        AttrValue::Json(_) | AttrValue::Shared(_) => json_doc(v.pretty()),
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
    for gap in t.gaps() {
        kv(&mut out, "Incomplete", &format!("⚠ {gap}"));
    }
    if let Some(u) = t.token_usage() {
        kv(&mut out, "Tokens", &u.summary());
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
            let value = match (&a.value, a.verdict()) {
                (_, Some(v)) => if v { "pass" } else { "fail" }.to_string(),
                (Some(v), None) => v.to_string(),
                (None, None) => "-".into(),
            };
            let mut line = format!(
                "  {} {} = {}  by {}",
                a.kind,
                a.name,
                value,
                a.source_label()
            );
            if let Some(span) = &a.span_id {
                let name = t.tree.find(span).map(|i| t.tree.span(i).name.as_str());
                let _ = write!(line, " · on span {}", name.unwrap_or(span));
            }
            if !a.is_valid() {
                line.push_str(" · replaced by a later assessment");
            }
            push_line(&mut out, &sanitize_line(&line));
            if let Some(r) = a.rationale.as_deref().filter(|r| !r.is_empty()) {
                let mut first = true;
                for l in sanitize_block(r).lines() {
                    let lead = if first {
                        "    rationale: "
                    } else {
                        "               "
                    };
                    push_line(&mut out, &format!("{lead}{l}"));
                    first = false;
                }
            }
            if let Some(o) = &a.overrides {
                let what = info
                    .assessments
                    .iter()
                    .find(|x| &x.id == o)
                    .map(|x| format!("{} by {}", x.short_value(), x.source_label()))
                    .unwrap_or_else(|| o.clone());
                push_line(&mut out, &format!("    overrides {}", sanitize_line(&what)));
            }
            if let Some(e) = &a.error {
                push_line(&mut out, &format!("    error: {}", sanitize_line(e)));
            }
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
    use crate::model::semconv::is_io_key;
    let mut out = Vec::new();
    // what the Inputs, Outputs and Chat tabs show is not repeated here
    let (io, user): (Vec<_>, Vec<_>) = s.user_attributes().partition(|(k, _)| is_io_key(k));
    if user.is_empty() {
        out.push("(no user attributes)".into());
    }
    for (k, v) in user {
        push_line(
            &mut out,
            &format!("{}: {}", sanitize_line(k), sanitize_line(&v.display_text())),
        );
    }
    if !io.is_empty() {
        let names: Vec<&str> = io.iter().map(|(k, _)| *k).collect();
        push_line(
            &mut out,
            &format!(
                "(shown as the inputs, outputs and chat: {})",
                sanitize_line(&names.join(", "))
            ),
        );
    }
    out.push(String::new());
    out.push("── mlflow.* ──".into());
    for (k, v) in s.mlflow_attributes() {
        let shown = match k {
            crate::model::keys::SPAN_INPUTS => Some("Inputs"),
            crate::model::keys::SPAN_OUTPUTS => Some("Outputs"),
            _ => None,
        };
        let text = match shown {
            Some(tab) => format!("(the {tab} tab, {} bytes)", v.raw().len()),
            None => sanitize_line(&v.display_text()).into_owned(),
        };
        push_line(&mut out, &format!("{}: {text}", sanitize_line(k)));
    }
    if let Some(d) = s.derived.as_ref().filter(|d| !d.convention.is_empty()) {
        out.push(String::new());
        push_line(
            &mut out,
            &format!(
                "read as MLflow reads OpenTelemetry spans ({} conventions)",
                match d.convention {
                    "openinference" => "OpenInference",
                    "openllmetry" => "OpenLLMetry",
                    _ => "GenAI semantic",
                }
            ),
        );
    }
    if let Some(m) = s.model() {
        out.push(String::new());
        push_line(&mut out, &format!("model: {}", sanitize_line(&m)));
    }
    if let Some(p) = s.provider() {
        push_line(&mut out, &format!("provider: {}", sanitize_line(&p)));
    }
    if let Some(u) = s.token_usage() {
        push_line(&mut out, &format!("tokens: {}", u.summary()));
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
    for m in &msgs {
        message_lines(&mut out, m, None);
    }
    text_doc(out)
}

/// One chat message as display lines: a header (role, name, the call a tool result answers,
/// whether it failed; `call`, the span that carried it, in the transcript), its reasoning,
/// its text, its tool calls, and a blank line.
pub fn message_lines(out: &mut Vec<String>, m: &chat::ChatMessage, call: Option<&str>) {
    let mut head = format!("── {}", sanitize_line(&m.role));
    if let Some(n) = &m.name {
        let _ = write!(head, " ({})", sanitize_line(n));
    }
    if let Some(id) = &m.tool_call_id {
        let _ = write!(head, " [{}]", sanitize_line(id));
    }
    if m.is_error {
        head.push_str(" · error");
    }
    if let Some(c) = call {
        let _ = write!(head, " · {}", sanitize_line(c));
    }
    head.push_str(" ──");
    out.push(head);
    for r in &m.reasoning {
        let mut first = true;
        for line in sanitize_block(r).lines() {
            push_line(
                out,
                &format!("{} {line}", if first { "thinking:" } else { "         " }),
            );
            first = false;
        }
    }
    if !m.content.is_empty() {
        push_block(out, &m.content);
    }
    for c in &m.tool_calls {
        let id =
            c.id.as_deref()
                .map(|i| format!("  [{}]", sanitize_line(i)))
                .unwrap_or_default();
        push_line(
            out,
            &format!(
                "→ {}({}){id}",
                sanitize_line(&c.name),
                sanitize_line(&c.arguments)
            ),
        );
    }
    out.push(String::new());
}

/// A whole trace as one conversation (the transcript view and `show --chat`).
pub fn transcript_lines(t: &Trace) -> Vec<String> {
    let entries = crate::model::transcript::transcript(t);
    let mut out = Vec::new();
    if entries.is_empty() {
        out.push("(no chat messages in this trace)".into());
    }
    entry_lines(&mut out, t, &entries);
    out
}

/// A session's turns, oldest first, as one conversation (the sessions view and
/// `show --session`): each turn under a header with its time, id and name; what an earlier
/// turn said is not repeated.
pub fn session_lines(turns: &[std::sync::Arc<Trace>], utc: bool) -> Vec<String> {
    let mut builder = crate::model::transcript::Transcript::default();
    let mut out = Vec::new();
    for (n, t) in turns.iter().enumerate() {
        let mut head = format!(
            "━━ turn {} of {} · {} · {} · {}",
            n + 1,
            turns.len(),
            format_time(t.info.request_time_ms, utc),
            sanitize_line(&t.info.trace_id),
            sanitize_line(t.name().unwrap_or("-"))
        );
        if let Some(u) = t.info.user() {
            let _ = write!(head, " · {}", sanitize_line(u));
        }
        if t.info.state == crate::model::TraceState::Error {
            head.push_str(" · ERROR");
        }
        // the turn's verdicts in force, for a reviewer reading the session
        let verdicts: Vec<String> = t
            .info
            .assessments
            .iter()
            .filter(|a| a.kind == "feedback" && a.is_valid() && a.span_id.is_none())
            .map(|a| {
                format!(
                    "{} {}",
                    sanitize_line(&a.name),
                    sanitize_line(&a.short_value())
                )
            })
            .collect();
        if !verdicts.is_empty() {
            let _ = write!(head, " · {}", verdicts.join(", "));
        }
        head.push_str(" ━━");
        out.push(head);
        let entries = builder.add(t);
        if entries.is_empty() {
            // a turn without model messages: what went in and came out
            let request = t.request_preview();
            let response = t.response_preview();
            if request.is_none() && response.is_none() {
                out.push("(nothing new said in this turn)".into());
            }
            if let Some(r) = request {
                push_line(&mut out, &format!("request  {}", sanitize_line(&r)));
            }
            if let Some(r) = response {
                push_line(&mut out, &format!("response {}", sanitize_line(&r)));
            }
            out.push(String::new());
        }
        entry_lines(&mut out, t, &entries);
    }
    if turns.is_empty() {
        out.push("(no turns)".into());
    }
    out
}

fn entry_lines(out: &mut Vec<String>, t: &Trace, entries: &[crate::model::transcript::Entry]) {
    use crate::model::transcript::Entry;
    let mut last_call = None;
    for e in entries {
        match e {
            Entry::Message { span, message } => {
                // name the call when it changes, on the model's own messages
                let call = (last_call != Some(*span)
                    && matches!(message.role.as_str(), "assistant" | "ai" | "model"))
                .then(|| t.tree.span(*span).name.as_str());
                if call.is_some() {
                    last_call = Some(*span);
                }
                message_lines(out, message, call);
            }
            Entry::Failure { name, error, .. } => {
                push_line(
                    out,
                    &format!("✗ {} failed: {}", sanitize_line(name), sanitize_line(error)),
                );
                out.push(String::new());
            }
        }
    }
}

fn raw_doc<T: serde::Serialize>(v: &T) -> DocContent {
    json_doc(serde_json::to_string_pretty(v).unwrap_or_else(|e| format!("(cannot show: {e})")))
}

/// MLflow's own JSON of a span or (for the trace) its info.
fn mlflow_doc(t: &Trace, s: Option<&Span>) -> DocContent {
    use crate::model::mlflow_json;
    match s {
        Some(s) => raw_doc(&mlflow_json::span_json(
            s,
            &mlflow_json::otel_trace_id(&t.info.trace_id),
        )),
        None => raw_doc(&mlflow_json::info_json(&t.info)),
    }
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
    if tab == Tab::Transcript {
        return t
            .tree
            .spans()
            .iter()
            .map(|s| s.inputs().map_or(0, AttrValue::len) + s.outputs().map_or(0, AttrValue::len))
            .sum();
    }
    let Some(s) = span.and_then(|i| t.tree.get(i)) else {
        return 0;
    };
    match tab {
        Tab::Inputs => s.inputs().map_or(0, AttrValue::len),
        Tab::Outputs => s.outputs().map_or(0, AttrValue::len),
        Tab::Trace | Tab::Transcript => 0,
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
        (Tab::Transcript, _) => text_doc(transcript_lines(t)),
        (Tab::Trace, _) | (_, None) => match tab {
            Tab::Json => mlflow_doc(t, None),
            Tab::Normalized => raw_doc(&t.info),
            _ => trace_doc(t, utc),
        },
        (Tab::Inputs, Some(s)) => value_doc(s.inputs(), "inputs"),
        (Tab::Outputs, Some(s)) => value_doc(s.outputs(), "outputs"),
        (Tab::Attributes, Some(s)) => attributes_doc(s),
        (Tab::Events, Some(s)) => events_doc(s),
        (Tab::Chat, Some(s)) => chat_doc(s),
        (Tab::Json, Some(s)) => mlflow_doc(t, Some(s)),
        (Tab::Normalized, Some(s)) => raw_doc(s),
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
        assert_eq!(Tab::Normalized.next(), Tab::Trace);
        assert_eq!(Tab::Trace.prev(), Tab::Normalized);
    }
}
