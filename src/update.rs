//! The state machine: `update(app, msg)` changes the state and returns side effects as data.
//! No IO, no clock, no terminal: everything it needs arrives in the message or is in `App`.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};

use crate::app::detail::{
    self, BUILD_INLINE_BYTES, DocContent, DocKey, HIGHLIGHT_FIRST, HIGHLIGHT_MAX_LINES,
};
use crate::app::{
    App, CACHE_SPANS, CACHE_TRACES, Cmd, DetailDoc, Focus, LoadedTrace, Msg, OpenTrace, Tab, Wake,
};
use crate::highlight::{Checkpoint, highlight_lines};
use crate::keymap::Action;
use crate::text::sanitize_line;
use crate::ui;

/// Page size for list requests.
pub const PAGE_SIZE: usize = 500;

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    // A message that changes nothing must not hide the changes of earlier messages that are
    // not drawn yet: dirtiness only accumulates until the runtime draws.
    let was_dirty = app.dirty;
    // a key press means the user looked: new rows on screen count as seen
    let seen = matches!(msg, Msg::Key(_)) && app.follow.on && {
        let rows = app.viewport().list_rows;
        app.list.mark_seen(app.list.offset, app.list.offset + rows)
    };
    app.dirty = true;
    let cmds = handle(app, msg);
    app.dirty |= was_dirty || seen;
    cmds
}

fn handle(app: &mut App, msg: Msg) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    match msg {
        Msg::Key(k) => on_key(app, k, &mut cmds),
        Msg::Mouse(m) => on_mouse(app, m, &mut cmds),
        Msg::Resize(w, h) => {
            app.size = (w, h);
            keep_visible(app);
            ensure_highlight(app, &mut cmds);
        }
        Msg::Tick => {
            if app.is_loading() {
                app.spinner = app.spinner.wrapping_add(1);
            } else {
                app.dirty = false;
            }
        }
        Msg::TracesLoaded { req, append, page } => on_traces(app, req, append, page, &mut cmds),
        Msg::TraceLoaded {
            req,
            trace_id,
            result,
        } => {
            if req != app.trace_req {
                app.dirty = false; // a stale answer: the user has moved on
                return cmds;
            }
            app.loading_trace = None;
            app.follow.refreshing = None;
            match result {
                Ok(loaded) => {
                    remember(app, &loaded);
                    open_trace(app, loaded, &mut cmds);
                }
                Err(e) => {
                    app.error = Some(format!(
                        "trace {}: {}",
                        sanitize_line(&trace_id),
                        sanitize_line(&e)
                    ))
                }
            }
        }
        Msg::DocReady { req, content } => {
            if req != app.detail.req {
                app.dirty = false;
                return cmds;
            }
            app.detail.preparing = false;
            if let Some(key) = current_key(app) {
                install_doc(app, key, content, &mut cmds);
            }
        }
        Msg::Highlighted {
            req,
            from,
            lines,
            checkpoint,
        } => {
            let ok = app.detail.req == req
                && app
                    .detail
                    .doc
                    .as_ref()
                    .is_some_and(|d| d.styled.len() == from);
            if let (true, Some(doc)) = (ok, app.detail.doc.as_mut()) {
                doc.styled.extend(lines);
                doc.checkpoint = checkpoint;
                doc.highlighting = false;
                ensure_highlight(app, &mut cmds);
            } else {
                app.dirty = false;
            }
        }
        Msg::Wake(Wake::Poll(timer)) => {
            if timer == app.follow.timer && app.follow.on && !app.follow.paused {
                poll(app, &mut cmds);
            }
            app.dirty = false;
        }
        Msg::Polled { req, at_ms, result } => on_polled(app, req, at_ms, result, &mut cmds),
        Msg::SourceChanged => {
            app.dirty = false;
            if app.follow.on && !app.follow.paused && app.list.loaded {
                if app.follow.polling.is_some() {
                    app.follow.pending = true;
                } else {
                    poll(app, &mut cmds);
                }
            }
        }
        Msg::Watching(r) => {
            app.follow.watched = r.is_ok() && app.follow.on;
            match r {
                Err(e) if app.follow.on => {
                    app.message = Some(format!(
                        "no file notifications ({}); polling every {} s",
                        sanitize_line(&e),
                        app.follow.wait_ms() / 1000
                    ))
                }
                _ => app.dirty = false,
            }
        }
        Msg::Wake(Wake::RetryList) => {
            if app.list.loading.is_none() && app.retry_ms > 0 {
                let append = app.list.loaded && app.list.next_page.is_some();
                let token = if append {
                    app.list.next_page.clone()
                } else {
                    None
                };
                request_list(app, token, append, &mut cmds);
            } else {
                app.dirty = false;
            }
        }
        Msg::ExperimentsLoaded(result) => match (result, app.picker.as_mut()) {
            (Ok(items), Some(p)) => {
                p.items = Some(items.into_iter().filter(|e| e.active).collect())
            }
            (Err(e), _) => {
                app.picker = None;
                app.error = Some(format!("experiments: {}", sanitize_line(&e)));
            }
            (Ok(_), None) => app.dirty = false,
        },
        Msg::TaskPanicked(report) => {
            app.fatal = Some(sanitize_line(&report).into_owned());
            app.quit = true;
            cmds.push(Cmd::Quit);
        }
        Msg::External(r) => {
            if let Err(e) = r {
                app.error = Some(sanitize_line(&e).into_owned());
            }
        }
    }
    cmds
}

