//! The trace list pane: loading pages, moving, the quick filter, sorting (on the source where
//! it can), reloading.

use crate::app::{App, Cmd, Focus, Wake};
use crate::keymap::Action;
use crate::source::{Order, SourceError, TracePage};
use crate::text::sanitize_line;

use super::{follow_list_selection, nav_of};

/// Page size for list requests.
pub const PAGE_SIZE: usize = 500;

/// The sort the source is asked for: the list's, where the source sorts by that key.
fn source_order(app: &App) -> Order {
    if app.source_sorts.contains(&app.list.sort.key) {
        app.list.sort
    } else {
        Order::default()
    }
}

pub(super) fn request_list(
    app: &mut App,
    token: Option<String>,
    append: bool,
    cmds: &mut Vec<Cmd>,
) {
    app.list.req += 1;
    app.list.loading = Some(app.list.req);
    cmds.push(Cmd::LoadTraces {
        req: app.list.req,
        query: crate::source::ListQuery {
            experiment_ids: app.experiment_ids.clone(),
            max_results: PAGE_SIZE,
            page_token: token,
            filter: app.filter.clone(),
            since_ms: app.since.as_ref().map(|(_, ms)| app.now_ms - ms),
            order: source_order(app),
        },
        append,
    });
    cmds.push(Cmd::StartTicking);
}

pub(super) fn on_traces(
    app: &mut App,
    req: u64,
    append: bool,
    page: Result<TracePage, SourceError>,
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
            app.retry_ms = 0;
            app.warnings = p
                .warnings
                .iter()
                .map(|w| sanitize_line(w).into_owned())
                .collect();
            let warnings = app.warnings.clone();
            for w in &warnings {
                app.report_warning(w);
            }
            app.list.next_page = p.next_page_token;
            app.list.sorted_by_source = source_order(app) == app.list.sort;
            app.list.set_traces(p.traces, append);
            app.list.loaded = true;
            super::sessions::refresh(app);
            if app.list.traces.is_empty() {
                // nothing listed (a window or filter that holds nothing): no trace stays open
                // beside an empty list
                app.trace_req += 1;
                app.loading_trace = None;
                app.open = None;
                app.detail.doc = None;
            }
            if let Some(id) = app.list.reselect.take() {
                app.list.select_id(&id);
            }
            follow_list_selection(app, cmds);
            if app.follow.on && !append {
                // a new list (first load, reload, new filter): polls start from it
                app.follow.polling = None;
                if !app.follow.paused {
                    super::follow::schedule_poll(app, cmds);
                }
            }
        }
        Err(e) if e.is_transient() => {
            // retry by itself with backoff: the server may come back
            app.retry_ms = (app.retry_ms * 2).clamp(2_000, 30_000);
            app.report_error(format!(
                "{} (retrying in {} s)",
                sanitize_line(&e.to_string()),
                app.retry_ms / 1000
            ));
            cmds.push(Cmd::WakeAfter {
                ms: app.retry_ms,
                what: Wake::RetryList,
            });
        }
        Err(e) => {
            // refused (a bad filter, credentials, a missing file): trying again cannot help
            app.retry_ms = 0;
            let hint = if app.filter.is_some() {
                format!(
                    " ({} edits the filter)",
                    app.keymap.hint(crate::keymap::Action::Filter)
                )
            } else {
                String::new()
            };
            app.report_error(format!("{}{hint}", sanitize_line(&e.to_string())));
        }
    }
}

pub(super) fn on_retry(app: &mut App, cmds: &mut Vec<Cmd>) {
    if app.list.loading.is_none() && app.retry_ms > 0 {
        let append = app.list.loaded && app.list.next_page.is_some();
        let token = if append {
            app.list.next_page.clone()
        } else {
            None
        };
        request_list(app, token, append, cmds);
    } else {
        app.dirty = false;
    }
}

pub(super) fn key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    if let Some(nav) = nav_of(action) {
        move_to(app, nav, cmds);
        return;
    }
    match action {
        Action::Select | Action::Right if app.open.is_some() => app.focus = Focus::SpanTree,
        Action::Select | Action::Right => {
            app.message = Some(match &app.load_failure {
                Some(_) => format!(
                    "this trace could not be loaded ({} shows why)",
                    app.keymap.hint(Action::Messages)
                ),
                None => "no trace open yet".into(),
            })
        }
        Action::Toggle if app.follow.on => {
            let paused = !app.follow.paused;
            super::follow::set_paused(app, paused, cmds);
        }
        Action::Toggle => {
            app.message = Some(format!(
                "not following ({} starts the live tail)",
                app.keymap.hint(Action::Follow)
            ))
        }
        _ => app.dirty = false,
    }
}

/// Moves the selection; the trace under it opens, and the next page loads near the end.
pub(super) fn move_to(app: &mut App, nav: crate::viewport::Nav, cmds: &mut Vec<Cmd>) {
    super::fit_views(app);
    app.list.view.go(nav);
    let pos = app.list.selected();
    app.list.mark_seen(pos, pos + 1);
    follow_list_selection(app, cmds);
    more_if_near_end(app, cmds);
}

