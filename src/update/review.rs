//! Review on a tracking server: `a` writes a note on the selected trace (or span) — feedback,
//! an expectation, a tag set or deleted — and `A` starts review mode, where `y` and `n` give a
//! feedback's pass or fail to the selected trace and move to the next. Writes go through the
//! source (MLflow's REST API) off the UI thread; the status line says what the server stored,
//! or why not, and what was typed comes back to be sent again. Local stores are read-only.

use crate::app::{App, Cmd, Focus, PromptKind};
use crate::keymap::Action;
use crate::source::Annotation;

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
/// `untag KEY`.
pub fn parse(text: &str, span: Option<String>) -> Result<Annotation, String> {
    let t = text.trim();
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
        "NAME=VALUE # why (feedback), expect NAME=VALUE, tag KEY=VALUE or untag KEY".to_string()
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
    result: Result<String, String>,
    cmds: &mut Vec<Cmd>,
) {
    match result {
        Ok(said) => {
            app.message = Some(crate::text::sanitize_line(&said).into_owned());
            remember_locally(app, &trace_id, &annotation, &said);
            // the open trace shows it: read again
            app.cache.retain(|t| t.trace.info.trace_id != trace_id);
            if app
                .open
                .as_ref()
                .is_some_and(|o| o.trace.info.trace_id == trace_id)
            {
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
fn remember_locally(app: &mut App, trace_id: &str, a: &Annotation, said: &str) {
    let Some(&i) = app.list.by_id.get(trace_id) else {
        return;
    };
    let Some(info) = app.list.traces.get_mut(i as usize) else {
        return;
    };
    let id = said
        .rsplit_once("(assessment ")
        .map(|(_, r)| r.trim_end_matches(')').to_string())
        .unwrap_or_default();
    match a {
        Annotation::SetTag { key, value } => {
            info.tags.insert(key.clone(), value.clone());
        }
        Annotation::DeleteTag { key } => {
            info.tags.remove(key);
        }
        other => info
            .assessments
            .extend(other.to_assessment(id, "you (not read back yet)")),
    }
    let snapshot = info.clone();
    app.list.note_info(&snapshot);
    app.list.resort();
}