// ---------------------------------------------------------------------------------------------
// Loading

/// The first request: the first page of traces.
pub fn start(app: &mut App) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    request_list(app, None, false, &mut cmds);
    if app.follow.on {
        cmds.push(Cmd::Watch(true));
    }
    cmds
}

// ---------------------------------------------------------------------------------------------
// Live tail

/// Asks for what is new now (dropping any poll in flight and any timer set).
fn poll(app: &mut App, cmds: &mut Vec<Cmd>) {
    let f = &mut app.follow;
    f.req += 1;
    f.polling = Some(f.req);
    f.pending = false;
    f.timer += 1;
    let since = crate::app::follow::poll_since(
        app.list.newest_ms(),
        app.list.oldest_running_ms(),
        f.config.lookback_ms,
    );
    cmds.push(Cmd::Poll {
        req: f.req,
        experiment_ids: app.experiment_ids.clone(),
        filter: app.filter.clone(),
        since_ms: since,
    });
}

/// Sets the timer for the next poll.
fn schedule_poll(app: &mut App, cmds: &mut Vec<Cmd>) {
    let f = &mut app.follow;
    f.timer += 1;
    cmds.push(Cmd::WakeAfter {
        ms: f.wait_ms(),
        what: Wake::Poll(f.timer),
    });
}

/// Turns follow mode on or off.
pub fn set_follow(app: &mut App, on: bool, cmds: &mut Vec<Cmd>) {
    let f = &mut app.follow;
    if f.on == on {
        return;
    }
    f.on = on;
    f.paused = false;
    f.polling = None;
    f.pending = false;
    f.failures = 0;
    f.idle_polls = 0;
    f.error = None;
    f.timer += 1;
    cmds.push(Cmd::Watch(on));
    if !on {
        f.watched = false;
        app.list.unseen.iter_mut().for_each(|u| *u = false);
        app.message = Some("live tail off".into());
        return;
    }
    app.message = Some(format!(
        "live tail on: new traces appear at the top ({} pauses)",
        app.keymap.hint(crate::keymap::Action::Toggle)
    ));
    if app.list.loaded && app.list.loading.is_none() {
        poll(app, cmds);
    }
}

fn set_paused(app: &mut App, paused: bool, cmds: &mut Vec<Cmd>) {
    let f = &mut app.follow;
    f.paused = paused;
    f.timer += 1;
    f.polling = None; // an answer in flight would change the list while paused
    if paused {
        app.message = Some(format!(
            "live tail paused ({} resumes)",
            app.keymap.hint(crate::keymap::Action::Toggle)
        ));
    } else {
        app.message = Some("live tail resumed".into());
        poll(app, cmds);
    }
}

fn on_polled(
    app: &mut App,
    req: crate::app::ReqId,
    at_ms: i64,
    result: Result<crate::source::TracePage, String>,
    cmds: &mut Vec<Cmd>,
) {
    if app.follow.polling != Some(req) || !app.follow.on {
        app.dirty = false;
        return;
    }
    app.follow.polling = None;
    app.follow.advance_rate(at_ms);
    let page = match result {
        Ok(p) => p,
        Err(e) => {
            app.follow.failures = app.follow.failures.saturating_add(1);
            app.follow.error = Some(sanitize_line(&e).into_owned());
            schedule_poll(app, cmds);
            return;
        }
    };
    let had_error = app.follow.error.take().is_some();
    app.follow.failures = 0;
    let open_id = app.open.as_ref().map(|o| o.trace.info.trace_id.clone());
    let merge = app.list.merge_live(page.traces);
    let finished = |app: &App, id: &String| {
        app.list
            .by_id
            .get(id)
            .map(|&i| &app.list.traces[i as usize])
            .filter(|t| t.state != crate::model::TraceState::InProgress)
            .cloned()
    };
    let done: Vec<_> = merge
        .added
        .iter()
        .chain(merge.changed.iter())
        .filter_map(|id| finished(app, id))
        .collect();
    app.follow.count_finished(done.iter());
    app.follow.count_arrivals(merge.added.len(), at_ms);
    let quiet = merge.added.is_empty() && merge.changed.is_empty();
    app.follow.idle_polls = if quiet {
        app.follow.idle_polls.saturating_add(1)
    } else {
        0
    };
    // what changed is never served from the cache again
    app.cache
        .retain(|t| !merge.changed.contains(&t.trace.info.trace_id));
    let dropped = app.list.retain_newest(app.follow.config.retention);
    if dropped > 0 {
        let ids = &app.list.by_id;
        app.cache
            .retain(|t| ids.contains_key(&t.trace.info.trace_id));
    }
    // the open trace changed (spans arrived, or it finished): fetch it again, keeping the tree's
    // expansion and selection (`open_trace` does that for the same trace)
    if let Some(id) = open_id.filter(|id| merge.changed.contains(id))
        && app.loading_trace.is_none()
        // a refresh whose answer was dropped (the user moved on and back) does not block
        && app.follow.refreshing != Some(app.trace_req)
    {
        app.trace_req += 1;
        app.follow.refreshing = Some(app.trace_req);
        cmds.push(Cmd::LoadTrace {
            req: app.trace_req,
            trace_id: id,
        });
    }
    keep_visible(app);
    if app.list.order.is_empty() || app.list.selected_id().is_none() {
        follow_list_selection(app, cmds);
    }
    if app.follow.pending {
        poll(app, cmds);
    } else {
        schedule_poll(app, cmds);
    }
    // running traces show their elapsed time: redraw while one is listed
    let running = app.list.oldest_running_ms().is_some();
    if quiet && !running && !had_error && dropped == 0 {
        app.dirty = false;
    }
}

