//! The state machine, driven by messages over real traces (the demo and fixtures): no
//! terminal, no runtime, no clock.

mod common;

use common::*;
use crossterm::event::KeyCode;
use std::sync::Arc;

use mlflow_tui::app::{Cmd, Focus, Msg, Tab};

/// Answers a list request that is in flight as if the source had sent `page`.
fn answer_list(
    h: &mut Harness,
    append: bool,
    page: Result<mlflow_tui::source::TracePage, mlflow_tui::source::SourceError>,
) {
    let req = h.app.list.req + 1;
    h.app.list.req = req;
    h.app.list.loading = Some(req);
    h.send(Msg::TracesLoaded { req, append, page });
}

fn demo_harness() -> Harness {
    Harness::new(&demo(), (140, 40))
}

#[test]
fn the_list_loads_and_the_first_trace_opens() {
    let h = demo_harness();
    assert!(h.app.list.loaded);
    assert_eq!(h.app.list.rows.len(), DEMO_TRACES);
    assert_eq!(h.app.focus, Focus::TraceList);
    let open = h.app.open.as_ref().expect("the selected trace is loaded");
    assert_eq!(
        Some(open.trace.info.trace_id.clone()),
        h.app.list.selected_id()
    );
    assert_eq!(h.app.detail.tab, Tab::Trace);
    assert!(h.app.detail.doc.as_ref().unwrap().lines[0].starts_with("Trace"));
}

#[test]
fn list_navigation_follows_with_the_tree() {
    let mut h = demo_harness();
    h.keys("jj");
    assert_eq!(h.app.list.selected(), 2);
    assert_eq!(
        h.app.open.as_ref().unwrap().trace.info.trace_id,
        h.app.list.selected_id().unwrap()
    );
    h.keys("G");
    assert_eq!(h.app.list.selected(), DEMO_TRACES - 1);
    h.keys("k");
    assert_eq!(h.app.list.selected(), DEMO_TRACES - 2);
    h.keys("g");
    assert_eq!(h.app.list.selected(), 0);
    h.ctrl('d');
    let half = h.app.list.view.height() / 2;
    assert_eq!(h.app.list.selected(), half);
    h.ctrl('u');
    assert_eq!(h.app.list.selected(), 0);
    // the list scrolls to keep the selection visible
    h.keys("G");
    let rows = h.app.list.view.height();
    let last = DEMO_TRACES - 1;
    assert!(h.app.list.view.offset() + rows > last && h.app.list.view.offset() <= last);
}

#[test]
fn tree_navigation_expand_collapse_and_parent() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.focus, Focus::SpanTree);
    let view = &h.app.open.as_ref().unwrap().view;
    assert_eq!(view.rows.len(), 5, "small traces open fully expanded");
    h.keys("G");
    assert_eq!(h.selected_span_name().as_deref(), Some("parse_config"));
    assert_eq!(
        h.app.detail.tab,
        Tab::Inputs,
        "leaving the root shows the span's inputs"
    );
    h.keys("p");
    assert_eq!(h.selected_span_name().as_deref(), Some("load_settings"));
    h.keys("h"); // collapse load_settings
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), 4);
    h.keys("h"); // already collapsed: go to the parent
    assert_eq!(h.selected_span_name().as_deref(), Some("prepare"));
    h.key(KeyCode::Char(' ')); // fold prepare
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), 3);
    h.keys("C");
    assert_eq!(
        h.app.open.as_ref().unwrap().view.rows.len(),
        2,
        "C folds everything below the top level; the root stays open"
    );
    assert_eq!(
        h.selected_span_name().as_deref(),
        Some("setup"),
        "folding keeps the nearest visible ancestor"
    );
    h.keys("E");
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), 5);
    h.keys("2");
    assert_eq!(
        h.app.open.as_ref().unwrap().view.rows.len(),
        2,
        "expand to depth 2"
    );
    h.keys("g");
    h.keys("l"); // batch_job is expanded: go to its first child
    assert_eq!(h.selected_span_name().as_deref(), Some("setup"));
    h.keys("l"); // setup is folded: expand it
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), 3);
    h.keys("l");
    assert_eq!(h.selected_span_name().as_deref(), Some("prepare"));
}

#[test]
fn tabs_show_each_part_of_a_span() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    h.keys("G");
    let doc = |h: &Harness| h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    assert!(doc(&h).contains("\"raw\""), "inputs: {}", doc(&h));
    h.keys("]");
    assert_eq!(h.app.detail.tab, Tab::Outputs);
    assert!(doc(&h).contains("(no outputs)"));
    h.keys("]]");
    assert_eq!(h.app.detail.tab, Tab::Events);
    let events = doc(&h);
    assert!(
        events.contains("✗ ValueError: bad config: missing 'model'"),
        "{events}"
    );
    assert!(events.contains("Traceback"));
    h.keys("]]");
    assert_eq!(h.app.detail.tab, Tab::Json);
    // MLflow's own span JSON: base64 ids, JSON-encoded attribute values, STATUS_CODE_*
    let mlflow = doc(&h);
    assert!(mlflow.contains("\"STATUS_CODE_ERROR\""), "{mlflow}");
    assert!(mlflow.contains("\"mlflow.spanType\": \"\\\""), "{mlflow}");
    h.keys("]");
    assert_eq!(h.app.detail.tab, Tab::Normalized);
    assert!(doc(&h).contains("\"span_id\""));
    assert!(doc(&h).contains("\"status\": \"ERROR\""), "{}", doc(&h));
    h.keys("]");
    assert_eq!(h.app.detail.tab, Tab::Trace);
    assert!(doc(&h).contains("State       ERROR"));
    h.keys("[");
    assert_eq!(h.app.detail.tab, Tab::Normalized);
}

#[test]
fn chat_tab_shows_the_conversation() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "travel_agent");
    h.key(KeyCode::Enter);
    h.keys("j"); // llm_step_0
    for _ in 0..4 {
        h.keys("]");
    }
    assert_eq!(h.app.detail.tab, Tab::Chat);
    let doc = h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    assert!(doc.contains("tools: get_weather, search_flights"), "{doc}");
    assert!(doc.contains("── user ──"));
    assert!(
        doc.contains("→ get_weather({\"city\": \"Lisbon\"})"),
        "{doc}"
    );
}

