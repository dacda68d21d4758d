//! Popups: help, the experiment picker, the span filter, the message log, the column chooser.
//! Each scrolls with its own viewport; keys go to the popup while it is open.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::line_edit::Edit;
use crate::app::{App, Cmd, Column, Overlay, Picker};
use crate::keymap::Action;
use crate::source::Experiment;
use crate::text::sanitize_line;
use crate::viewport::{Nav, Viewport};

use super::{detail, nav_of, trace_list};

pub(super) fn open_help(app: &mut App) {
    app.overlay = Some(Overlay::Help {
        view: Viewport::document(),
        query: Default::default(),
        typing: false,
    });
}

pub(super) fn open_messages(app: &mut App) {
    let mut v = Viewport::document();
    // open at the newest
    v.fit(usize::MAX / 2, 1);
    v.go(Nav::Bottom);
    app.log.unread = 0;
    app.overlay = Some(Overlay::Messages(v));
}

pub(super) fn open_columns(app: &mut App) {
    let mut choices = app.columns.clone();
    for c in app.list.column_choices() {
        if !choices.contains(&c) {
            choices.push(c);
        }
    }
    app.overlay = Some(Overlay::Columns {
        view: Viewport::list(),
        choices,
        before: app.columns.clone(),
    });
}

pub(super) fn open_experiments(app: &mut App, cmds: &mut Vec<Cmd>) {
    let mut p = Picker {
        items: app.experiments.clone(),
        ..Default::default()
    };
    p.narrow();
    app.overlay = Some(Overlay::Experiments(p));
    cmds.push(Cmd::LoadExperiments);
}

pub(super) fn on_experiments(app: &mut App, result: Result<Vec<Experiment>, String>) {
    match result {
        Ok(items) => {
            let active: Vec<Experiment> = items.into_iter().filter(|e| e.active).collect();
            app.experiments = Some(active.clone());
            if let Some(Overlay::Experiments(p)) = app.overlay.as_mut() {
                let keep = p.current().map(|e| e.id.clone());
                p.items = Some(active);
                p.narrow();
                if let Some(id) = keep
                    && let Some(row) = p.shown.iter().position(|&i| {
                        p.items
                            .as_ref()
                            .and_then(|it| it.get(i))
                            .is_some_and(|e| e.id == id)
                    })
                {
                    let n = p.rows();
                    let h = p.view.height();
                    p.view.fit(n, h);
                    p.view.select(row + 1);
                }
            }
        }
        Err(e) => {
            let open = matches!(app.overlay, Some(Overlay::Experiments(_)));
            if open {
                app.overlay = None;
                app.report_error(format!("experiments: {}", sanitize_line(&e)));
            } else {
                // only the names were wanted (the EXPERIMENT column): ids will do
                app.report_warning(&format!("experiments: {}", sanitize_line(&e)));
                app.dirty = false;
            }
        }
    }
}

/// Lists these experiments (empty: all) from the first page.
pub(super) fn choose_experiments(app: &mut App, ids: Vec<String>, cmds: &mut Vec<Cmd>) {
    let names: Vec<String> = ids
        .iter()
        .map(|id| sanitize_line(app.experiment_name(id).unwrap_or(id.as_str())).into_owned())
        .collect();
    app.experiment_label = if ids.is_empty() {
        "all experiments".into()
    } else {
        format!("experiment {}", names.join(", "))
    };
    app.experiment_ids = ids;
    trace_list::reload_list(app, cmds);
}

/// Moves a popup's view for a moving key; false for any other key.
fn scroll(view: &mut Viewport, action: Option<Action>) -> bool {
    match action.and_then(nav_of) {
        Some(nav) => {
            view.go(nav);
            true
        }
        None => false,
    }
}

