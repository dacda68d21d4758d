//! The state machine: `update(app, msg)` changes the state and returns side effects as data.
//! No IO, no clock, no terminal: everything it needs arrives in the message or is in `App`.
//!
//! Split by pane, like gitui's components: the trace list, the span tree, the detail, follow
//! mode, the mouse, typed prompts (quick filter, filter line, palette, trace search) and the
//! overlays (help, experiment picker, span filter, message log, column chooser). Every message
//! ends with [`fit_views`], which gives every viewport its content length and height at the
//! current layout, so the viewport invariants hold after anything.

mod analysis;
pub mod detail;
mod follow;
mod mouse;
mod overlay;
mod prompt;
mod review;
mod sessions;
mod span_tree;
mod trace_list;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind};

use crate::app::{App, Cmd, Focus, LoadFailure, Msg, Overlay, Wake};
use crate::keymap::Action;
use crate::text::sanitize_line;
use crate::viewport::Nav;

pub use follow::set_follow;
pub use trace_list::PAGE_SIZE;

pub fn update(app: &mut App, msg: Msg) -> Vec<Cmd> {
    // A message that changes nothing must not hide the changes of earlier messages that are
    // not drawn yet: dirtiness only accumulates until the runtime draws.
    let was_dirty = app.dirty;
    // a key press means the user looked: new rows on screen count as seen
    let seen = matches!(msg, Msg::Key(_)) && app.follow.on && {
        let r = app.list.view.visible();
        app.list.mark_seen(r.start, r.end)
    };
    app.dirty = true;
    let mut cmds = Vec::new();
    handle(app, msg, &mut cmds);
    fit_views(app);
    detail::ensure_highlight(app, &mut cmds);
    app.dirty |= was_dirty || seen;
    cmds
}

fn handle(app: &mut App, msg: Msg, cmds: &mut Vec<Cmd>) {
    match msg {
        Msg::Key(k) => on_key(app, k, cmds),
        Msg::Mouse(m) => mouse::on_mouse(app, m, cmds),
        Msg::Resize(w, h) => app.size = (w, h),
        Msg::Tick => {
            if app.is_loading() {
                app.spinner = app.spinner.wrapping_add(1);
            } else {
                app.dirty = false;
            }
        }
        Msg::TracesLoaded { req, append, page } => {
            trace_list::on_traces(app, req, append, page, cmds)
        }
        Msg::TraceLoaded {
            req,
            trace_id,
            result,
        } => {
            if req != app.trace_req {
                app.dirty = false; // a stale answer: the user has moved on
                return;
            }
            app.loading_trace = None;
            let refresh = app.follow.refreshing.take().is_some();
            match result {
                Ok(loaded) => {
                    app.load_failure = None;
                    remember(app, &loaded);
                    open_trace(app, loaded, cmds);
                }
                Err(e) => {
                    let error = sanitize_line(&e).into_owned();
                    app.report_error(format!("trace {}: {error}", sanitize_line(&trace_id)));
                    let open_is_it = app
                        .open
                        .as_ref()
                        .is_some_and(|o| o.trace.info.trace_id == trace_id);
                    // a failed refresh keeps what was shown of the same trace; any other
                    // failure clears the panes, which then say what failed
                    if !(refresh && open_is_it) {
                        app.open = None;
                        app.detail.doc = None;
                    }
                    app.load_failure = Some(LoadFailure { trace_id, error });
                }
            }
        }
        Msg::TraceAnalysed {
            req,
            trace_id,
            analysis,
            findings,
        } => on_analysed(app, req, &trace_id, analysis, findings, cmds),
        Msg::DocReady { req, content } => {
            if req != app.detail.req {
                app.dirty = false;
                return;
            }
            app.detail.preparing = false;
            if let Some(key) = detail::current_key(app) {
                detail::install_doc(app, key, content);
            }
        }
        Msg::Highlighted {
            req,
            from,
            lines,
            checkpoint,
        } => detail::on_highlighted(app, req, from, lines, checkpoint),
        Msg::Wake(Wake::Poll(timer)) => follow::on_wake(app, timer, cmds),
        Msg::Polled { req, at_ms, result } => follow::on_polled(app, req, at_ms, result, cmds),
        Msg::SourceChanged => follow::on_source_changed(app, cmds),
        Msg::Watching(r) => follow::on_watching(app, r),
        Msg::Wake(Wake::RetryList) => trace_list::on_retry(app, cmds),
        Msg::ExperimentsLoaded(result) => overlay::on_experiments(app, result),
        Msg::TaskPanicked(report) => {
            app.fatal = Some(sanitize_line(&report).into_owned());
            app.quit = true;
            cmds.push(Cmd::Quit);
        }
        Msg::External(r) => {
            if let Err(e) = r {
                app.report_error(sanitize_line(&e).into_owned());
            }
        }
        Msg::ModelStats { req, result } => analysis::on_model_stats(app, req, result),
        Msg::SessionLoaded { req, result } => sessions::on_loaded(app, req, result),
        Msg::Annotated {
            req: _,
            trace_id,
            annotation,
            typed,
            result,
        } => review::on_annotated(app, trace_id, annotation, typed, result, cmds),
        Msg::LineEdited(r) => review::on_line_edited(app, r),
        Msg::Exported(r) => match r {
            Ok((path, n)) => {
                app.message = Some(format!("wrote {} ({n} bytes)", sanitize_line(&path)))
            }
            Err(e) => app.report_error(format!("export: {}", sanitize_line(&e))),
        },
        Msg::ConfigSaved(r) => match r {
            Ok(path) => app.message = Some(format!("columns saved in {}", sanitize_line(&path))),
            Err(e) => app.report_error(format!("saving the columns: {}", sanitize_line(&e))),
        },
    }
}