/// `i` opens the whole trace as one conversation, full screen; the selection in the tree
/// does not change it; `i` (or esc) goes back to the tab, pane and zoom it came from.
#[test]
fn the_transcript_opens_full_screen_and_goes_back() {
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (120, 40));
    select_trace_named(&mut h, "claude_agent");
    h.key(KeyCode::Enter);
    h.keys("j]");
    let (tab, focus) = (h.app.detail.tab, h.app.focus);
    assert_eq!(focus, Focus::SpanTree);
    h.keys("i");
    assert_eq!(h.app.detail.tab, Tab::Transcript);
    assert!(h.app.zoom && h.app.focus == Focus::Detail);
    let doc = h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    for want in [
        "── system ──",
        "thinking: I should look the weather up.",
        "→ get_weather({\"city\":\"Paris\"})  [toolu_1]",
        "── tool [toolu_1]",
        "── assistant · Messages.create ──",
    ] {
        assert!(doc.contains(want), "{want:?} in:\n{doc}");
    }
    // the prompt of the second call repeats the first: each message once
    assert_eq!(doc.matches("How warm is it in Paris?").count(), 1, "{doc}");
    assert!(!doc.contains("Analysis"), "{doc}");
    let screen = h.screen();
    assert!(
        screen.contains("Transcript: the whole trace as one conversation"),
        "{screen}"
    );
    assert!(!screen.contains("Spans "), "full screen:\n{screen}");
    h.keys("i");
    assert_eq!((h.app.detail.tab, h.app.focus), (tab, focus));
    assert!(!h.app.zoom);
    h.keys("i");
    h.key(KeyCode::Esc);
    assert_eq!((h.app.detail.tab, h.app.focus), (tab, focus));
    // a tab key from the transcript goes back and moves on from the tab it came from
    h.keys("i]");
    assert_eq!(h.app.detail.tab, tab.next());
    assert!(h.app.transcript.is_none() && !h.app.zoom);
}

/// A copy of the frameworks store with spans of one trace deleted, as a crashed or cut
/// export leaves it (MLflow's own store then refuses the trace: "not fully exported yet").
fn store_missing_spans(scenario: &str, names: &[&str]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("mlflow.db");
    std::fs::copy(fixtures().join("v3/frameworks/sqlite/mlflow.db"), &db).unwrap();
    let id = manifest("v3/frameworks/sqlite")[scenario].clone();
    let c = rusqlite::Connection::open(&db).unwrap();
    for n in names {
        let gone = c
            .execute(
                "DELETE FROM spans WHERE trace_id = ?1 AND name = ?2",
                [id.as_str(), n],
            )
            .unwrap();
        assert!(gone > 0, "{n}");
    }
    (dir, id)
}

/// Issue 13: a trace whose stored spans disagree with its recorded count, or that lost its
/// root, says so and what is missing: in the Trace tab, the tree's title, the list's span
/// count, and `show`.
#[test]
fn an_incomplete_trace_says_what_is_missing() {
    let (dir, id) = store_missing_spans("anthropic", &["get_weather"]);
    let t = get(&open(dir.path()), &id);
    assert_eq!(
        t.gaps(),
        ["3 of 4 spans stored (MLflow would not load it: not fully exported yet)"]
    );
    let mut h = Harness::new(dir.path(), (140, 40));
    select_trace_named(&mut h, "claude_agent");
    // both claude_agent traces are listed; the damaged one is the anthropic scenario
    while h.app.open.as_ref().unwrap().trace.info.trace_id != id {
        h.keys("j");
    }
    let screen = h.screen();
    assert!(screen.contains("⚠3/4"), "{screen}");
    assert!(screen.contains("⚠ incomplete"), "{screen}");
    let doc = h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    assert!(doc.contains("Incomplete  ⚠ 3 of 4 spans stored"), "{doc}");

    // no root: every other span's parent is gone
    let (dir, id) = store_missing_spans("openai_chat", &["weather_agent"]);
    let gaps = get(&open(dir.path()), &id).gaps();
    assert!(
        gaps.iter().any(|g| g.starts_with("3 of 4 spans stored")),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().any(|g| g.starts_with("no root span")),
        "{gaps:?}"
    );
    assert!(
        gaps.contains(&"3 spans whose parent was never stored".to_string()),
        "{gaps:?}"
    );

    // a whole trace has none
    let whole = get(&open(&fixtures().join("v3/frameworks/sqlite")), &id);
    assert!(whole.gaps().is_empty());
}

/// Issue 13 (sessions): `I` lists the sessions of the listed traces with the selected trace's
/// session selected; enter reads its turns in the background (a stale answer is dropped) as
/// one conversation; esc goes back to the sessions, then to the list.
#[test]
fn the_sessions_view_reads_a_session_as_one_conversation() {
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (120, 40));
    select_trace_named(&mut h, "chat_turn");
    h.keys("I");
    let s = h.app.sessions.as_ref().expect("the sessions view");
    assert_eq!(s.list.len(), 7);
    assert_eq!(s.list[s.view.cursor()].id, "support/erin/chat-5");
    let screen = h.screen();
    assert!(
        screen.contains("Sessions · 7 sessions in 14 traces"),
        "{screen}"
    );
    assert!(screen.contains("support/erin/chat-5"), "{screen}");
    // enter: the turns are read off the UI thread (the harness answers at once)
    h.key(KeyCode::Enter);
    let r = h.app.sessions.as_ref().unwrap().reading.as_ref().unwrap();
    assert!(!r.loading && !r.lines.is_empty());
    let req = r.req;
    // a stale answer (an earlier request) is dropped
    h.send(Msg::SessionLoaded {
        req: req - 1,
        result: Ok(vec!["stale".into()]),
    });
    assert!(!h.screen().contains("stale"));
    let screen = h.screen();
    for want in [
        "Session support/erin/chat-5 · 3 turns",
        "━━ turn 1 of 3",
        "Hi, I am going to Lisbon.",
        "━━ turn 3 of 3",
        "You said: yes",
    ] {
        assert!(screen.contains(want), "{want:?} in:\n{screen}");
    }
    assert_eq!(screen.matches("You are a travel assistant.").count(), 1);
    h.keys("G");
    assert!(h.screen().contains("You said: yes"));
    h.key(KeyCode::Esc);
    assert!(h.app.sessions.as_ref().unwrap().reading.is_none());
    h.key(KeyCode::Esc);
    assert!(h.app.sessions.is_none());
}

/// Issue 13 (assessments): a column per feedback name (pass green, fail red), pass rates in
/// the status line, `!` for the traces failing a feedback, and in the Trace tab each
/// assessment's source, rationale and what it overrides.
#[test]
fn feedback_shows_in_the_list_and_failing_traces_are_one_key_away() {
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (200, 40));
    let screen = h.screen();
    assert!(screen.contains("CORRECTNESS"), "{screen}");
    assert!(screen.contains("HELPFULNESS"), "{screen}");
    // the judge passed one, failed one; a person overrode the other fail into a pass
    assert!(screen.contains("correctness 67% pass (2/3)"), "{screen}");
    h.keys("!");
    assert_eq!(h.app.list.failing.as_deref(), Some("correctness"));
    assert_eq!(h.app.list.rows.len(), 1);
    let screen = h.screen();
    assert!(screen.contains("· failing correctness"), "{screen}");
    assert!(screen.contains("claude_agent"), "{screen}");
    assert!(
        screen.contains("only traces failing correctness"),
        "{screen}"
    );
    assert_eq!(h.app.list.verdicts[0].label(), "correctness 0% pass (0/1)");
    // the tree and detail follow the selection onto the failing trace
    let open = h.app.open.as_ref().unwrap();
    assert_eq!(open.trace.name(), Some("claude_agent"));
    // the only pass/fail feedback: the next press shows all again
    h.keys("!");
    assert_eq!(h.app.list.failing, None);
    assert_eq!(h.app.list.rows.len(), 14);

    let dspy = manifest("v3/frameworks/sqlite")["dspy"].clone();
    h.keys("g");
    for _ in 0..10 {
        if h.app.open.as_ref().unwrap().trace.info.trace_id == dspy {
            break;
        }
        h.keys("j");
    }
    let doc = h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    for want in [
        "feedback correctness = fail  by LLM judge gpt-4o-judge · replaced by a later assessment",
        "    rationale: Too short.",
        "feedback correctness = pass  by person reviewer@example.com",
        "    rationale: Short, but right.",
        "    overrides fail by LLM judge gpt-4o-judge",
    ] {
        assert!(doc.contains(want), "{want:?} in:\n{doc}");
    }
}