pub(super) fn more_if_near_end(app: &mut App, cmds: &mut Vec<Cmd>) {
    let rows = app.list.view.height().max(1);
    if app.list.loading.is_none()
        && app.list.next_page.is_some()
        && app.list.selected() + 2 * rows >= app.list.rows.len()
    {
        let token = app.list.next_page.clone();
        request_list(app, token, true, cmds);
    }
}

/// Sets the quick filter; the selection stays on its trace when it still shows.
pub(super) fn set_quick(app: &mut App, q: String, cmds: &mut Vec<Cmd>) {
    if q == app.list.quick {
        return;
    }
    super::fit_views(app);
    app.list.set_quick(q);
    follow_list_selection(app, cmds);
}

/// Sorts the list: by asking the source again where it sorts by that key (so the first page
/// is the true top), else over the loaded rows (the title says so while more are on the
/// source).
pub(super) fn set_sort(app: &mut App, order: Order, cmds: &mut Vec<Cmd>) {
    let before = source_order(app);
    app.list.sort = order;
    let by_source = app.source_sorts.contains(&order.key);
    if source_order(app) != before && !app.list.complete() {
        // the source's order changes and it holds more than is loaded: ask it again
        app.message = Some(if by_source {
            format!("sorting by {} on the source", order.label())
        } else {
            format!(
                "sorted by {} over the loaded traces: this source cannot sort by {}",
                order.label(),
                order.key.label()
            )
        });
        reload_list(app, cmds);
        return;
    }
    app.list.resort();
    app.list.sorted_by_source = by_source || app.list.complete();
    app.message = Some(if app.list.complete() || by_source {
        format!("sorted by {}", order.label())
    } else {
        format!(
            "sorted by {} over the {} traces loaded: this source cannot sort by {}",
            order.label(),
            app.list.traces.len(),
            order.key.label()
        )
    });
    follow_list_selection(app, cmds);
}

/// Loads the list again from its first page (a new filter, sort or experiments), keeping the
/// sort, the quick filter and (when it comes back) the selected trace.
/// The time windows `@` walks through, then all the traces again.
pub const WINDOWS: [&str; 4] = ["15m", "1h", "24h", "7d"];

/// `@`: the next time window (after the last, none).
pub(super) fn next_window(app: &mut App, cmds: &mut Vec<Cmd>) {
    let at = app
        .since
        .as_ref()
        .and_then(|(label, _)| WINDOWS.iter().position(|w| w == label));
    let next = match at {
        None if app.since.is_some() => None, // a custom window: back to all
        None => Some(WINDOWS[0]),
        Some(i) => WINDOWS.get(i + 1).copied(),
    };
    let window = next.and_then(|w| {
        crate::model::time::parse_window_ms(w)
            .ok()
            .map(|ms| (w.to_string(), ms))
    });
    set_window(app, window, cmds);
}

/// Lists the traces started within `window` (`None`: all), from the source again.
pub(super) fn set_window(app: &mut App, window: Option<(String, i64)>, cmds: &mut Vec<Cmd>) {
    app.message = Some(match &window {
        Some((label, _)) => format!(
            "the traces of the last {label} ({} for the next window)",
            app.keymap.hint(crate::keymap::Action::TimeWindow)
        ),
        None => "every trace, whenever it started".into(),
    });
    app.since = window;
    reload_list(app, cmds);
}

pub(super) fn reload_list(app: &mut App, cmds: &mut Vec<Cmd>) {
    let keep = std::mem::take(&mut app.list);
    app.list = crate::app::TraceListState {
        sort: keep.sort,
        relative_time: keep.relative_time,
        quick: keep.quick.clone(),
        view: keep.view,
        reselect: keep.selected_id(),
        tag_keys: keep.tag_keys,
        metadata_keys: keep.metadata_keys,
        feedback_names: keep.feedback_names,
        failing: keep.failing,
        expectation_names: keep.expectation_names,
        // request numbers go on: an answer to a request made before this reload is stale
        req: keep.req,
        ..Default::default()
    };
    request_list(app, None, false, cmds);
}

/// `!`: only the traces failing the next feedback name (in name order), then all again.
pub(super) fn next_failing(app: &mut App, cmds: &mut Vec<Cmd>) {
    // the names that pass or fail somewhere (a score or a text has no failing traces)
    let list = &app.list;
    let names: Vec<&String> = list
        .feedback_names
        .iter()
        .filter(|n| {
            list.traces.iter().any(|t| {
                t.assessment("feedback", n)
                    .and_then(|a| a.verdict())
                    .is_some()
            })
        })
        .collect();
    if names.is_empty() {
        app.message = Some("no pass/fail feedback among the listed traces".into());
        return;
    }
    let next = match &app.list.failing {
        None => Some(names[0].clone()),
        Some(cur) => names
            .iter()
            .position(|n| *n == cur)
            .and_then(|i| names.get(i + 1))
            .map(|n| (*n).clone()),
    };
    let key = app.keymap.hint(crate::keymap::Action::FailingOnly);
    app.message = Some(match &next {
        Some(n) => format!(
            "only traces failing {} ({key}: {})",
            crate::text::sanitize_line(n),
            if names.last().is_some_and(|l| *l == n) {
                "all again".to_string()
            } else {
                "the next feedback".to_string()
            }
        ),
        None => "all traces again".into(),
    });
    app.list.set_failing(next);
    // the tree and detail show the trace under the selection
    super::follow_list_selection(app, cmds);
}