fn request_list(app: &mut App, token: Option<String>, append: bool, cmds: &mut Vec<Cmd>) {
    app.list.req += 1;
    app.list.loading = Some(app.list.req);
    cmds.push(Cmd::LoadTraces {
        req: app.list.req,
        experiment_ids: app.experiment_ids.clone(),
        filter: app.filter.clone(),
        page_token: token,
        append,
    });
    cmds.push(Cmd::StartTicking);
}

fn on_traces(
    app: &mut App,
    req: u64,
    append: bool,
    page: Result<crate::source::TracePage, String>,
    cmds: &mut Vec<Cmd>,
) {
    if app.list.loading != Some(req) {
        app.dirty = false;
        return;
    }
    app.list.loading = None;
    match page {
        Ok(p) => {
            app.error = None;
            app.warnings = p
                .warnings
                .iter()
                .map(|w| sanitize_line(w).into_owned())
                .collect();
            app.list.next_page = p.next_page_token;
            app.list.set_traces(p.traces, append);
            app.list.loaded = true;
            keep_visible(app);
            follow_list_selection(app, cmds);
            if app.follow.on && !append {
                // a new list (first load, reload, new filter): polls start from it
                app.follow.polling = None;
                if !app.follow.paused {
                    schedule_poll(app, cmds);
                }
            }
        }
        Err(e) => {
            // retry by itself with backoff: the server may come back
            app.retry_ms = (app.retry_ms * 2).clamp(2_000, 30_000);
            app.error = Some(format!(
                "{} (retrying in {} s)",
                sanitize_line(&e),
                app.retry_ms / 1000
            ));
            cmds.push(Cmd::WakeAfter {
                ms: app.retry_ms,
                what: Wake::RetryList,
            });
            return;
        }
    }
    app.retry_ms = 0;
}

/// Loads the trace under the list's selection (from the cache when it is there).
fn follow_list_selection(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(id) = app.list.selected_id() else {
        return;
    };
    if app
        .open
        .as_ref()
        .is_some_and(|o| o.trace.info.trace_id == id)
        || app.loading_trace.as_deref() == Some(&id)
    {
        return;
    }
    if let Some(t) = app
        .cache
        .iter()
        .find(|t| t.trace.info.trace_id == id)
        .cloned()
    {
        app.trace_req += 1; // drops any fetch still in flight
        app.loading_trace = None;
        open_trace(app, t, cmds);
        return;
    }
    app.trace_req += 1;
    app.loading_trace = Some(id.clone());
    cmds.push(Cmd::LoadTrace {
        req: app.trace_req,
        trace_id: id,
    });
    cmds.push(Cmd::StartTicking);
}

fn remember(app: &mut App, loaded: &LoadedTrace) {
    if loaded.trace.info.state == crate::model::TraceState::InProgress {
        // it will change: never served from the cache
        app.cache
            .retain(|t| t.trace.info.trace_id != loaded.trace.info.trace_id);
        return;
    }
    app.cache
        .retain(|t| t.trace.info.trace_id != loaded.trace.info.trace_id);
    app.cache.push(loaded.clone());
    // at most 8 traces, and at most CACHE_SPANS spans of traces that are not open
    let spans = |c: &[LoadedTrace]| c.iter().map(|t| t.trace.span_count()).sum::<usize>();
    while app.cache.len() > CACHE_TRACES
        || (app.cache.len() > 1 && spans(&app.cache[..app.cache.len() - 1]) > CACHE_SPANS)
    {
        app.cache.remove(0);
    }
}

fn open_trace(app: &mut App, loaded: LoadedTrace, cmds: &mut Vec<Cmd>) {
    let LoadedTrace { trace, mut view } = loaded;
    let same = app
        .open
        .as_ref()
        .filter(|o| o.trace.info.trace_id == trace.info.trace_id);
    if let Some(old) = same {
        // the same trace again (a reload): keep what was expanded and selected
        let ids = old.view.expanded_ids(&old.trace.tree);
        let sel = old
            .view
            .selected_span()
            .map(|s| old.trace.tree.span(s).span_id.clone());
        view.restore_expanded(&trace.tree, &ids);
        if let Some(i) = sel.and_then(|id| trace.tree.find(&id)) {
            view.select_span(&trace.tree, i);
        }
    } else {
        app.detail.tab = Tab::Trace;
        app.detail.scroll = 0;
    }
    app.open = Some(OpenTrace {
        trace,
        view,
        search: Default::default(),
    });
    keep_visible(app);
    refresh_doc(app, cmds);
}