/// The first requests: the first page of traces and the experiments' names.
pub fn start(app: &mut App) -> Vec<Cmd> {
    let mut cmds = Vec::new();
    trace_list::request_list(app, None, false, &mut cmds);
    cmds.push(Cmd::LoadExperiments);
    if app.follow.on {
        cmds.push(Cmd::Watch(true));
    }
    fit_views(app);
    cmds
}

/// Gives every viewport its content length and its height at the current layout. Called after
/// every message: whatever changed (data, filter, fold, wrap, resize, zoom), every pane shows
/// as many rows as fit, with its selection on screen.
pub fn fit_views(app: &mut App) {
    let a = crate::ui::areas(app);
    let list_rows = a.list_body.height as usize;
    let n = app.list.rows.len();
    app.list.view.fit(n, list_rows);
    if let Some(o) = app.open.as_mut() {
        let n = o.view.rows.len();
        o.view.scroll.fit(n, a.tree_body.height as usize);
    }
    detail::fit(
        app,
        a.detail_body.width as usize,
        a.detail_body.height as usize,
    );
    let body = a.popup_body;
    let (w, h) = (body.width as usize, body.height as usize);
    let keymap = app.keymap.clone();
    let log_rows = crate::ui::messages::rows(app, w).len();
    let types = app.open.as_ref().map_or(0, |o| {
        crate::app::SpanTreeView::type_counts(&o.trace.tree).len()
    });
    if let Some(c) = app.compare.as_mut() {
        let n = c.diff.rows.len();
        c.rows.fit(n, a.compare_rows.height as usize);
        let m = c.io.len();
        c.io_view.fit(m, a.compare_io.height as usize);
    }
    if let Some(st) = app.stats.as_mut() {
        let n = st.stats.groups.len() + 1;
        st.view.fit(n, a.stats_rows.height as usize);
    }
    if let Some(se) = app.sessions.as_mut() {
        let h = a.sessions_rows.height as usize;
        se.view.fit(se.list.len(), h);
        if let Some(r) = se.reading.as_mut() {
            r.wrap(a.sessions_rows.width as usize);
            r.view.fit(r.rows.len(), h);
        }
    }
    let findings = app.open.as_ref().map_or(0, |o| o.findings.len());
    match app.overlay.as_mut() {
        Some(Overlay::Findings(v)) => v.fit(findings, h),
        Some(Overlay::Help { view, query, .. }) => {
            let n = crate::app::help::rows(&keymap, w, query.text()).len();
            view.fit(n, h);
        }
        Some(Overlay::Experiments(p)) => {
            let n = p.rows();
            p.view.fit(n, h);
        }
        Some(Overlay::SpanFilter(v)) => v.fit(types + 1, h),
        Some(Overlay::Messages(v)) => v.fit(log_rows, h),
        Some(Overlay::Columns { view, choices, .. }) => view.fit(choices.len(), h),
        None => {}
    }
}