/// The newest Annotate command the update gave: (req, trace_id, annotation, typed).
fn last_annotate(h: &Harness) -> (u64, String, mlflow_tui::source::Annotation, String) {
    match h
        .effects
        .iter()
        .rev()
        .find(|c| matches!(c, Cmd::Annotate { .. }))
    {
        Some(Cmd::Annotate {
            req,
            trace_id,
            annotation,
            typed,
        }) => (*req, trace_id.clone(), annotation.clone(), typed.clone()),
        _ => panic!("an Annotate command: {:?}", h.effects),
    }
}

/// Issue 13 (review): on a local store `a` and `A` say it is read-only and how to annotate;
/// on a server, review mode's `y` writes a pass and moves on, the answer shows in the list's
/// column at once, and a refused write says why and gives the typed line back.
#[test]
fn review_writes_through_the_source_and_a_refusal_loses_nothing() {
    use mlflow_tui::source::Annotation;
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (200, 40));
    h.keys("a");
    assert!(h.app.prompt.is_none());
    assert!(h.screen().contains("read-only here: serve the store with"));
    // as if it were a tracking server
    h.app.web_base = Some("http://127.0.0.1:5000".into());
    h.keys("A");
    assert_eq!(h.app.prompt.as_ref().unwrap().edit.text(), "correctness");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.review.as_deref(), Some("correctness"));
    assert!(
        h.screen()
            .contains("reviewing correctness: y pass · n fail")
    );
    let first = h.app.list.selected_id().unwrap();
    h.effects.clear();
    h.keys("y");
    assert_eq!(h.app.list.selected(), 1, "the next trace");
    let (req, trace_id, annotation, typed) = last_annotate(&h);
    assert_eq!(trace_id, first);
    assert_eq!(
        annotation,
        Annotation::Feedback {
            name: "correctness".into(),
            value: serde_json::json!(true),
            rationale: None,
            span_id: None
        }
    );
    let annotation_copy = annotation.clone();
    h.send(Msg::Annotated {
        req,
        trace_id: trace_id.clone(),
        annotation,
        typed,
        result: Ok(mlflow_tui::source::Written {
            said: format!("wrote feedback correctness = true on {trace_id} (assessment a-1)"),
            stored: annotation_copy
                .to_assessment("a-1".into(), "me")
                .map(Box::new),
            ..Default::default()
        }),
    });
    let row = &h.app.list.traces[h.app.list.by_id[&trace_id] as usize];
    assert_eq!(
        row.assessment("feedback", "correctness")
            .map(|a| a.short_value()),
        Some("pass".into())
    );
    assert!(
        h.app
            .list
            .verdicts
            .iter()
            .any(|v| v.name == "correctness" && v.pass == 3)
    );

    // a note the server refuses: the error says why, the line comes back as typed
    h.keys("a");
    let p = h.app.prompt.as_mut().unwrap();
    assert_eq!(p.edit.text(), "correctness=");
    for c in "no # wrong city".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    let (req, trace_id, annotation, typed) = last_annotate(&h);
    assert!(
        matches!(&annotation, Annotation::Feedback { rationale: Some(r), value, .. }
        if r == "wrong city" && *value == serde_json::json!(false))
    );
    h.send(Msg::Annotated {
        req,
        trace_id,
        annotation,
        typed,
        result: Err("403 Forbidden: no permission".into()),
    });
    assert_eq!(
        h.app
            .prompt
            .as_ref()
            .map(|p| p.edit.text().to_string())
            .as_deref(),
        Some("correctness=no # wrong city")
    );
    assert!(
        h.app
            .error
            .as_deref()
            .unwrap()
            .contains("not written: feedback correctness = false")
    );
    h.key(KeyCode::Esc);
    h.key(KeyCode::Esc);
    assert!(h.app.review.is_none());
}

/// Issue 13 (editing a review): `rm NAME` deletes, a verdict over a judge's shows the judge's
/// replaced and a deleted override brings it back (as the server answered), and `ctrl-x` takes
/// the annotate line to `$EDITOR` and back with a rationale of several lines, unsent.
#[test]
fn overrides_and_deletes_show_at_once_and_the_editor_keeps_the_line() {
    use mlflow_tui::model::Assessment;
    use mlflow_tui::source::{Annotation, Written};
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (200, 40));
    h.app.web_base = Some("http://127.0.0.1:5000".into());
    // a trace the judge failed
    let id = h.app.list.selected_id().unwrap();
    let judge = Assessment {
        id: "a-judge".into(),
        name: "relevance".into(),
        kind: "feedback".into(),
        value: Some(serde_json::json!(false)),
        source_type: Some("LLM_JUDGE".into()),
        source_id: Some("gpt".into()),
        ..Default::default()
    };
    let i = h.app.list.by_id[&id] as usize;
    h.app.list.traces[i].assessments.push(judge);
    let cell = |h: &Harness| {
        h.app.list.traces[h.app.list.by_id[&id] as usize]
            .assessment("feedback", "relevance")
            .map(|a| (a.id.clone(), a.short_value()))
    };
    assert_eq!(cell(&h), Some(("a-judge".into(), "fail".into())));

    // the editor: the line goes out as a note, comes back with the rationale on one line
    h.keys("a");
    for c in "relevance=yes".chars() {
        h.key(KeyCode::Char(c));
    }
    h.effects.clear();
    h.ctrl('x');
    let Some(Cmd::EditLine(text)) = h.effects.first().cloned() else {
        panic!("an EditLine command: {:?}", h.effects);
    };
    assert!(text.starts_with("relevance=yes\n"), "{text}");
    h.send(Msg::LineEdited(Ok(
        "relevance=yes\nThe answer used the tool.\nThe judge missed it.\n# help\n".into(),
    )));
    let line = h.app.prompt.as_ref().unwrap().edit.text().to_string();
    assert_eq!(
        line,
        "relevance=yes # The answer used the tool.\nThe judge missed it."
    );
    assert!(
        h.screen()
            .contains("The answer used the tool.⏎The judge missed it.")
    );
    // an editor that fails leaves the line as it was
    h.send(Msg::LineEdited(Err("vi exited with 1".into())));
    assert_eq!(h.app.prompt.as_ref().unwrap().edit.text(), line);
    h.effects.clear();
    h.key(KeyCode::Enter);
    let (req, _, annotation, _) = last_annotate(&h);
    assert!(
        matches!(&annotation, Annotation::Feedback { rationale: Some(r), .. }
        if r == "The answer used the tool.\nThe judge missed it.")
    );
    // the server overrode the judge's verdict
    let mut stored = annotation.to_assessment("a-mine".into(), "maria").unwrap();
    stored.overrides = Some("a-judge".into());
    h.send(Msg::Annotated {
        req,
        trace_id: id.clone(),
        annotation,
        typed: line,
        result: Ok(Written {
            said: "wrote feedback relevance = true …, overriding LLM judge gpt's fail (a-judge)"
                .into(),
            stored: Some(Box::new(stored)),
            replaced: Some("a-judge".into()),
            ..Default::default()
        }),
    });
    assert_eq!(cell(&h), Some(("a-mine".into(), "pass".into())));
    assert!(
        h.app
            .message
            .as_deref()
            .unwrap()
            .contains("overriding LLM judge gpt")
    );

    // rm: the override deleted, the judge's verdict in force again
    h.keys("a");
    for c in "rm relevance".chars() {
        h.key(KeyCode::Char(c));
    }
    h.effects.clear();
    h.key(KeyCode::Enter);
    let Some(Cmd::Annotate {
        annotation, req, ..
    }) = h.effects.first().cloned()
    else {
        panic!("an Annotate command: {:?}", h.effects);
    };
    assert_eq!(
        annotation,
        Annotation::Delete {
            what: "relevance".into(),
            span_id: None
        }
    );
    h.send(Msg::Annotated {
        req,
        trace_id: id.clone(),
        annotation,
        typed: "rm relevance".into(),
        result: Ok(Written {
            said: "deleted feedback relevance = pass by person maria (a-mine)".into(),
            deleted: Some("a-mine".into()),
            restored: Some("a-judge".into()),
            ..Default::default()
        }),
    });
    assert_eq!(cell(&h), Some(("a-judge".into(), "fail".into())));
    // a bare rm is refused in place
    h.keys("a");
    for c in "rm ".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    let p = h.app.prompt.as_ref().expect("still open");
    assert!(p.error.as_ref().unwrap().1.contains("rm NAME"));
}

