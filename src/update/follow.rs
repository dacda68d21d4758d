//! Follow mode (live tail): polls, their timer and backoff, merging new traces into the list,
//! refreshing the open trace while it runs.

use crate::app::{App, Cmd, Wake};
use crate::source::{SourceError, TracePage};
use crate::text::sanitize_line;

use super::follow_list_selection;

/// Asks for what is new now (dropping any poll in flight and any timer set).
pub(super) fn poll(app: &mut App, cmds: &mut Vec<Cmd>) {
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
        query: crate::source::ListQuery::poll(
            app.experiment_ids.clone(),
            app.filter.clone(),
            since,
        ),
    });
}

/// Sets the timer for the next poll.
pub(super) fn schedule_poll(app: &mut App, cmds: &mut Vec<Cmd>) {
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

pub(super) fn set_paused(app: &mut App, paused: bool, cmds: &mut Vec<Cmd>) {
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

pub(super) fn on_wake(app: &mut App, timer: u64, cmds: &mut Vec<Cmd>) {
    if timer == app.follow.timer && app.follow.on && !app.follow.paused {
        poll(app, cmds);
    }
    app.dirty = false;
}

pub(super) fn on_source_changed(app: &mut App, cmds: &mut Vec<Cmd>) {
    app.dirty = false;
    if app.follow.on && !app.follow.paused && app.list.loaded {
        if app.follow.polling.is_some() {
            app.follow.pending = true;
        } else {
            poll(app, cmds);
        }
    }
}

pub(super) fn on_watching(app: &mut App, r: Result<(), String>) {
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

pub(super) fn on_polled(
    app: &mut App,
    req: crate::app::ReqId,
    at_ms: i64,
    result: Result<TracePage, SourceError>,
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
            let text = sanitize_line(&e.to_string()).into_owned();
            app.report_warning(&format!("live tail: {text}"));
            app.follow.error = Some(text);
            schedule_poll(app, cmds);
            return;
        }
    };
    let had_error = app.follow.error.take().is_some();
    app.follow.failures = 0;
    // what the source says about itself while it is followed (the receiver's refusals and
    // drops): each new word once
    let mut warned = false;
    for w in &page.warnings {
        let w = sanitize_line(w).into_owned();
        if !app.warnings.contains(&w) {
            warned = true;
            app.report_warning(&w);
            app.warnings.push(w);
            if app.warnings.len() > 32 {
                app.warnings.remove(0);
            }
        }
    }
    let open_id = app.open.as_ref().map(|o| o.trace.info.trace_id.clone());
    let merge = app.list.merge_live(page.traces);
    let list = &app.list;
    let states = merge
        .added
        .iter()
        .chain(&merge.changed)
        .filter_map(|id| list.by_id.get(id).map(|&i| list.traces[i as usize].state));
    app.follow.count_finished(states);
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
    super::fit_views(app);
    // the first traces in an empty list: the selection lands on one, which opens (a no-op when
    // the selected trace is open or loading already)
    follow_list_selection(app, cmds);
    if app.follow.pending {
        poll(app, cmds);
    } else {
        schedule_poll(app, cmds);
    }
    // running traces show their elapsed time: redraw while one is listed
    let running = app.list.oldest_running_ms().is_some();
    if quiet && !running && !had_error && !warned && dropped == 0 {
        app.dirty = false;
    }
}
