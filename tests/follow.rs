//! Follow mode (live tail) through `update`: messages in, state and commands out. The traces are
//! made here; the end-to-end runs against real MLflow stores are in tests/live.rs.

mod common;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlflow_tui::app::{App, Cmd, Focus, LoadedTrace, Msg, Wake};
use mlflow_tui::model::{TraceInfo, TraceState};
use mlflow_tui::source::TracePage;
use mlflow_tui::update::{start, update};

const T0: i64 = 1_795_300_000_000;

fn info(i: i64, state: TraceState) -> TraceInfo {
    let mut t = TraceInfo {
        trace_id: format!("tr-{i:04}"),
        request_time_ms: T0 + i * 1000,
        duration_ms: (state != TraceState::InProgress).then_some(5),
        state,
        ..Default::default()
    };
    t.tags
        .insert("mlflow.traceName".into(), format!("trace_{i}"));
    t
}

fn key(app: &mut App, c: KeyCode) -> Vec<Cmd> {
    update(app, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)))
}

fn page(traces: Vec<TraceInfo>) -> Result<TracePage, mlflow_tui::source::SourceError> {
    Ok(TracePage {
        traces,
        ..Default::default()
    })
}

/// An explorer at 120x40 with traces 0..n listed (newest first), following.
fn following(n: i64) -> App {
    let mut app = App::new("test".into(), "all experiments".into());
    app.utc = true;
    app.now_ms = T0 + n * 1000;
    update(&mut app, Msg::Resize(120, 40));
    start(&mut app);
    let req = app.list.req;
    let cmds = update(
        &mut app,
        Msg::TracesLoaded {
            req,
            append: false,
            page: page((0..n).rev().map(|i| info(i, TraceState::Ok)).collect()),
        },
    );
    assert!(!cmds.iter().any(|c| matches!(c, Cmd::Poll { .. })));
    let cmds = key(&mut app, KeyCode::Char('F'));
    assert!(app.follow.on);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Watch(true))));
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Poll { .. })),
        "{cmds:?}"
    );
    app
}

/// Answers the poll in flight (firing the poll timer first if none is) with these traces at
/// `at_ms`.
fn polled(app: &mut App, traces: Vec<TraceInfo>, at_ms: i64) -> Vec<Cmd> {
    if app.follow.polling.is_none() {
        let timer = app.follow.timer;
        update(app, Msg::Wake(Wake::Poll(timer)));
    }
    let req = app.follow.polling.expect("a poll in flight");
    update(
        app,
        Msg::Polled {
            req,
            at_ms,
            result: page(traces),
        },
    )
}

/// Fires the poll timer the last commands set, if any; returns the poll's commands.
fn fire_timer(app: &mut App, cmds: &[Cmd]) -> Vec<Cmd> {
    let wake = cmds.iter().find_map(|c| match c {
        Cmd::WakeAfter {
            what: w @ Wake::Poll(_),
            ..
        } => Some(*w),
        _ => None,
    });
    wake.map(|w| update(app, Msg::Wake(w))).unwrap_or_default()
}

fn since_of(cmds: &[Cmd]) -> Option<i64> {
    cmds.iter().find_map(|c| match c {
        Cmd::Poll { query, .. } => query.since_ms,
        _ => None,
    })
}

fn names(app: &App) -> Vec<String> {
    app.list
        .rows
        .iter()
        .map(|&i| app.list.traces[i as usize].trace_id.clone())
        .collect()
}