// ---------------------------------------------------------------------------------------------
// The detail document

fn current_key(app: &App) -> Option<DocKey> {
    let open = app.open.as_ref()?;
    Some(DocKey {
        trace_id: open.trace.info.trace_id.clone(),
        span: open.view.selected_span(),
        tab: app.detail.tab,
    })
}

fn refresh_doc(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(key) = current_key(app) else {
        app.detail.doc = None;
        app.detail.chat = false;
        return;
    };
    if app.detail.doc.as_ref().is_some_and(|d| d.key == key) {
        return;
    }
    let span_changed = app
        .detail
        .doc
        .as_ref()
        .is_none_or(|d| d.key.span != key.span || d.key.trace_id != key.trace_id);
    if span_changed {
        app.detail.chat = match (app.open.as_ref(), key.span) {
            (Some(o), Some(s)) => detail::has_chat(o.trace.tree.span(s)),
            _ => false,
        };
    }
    let Some(open) = app.open.as_ref() else {
        return;
    };
    let trace = Arc::clone(&open.trace);
    app.detail.req += 1;
    if detail::weight(&trace, key.span, key.tab) > BUILD_INLINE_BYTES {
        app.detail.preparing = true;
        app.detail.doc = None;
        cmds.push(Cmd::BuildDoc {
            req: app.detail.req,
            trace,
            span: key.span,
            tab: key.tab,
            utc: app.utc,
        });
        cmds.push(Cmd::StartTicking);
        return;
    }
    app.detail.preparing = false;
    let content = detail::build(&trace, key.span, key.tab, app.utc);
    install_doc(app, key, content, cmds);
}

fn install_doc(app: &mut App, key: DocKey, content: DocContent, cmds: &mut Vec<Cmd>) {
    let same_place = app
        .detail
        .doc
        .as_ref()
        .is_some_and(|d| d.key.span == key.span && d.key.tab == key.tab);
    let lines = Arc::new(content.lines);
    let mut checkpoint = if content.json && app.color {
        Checkpoint::start(app.palette)
    } else {
        None
    };
    let mut styled = Vec::new();
    if let Some(cp) = checkpoint.as_mut() {
        let first = lines.len().min(HIGHLIGHT_FIRST);
        styled = highlight_lines(cp, &lines[..first]);
    }
    app.detail.doc = Some(DetailDoc {
        key,
        lines,
        json: content.json,
        raw: Arc::new(content.raw),
        styled,
        checkpoint,
        highlighting: false,
    });
    if !same_place {
        app.detail.scroll = 0;
    }
    clamp_detail(app);
    ensure_highlight(app, cmds);
}

/// Asks for the next highlight chunk when the view comes near the end of what is highlighted.
fn ensure_highlight(app: &mut App, cmds: &mut Vec<Cmd>) {
    let rows = app.viewport().detail_rows.max(1);
    let want = app.detail.scroll + 3 * rows;
    let req = app.detail.req;
    let Some(doc) = app.detail.doc.as_mut() else {
        return;
    };
    let done = doc.styled.len();
    let limit = doc.lines.len().min(HIGHLIGHT_MAX_LINES);
    if doc.highlighting || done >= limit || want <= done {
        return;
    }
    let Some(cp) = doc.checkpoint.clone() else {
        return;
    };
    doc.highlighting = true;
    cmds.push(Cmd::Highlight {
        req,
        from: done,
        lines: Arc::clone(&doc.lines),
        checkpoint: cp,
    });
}

fn clamp_detail(app: &mut App) {
    let rows = app.viewport().detail_rows;
    let len = app.detail.doc.as_ref().map_or(0, |d| d.lines.len());
    app.detail.scroll = app.detail.scroll.min(len.saturating_sub(rows.max(1)));
}

// ---------------------------------------------------------------------------------------------
// Keys