/// Issue 13 (sessions paging like the list): near the end of the sessions view the list's next
/// page is asked for; when it arrives the sessions are built again, a new session appears and
/// the selection stays on its session.
#[test]
fn the_sessions_view_pages_like_the_list() {
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (120, 40));
    // as if the source had another page
    h.app.list.next_page = Some("page-2".into());
    h.hold_lists = true;
    h.keys("I");
    let before = h.app.sessions.as_ref().unwrap().list.len();
    h.keys("G");
    let asked = h.held.iter().any(|c| {
        matches!(c, Cmd::LoadTraces { append: true, query, .. }
            if query.page_token.as_deref() == Some("page-2"))
    });
    assert!(asked, "the next page: {:?}", h.held);
    let s = h.app.sessions.as_ref().unwrap();
    let selected = s.list[s.view.cursor()].id.clone();
    // the page: an older trace of a session not seen yet
    let mut t = h.app.list.traces[0].clone();
    t.trace_id = "tr-older".into();
    t.request_time_ms -= 3_600_000;
    t.metadata
        .insert("mlflow.trace.session".into(), "support/zoe/chat-9".into());
    let req = h.app.list.loading.expect("a page under way");
    h.send(Msg::TracesLoaded {
        req,
        append: true,
        page: Ok(mlflow_tui::source::TracePage {
            traces: vec![t],
            next_page_token: None,
            warnings: vec![],
        }),
    });
    let s = h.app.sessions.as_ref().unwrap();
    assert_eq!(s.list.len(), before + 1);
    assert!(s.list.iter().any(|x| x.id == "support/zoe/chat-9"));
    assert_eq!(s.list[s.view.cursor()].id, selected, "the selection stays");
    assert!(!s.note.contains("the source has more"), "{}", s.note);
}

/// A session whose turns are not all in the list (narrowed here by the quick filter; on a
/// server, pages not loaded yet) is read whole: its turns are found by searching the source.
#[test]
fn a_session_is_read_whole_when_the_list_holds_one_turn() {
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (120, 40));
    h.keys("/");
    for c in "\"yes\"".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert_eq!(h.app.list.rows.len(), 1, "one turn listed");
    h.keys("I");
    let s = h.app.sessions.as_ref().unwrap();
    assert_eq!(s.list.len(), 1);
    assert_eq!(s.list[0].turns(), 1);
    h.key(KeyCode::Enter);
    let screen = h.screen();
    assert!(
        screen.contains("Session support/erin/chat-5 · 3 turns"),
        "{screen}"
    );
    assert!(screen.contains("━━ turn 1 of 3"), "{screen}");
}

#[test]
fn focus_cycles_and_escape_returns_to_the_list() {
    let mut h = demo_harness();
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::SpanTree);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::Detail);
    h.key(KeyCode::Tab);
    assert_eq!(h.app.focus, Focus::TraceList);
    h.key(KeyCode::BackTab);
    assert_eq!(h.app.focus, Focus::Detail);
    h.key(KeyCode::Esc);
    assert_eq!(h.app.focus, Focus::TraceList);
    h.keys("?");
    assert!(matches!(
        h.app.overlay,
        Some(mlflow_tui::app::Overlay::Help { .. })
    ));
    h.keys("j"); // ignored under help
    assert_eq!(h.app.list.selected(), 0);
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
}

#[test]
fn detail_scrolls_and_wraps() {
    let mut h = Harness::new(&demo(), (100, 24));
    select_trace_named(&mut h, "travel_agent");
    h.key(KeyCode::Enter);
    h.keys("j"); // llm_step_0: long inputs
    h.key(KeyCode::Tab); // detail
    let len = h.app.detail.doc.as_ref().unwrap().lines.len();
    let rows = h.app.detail.scroll.height();
    assert!(len > rows, "{len} lines");
    h.keys("jj");
    assert_eq!(h.app.detail.scroll.offset(), 2);
    h.keys("G");
    assert_eq!(h.app.detail.scroll.offset(), len - rows);
    h.keys("g");
    assert_eq!(h.app.detail.scroll.offset(), 0);
    h.keys("w");
    assert!(h.app.detail.wrap);
    h.keys("l");
    assert_eq!(
        h.app.detail.tab,
        Tab::Outputs,
        "left/right switch tabs in the detail pane"
    );
}

#[test]
fn selection_is_kept_across_reloads() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "travel_agent");
    let id = h.app.list.selected_id().unwrap();
    h.key(KeyCode::Enter);
    h.keys("jjj");
    let span = h.selected_span_name();
    h.keys("r"); // reload the list
    assert_eq!(h.app.list.selected_id().unwrap(), id);
    assert_eq!(h.selected_span_name(), span);
    // sorting keeps the selected trace too
    h.key(KeyCode::Esc);
    h.keys("s");
    assert_eq!(h.app.list.sort.key.label(), "duration");
    assert_eq!(h.app.list.selected_id().unwrap(), id);
    // the same trace loaded again keeps expansion and the selected span
    let trace = h.app.open.as_ref().unwrap().trace.clone();
    h.app.focus = Focus::SpanTree;
    h.keys("C");
    let folded = h.app.open.as_ref().unwrap().view.rows.len();
    let req = h.app.trace_req;
    h.send(Msg::TraceLoaded {
        req,
        trace_id: id.clone(),
        result: Ok(mlflow_tui::app::LoadedTrace::new(trace)),
    });
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), folded);
}