#[test]
fn new_traces_merge_at_the_top_marked_and_the_selection_stays() {
    let mut app = following(5);
    // the user is on the third row
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('j'));
    let chosen = app.list.selected_id().unwrap();
    assert_eq!(chosen, "tr-0002");
    // a poll answers with two new traces and repeats a known one (the lookback window)
    let cmds = polled(
        &mut app,
        vec![
            info(6, TraceState::Ok),
            info(5, TraceState::Error),
            info(4, TraceState::Ok),
        ],
        T0 + 7_000,
    );
    assert_eq!(names(&app)[..3], ["tr-0006", "tr-0005", "tr-0004"]);
    assert_eq!(app.list.traces.len(), 7, "nothing listed twice");
    assert_eq!(
        app.list.selected_id().as_deref(),
        Some("tr-0002"),
        "same trace, new row"
    );
    assert_eq!(app.list.selected(), 4);
    let unseen: Vec<bool> = app
        .list
        .rows
        .iter()
        .map(|&i| app.list.unseen[i as usize])
        .collect();
    assert_eq!(unseen, [true, true, false, false, false, false, false]);
    assert_eq!(app.follow.arrived, 2);
    assert_eq!(app.follow.error_rate(), (1, 2));
    // the next poll is set, from the newest seen minus the lookback
    let next = fire_timer(&mut app, &cmds);
    assert_eq!(
        since_of(&next),
        Some(T0 + 6_000 - app.follow.config.lookback_ms)
    );
    // a key press means the rows on screen were seen
    key(&mut app, KeyCode::Char('?'));
    assert!(app.list.unseen.iter().all(|u| !u));
}

#[test]
fn scrolled_away_the_view_stays_and_a_marker_counts_the_new() {
    let mut app = following(200);
    key(&mut app, KeyCode::Char('G'));
    for _ in 0..30 {
        key(&mut app, KeyCode::Char('k'));
    }
    let offset = app.list.view.offset();
    assert!(offset > 0);
    let top_row = names(&app)[offset].clone();
    let selected = app.list.selected_id();
    polled(
        &mut app,
        (200..212).map(|i| info(i, TraceState::Ok)).collect(),
        T0 + 220_000,
    );
    assert_eq!(
        names(&app)[app.list.view.offset()],
        top_row,
        "the rows on screen stay put"
    );
    assert_eq!(app.list.selected_id(), selected);
    assert_eq!(app.list.new_above(), 12);
    let text = render(&app);
    assert!(text.contains("↑ 12 new"), "{text}");
    // going to the top shows them; the marker goes
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.list.new_above(), 0);
    assert_eq!(app.list.selected_id().as_deref(), Some("tr-0211"));
}

#[test]
fn space_pauses_and_answers_in_flight_are_dropped() {
    let mut app = following(3);
    let req = app.follow.polling.unwrap();
    key(&mut app, KeyCode::Char(' '));
    assert!(app.follow.paused);
    let cmds = update(
        &mut app,
        Msg::Polled {
            req,
            at_ms: T0,
            result: page(vec![info(9, TraceState::Ok)]),
        },
    );
    assert!(cmds.is_empty());
    assert_eq!(app.list.traces.len(), 3, "paused: the list does not change");
    assert!(render(&app).contains("paused"));
    // timers and file changes while paused do nothing
    assert!(update(&mut app, Msg::SourceChanged).is_empty());
    let timer = app.follow.timer;
    assert!(update(&mut app, Msg::Wake(Wake::Poll(timer))).is_empty());
    // resuming polls at once and merges what came meanwhile
    let cmds = key(&mut app, KeyCode::Char(' '));
    assert!(!app.follow.paused);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Poll { .. })));
    polled(&mut app, vec![info(9, TraceState::Ok)], T0 + 10_000);
    assert_eq!(app.list.traces.len(), 4);
}