pub(super) fn key(app: &mut App, k: KeyEvent, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let Some(overlay) = app.overlay.as_mut() else {
        return;
    };
    match overlay {
        Overlay::Findings(_) => super::analysis::findings_key(app, action, cmds),
        Overlay::Help {
            view,
            query,
            typing,
        } => {
            if *typing {
                match k.code {
                    KeyCode::Esc => {
                        query.set("");
                        *typing = false;
                    }
                    KeyCode::Enter => *typing = false,
                    KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                        if let Some(nav) = action.and_then(nav_of) {
                            view.go(nav);
                        }
                    }
                    _ => {
                        if query.handle(&k) == Edit::Changed {
                            view.set_offset(0);
                        }
                    }
                }
                return;
            }
            if k.code == KeyCode::Char('/') {
                *typing = true;
                return;
            }
            match action {
                Some(Action::Help | Action::Back | Action::Quit) => app.overlay = None,
                _ => {
                    if !scroll(view, action) {
                        app.dirty = false
                    }
                }
            }
        }
        Overlay::Messages(view) => match action {
            Some(Action::Messages | Action::Back | Action::Quit) => app.overlay = None,
            _ => {
                if !scroll(view, action) {
                    app.dirty = false
                }
            }
        },
        Overlay::SpanFilter(view) => {
            let row = view.cursor();
            match action {
                Some(Action::Back | Action::Select | Action::SpanFilter | Action::Quit) => {
                    app.overlay = None
                }
                Some(Action::Toggle) => {
                    let Some(o) = app.open.as_mut() else {
                        app.overlay = None;
                        return;
                    };
                    let types = crate::app::SpanTreeView::type_counts(&o.trace.tree);
                    if row == 0 {
                        o.view.hide_plumbing = !o.view.hide_plumbing;
                    } else if let Some((t, _)) = types.get(row - 1)
                        && !o.view.hidden_types.remove(t)
                    {
                        o.view.hidden_types.insert(t.clone());
                    }
                    o.view.recompute(&o.trace.tree);
                    detail::refresh_doc(app, cmds);
                }
                _ => {
                    if !scroll(view, action) {
                        app.dirty = false
                    }
                }
            }
        }
        Overlay::Columns {
            view,
            choices,
            before,
        } => {
            let row = view.cursor();
            match action {
                Some(Action::Back | Action::Select | Action::Columns | Action::Quit) => {
                    let changed = *before != app.columns;
                    app.overlay = None;
                    if changed {
                        cmds.push(Cmd::SaveColumns(
                            app.columns.iter().map(Column::key).collect(),
                        ));
                    }
                }
                Some(Action::Toggle) => {
                    if let Some(c) = choices.get(row).cloned() {
                        if let Some(i) = app.columns.iter().position(|x| *x == c) {
                            if app.columns.len() > 1 {
                                app.columns.remove(i);
                            } else {
                                app.message = Some("at least one column stays".into());
                            }
                        } else {
                            // in the chooser's order, among the chosen ones
                            let at = choices[..row]
                                .iter()
                                .filter(|x| app.columns.contains(x))
                                .count();
                            app.columns.insert(at.min(app.columns.len()), c);
                        }
                    }
                }
                _ => {
                    if !scroll(view, action) {
                        app.dirty = false
                    }
                }
            }
        }
        Overlay::Experiments(p) => match k.code {
            KeyCode::Esc => app.overlay = None,
            KeyCode::Enter => {
                let chosen: Vec<String> = if !p.marked.is_empty() {
                    p.marked.iter().cloned().collect()
                } else if let Some(e) = p.current() {
                    vec![e.id.clone()]
                } else if p.view.cursor() == 0 {
                    Vec::new()
                } else {
                    app.dirty = false;
                    return;
                };
                app.overlay = None;
                choose_experiments(app, chosen, cmds);
            }
            KeyCode::Tab => {
                if let Some(id) = p.current().map(|e| e.id.clone()) {
                    if !p.marked.remove(&id) {
                        p.marked.insert(id);
                    }
                    p.view.go(Nav::Down);
                } else {
                    p.marked.clear();
                }
            }
            KeyCode::Up
            | KeyCode::Down
            | KeyCode::PageUp
            | KeyCode::PageDown
            | KeyCode::Home
            | KeyCode::End => {
                let nav = match k.code {
                    KeyCode::Up => Nav::Up,
                    KeyCode::Down => Nav::Down,
                    KeyCode::PageUp => Nav::PageUp,
                    KeyCode::PageDown => Nav::PageDown,
                    KeyCode::Home => Nav::Top,
                    _ => Nav::Bottom,
                };
                p.view.go(nav);
            }
            _ => {
                if let Some(nav) = action
                    .filter(|a| matches!(a, Action::HalfPageDown | Action::HalfPageUp))
                    .and_then(nav_of)
                {
                    p.view.go(nav);
                    return;
                }
                match p.query.handle(&k) {
                    Edit::Changed => {
                        p.narrow();
                        let n = p.rows();
                        let h = p.view.height();
                        p.view.fit(n, h);
                        // the first match, not "all experiments"
                        p.view.select(if p.query.is_empty() { 0 } else { 1 });
                    }
                    Edit::Moved => {}
                    Edit::Ignored => app.dirty = false,
                }
            }
        },
    }
}
