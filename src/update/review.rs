//! Review on a tracking server: `a` writes a note on the selected trace (or span) — feedback,
//! an expectation, a tag set or deleted, an assessment deleted — and `A` starts review mode,
//! where `y` and `n` give a feedback's pass or fail to the selected trace and move to the next.
//! A verdict on a question the reviewer already answered updates it; one on an LLM judge's
//! overrides it (`crate::model::review`). `ctrl-x` in the annotate line edits it in `$EDITOR`
//! (a rationale of several lines). Writes go through the source (MLflow's REST API) off the UI
//! thread; the status line says what the server stored, or why not, and what was typed comes
//! back to be sent again. Local stores are read-only.

use crate::app::{App, Cmd, Focus, PromptKind};
use crate::keymap::Action;
use crate::source::{Annotation, Written};

/// Only a tracking server takes writes.
fn writable(app: &mut App) -> bool {
    if app.web_base.is_some() {
        return true;
    }
    app.message = Some(crate::source::READ_ONLY.into());
    false
}

/// `a`: the annotate line.
pub(super) fn open_annotate(app: &mut App) {
    if !writable(app) {
        return;
    }
    if target(app).is_none() {
        app.message = Some("select a trace to annotate".into());
        return;
    }
    let text = app
        .review
        .as_ref()
        .map(|n| format!("{n}="))
        .unwrap_or_default();
    super::prompt::open(app, PromptKind::Annotate, &text);
}

/// `A`: asks for the feedback name review mode gives; again: review mode ends.
pub(super) fn toggle(app: &mut App) {
    if app.review.take().is_some() {
        app.message = Some("review ended".into());
        return;
    }
    if !writable(app) {
        return;
    }
    let name = app
        .list
        .feedback_names
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "correctness".into());
    super::prompt::open(app, PromptKind::Review, &name);
}

/// Enter in the review prompt.
pub(super) fn start(app: &mut App, text: &str) -> Result<(), String> {
    let name = text.trim();
    if name.is_empty() || name.contains('=') {
        return Err("type the feedback's name (correctness, helpfulness…)".into());
    }
    app.review = Some(name.to_string());
    app.focus = Focus::TraceList;
    app.message = Some(hint(app));
    Ok(())
}

/// What review mode's keys do, for the status line.
pub fn hint(app: &App) -> String {
    format!(
        "review {}: y pass · n fail · {} a note · esc stops",
        crate::text::sanitize_line(app.review.as_deref().unwrap_or("")),
        app.keymap.hint(Action::Annotate)
    )
}

/// The trace (and span, when the tree or detail has the keyboard and a span below the root is
/// selected) a note goes on.
fn target(app: &App) -> Option<(String, Option<String>)> {
    if app.focus != Focus::TraceList
        && let Some(o) = app.open.as_ref()
    {
        let span = o
            .view
            .selected_span()
            .filter(|&s| o.trace.tree.parent(s).is_some())
            .map(|s| o.trace.tree.span(s).span_id.clone());
        return Some((o.trace.info.trace_id.clone(), span));
    }
    app.list.selected_id().map(|id| (id, None))
}

/// Reads the annotate line: `NAME=VALUE # why`, `expect NAME=VALUE`, `tag KEY=VALUE`,
/// `untag KEY`, `rm NAME` (or an assessment id).
pub fn parse(text: &str, span: Option<String>) -> Result<Annotation, String> {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix("rm ") {
        let what = rest.trim();
        if what.is_empty() || what.contains(char::is_whitespace) {
            return Err("rm NAME (or an assessment id)".into());
        }
        return Ok(Annotation::Delete {
            what: what.into(),
            span_id: span,
        });
    }
    if let Some(rest) = t.strip_prefix("tag ") {
        let (key, value) = Annotation::split_pair(rest.trim())?;
        return Ok(Annotation::SetTag { key, value });
    }
    if let Some(rest) = t.strip_prefix("untag ") {
        let key = rest.trim();
        if key.is_empty() {
            return Err("untag KEY".into());
        }
        return Ok(Annotation::DeleteTag { key: key.into() });
    }
    if let Some(rest) = t.strip_prefix("expect ") {
        let (name, value) = Annotation::split_pair(rest.trim())?;
        return Ok(Annotation::Expectation {
            name,
            value: Annotation::parse_value(&value),
            span_id: span,
        });
    }
    let (pair, why) = match t.split_once(" # ") {
        Some((p, w)) => (p, Some(w.trim().to_string()).filter(|w| !w.is_empty())),
        None => (t, None),
    };
    let (name, value) = Annotation::split_pair(pair).map_err(|_| {
        "NAME=VALUE # why (feedback), expect NAME=VALUE, tag KEY=VALUE, untag KEY or rm NAME"
            .to_string()
    })?;
    if value.trim().is_empty() {
        return Err(format!("{name}= needs a value (yes, no, a number, text)"));
    }
    Ok(Annotation::Feedback {
        name,
        value: Annotation::parse_value(&value),
        rationale: why,
        span_id: span,
    })
}

fn send(
    app: &mut App,
    trace_id: String,
    annotation: Annotation,
    typed: String,
    cmds: &mut Vec<Cmd>,
) {
    app.annotate_req += 1;
    app.message = Some(format!(
        "writing {}…",
        crate::text::sanitize_line(&annotation.describe())
    ));
    cmds.push(Cmd::Annotate {
        req: app.annotate_req,
        trace_id,
        annotation,
        typed,
    });
}

