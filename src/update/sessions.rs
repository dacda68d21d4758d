//! The sessions view (`I`): the sessions of the listed traces, the selected trace's session
//! selected; `enter` reads a session's turns as one conversation (read in the background),
//! `esc` goes back to the sessions, then to the list. It pages like the list: near its end,
//! the list's next page is asked for, and the sessions are built again when it arrives.

use crate::app::{App, Cmd, SessionReading, SessionsView};
use crate::keymap::Action;
use crate::model::sessions::sessions;
use crate::viewport::Viewport;

/// The sessions of the shown rows, and the title's note on what they cover.
fn build(app: &App) -> (Vec<crate::model::sessions::Session>, String) {
    let list = sessions(app.list.shown());
    let n = app.list.rows.len();
    let note = app.list.scope_note(format!(
        "{} session{} in {n} trace{}",
        list.len(),
        if list.len() == 1 { "" } else { "s" },
        if n == 1 { "" } else { "s" }
    ));
    (list, note)
}

/// The list changed (a page arrived): the sessions again, the selection kept on its session.
pub(super) fn refresh(app: &mut App) {
    if app.sessions.is_none() {
        return;
    }
    let (list, note) = build(app);
    let Some(s) = app.sessions.as_mut() else {
        return;
    };
    let selected = s.list.get(s.view.cursor()).map(|x| x.id.clone());
    s.view.fit(list.len(), 1);
    if let Some(i) = selected.and_then(|id| list.iter().position(|x| x.id == id)) {
        s.view.select(i);
    }
    s.list = list;
    s.note = note;
}

/// Near the end of the sessions, the list's next page.
fn more_if_near_end(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(s) = app.sessions.as_ref() else {
        return;
    };
    let rows = s.view.height().max(1);
    if s.reading.is_none()
        && app.list.loading.is_none()
        && app.list.next_page.is_some()
        && s.view.cursor() + 2 * rows >= s.list.len()
    {
        let token = app.list.next_page.clone();
        super::trace_list::request_list(app, token, true, cmds);
    }
}

/// Opens the sessions view over the loaded (and quick-filtered) list.
pub(super) fn open(app: &mut App, cmds: &mut Vec<Cmd>) {
    let (list, note) = build(app);
    let mut view = Viewport::list();
    // from a trace, its session
    let current = app
        .list
        .selected_trace()
        .and_then(|t| t.session())
        .and_then(|s| list.iter().position(|x| x.id == s));
    view.fit(list.len(), 1);
    if let Some(i) = current {
        view.select(i);
    }
    if list.is_empty() {
        app.message = Some(format!(
            "no sessions among the listed traces (a session is the metadata {} of a trace)",
            crate::model::keys::SESSION
        ));
    }
    let req = app.sessions.as_ref().map_or(0, |s| s.req);
    app.sessions = Some(SessionsView {
        list,
        view,
        note,
        reading: None,
        req,
    });
    more_if_near_end(app, cmds);
}

pub(super) fn key(app: &mut App, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let utc = app.utc;
    let Some(s) = app.sessions.as_mut() else {
        return;
    };
    match action {
        Some(Action::Back) if s.reading.is_some() => s.reading = None,
        Some(Action::Back | Action::Sessions | Action::Quit) => app.sessions = None,
        Some(Action::Select) if s.reading.is_none() => {
            let Some(session) = s.list.get(s.view.cursor()) else {
                app.dirty = false;
                return;
            };
            s.req += 1;
            s.reading = Some(SessionReading {
                id: session.id.clone(),
                turns: session.turns(),
                req: s.req,
                loading: true,
                lines: Vec::new(),
                rows: Vec::new(),
                width: 0,
                view: Viewport::document(),
            });
            cmds.push(Cmd::LoadSession {
                req: s.req,
                session: session.id.clone(),
                experiment_ids: app.experiment_ids.clone(),
                known: session.trace_ids.clone(),
                utc,
            });
            cmds.push(Cmd::StartTicking);
        }
        Some(a) => match super::nav_of(a) {
            Some(nav) => match s.reading.as_mut() {
                Some(r) => {
                    r.view.go(nav);
                }
                None => {
                    s.view.go(nav);
                    more_if_near_end(app, cmds);
                }
            },
            None => app.dirty = false,
        },
        None => app.dirty = false,
    }
}

/// A session's conversation arrived (a stale answer, for a session no longer open, is dropped).
pub(super) fn on_loaded(
    app: &mut App,
    req: crate::app::ReqId,
    result: Result<Vec<String>, String>,
) {
    let Some(r) = app
        .sessions
        .as_mut()
        .and_then(|s| s.reading.as_mut())
        .filter(|r| r.req == req && r.loading)
    else {
        app.dirty = false;
        return;
    };
    r.loading = false;
    match result {
        Ok(lines) => {
            // the source may hold turns the list had not loaded
            r.turns = lines.iter().filter(|l| l.starts_with("━━ turn ")).count();
            r.lines = lines;
            r.width = 0;
        }
        Err(e) => {
            let e = crate::text::sanitize_line(&e).into_owned();
            r.lines = vec![format!("could not read the session: {e}")];
            r.width = 0;
            app.report_error(format!("session: {e}"));
        }
    }
}