#[test]
fn stale_trace_answers_are_dropped() {
    let mut h = demo_harness();
    h.hold_traces = true;
    h.keys("jjj");
    assert_eq!(h.held.len(), 3);
    let held: Vec<Cmd> = std::mem::take(&mut h.held);
    // answer the newest first, then the older ones: the older must not win
    let newest_id = h.app.list.selected_id().unwrap();
    for c in held.into_iter().rev() {
        if let Some(m) = h.answer(c) {
            h.send(m);
        }
    }
    assert_eq!(h.app.open.as_ref().unwrap().trace.info.trace_id, newest_id);
    assert!(h.app.loading_trace.is_none());
}

/// Found by the review screenshot: in review mode the server's answer for the trace just
/// judged came while the next trace was still loading; re-reading the judged trace made the
/// next one's answer stale, and the tree and detail stayed on the judged trace while the list
/// had moved on.
#[test]
fn a_write_answered_while_the_next_trace_loads_does_not_steal_the_view() {
    use mlflow_tui::source::Written;
    let mut h = Harness::new(&fixtures().join("v3/frameworks/sqlite"), (200, 40));
    h.app.web_base = Some("http://127.0.0.1:5000".into());
    h.keys("A");
    h.key(KeyCode::Enter);
    h.hold_traces = true;
    h.effects.clear();
    h.keys("y");
    let next = h.app.list.selected_id().unwrap();
    let (req, trace_id, annotation, typed) = last_annotate(&h);
    assert_ne!(trace_id, next);
    h.send(Msg::Annotated {
        req,
        trace_id,
        annotation,
        typed,
        result: Ok(Written::said("wrote feedback correctness = true".into())),
    });
    for c in std::mem::take(&mut h.held) {
        if let Some(m) = h.answer(c) {
            h.send(m);
        }
    }
    assert_eq!(
        h.app.open.as_ref().unwrap().trace.info.trace_id,
        next,
        "the view follows the selection"
    );
    assert!(h.app.loading_trace.is_none());

    // back to the judged trace while its load is under way (read before a second write
    // landed): the answer to that write reads it again, and the newer read wins
    h.keys("k");
    let judged = h.app.list.selected_id().unwrap();
    assert_eq!(h.held.len(), 1, "a load of the judged trace under way");
    let before = h.app.trace_req;
    h.send(Msg::Annotated {
        req: 99,
        trace_id: judged.clone(),
        annotation: mlflow_tui::source::Annotation::Feedback {
            name: "correctness".into(),
            value: serde_json::json!(false),
            rationale: None,
            span_id: None,
        },
        typed: String::new(),
        result: Ok(Written::said(
            "updated your feedback correctness = false".into(),
        )),
    });
    assert_eq!(h.held.len(), 2, "read again");
    assert!(h.app.trace_req > before);
    assert!(matches!(&h.held[1], Cmd::LoadTrace { trace_id, .. } if *trace_id == judged));
}

#[test]
fn errors_land_in_the_status_line_and_the_ui_keeps_working() {
    let mut h = demo_harness();
    let req = h.app.trace_req + 1;
    h.app.trace_req = req;
    h.send(Msg::TraceLoaded {
        req,
        trace_id: "tr-x".into(),
        result: Err("database is locked".into()),
    });
    assert!(
        h.app
            .error
            .as_deref()
            .unwrap()
            .contains("database is locked")
    );
    h.keys("j");
    assert!(h.app.open.is_some());
    answer_list(
        &mut h,
        false,
        Err(mlflow_tui::source::SourceError::Database(
            "sqlite: not a database".into(),
        )),
    );
    assert!(h.app.error.as_deref().unwrap().contains("not a database"));
    assert_eq!(h.app.list.rows.len(), DEMO_TRACES, "the list stays");
}

#[test]
fn copy_and_pager_are_commands() {
    let mut h = demo_harness();
    let id = h.app.list.selected_id().unwrap();
    h.keys("y");
    assert!(matches!(h.effects.last(), Some(Cmd::Copy(t)) if *t == id));
    h.key(KeyCode::Tab);
    h.keys("y");
    let span_id = {
        let o = h.app.open.as_ref().unwrap();
        o.trace
            .tree
            .span(o.view.selected_span().unwrap())
            .span_id
            .clone()
    };
    assert!(matches!(h.effects.last(), Some(Cmd::Copy(t)) if *t == span_id));
    h.keys("j]"); // a child span's outputs
    h.key(KeyCode::Tab);
    h.keys("y");
    let raw = h.app.detail.doc.as_ref().unwrap().raw.to_string();
    assert!(matches!(h.effects.last(), Some(Cmd::Copy(t)) if *t == raw && !raw.is_empty()));
    h.keys("v");
    assert!(matches!(h.effects.last(), Some(Cmd::Pager(t)) if *t == raw));
    h.keys("o");
    assert!(matches!(h.effects.last(), Some(Cmd::Editor(t)) if *t == raw));
    h.keys("q");
    assert!(h.app.quit);
}