/// Enter in the annotate line.
pub(super) fn submit(app: &mut App, text: &str, cmds: &mut Vec<Cmd>) -> Result<(), String> {
    let (trace_id, span) = target(app).ok_or("select a trace to annotate")?;
    let a = parse(text, span)?;
    send(app, trace_id, a, text.to_string(), cmds);
    Ok(())
}

/// `y` / `n` in review mode: pass or fail on the selected trace, then the next trace.
pub(super) fn verdict(app: &mut App, pass: bool, cmds: &mut Vec<Cmd>) {
    let (Some(name), Some(id)) = (app.review.clone(), app.list.selected_id()) else {
        return;
    };
    let a = Annotation::Feedback {
        name,
        value: serde_json::Value::Bool(pass),
        rationale: None,
        span_id: None,
    };
    send(app, id, a, String::new(), cmds);
    super::trace_list::move_to(app, crate::viewport::Nav::Down, cmds);
}

/// The server's answer.
pub(super) fn on_annotated(
    app: &mut App,
    trace_id: String,
    annotation: Annotation,
    typed: String,
    result: Result<Written, String>,
    cmds: &mut Vec<Cmd>,
) {
    match result {
        Ok(written) => {
            app.message = Some(crate::text::sanitize_line(&written.said).into_owned());
            remember_locally(app, &trace_id, &annotation, &written);
            // the trace on screen shows it: read it again. When a load is under way, only if
            // it is of this trace (it may have been read before the write landed); a load of
            // another trace means the selection moved on, and that load must win (this one is
            // read again when opened: it left the cache).
            app.cache.retain(|t| t.trace.info.trace_id != trace_id);
            let reload = match &app.loading_trace {
                Some(loading) => *loading == trace_id,
                None => app
                    .open
                    .as_ref()
                    .is_some_and(|o| o.trace.info.trace_id == trace_id),
            };
            if reload {
                app.trace_req += 1;
                app.loading_trace = Some(trace_id.clone());
                cmds.push(Cmd::LoadTrace {
                    req: app.trace_req,
                    trace_id,
                });
            }
        }
        Err(e) => {
            app.report_error(format!(
                "not written: {} on {}: {}",
                crate::text::sanitize_line(&annotation.describe()),
                crate::text::sanitize_line(&trace_id),
                crate::text::sanitize_line(&e)
            ));
            // what was typed comes back, to send again
            if !typed.is_empty() && app.prompt.is_none() {
                super::prompt::open(app, PromptKind::Annotate, &typed);
            }
        }
    }
}

/// The list shows what was written before the next reload brings it from the server.
fn remember_locally(app: &mut App, trace_id: &str, a: &Annotation, written: &Written) {
    let Some(&i) = app.list.by_id.get(trace_id) else {
        return;
    };
    let Some(info) = app.list.traces.get_mut(i as usize) else {
        return;
    };
    written.apply(info, a);
    let snapshot = info.clone();
    app.list.note_info(&snapshot);
    app.list.resort();
}

/// `ctrl-x` in the annotate line: the line in `$EDITOR`, as a note: the first line what is
/// written, the lines after it the rationale.
pub(super) fn edit_line(app: &App, cmds: &mut Vec<Cmd>) {
    if let Some(p) = app.prompt.as_ref() {
        cmds.push(Cmd::EditLine(to_editor(p.edit.text())));
    }
}

const EDITOR_HELP: &str = "# mlflow-tui: the first line is what is written (NAME=VALUE, expect NAME=VALUE, tag \
KEY=VALUE, untag KEY, rm NAME); the lines after it are the feedback's rationale. Lines starting \
with # are dropped. Save and quit: the annotate line comes back; enter sends it.";

/// The annotate line as the editor shows it.
pub fn to_editor(line: &str) -> String {
    let (pair, why) = match line.split_once(" # ") {
        Some((p, w)) => (p.trim(), w.trim()),
        None => (line.trim(), ""),
    };
    format!("{pair}\n{why}\n\n{EDITOR_HELP}\n")
}

/// The editor's text as the annotate line: `FIRST # rest` (the rationale keeps its newlines).
pub fn from_editor(text: &str) -> String {
    let mut lines = text
        .lines()
        .map(|l| l.trim_end_matches('\r'))
        .filter(|l| !l.starts_with('#'));
    let first = lines
        .by_ref()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_string();
    let why = lines.collect::<Vec<_>>().join("\n").trim().to_string();
    if why.is_empty() {
        first
    } else {
        format!("{first} # {why}")
    }
}

/// The editor is closed: its text goes back into the annotate line (nothing is sent yet).
pub(super) fn on_line_edited(app: &mut App, r: Result<String, String>) {
    match r {
        Ok(text) => {
            let line = from_editor(&text);
            super::prompt::open(app, PromptKind::Annotate, &line);
            app.message = Some("enter sends the note; esc keeps it in the history".into());
        }
        Err(e) => app.report_error(format!(
            "$EDITOR: {}; the annotate line is as it was",
            crate::text::sanitize_line(&e)
        )),
    }
}