fn on_key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    if k.kind == KeyEventKind::Release {
        app.dirty = false;
        return;
    }
    app.message = None;
    if app.list.typing {
        quick_filter_key(app, k, cmds);
        return;
    }
    if app.filter_input.is_some() {
        filter_input_key(app, k, cmds);
        return;
    }
    if app.open.as_ref().is_some_and(|o| o.search.typing) {
        trace_search_key(app, k, cmds);
        return;
    }
    let action = app.keymap.action(&k);
    if app.picker.is_some() {
        picker_key(app, action, cmds);
        return;
    }
    if app.span_filter.is_some() {
        span_filter_key(app, action, cmds);
        return;
    }
    if app.help {
        if matches!(action, Some(Action::Help | Action::Back | Action::Quit)) {
            app.help = false;
        } else {
            app.dirty = false;
        }
        return;
    }
    // digits: expand the span tree to that depth
    if let (KeyCode::Char(c @ '1'..='9'), Focus::SpanTree) = (k.code, app.focus) {
        if let Some(o) = app.open.as_mut() {
            o.view.expand_to_depth(&o.trace.tree, c.to_digit(10));
            keep_visible(app);
            refresh_doc(app, cmds);
        }
        return;
    }
    let Some(action) = action else {
        app.dirty = false;
        return;
    };
    match action {
        Action::Quit => {
            app.quit = true;
            cmds.push(Cmd::Quit);
        }
        Action::Help => app.help = true,
        Action::Search => match (app.focus, app.open.as_mut()) {
            (Focus::SpanTree | Focus::Detail, Some(o)) => {
                o.search.typing = true;
                o.search.query.clear();
                o.search.matches.clear();
                o.search.current = None;
            }
            _ => {
                app.focus = Focus::TraceList;
                app.list.typing = true;
            }
        },
        Action::Filter => {
            app.filter_input = Some(crate::app::FilterInput {
                text: app.filter.clone().unwrap_or_default(),
                ..Default::default()
            });
        }
        Action::SpanFilter => {
            if app.open.is_some() {
                app.span_filter = Some(0);
            } else {
                app.message = Some("open a trace first".into());
            }
        }
        Action::HidePlumbing => {
            if let Some(o) = app.open.as_mut() {
                o.view.hide_plumbing = !o.view.hide_plumbing;
                o.view.recompute(&o.trace.tree);
                app.message = Some(
                    if o.view.hide_plumbing {
                        "plumbing spans hidden"
                    } else {
                        "plumbing spans shown"
                    }
                    .into(),
                );
                keep_visible(app);
                refresh_doc(app, cmds);
            }
        }
        Action::NextMatch | Action::PrevMatch => {
            jump_to_match(app, action == Action::NextMatch, cmds)
        }
        Action::Experiments => {
            app.picker = Some(crate::app::Picker {
                marked: app.experiment_ids.iter().cloned().collect(),
                ..Default::default()
            });
            cmds.push(Cmd::LoadExperiments);
        }
        Action::Back => {
            if app.focus != Focus::TraceList {
                app.focus = Focus::TraceList;
            } else if !app.list.quick.is_empty() {
                app.list.set_quick(String::new());
                keep_visible(app);
            } else {
                app.error = None;
            }
        }
        Action::FocusNext => app.focus = app.focus.next(),
        Action::FocusPrev => app.focus = app.focus.prev(),
        Action::Reload => request_list(app, None, false, cmds),
        Action::Follow => {
            let on = !app.follow.on;
            set_follow(app, on, cmds);
        }
        Action::TimeFormat => app.list.relative_time = !app.list.relative_time,
        Action::Sort => {
            app.list.sort = app.list.sort.next();
            app.list.resort();
            keep_visible(app);
            app.message = Some(format!("sorted by {}", app.list.sort.label()));
        }
        Action::ReverseSort => {
            app.list.ascending = !app.list.ascending;
            app.list.resort();
            keep_visible(app);
        }
        Action::Wrap => app.detail.wrap = !app.detail.wrap,
        Action::NextTab => set_tab(app, app.detail.tab.next(), cmds),
        Action::PrevTab => set_tab(app, app.detail.tab.prev(), cmds),
        Action::Copy => copy(app, cmds),
        Action::Pager | Action::Editor => match app.detail.doc.as_ref() {
            Some(doc) if !doc.raw.is_empty() => {
                let text = doc.raw.as_ref().clone();
                cmds.push(if action == Action::Pager {
                    Cmd::Pager(text)
                } else {
                    Cmd::Editor(text)
                });
            }
            _ => app.message = Some("nothing to open: select a span with a value".into()),
        },
        _ => match app.focus {
            Focus::TraceList => list_key(app, action, cmds),
            Focus::SpanTree => tree_key(app, action, cmds),
            Focus::Detail => detail_key(app, action, cmds),
        },
    }
}

/// Keystrokes while the quick filter takes them: text edits the query, enter keeps it, esc
/// clears it; the list narrows on every keystroke.
fn quick_filter_key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    let mut q = app.list.quick.clone();
    match k.code {
        KeyCode::Esc => {
            app.list.typing = false;
            q.clear();
        }
        KeyCode::Enter => app.list.typing = false,
        KeyCode::Backspace => {
            q.pop();
        }
        KeyCode::Char('u')
            if k.modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            q.clear()
        }
        KeyCode::Char(c)
            if !k
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            q.push(c)
        }
        KeyCode::Down | KeyCode::Up => {
            let a = if k.code == KeyCode::Down {
                Action::Down
            } else {
                Action::Up
            };
            list_key(app, a, cmds);
            return;
        }
        _ => {
            app.dirty = false;
            return;
        }
    }
    if q != app.list.quick {
        app.list.set_quick(q);
        keep_visible(app);
        follow_list_selection(app, cmds);
    }
}