#[test]
fn mouse_clicks_select_and_the_wheel_scrolls() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mut h = demo_harness();
    let panes = mlflow_tui::ui::areas(&h.app);
    let click = |col: u16, row: u16| {
        Msg::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column: col,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // the third data row of the list (border, header, rows)
    h.send(click(panes.trace_list.x + 5, panes.trace_list.y + 4));
    assert_eq!(h.app.list.selected(), 2);
    h.send(Msg::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: panes.trace_list.x + 5,
        row: panes.trace_list.y + 4,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(h.app.list.selected(), 5);
    h.send(click(panes.span_tree.x + 5, panes.span_tree.y + 1));
    assert_eq!(h.app.focus, Focus::SpanTree);
}

#[test]
fn a_big_trace_opens_partly_expanded_and_stays_fast_to_navigate() {
    // 10,005 spans built from a real exported span: opens expanded to depth 2 only
    let text = std::fs::read_to_string(fixtures().join("v3/export/rag.json")).unwrap();
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let template = doc["data"]["spans"][1].clone();
    let mut spans = vec![doc["data"]["spans"][0].clone()];
    let root = spans[0]["span_id"].clone();
    for i in 0..10_000 {
        let mut s = template.clone();
        s["span_id"] = format!("{:016x}", i + 1).into();
        s["parent_span_id"] = if i % 10 == 0 {
            root.clone()
        } else {
            format!("{:016x}", i - i % 10 + 1).into()
        };
        spans.push(s);
    }
    doc["data"]["spans"] = serde_json::Value::Array(spans);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.json"), doc.to_string()).unwrap();
    let mut h = Harness::new(&dir.path().join("big.json"), (120, 40));
    let view = &h.app.open.as_ref().unwrap().view;
    assert_eq!(
        view.rows.len(),
        2,
        "the root and its 1,000 same-named children folded into one row"
    );
    assert!(view.fold_row(1).is_some());
    h.key(KeyCode::Enter);
    h.keys("j ");
    assert_eq!(
        h.app.open.as_ref().unwrap().view.rows.len(),
        1 + 1000,
        "unfolded: the root and its children"
    );
    h.keys("E");
    assert_eq!(h.app.open.as_ref().unwrap().view.rows.len(), 10_001);
    h.keys("G");
    assert_eq!(h.app.open.as_ref().unwrap().view.selected(), 10_000);
}

#[test]
fn a_message_that_changes_nothing_keeps_earlier_changes_due_for_drawing() {
    let mut h = demo_harness();
    h.app.dirty = false;
    h.keys("j");
    assert!(h.app.dirty);
    h.send(Msg::Tick); // nothing loading: the tick changes nothing
    assert!(h.app.dirty, "the move is still to be drawn");
    h.app.dirty = false;
    h.send(Msg::Tick);
    assert!(!h.app.dirty, "an idle tick alone draws nothing");
}

#[test]
fn the_experiment_picker_narrows_the_list() {
    let mut h = Harness::new(&fixtures().join("v3/sqlite"), (120, 40));
    assert_eq!(h.app.list.rows.len(), 10);
    h.keys("e");
    assert!(
        matches!(&h.app.overlay, Some(mlflow_tui::app::Overlay::Experiments(p)) if p.items.is_some()),
        "experiments loaded"
    );
    let s = h.screen();
    assert!(
        s.contains("all experiments") && s.contains("tui-fixtures"),
        "{s}"
    );
    // Default (0) is first after "all": enter picks the highlighted row, its list is empty
    h.key(KeyCode::Down);
    h.key(KeyCode::Enter);
    assert!(h.app.overlay.is_none());
    assert_eq!(h.app.experiment_ids, vec!["0".to_string()]);
    assert_eq!(h.app.list.rows.len(), 0);
    assert!(h.app.experiment_label.contains("Default"));
    // mark several with tab
    h.keys("e");
    h.key(KeyCode::Down);
    h.key(KeyCode::Tab); // mark Default, move down
    h.key(KeyCode::Tab); // mark tui-fixtures
    h.key(KeyCode::Enter);
    assert_eq!(h.app.experiment_ids.len(), 2);
    assert_eq!(h.app.list.rows.len(), 10);
    // typing narrows; enter picks the highlighted match
    h.keys("e");
    h.keys("fixt");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.experiment_label, "experiment tui-fixtures");
    // back to all
    h.keys("e");
    h.key(KeyCode::Home);
    h.key(KeyCode::Enter);
    assert!(h.app.experiment_ids.is_empty());
    assert_eq!(h.app.list.rows.len(), 10);
    h.keys("e");
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
}

#[test]
fn a_failed_list_retries_by_itself_with_backoff() {
    let mut h = demo_harness();
    answer_list(
        &mut h,
        false,
        Err(mlflow_tui::source::SourceError::Network(
            "http://127.0.0.1:5000: cannot connect".into(),
        )),
    );
    assert!(h.app.error.as_deref().unwrap().contains("retrying in 2 s"));
    assert!(matches!(
        h.effects.last(),
        Some(Cmd::WakeAfter { ms: 2000, .. })
    ));
    // the timer goes off: the list is asked for again, and this time it loads
    h.send(Msg::Wake(mlflow_tui::app::Wake::RetryList));
    assert!(h.app.error.is_none());
    assert_eq!(h.app.retry_ms, 0);
    // a second failure in a row waits longer
    for expect in [2000, 4000, 8000] {
        answer_list(
            &mut h,
            false,
            Err(mlflow_tui::source::SourceError::Network("down".into())),
        );
        assert!(matches!(h.effects.last(), Some(Cmd::WakeAfter { ms, .. }) if *ms == expect));
    }
}

#[test]
fn pages_that_overlap_after_new_traces_arrive_add_no_duplicates() {
    let mut h = demo_harness();
    let first: Vec<_> = h.app.list.traces.iter().take(5).cloned().collect();
    let page = mlflow_tui::source::TracePage {
        traces: first,
        next_page_token: None,
        warnings: vec![],
    };
    answer_list(&mut h, true, Ok(page));
    assert_eq!(h.app.list.rows.len(), DEMO_TRACES);
}

#[test]
fn the_quick_filter_narrows_on_every_keystroke_with_smart_case() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "travel_agent");
    let id = h.app.list.selected_id().unwrap();
    h.keys("/");
    assert!(h.app.prompt.is_some());
    h.keys("travel_a");
    assert_eq!(
        h.app.list.rows.len(),
        3,
        "three travel_agent traces in the demo"
    );
    assert_eq!(
        h.app.list.selected_id().unwrap(),
        id,
        "the selection stays on its trace"
    );
    assert!(
        h.screen()
            .contains(&format!("Traces 1/3 of {DEMO_TRACES} · /travel_a")),
        "{}",
        h.screen()
    );
    h.key(KeyCode::Backspace);
    h.keys("agent");
    assert_eq!(h.app.list.rows.len(), 3);
    h.key(KeyCode::Enter);
    assert!(
        h.app.prompt.is_none(),
        "enter keeps the filter and leaves typing"
    );
    h.keys("j"); // moves in the narrowed list
    assert_eq!(h.app.list.selected(), 1);
    h.key(KeyCode::Esc);
    assert!(h.app.list.quick.is_empty(), "esc clears it");
    assert_eq!(h.app.list.rows.len(), DEMO_TRACES);
    // smart case: lowercase matches any case, an uppercase letter makes it exact
    h.keys("/ALICE");
    assert_eq!(h.app.list.rows.len(), 0);
    assert!(h.screen().contains("no trace matches"));
    h.key(KeyCode::Esc);
    h.keys("/alice");
    assert!(!h.app.list.rows.is_empty());
    assert!(
        h.app
            .list
            .rows
            .iter()
            .all(|&i| h.app.list.traces[i as usize].user() == Some("alice")
                || h.app.list.haystacks[i as usize].lower.contains("alice"))
    );
    // tags and session are searched too
    h.key(KeyCode::Esc);
    h.keys("/session-9");
    assert!(
        h.app
            .list
            .rows
            .iter()
            .all(|&i| h.app.list.traces[i as usize].name() == Some("batch_job"))
    );
}