#[test]
fn a_running_trace_refreshes_while_open_and_keeps_its_tree_state() {
    let mut app = following(2);
    polled(&mut app, vec![info(2, TraceState::InProgress)], T0 + 3_000);
    key(&mut app, KeyCode::Char('g'));
    assert_eq!(app.list.selected_id().as_deref(), Some("tr-0002"));
    // it opens with two spans
    let open = |app: &mut App, spans: &str, state: TraceState| {
        let mut t = mlflow_tui::model::parse::parse_trace(spans).unwrap();
        t.info = app.list.selected_trace().unwrap().clone();
        t.info.state = state;
        let req = app.trace_req;
        update(
            app,
            Msg::TraceLoaded {
                req,
                trace_id: "tr-0002".into(),
                result: Ok(LoadedTrace::new(Arc::new(t))),
            },
        )
    };
    let span = |id: &str, parent: Option<&str>, name: &str| {
        serde_json::json!({"name": name, "context": {"trace_id": "0x1", "span_id": id},
            "parent_id": parent, "start_time": 1, "end_time": 2,
            "status_code": "OK", "attributes": {"mlflow.spanType": "\"TOOL\""}})
    };
    let doc = |spans: Vec<serde_json::Value>| serde_json::json!({"spans": spans}).to_string();
    open(
        &mut app,
        &doc(vec![
            span("0xa", None, "root"),
            span("0xb", Some("0xa"), "step_0"),
        ]),
        TraceState::InProgress,
    );
    app.focus = Focus::SpanTree;
    key(&mut app, KeyCode::Char('j'));
    let o = app.open.as_ref().unwrap();
    assert_eq!(
        o.trace.tree.span(o.view.selected_span().unwrap()).name,
        "step_0"
    );
    // the running trace is not cached: it will change
    assert!(app.cache.iter().all(|t| t.trace.info.trace_id != "tr-0002"));
    // the next poll says it grew: the open trace is fetched again, without a spinner
    let mut grown = info(2, TraceState::InProgress);
    grown.duration_ms = Some(1500);
    let cmds = polled(&mut app, vec![grown], T0 + 4_000);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::LoadTrace { trace_id, .. } if trace_id == "tr-0002")),
        "{cmds:?}"
    );
    assert!(app.loading_trace.is_none());
    // the running trace's elapsed time shows
    app.now_ms = T0 + 2_000 + 12_300;
    assert!(render(&app).contains("12.30s…"), "{}", render(&app));
    // its answer has a third span: selection and expansion stay
    open(
        &mut app,
        &doc(vec![
            span("0xa", None, "root"),
            span("0xb", Some("0xa"), "step_0"),
            span("0xc", Some("0xa"), "step_1"),
        ]),
        TraceState::InProgress,
    );
    let o = app.open.as_ref().unwrap();
    assert_eq!(o.trace.span_count(), 3);
    assert_eq!(
        o.trace.tree.span(o.view.selected_span().unwrap()).name,
        "step_0"
    );
    assert_eq!(
        o.view.rows.len(),
        3,
        "the root stays expanded, the new span shows"
    );
    // it finishes: the list says OK and the open trace is fetched once more
    let mut done = info(2, TraceState::Ok);
    done.duration_ms = Some(3000);
    let cmds = polled(&mut app, vec![done], T0 + 6_000);
    assert_eq!(app.list.selected_trace().unwrap().state, TraceState::Ok);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::LoadTrace { .. })));
    assert_eq!(app.follow.error_rate(), (0, 1));
}

#[test]
fn retention_bounds_the_list_while_following_for_hours() {
    let mut app = following(10);
    app.follow.config.retention = 500;
    let mut next = 10;
    for round in 0..40 {
        let batch: Vec<TraceInfo> = (next..next + 50).map(|i| info(i, TraceState::Ok)).collect();
        next += 50;
        polled(&mut app, batch, T0 + next * 1000);
        let timer = app.follow.timer;
        let req_cmds = update(&mut app, Msg::Wake(Wake::Poll(timer)));
        assert!(!req_cmds.is_empty(), "round {round}: the timer polls");
        let l = &app.list;
        assert!(
            l.traces.len() <= 501,
            "round {round}: {} kept",
            l.traces.len()
        );
        assert_eq!(l.facts.len(), l.traces.len());
        assert_eq!(l.haystacks.len(), l.traces.len());
        assert_eq!(l.unseen.len(), l.traces.len());
        assert_eq!(l.by_id.len(), l.traces.len());
    }
    // the newest are kept, the oldest went
    assert!(app.list.by_id.contains_key(&format!("tr-{:04}", next - 1)));
    assert!(!app.list.by_id.contains_key("tr-0011"));
    // the selected trace stays even when it is old
    assert!(app.list.selected_id().is_some());
}

#[test]
fn failures_back_off_and_show_then_clear() {
    let mut app = following(2);
    let req = app.follow.polling.unwrap();
    let cmds = update(
        &mut app,
        Msg::Polled {
            req,
            at_ms: T0,
            result: Err(mlflow_tui::source::SourceError::Network(
                "connection refused".into(),
            )),
        },
    );
    let wait = cmds
        .iter()
        .find_map(|c| match c {
            Cmd::WakeAfter { ms, .. } => Some(*ms),
            _ => None,
        })
        .unwrap();
    assert_eq!(wait, 2_000);
    assert!(render(&app).contains("live tail: connection refused"));
    fire_timer(&mut app, &cmds);
    polled(&mut app, vec![], T0 + 5_000);
    assert!(app.follow.error.is_none());
    assert!(!render(&app).contains("connection refused"));
}