/// The move an action asks for.
pub fn nav_of(a: Action) -> Option<Nav> {
    Some(match a {
        Action::Up => Nav::Up,
        Action::Down => Nav::Down,
        Action::Top => Nav::Top,
        Action::Bottom => Nav::Bottom,
        Action::HalfPageDown => Nav::HalfPageDown,
        Action::HalfPageUp => Nav::HalfPageUp,
        Action::PageDown => Nav::PageDown,
        Action::PageUp => Nav::PageUp,
        _ => return None,
    })
}

fn remember(app: &mut App, loaded: &crate::app::LoadedTrace) {
    app.cache
        .retain(|t| t.trace.info.trace_id != loaded.trace.info.trace_id);
    if loaded.trace.info.state == crate::model::TraceState::InProgress {
        return; // it will change: never served from the cache
    }
    app.cache.push(loaded.clone());
    // at most 8 traces, and at most CACHE_SPANS spans of traces that are not open
    let spans =
        |c: &[crate::app::LoadedTrace]| c.iter().map(|t| t.trace.span_count()).sum::<usize>();
    while app.cache.len() > crate::app::CACHE_TRACES
        || (app.cache.len() > 1
            && spans(&app.cache[..app.cache.len() - 1]) > crate::app::CACHE_SPANS)
    {
        app.cache.remove(0);
    }
}

fn open_trace(app: &mut App, loaded: crate::app::LoadedTrace, cmds: &mut Vec<Cmd>) {
    let crate::app::LoadedTrace {
        trace,
        mut view,
        analysis,
        findings,
        analysed,
        gaps,
    } = loaded;
    let same = app
        .open
        .as_ref()
        .filter(|o| o.trace.info.trace_id == trace.info.trace_id);
    let mut search = crate::app::search::TraceSearch::default();
    if let Some(old) = same {
        // the same trace again (a reload): keep what was expanded, filtered and selected
        let ids = old.view.expanded_ids(&old.trace.tree);
        let sel = old
            .view
            .selected_span()
            .map(|s| old.trace.tree.span(s).span_id.clone());
        view.hidden_types = old.view.hidden_types.clone();
        view.hide_plumbing = old.view.hide_plumbing;
        view.rollups = old.view.rollups;
        let open_runs = old.view.open_run_ids(&old.trace.tree);
        view.restore_open_runs(&trace.tree, &open_runs);
        view.restore_expanded(&trace.tree, &ids);
        if let Some(i) = sel.and_then(|id| trace.tree.find(&id)) {
            view.select_span(&trace.tree, i);
        }
        if !old.search.query.is_empty() {
            search = crate::app::search::TraceSearch::run(&trace, &old.search.query);
        }
    } else {
        app.detail.tab = crate::app::Tab::Trace;
        app.detail.scroll.set_offset(0);
        app.detail.hscroll = 0;
    }
    // the list says so too: the row's span count becomes stored/recorded
    if !gaps.is_empty()
        && let Some(&i) = app.list.by_id.get(&trace.info.trace_id)
        && let Some(f) = app.list.facts.get_mut(i as usize)
    {
        f.stored_spans = Some(trace.span_count() as u64);
    }
    app.open = Some(crate::app::OpenTrace {
        trace,
        view,
        search,
        analysis,
        findings,
        analysed,
        gaps,
    });
    detail::refresh_doc(app, cmds);
}