/// Keystrokes in the filter line: text edits it, ↑/↓ walk the history, enter parses it (an
/// error points at its column and the line stays open) and reloads the list, esc cancels.
fn filter_input_key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(input) = app.filter_input.as_mut() else {
        return;
    };
    match k.code {
        KeyCode::Esc => app.filter_input = None,
        KeyCode::Enter => {
            // `:filter <expr>` reads as the expression
            let trimmed = input.text.trim();
            let text = trimmed
                .strip_prefix("filter ")
                .unwrap_or(trimmed)
                .trim()
                .to_string();
            if text.is_empty() {
                app.filter_input = None;
                if app.filter.take().is_some() {
                    reload_list(app, cmds);
                }
                return;
            }
            match crate::model::filter::parse(&text) {
                Err(e) => input.error = Some(e),
                Ok(_) => {
                    app.filter_input = None;
                    app.filter_history.retain(|h| h != &text);
                    app.filter_history.push(text.clone());
                    if app.filter_history.len() > 50 {
                        app.filter_history.remove(0);
                    }
                    app.filter = Some(text);
                    reload_list(app, cmds);
                }
            }
        }
        KeyCode::Up | KeyCode::Down => {
            let n = app.filter_history.len();
            if n == 0 {
                app.dirty = false;
                return;
            }
            let pos = match (input.history_pos, k.code) {
                (None, KeyCode::Up) => Some(n - 1),
                (Some(p), KeyCode::Up) => Some(p.saturating_sub(1)),
                (Some(p), _) if p + 1 < n => Some(p + 1),
                _ => None,
            };
            input.history_pos = pos;
            input.text = pos
                .map(|p| app.filter_history[p].clone())
                .unwrap_or_default();
            input.error = None;
        }
        KeyCode::Backspace => {
            input.text.pop();
            input.error = None;
        }
        KeyCode::Char('u')
            if k.modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            input.text.clear()
        }
        KeyCode::Char(c)
            if !k
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            input.text.push(c);
            input.error = None;
        }
        _ => app.dirty = false,
    }
}

/// Loads the list again from its first page (a new filter or experiments), keeping sort and
/// quick filter.
fn reload_list(app: &mut App, cmds: &mut Vec<Cmd>) {
    let keep = std::mem::take(&mut app.list);
    app.list = crate::app::TraceListState {
        sort: keep.sort,
        ascending: keep.ascending,
        relative_time: keep.relative_time,
        quick: keep.quick,
        ..Default::default()
    };
    request_list(app, None, false, cmds);
}

/// Keystrokes while the trace search takes them; enter runs the search and shows the first
/// match, esc cancels it.
fn trace_search_key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(o) = app.open.as_mut() else { return };
    match k.code {
        KeyCode::Esc => {
            o.search = Default::default();
        }
        KeyCode::Enter => {
            o.search.typing = false;
            o.search.matches = crate::app::search::find(&o.trace, &o.search.query);
            o.search.current = None;
            if o.search.matches.is_empty() {
                app.message = Some(format!(
                    "no match for {:?} in this trace",
                    sanitize_line(&o.search.query)
                ));
            } else {
                jump_to_match(app, true, cmds);
            }
        }
        KeyCode::Backspace => {
            o.search.query.pop();
        }
        KeyCode::Char(c)
            if !k
                .modifiers
                .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            o.search.query.push(c)
        }
        _ => app.dirty = false,
    }
}

/// Shows the next (or previous) match: selects its span (expanding its ancestors), opens the
/// tab that holds it and scrolls the detail to the first line with the text.
fn jump_to_match(app: &mut App, forward: bool, cmds: &mut Vec<Cmd>) {
    let Some(o) = app.open.as_mut() else {
        app.dirty = false;
        return;
    };
    let n = o.search.matches.len();
    if n == 0 {
        app.message = Some("no search in this trace: / in the span tree or detail pane".into());
        return;
    }
    let next = match (o.search.current, forward) {
        (None, true) => 0,
        (None, false) => n - 1,
        (Some(c), true) => (c + 1) % n,
        (Some(c), false) => (c + n - 1) % n,
    };
    o.search.current = Some(next);
    let m = o.search.matches[next];
    o.view.select_span(&o.trace.tree, m.span);
    let query = o.search.query.clone();
    if let Some(tab) = m.tab {
        app.detail.tab = tab;
    } else if app.detail.tab == Tab::Trace && o.trace.tree.parent(m.span).is_some() {
        app.detail.tab = Tab::Inputs;
    }
    app.message = Some(format!("match {}/{n}", next + 1));
    keep_visible(app);
    refresh_doc(app, cmds);
    if let Some(line) = app
        .detail
        .doc
        .as_ref()
        .and_then(|d| crate::app::search::line_of(&d.lines, &query))
    {
        app.detail.scroll = line.saturating_sub(2);
        clamp_detail(app);
        ensure_highlight(app, cmds);
    }
}

/// Keys in the span filter popup: move, space toggles the row, esc or enter close it. Every
/// toggle applies at once.
fn span_filter_key(app: &mut App, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let (Some(row), Some(o)) = (app.span_filter, app.open.as_mut()) else {
        app.span_filter = None;
        return;
    };
    let types = crate::app::SpanTreeView::type_counts(&o.trace.tree);
    match action {
        Some(a @ (Action::Up | Action::Down | Action::Top | Action::Bottom)) => {
            app.span_filter = step(row, types.len() + 1, a, 10);
        }
        Some(Action::Toggle | Action::Select) if row == 0 || action == Some(Action::Toggle) => {
            if row == 0 {
                o.view.hide_plumbing = !o.view.hide_plumbing;
            } else if let Some((t, _)) = types.get(row - 1)
                && !o.view.hidden_types.remove(t)
            {
                o.view.hidden_types.insert(t.clone());
            }
            o.view.recompute(&o.trace.tree);
            keep_visible(app);
            refresh_doc(app, cmds);
        }
        Some(Action::Back | Action::Select | Action::SpanFilter | Action::Quit) => {
            app.span_filter = None
        }
        _ => app.dirty = false,
    }
}