#[test]
fn sort_by_name_then_back_to_time() {
    let mut h = demo_harness();
    for _ in 0..3 {
        h.keys("s");
    }
    assert_eq!(h.app.list.sort.key.label(), "name");
    let names: Vec<&str> = h
        .app
        .list
        .rows
        .iter()
        .map(|&i| h.app.list.traces[i as usize].name().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    h.keys("s");
    assert_eq!(h.app.list.sort.key.label(), "time");
}

#[test]
fn search_inside_a_trace_walks_its_matches() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "travel_agent");
    h.key(KeyCode::Enter);
    h.keys("C"); // fold everything: a match must unfold its ancestors
    h.keys("/Lisbon");
    assert!(h.app.prompt.is_some());
    assert!(h.screen().contains("search> Lisbon"), "{}", h.screen());
    h.key(KeyCode::Enter);
    let o = h.app.open.as_ref().unwrap();
    assert!(o.search.matches.len() >= 4, "{:?}", o.search.matches);
    assert_eq!(o.search.current, Some(0));
    // the first match is the root's inputs
    assert_eq!(h.selected_span_name().as_deref(), Some("travel_agent"));
    assert_eq!(h.app.detail.tab, Tab::Inputs);
    let doc = h.app.detail.doc.as_ref().unwrap();
    assert!(
        doc.lines[h.app.detail.scroll.offset()..]
            .iter()
            .take(5)
            .any(|l| l.contains("Lisbon"))
    );
    // n walks on through the root's other tabs, then into a child span (ancestors unfold)
    h.keys("n");
    assert!(h.screen().contains("/Lisbon 2/"), "the counter shows");
    let mut steps = 1;
    while h.selected_span_name().as_deref() == Some("travel_agent") {
        h.keys("n");
        steps += 1;
        assert!(steps < 10);
    }
    assert_eq!(h.app.open.as_ref().unwrap().search.current, Some(steps));
    // N goes back to the start, and wraps
    for _ in 0..steps {
        h.keys("N");
    }
    assert_eq!(h.selected_span_name().as_deref(), Some("travel_agent"));
    h.keys("N");
    let last = h.app.open.as_ref().unwrap().search.current.unwrap();
    assert_eq!(last + 1, h.app.open.as_ref().unwrap().search.matches.len());
    // a match in events opens the Events tab
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    h.keys("/Traceback");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.detail.tab, Tab::Events);
    // smart case and no match
    h.keys("/zzz-nothing");
    h.key(KeyCode::Enter);
    assert!(h.app.message.as_deref().unwrap().contains("no match"));
    h.keys("/traceback"); // lowercase: any case
    h.key(KeyCode::Enter);
    assert!(!h.app.open.as_ref().unwrap().search.matches.is_empty());
    h.keys("/TRACEBACK"); // uppercase: exact
    h.key(KeyCode::Enter);
    assert!(h.app.open.as_ref().unwrap().search.matches.is_empty());
}

#[test]
fn span_filter_hides_types_but_keeps_errors_and_parents() {
    let mut h = demo_harness();
    select_trace_named(&mut h, "batch_job");
    h.key(KeyCode::Enter);
    let rows = |h: &Harness| h.app.open.as_ref().unwrap().view.rows.len();
    assert_eq!(rows(&h), 5);
    // plumbing: the untyped wrapper spans; they all failed, so they stay
    h.keys("H");
    assert_eq!(rows(&h), 5, "spans with errors always stay");
    h.keys("H");
    select_trace_named(&mut h, "rag_pipeline");
    h.key(KeyCode::Enter);
    assert_eq!(rows(&h), 4);
    h.keys("H"); // format_prompt is a PARSER span
    assert_eq!(rows(&h), 3);
    h.keys("H");
    // the popup: hide CHAT_MODEL and RETRIEVER
    h.keys("T");
    let s = h.screen();
    assert!(
        s.contains("Span filter") && s.contains("RETRIEVER  (1)"),
        "{s}"
    );
    let types =
        mlflow_tui::app::SpanTreeView::type_counts(&h.app.open.as_ref().unwrap().trace.tree);
    let pos = |t: &str| types.iter().position(|(n, _)| n == t).unwrap() + 1;
    for t in ["CHAT_MODEL", "RETRIEVER"] {
        h.keys("g");
        for _ in 0..pos(t) {
            h.keys("j");
        }
        h.key(KeyCode::Char(' '));
    }
    h.key(KeyCode::Esc);
    assert!(h.app.overlay.is_none());
    assert_eq!(rows(&h), 2, "the chain root and the parser remain");
    // hiding the root's type keeps it while a child is shown
    h.keys("T");
    h.keys("g");
    for _ in 0..pos("CHAIN") {
        h.keys("j");
    }
    h.key(KeyCode::Char(' '));
    h.key(KeyCode::Esc);
    assert_eq!(rows(&h), 2, "a parent of a shown span stays");
}