/// The analyses of the open giant trace are ready: its rollups, critical path and findings
/// appear where they were pending (the tree, its selection and the detail's place stay).
fn on_analysed(
    app: &mut App,
    req: crate::app::ReqId,
    trace_id: &str,
    analysis: std::sync::Arc<crate::model::analysis::Analysis>,
    findings: std::sync::Arc<Vec<crate::model::lint::Finding>>,
    cmds: &mut Vec<Cmd>,
) {
    let Some(open) = app
        .open
        .as_mut()
        .filter(|o| req == app.trace_req && o.trace.info.trace_id == trace_id)
    else {
        app.dirty = false; // a stale answer: the user has moved on
        return;
    };
    // the copy kept in the cache of recent traces is analysed too: opened from there again,
    // the trace needs no second analysis
    if let Some(kept) = app
        .cache
        .iter_mut()
        .find(|t| Arc::ptr_eq(&t.trace, &open.trace))
    {
        kept.analysis = Arc::clone(&analysis);
        kept.findings = Arc::clone(&findings);
        kept.analysed = true;
    }
    open.analysis = analysis;
    open.findings = findings;
    open.analysed = true;
    detail::refresh_doc(app, cmds);
}

/// Loads the trace under the list's selection (from the cache when it is there).
pub(crate) fn follow_list_selection(app: &mut App, cmds: &mut Vec<Cmd>) {
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
    if app.load_failure.as_ref().is_some_and(|f| f.trace_id != id) {
        app.load_failure = None;
    }
    // a giant trace left before its analyses arrived is loaded again, analyses and all
    if let Some(t) = app
        .cache
        .iter()
        .find(|t| t.trace.info.trace_id == id && t.analysed)
        .cloned()
    {
        app.trace_req += 1; // drops any fetch still in flight
        app.loading_trace = None;
        app.load_failure = None;
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

// ---------------------------------------------------------------------------------------------
// Keys

fn on_key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    if k.kind == KeyEventKind::Release {
        app.dirty = false;
        return;
    }
    app.message = None;
    if app.prompt.is_some() {
        prompt::key(app, k, cmds);
        return;
    }
    let action = app.keymap.action(&k);
    if app.overlay.is_some() {
        overlay::key(app, k, action, cmds);
        return;
    }
    // review mode: y and n give the verdict, esc ends it (the other keys work as ever)
    if app.review.is_some()
        && app.compare.is_none()
        && app.stats.is_none()
        && app.sessions.is_none()
    {
        match k.code {
            KeyCode::Char(c @ ('y' | 'n')) if k.modifiers.is_empty() => {
                review::verdict(app, c == 'y', cmds);
                return;
            }
            KeyCode::Esc => {
                review::toggle(app);
                return;
            }
            _ => {}
        }
    }
    // the compare and stats views take the keys while open (help, palette and quit still work)
    if !matches!(
        action,
        Some(Action::Help | Action::Palette | Action::Messages)
    ) {
        if app.compare.is_some() {
            analysis::compare_key(app, action);
            return;
        }
        if app.stats.is_some() {
            analysis::stats_key(app, action, cmds);
            return;
        }
        if app.sessions.is_some() {
            sessions::key(app, action, cmds);
            return;
        }
    }
    // digits: expand the span tree to that depth
    if let (KeyCode::Char(c @ '1'..='9'), Focus::SpanTree, false, false) = (
        k.code,
        app.focus,
        k.modifiers
            .contains(crossterm::event::KeyModifiers::CONTROL),
        k.modifiers.contains(crossterm::event::KeyModifiers::ALT),
    ) {
        if let Some(o) = app.open.as_mut() {
            o.view.expand_to_depth(&o.trace.tree, c.to_digit(10));
            detail::refresh_doc(app, cmds);
        }
        return;
    }
    let Some(action) = action else {
        app.dirty = false;
        return;
    };
    global_action(app, action, cmds);
}

/// Actions that mean the same in every pane; the rest go to the focused pane.
pub(crate) fn global_action(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Quit => {
            app.quit = true;
            cmds.push(Cmd::Quit);
        }
        Action::Help => overlay::open_help(app),
        Action::Palette => prompt::open(app, crate::app::PromptKind::Palette, ""),
        Action::Filter => {
            let text = app.filter.clone().unwrap_or_default();
            prompt::open(app, crate::app::PromptKind::Filter, &text)
        }
        Action::Messages => overlay::open_messages(app),
        Action::Columns => overlay::open_columns(app),
        Action::Zoom => {
            app.zoom = !app.zoom;
            app.message = Some(if app.zoom {
                format!("zoom: {} goes back", app.keymap.hint(Action::Zoom))
            } else {
                "zoom off".into()
            });
        }
        Action::Search => match (app.focus, app.open.is_some()) {
            (Focus::SpanTree | Focus::Detail, true) => {
                prompt::open(app, crate::app::PromptKind::TraceSearch, "")
            }
            _ => {
                app.focus = Focus::TraceList;
                let q = app.list.quick.clone();
                prompt::open(app, crate::app::PromptKind::QuickFilter, &q)
            }
        },
        Action::SpanFilter => {
            if app.open.is_some() {
                app.overlay = Some(Overlay::SpanFilter(crate::viewport::Viewport::list()));
            } else {
                app.message = Some("open a trace first".into());
            }
        }
        Action::HidePlumbing => span_tree::toggle_plumbing(app, cmds),
        Action::NextMatch | Action::PrevMatch => {
            span_tree::jump_to_match(app, action == Action::NextMatch, cmds)
        }
        Action::Experiments => overlay::open_experiments(app, cmds),
        Action::Back => {
            if app.waterfall.is_some() {
                app.waterfall = None;
            } else if detail::in_transcript(app) {
                detail::toggle_transcript(app, cmds);
            } else if app.zoom {
                app.zoom = false;
            } else if app.focus != Focus::TraceList {
                app.focus = Focus::TraceList;
            } else if !app.list.quick.is_empty() {
                trace_list::set_quick(app, String::new(), cmds);
            } else {
                app.error = None;
            }
        }
        Action::FocusNext => app.focus = app.focus.next(),
        Action::FocusPrev => app.focus = app.focus.prev(),
        Action::Reload => trace_list::reload_list(app, cmds),
        Action::Follow => {
            let on = !app.follow.on;
            set_follow(app, on, cmds);
        }
        Action::TimeFormat => app.list.relative_time = !app.list.relative_time,
        Action::TimeWindow => trace_list::next_window(app, cmds),
        Action::Sort => {
            let order = crate::source::Order::natural(app.list.sort.key.next());
            trace_list::set_sort(app, order, cmds);
        }
        Action::ReverseSort => {
            let mut order = app.list.sort;
            order.ascending = !order.ascending;
            trace_list::set_sort(app, order, cmds);
        }
        Action::Wrap => detail::toggle_wrap(app),
        Action::NextTab | Action::PrevTab => {
            if detail::in_transcript(app) {
                detail::toggle_transcript(app, cmds);
            }
            let tab = if action == Action::NextTab {
                app.detail.tab.next()
            } else {
                app.detail.tab.prev()
            };
            detail::set_tab(app, tab, cmds)
        }
        Action::Transcript => detail::toggle_transcript(app, cmds),
        Action::Sessions => sessions::open(app, cmds),
        Action::FailingOnly => trace_list::next_failing(app, cmds),
        Action::Annotate => review::open_annotate(app),
        Action::Review => review::toggle(app),
        Action::ScrollLeft | Action::ScrollRight => {
            if !analysis::pan(app, action == Action::ScrollRight) {
                detail::scroll_sideways(app, action == Action::ScrollRight)
            }
        }
        Action::CriticalNext
        | Action::CriticalPrev
        | Action::Rollups
        | Action::Waterfall
        | Action::ZoomIn
        | Action::ZoomOut
        | Action::Findings
        | Action::Mark
        | Action::Compare
        | Action::Stats
        | Action::Export
        | Action::WebUi => analysis::action(app, action, cmds),
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
            Focus::TraceList => trace_list::key(app, action, cmds),
            Focus::SpanTree => span_tree::key(app, action, cmds),
            Focus::Detail => detail::key(app, action, cmds),
        },
    }
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