fn picker_key(app: &mut App, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let Some(p) = app.picker.as_mut() else { return };
    let len = p.items.as_ref().map_or(0, Vec::len) + 1;
    let Some(action) = action else {
        app.dirty = false;
        return;
    };
    if let Some(pos) = step(p.selected, len, action, 10) {
        p.selected = pos;
        return;
    }
    match action {
        Action::Back | Action::Quit | Action::Experiments => app.picker = None,
        Action::Toggle => {
            if let Some(e) = p
                .selected
                .checked_sub(1)
                .and_then(|i| p.items.as_ref()?.get(i))
            {
                if !p.marked.remove(&e.id) {
                    p.marked.insert(e.id.clone());
                }
            } else {
                p.marked.clear();
            }
        }
        Action::Select => {
            let chosen: Vec<String> = if !p.marked.is_empty() {
                p.marked.iter().cloned().collect()
            } else if let Some(e) = p
                .selected
                .checked_sub(1)
                .and_then(|i| p.items.as_ref()?.get(i))
            {
                vec![e.id.clone()]
            } else {
                Vec::new()
            };
            let names: Vec<String> = p
                .items
                .as_ref()
                .map(|items| {
                    items
                        .iter()
                        .filter(|e| chosen.contains(&e.id))
                        .map(|e| sanitize_line(&e.name).into_owned())
                        .collect()
                })
                .unwrap_or_default();
            app.picker = None;
            app.experiment_label = if chosen.is_empty() {
                "all experiments".into()
            } else {
                format!("experiment {}", names.join(", "))
            };
            app.experiment_ids = chosen;
            reload_list(app, cmds);
        }
        _ => app.dirty = false,
    }
}

fn set_tab(app: &mut App, tab: Tab, cmds: &mut Vec<Cmd>) {
    app.detail.tab = tab;
    refresh_doc(app, cmds);
}

fn copy(app: &mut App, cmds: &mut Vec<Cmd>) {
    let (what, text) = match app.focus {
        Focus::TraceList => ("trace id", app.list.selected_id()),
        Focus::SpanTree => (
            "span id",
            app.open.as_ref().and_then(|o| {
                o.view
                    .selected_span()
                    .map(|s| o.trace.tree.span(s).span_id.clone())
            }),
        ),
        Focus::Detail => (
            "value",
            app.detail.doc.as_ref().map(|d| d.raw.as_ref().clone()),
        ),
    };
    match text.filter(|t| !t.is_empty()) {
        Some(t) => {
            app.message = Some(format!("copied {what} ({} bytes) with OSC 52", t.len()));
            cmds.push(Cmd::Copy(t));
        }
        None => app.message = Some(format!("no {what} to copy")),
    }
}

fn step(pos: usize, len: usize, action: Action, page: usize) -> Option<usize> {
    if len == 0 {
        return None;
    }
    let last = len - 1;
    let half = (page / 2).max(1);
    Some(match action {
        Action::Up => pos.saturating_sub(1),
        Action::Down => (pos + 1).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        Action::HalfPageDown => (pos + half).min(last),
        Action::HalfPageUp => pos.saturating_sub(half),
        Action::PageDown => (pos + page.max(1)).min(last),
        Action::PageUp => pos.saturating_sub(page.max(1)),
        _ => return None,
    })
}

fn list_key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    let rows = app.viewport().list_rows;
    if let Some(pos) = step(app.list.selected, app.list.order.len(), action, rows) {
        app.list.selected = pos;
        app.list.mark_seen(pos, pos + 1);
        keep_visible(app);
        follow_list_selection(app, cmds);
        more_if_near_end(app, cmds);
        return;
    }
    if matches!(action, Action::Select | Action::Right) && app.open.is_some() {
        app.focus = Focus::SpanTree;
    } else if action == Action::Toggle && app.follow.on {
        let paused = !app.follow.paused;
        set_paused(app, paused, cmds);
    } else if action == Action::Toggle {
        app.message = Some(format!(
            "not following ({} starts the live tail)",
            app.keymap.hint(Action::Follow)
        ));
    } else {
        app.dirty = false;
    }
}

fn more_if_near_end(app: &mut App, cmds: &mut Vec<Cmd>) {
    let rows = app.viewport().list_rows.max(1);
    if app.list.loading.is_none()
        && app.list.next_page.is_some()
        && app.list.selected + 2 * rows >= app.list.order.len()
    {
        let token = app.list.next_page.clone();
        request_list(app, token, true, cmds);
    }
}