#[test]
fn the_structured_filter_line_parses_applies_and_remembers() {
    let mut h = Harness::new(&fixtures().join("v3/sqlite"), (120, 30));
    assert_eq!(h.app.list.rows.len(), 10);
    h.keys("f");
    assert!(h.app.prompt.is_some());
    h.keys("status = 'OK' OR status = 'ERROR'");
    h.key(KeyCode::Enter);
    let err = h.app.prompt.as_ref().unwrap().error.clone().unwrap();
    assert_eq!(err.0, 15);
    assert!(
        h.screen().contains("✗ column 15: OR is not supported"),
        "{}",
        h.screen()
    );
    assert_eq!(h.app.list.rows.len(), 10, "nothing applied");
    for _ in 0.."OR status = 'ERROR'".len() + 1 {
        h.key(KeyCode::Backspace);
    }
    h.key(KeyCode::Enter);
    assert!(h.app.prompt.is_none());
    assert_eq!(h.app.filter.as_deref(), Some("status = 'OK'"));
    assert_eq!(h.app.list.rows.len(), 9, "every trace but the failed one");
    assert!(h.screen().contains("filter: status = 'OK'"));
    // a span filter, evaluated locally as the sqlite store would
    h.keys("f");
    h.key(KeyCode::Char('u')); // not ctrl: typed
    for _ in 0..1 {
        h.key(KeyCode::Backspace);
    }
    h.send(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    h.keys("span.type = 'TOOL'");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.list.rows.len(), 4);
    // history: ↑ brings back the older filter
    h.keys("f");
    h.key(KeyCode::Up);
    assert_eq!(
        h.app.prompt.as_ref().unwrap().edit.text(),
        "span.type = 'TOOL'"
    );
    h.key(KeyCode::Up);
    assert_eq!(h.app.prompt.as_ref().unwrap().edit.text(), "status = 'OK'");
    h.key(KeyCode::Down);
    assert_eq!(
        h.app.prompt.as_ref().unwrap().edit.text(),
        "span.type = 'TOOL'"
    );
    h.key(KeyCode::Esc);
    assert_eq!(
        h.app.filter.as_deref(),
        Some("span.type = 'TOOL'"),
        "esc leaves the filter as it was"
    );
    // `:filter <expr>` works as typed in a command line
    h.keys(":");
    h.send(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    h.keys("filter name = 'batch_job'");
    h.key(KeyCode::Enter);
    assert_eq!(h.app.filter.as_deref(), Some("name = 'batch_job'"));
    assert_eq!(h.app.list.rows.len(), 1);
    // an empty line clears it
    h.keys("f");
    h.send(Msg::Key(crossterm::event::KeyEvent::new(
        KeyCode::Char('u'),
        crossterm::event::KeyModifiers::CONTROL,
    )));
    h.key(KeyCode::Enter);
    assert!(h.app.filter.is_none());
    assert_eq!(h.app.list.rows.len(), 10);
}

/// Issue 11 defect 6: a request the source refused (4xx, a bad filter) is never retried; a
/// transient failure is.
#[test]
fn a_refused_list_is_never_retried() {
    let mut h = demo_harness();
    h.effects.clear();
    answer_list(
        &mut h,
        false,
        Err(mlflow_tui::source::SourceError::Status {
            code: 400,
            message: "INVALID_PARAMETER_VALUE Invalid clause(s) in filter string".into(),
        }),
    );
    assert!(
        !h.effects.iter().any(|c| matches!(c, Cmd::WakeAfter { .. })),
        "no retry: {:?}",
        h.effects
    );
    let s = h.screen();
    assert!(s.contains("Invalid clause"), "{s}");
    assert!(!s.contains("retrying"), "{s}");
    assert!(
        h.app
            .log
            .entries
            .iter()
            .any(|e| e.text.contains("Invalid clause"))
    );
}

/// Issue 11 defect 7: a trace that failed to load leaves no other trace on screen; the panes
/// say what failed.
#[test]
fn a_failed_trace_load_clears_the_panes_and_says_why() {
    let mut h = demo_harness();
    h.hold_traces = true;
    h.keys("j");
    let id = h.app.list.selected_id().unwrap();
    let req = h.app.trace_req;
    h.send(Msg::TraceLoaded {
        req,
        trace_id: id.clone(),
        result: Err("the span artifact is missing".into()),
    });
    assert!(h.app.open.is_none());
    let s = h.screen();
    assert!(s.contains("could not load trace"), "{s}");
    assert!(s.contains("the span artifact is missing"), "{s}");
    assert!(s.contains("Spans (not loaded)"), "{s}");
}

#[test]
fn a_giant_trace_is_drawn_before_its_analyses_and_they_fill_in() {
    use mlflow_tui::app::{ANALYSE_LATER_FROM, LoadedTrace};
    let mut h = demo_harness();
    let trace = Arc::new(
        mlflow_tui::model::parse::parse_trace(&giant_trace_json(ANALYSE_LATER_FROM + 2_000))
            .unwrap(),
    );
    let id = trace.info.trace_id.clone();
    let req = h.app.trace_req + 1;
    h.app.trace_req = req;
    let first = LoadedTrace::first(Arc::clone(&trace));
    assert!(!first.analysed);
    assert!(first.findings.is_empty());
    h.send(Msg::TraceLoaded {
        req,
        trace_id: id.clone(),
        result: Ok(first),
    });
    // the tree is there, folded as it will stay; the detail says what is still coming
    let open = h.app.open.as_ref().unwrap();
    assert!(!open.analysed);
    assert_eq!(
        open.view.rows.len(),
        2,
        "the agent and its folded run of steps"
    );
    let doc = |h: &Harness| h.app.detail.doc.as_ref().unwrap().lines.join("\n");
    assert!(
        doc(&h).contains("working out the critical path"),
        "{}",
        doc(&h)
    );
    h.app.focus = Focus::SpanTree;
    h.keys("L");
    assert!(
        h.app
            .message
            .as_deref()
            .unwrap_or("")
            .contains("still being worked out"),
        "{:?}",
        h.app.message
    );
    assert!(h.app.overlay.is_none());
    h.app.message = None;
    h.key(KeyCode::Down);
    let selected = h.selected_span_name();
    // an answer for another load is dropped
    let (analysis, findings) = LoadedTrace::analyse(&trace);
    h.send(Msg::TraceAnalysed {
        req: req - 1,
        trace_id: id.clone(),
        analysis: Arc::clone(&analysis),
        findings: Arc::clone(&findings),
    });
    assert!(!h.app.open.as_ref().unwrap().analysed);
    let cached = |h: &Harness| {
        h.app
            .cache
            .iter()
            .find(|t| t.trace.info.trace_id == id)
            .map(|t| (t.analysed, t.findings.len()))
    };
    assert_eq!(cached(&h), Some((false, 0)), "kept as it was first sent");
    // the analyses arrive: figures and findings fill in, the tree and selection stay
    h.send(Msg::TraceAnalysed {
        req,
        trace_id: id.clone(),
        analysis,
        findings,
    });
    // and the copy kept in the cache has them too: opened again, it is not analysed again
    // (nor left saying "analysing…" for good, as it was)
    let (analysed, found) = cached(&h).unwrap();
    assert!(analysed && found > 0);
    let open = h.app.open.as_ref().unwrap();
    assert!(open.analysed);
    assert!(!open.findings.is_empty(), "the failed step is a finding");
    assert_eq!(open.view.rows.len(), 2);
    assert_eq!(h.selected_span_name(), selected);
    assert!(!doc(&h).contains("working out"), "{}", doc(&h));
}

/// Issue 16 (time windows): `@` walks 15m, 1h, 24h, 7d and back to every trace; each asks the
/// source again for the traces started within the window (`since_ms` from now), the title says
/// which, an empty window says how to widen it; `:since 3h` and `:since all` do the same.
#[test]
fn the_time_window_asks_the_source_and_says_so() {
    let mut h = demo_harness();
    h.hold_lists = true;
    let now = h.app.now_ms;
    let asked = |h: &Harness| -> Option<i64> {
        h.held.iter().rev().find_map(|c| match c {
            Cmd::LoadTraces { query, .. } => Some(query.since_ms),
            _ => None,
        })?
    };
    for (label, ms) in [
        ("15m", 900_000),
        ("1h", 3_600_000),
        ("24h", 86_400_000),
        ("7d", 604_800_000),
    ] {
        h.keys("@");
        assert_eq!(asked(&h), Some(now - ms), "{label}");
        assert!(
            h.screen().contains(&format!("· last {label}")),
            "{label}: {}",
            h.screen()
        );
    }
    h.keys("@");
    assert_eq!(asked(&h), None, "back to every trace");
    assert!(!h.screen().contains("· last "));
    // answers come late and out of order: only the newest request's counts (found by the
    // journey: a reload started its request numbers again, so the 1h window's answer was
    // taken for the list of every trace)
    let held: Vec<Cmd> = std::mem::take(&mut h.held);
    for c in &held {
        if let Cmd::LoadTraces { req, query, append } = c.clone() {
            let page = if query.since_ms.is_some() {
                Ok(mlflow_tui::source::TracePage {
                    traces: vec![],
                    next_page_token: None,
                    warnings: vec![],
                })
            } else {
                h.rt.block_on(h.src.list(query))
            };
            h.send(Msg::TracesLoaded { req, append, page });
        }
    }
    assert_eq!(
        h.app.list.rows.len(),
        DEMO_TRACES,
        "the newest answer stands"
    );
    // the palette: any window, and all
    h.keys(":");
    for c in "since 3h".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert_eq!(asked(&h), Some(now - 3 * 3_600_000));
    // the source answers: nothing started in the last 3h
    let req = h.app.list.loading.unwrap();
    h.send(Msg::TracesLoaded {
        req,
        append: false,
        page: Ok(mlflow_tui::source::TracePage {
            traces: vec![],
            next_page_token: None,
            warnings: vec![],
        }),
    });
    assert!(
        h.screen()
            .contains("no trace started in the last 3h (@: a wider window)"),
        "{}",
        h.screen()
    );
    h.keys(":");
    for c in "since 3 parsecs".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert!(h.app.open.is_none(), "no trace open beside an empty list");
    assert!(
        h.app.prompt.as_ref().is_some_and(|p| p.error.is_some()),
        "a bad window keeps the palette open"
    );
    h.key(KeyCode::Esc);
    h.keys(":");
    for c in "since all".chars() {
        h.key(KeyCode::Char(c));
    }
    h.key(KeyCode::Enter);
    assert_eq!(asked(&h), None);
}