#[test]
fn file_changes_poll_at_once_or_after_the_poll_in_flight() {
    let mut app = following(2);
    // a poll is in flight: the change is remembered
    assert!(update(&mut app, Msg::SourceChanged).is_empty());
    assert!(app.follow.pending);
    let cmds = polled(&mut app, vec![], T0 + 3_000);
    assert!(
        cmds.iter().any(|c| matches!(c, Cmd::Poll { .. })),
        "polls again at once: {cmds:?}"
    );
    polled(&mut app, vec![], T0 + 3_100);
    let cmds = update(&mut app, Msg::SourceChanged);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Poll { .. })));
    // notifications work: the timer is only a slow fallback
    update(&mut app, Msg::Watching(Ok(())));
    assert!(app.follow.watched);
    let cmds = polled(&mut app, vec![], T0 + 3_200);
    assert!(
        cmds.iter()
            .any(|c| matches!(c, Cmd::WakeAfter { ms: 5_000, .. })),
        "{cmds:?}"
    );
}

#[test]
fn follow_off_stops_polling_and_clears_marks() {
    let mut app = following(2);
    polled(&mut app, vec![info(3, TraceState::Ok)], T0 + 4_000);
    let cmds = key(&mut app, KeyCode::Char('F'));
    assert!(!app.follow.on);
    assert!(cmds.iter().any(|c| matches!(c, Cmd::Watch(false))));
    assert!(app.list.unseen.iter().all(|u| !u));
    let timer = app.follow.timer;
    assert!(update(&mut app, Msg::Wake(Wake::Poll(timer))).is_empty());
}

#[test]
fn the_status_line_shows_rate_and_errors() {
    let mut app = following(2);
    polled(
        &mut app,
        vec![
            info(3, TraceState::Error),
            info(4, TraceState::Ok),
            info(5, TraceState::Ok),
            info(6, TraceState::Ok),
        ],
        T0 + 7_000,
    );
    let text = render(&app);
    assert!(text.contains("● live"), "{text}");
    assert!(text.contains("4/min"), "{text}");
    assert!(text.contains("err 25% of 4"), "{text}");
}

fn render(app: &App) -> String {
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(160, 40)).unwrap();
    term.draw(|f| mlflow_tui::ui::render(f, app)).unwrap();
    common::buffer_text(term.backend().buffer())
}

#[test]
fn refreshes_wait_for_a_load_in_flight_and_go_on_after_moving_away() {
    let mut app = following(3);
    polled(&mut app, vec![info(3, TraceState::InProgress)], T0 + 4_000);
    key(&mut app, KeyCode::Char('g'));
    let running = app.list.selected_id().unwrap();
    assert_eq!(running, "tr-0003");
    let refresh = |app: &mut App, ms: i64| {
        let mut t = info(3, TraceState::InProgress);
        t.duration_ms = Some(ms);
        polled(app, vec![t], T0 + 5_000 + ms)
            .iter()
            .any(|c| matches!(c, Cmd::LoadTrace { trace_id, .. } if trace_id == "tr-0003"))
    };
    // the first load is in flight: no refresh on top of it
    assert!(!refresh(&mut app, 100));
    let req = app.trace_req;
    let mut t = mlflow_tui::model::Trace::new(info(3, TraceState::InProgress), Vec::new());
    t.info.state = TraceState::InProgress;
    update(
        &mut app,
        Msg::TraceLoaded {
            req,
            trace_id: running.clone(),
            result: Ok(LoadedTrace::new(Arc::new(t))),
        },
    );
    assert!(refresh(&mut app, 200), "it changed: fetched again");
    // the user moves away and back before that answer comes: it is dropped
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char('k'));
    let req = app.trace_req;
    let t = mlflow_tui::model::Trace::new(info(3, TraceState::InProgress), Vec::new());
    update(
        &mut app,
        Msg::TraceLoaded {
            req,
            trace_id: running,
            result: Ok(LoadedTrace::new(Arc::new(t))),
        },
    );
    assert!(refresh(&mut app, 300), "later changes still refresh it");
}