fn tree_key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    let rows = app.viewport().tree_rows;
    let Some(open) = app.open.as_mut() else {
        app.dirty = false;
        return;
    };
    let tree = &open.trace.tree;
    let view = &mut open.view;
    let before = view.selected_span();
    if let Some(pos) = step(view.selected, view.rows.len(), action, rows) {
        view.selected = pos;
    } else if let Some(s) = view.selected_span() {
        let has_kids = !tree.children(s).is_empty();
        match action {
            Action::Left if has_kids && view.expanded[s] => view.set_expanded(tree, s, false),
            Action::Left | Action::Parent => {
                if let Some(p) = tree.parent(s) {
                    view.select_span(tree, p);
                } else if action == Action::Left {
                    app.focus = Focus::TraceList;
                }
            }
            Action::Right if has_kids && !view.expanded[s] => view.set_expanded(tree, s, true),
            Action::Right if has_kids => {
                view.selected = (view.selected + 1).min(view.rows.len() - 1)
            }
            Action::Right => app.focus = Focus::Detail,
            Action::Toggle | Action::Select => {
                let open_now = !view.expanded[s];
                view.set_expanded(tree, s, open_now);
            }
            Action::ExpandAll => view.expand_to_depth(tree, None),
            Action::CollapseAll => view.expand_to_depth(tree, Some(1)),
            _ => {
                app.dirty = false;
                return;
            }
        }
    }
    // moving off the root leaves the trace header for the span's own inputs
    let after = app.open.as_ref().and_then(|o| o.view.selected_span());
    let off_root = app
        .open
        .as_ref()
        .is_some_and(|o| after.is_some_and(|s| o.trace.tree.parent(s).is_some()));
    if after != before && app.detail.tab == Tab::Trace && off_root {
        app.detail.tab = Tab::Inputs;
    }
    keep_visible(app);
    refresh_doc(app, cmds);
}

fn detail_key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    let rows = app.viewport().detail_rows;
    let len = app.detail.doc.as_ref().map_or(0, |d| d.lines.len());
    let max = len.saturating_sub(rows.max(1));
    match action {
        Action::Left => set_tab(app, app.detail.tab.prev(), cmds),
        Action::Right => set_tab(app, app.detail.tab.next(), cmds),
        _ => match step(app.detail.scroll, max + 1, action, rows) {
            Some(s) => {
                app.detail.scroll = s;
                ensure_highlight(app, cmds);
            }
            None => app.dirty = false,
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Mouse

fn on_mouse(app: &mut App, m: MouseEvent, cmds: &mut Vec<Cmd>) {
    let panes = ui::layout(app.size);
    let at = ratatui::layout::Position::new(m.column, m.row);
    let pane = if panes.trace_list.contains(at) {
        Some(Focus::TraceList)
    } else if panes.span_tree.contains(at) {
        Some(Focus::SpanTree)
    } else if panes.detail.contains(at) {
        Some(Focus::Detail)
    } else {
        None
    };
    let Some(pane) = pane else {
        app.dirty = false;
        return;
    };
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let down = matches!(m.kind, MouseEventKind::ScrollDown);
            let prev = app.focus;
            app.focus = pane;
            for _ in 0..3 {
                let a = if down { Action::Down } else { Action::Up };
                match pane {
                    Focus::TraceList => list_key(app, a, cmds),
                    Focus::SpanTree => tree_key(app, a, cmds),
                    Focus::Detail => detail_key(app, a, cmds),
                }
            }
            app.focus = prev;
            app.dirty = true;
        }
        MouseEventKind::Down(MouseButton::Left) => {
            app.focus = pane;
            let row = |area: ratatui::layout::Rect, header: u16| -> Option<usize> {
                let top = area.y + 1 + header;
                (m.row >= top && m.row < area.y + area.height.saturating_sub(1))
                    .then(|| (m.row - top) as usize)
            };
            match pane {
                Focus::TraceList => {
                    if let Some(r) = row(panes.trace_list, 1) {
                        let target = app.list.offset + r;
                        if target < app.list.order.len() {
                            app.list.selected = target;
                            keep_visible(app);
                            follow_list_selection(app, cmds);
                            more_if_near_end(app, cmds);
                        }
                    }
                }
                Focus::SpanTree => {
                    if let (Some(r), Some(o)) = (row(panes.span_tree, 0), app.open.as_mut()) {
                        let target = o.view.offset + r;
                        if target < o.view.rows.len() {
                            if o.view.selected == target {
                                // a second click on the selected span toggles it
                                let s = o.view.rows[target] as usize;
                                let open_now = !o.view.expanded[s];
                                o.view.set_expanded(&o.trace.tree, s, open_now);
                            }
                            o.view.selected = target.min(o.view.rows.len().saturating_sub(1));
                            keep_visible(app);
                            refresh_doc(app, cmds);
                        }
                    }
                }
                Focus::Detail => {}
            }
        }
        _ => app.dirty = false,
    }
}

// ---------------------------------------------------------------------------------------------

/// Scrolls each pane so its selection is in view.
fn keep_visible(app: &mut App) {
    let vp = app.viewport();
    let fit = |sel: usize, offset: &mut usize, rows: usize| {
        let rows = rows.max(1);
        if sel < *offset {
            *offset = sel;
        } else if sel >= *offset + rows {
            *offset = sel + 1 - rows;
        }
    };
    fit(app.list.selected, &mut app.list.offset, vp.list_rows);
    let len = app.list.order.len();
    app.list.offset = app.list.offset.min(len.saturating_sub(1));
    if let Some(o) = app.open.as_mut() {
        fit(o.view.selected, &mut o.view.offset, vp.tree_rows);
        o.view.offset = o.view.offset.min(o.view.rows.len().saturating_sub(1));
    }
    clamp_detail(app);
}
