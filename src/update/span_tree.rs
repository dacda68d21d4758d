//! The span tree pane: moving, folding, the span filter, and walking the matches of a search
//! inside the trace.

use crate::app::{App, Cmd, Focus, Tab};
use crate::keymap::Action;
use crate::text::sanitize_line;

use super::{detail, nav_of};

pub(super) fn key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    let Some(open) = app.open.as_mut() else {
        app.dirty = false;
        return;
    };
    let tree = &open.trace.tree;
    let view = &mut open.view;
    let before = view.selected_span();
    if let Some(nav) = nav_of(action) {
        view.scroll.go(nav);
    } else if let (Some(r), Action::Toggle | Action::Select | Action::Right) =
        (view.fold_row(view.selected()), action)
    {
        // a folded run: unfold it, the selection stays on its first span
        view.set_run_open(tree, r, true);
    } else if let (Some(r), Action::Toggle, Some(s)) = (
        view.selected_span().and_then(|s| view.run_of_span(s)),
        action,
        view.selected_span(),
    ) && tree.children(s).is_empty()
    {
        // space on a span of an unfolded run folds the run again
        view.set_run_open(tree, r, false);
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
                view.scroll.go(crate::viewport::Nav::Down);
            }
            Action::Right | Action::Select => app.focus = Focus::Detail,
            Action::Toggle => {
                let open_now = !view.expanded[s];
                view.set_expanded(tree, s, open_now);
            }
            Action::ExpandAll => view.expand_to_depth(tree, None),
            // every span below the top level folds, repeats fold again; the roots stay open
            Action::CollapseAll => {
                view.run_open.iter_mut().for_each(|o| *o = false);
                view.expand_to_depth(tree, Some(2));
            }
            _ => {
                app.dirty = false;
                return;
            }
        }
    }
    after_move(app, before, cmds);
}

/// After the selection may have moved: leave the trace header for the span's own inputs when
/// moving off the root, and show the new span's detail.
pub(super) fn after_move(app: &mut App, before: Option<usize>, cmds: &mut Vec<Cmd>) {
    let after = app.selected_span();
    let off_root = app
        .open
        .as_ref()
        .is_some_and(|o| after.is_some_and(|s| o.trace.tree.parent(s).is_some()));
    if after != before && app.detail.tab == Tab::Trace && off_root {
        app.detail.tab = Tab::Inputs;
    }
    detail::refresh_doc(app, cmds);
}

pub(super) fn toggle_plumbing(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(o) = app.open.as_mut() else {
        app.message = Some("open a trace first".into());
        return;
    };
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
    detail::refresh_doc(app, cmds);
}

/// Runs a search inside the open trace and shows its first match.
pub(super) fn run_search(app: &mut App, query: &str, cmds: &mut Vec<Cmd>) {
    let Some(o) = app.open.as_mut() else {
        return;
    };
    o.search = crate::app::search::TraceSearch::run(&o.trace, query);
    if query.is_empty() {
        return;
    }
    if o.search.matches.is_empty() {
        app.message = Some(format!(
            "no match for {:?} in this trace",
            sanitize_line(query)
        ));
    } else {
        jump_to_match(app, true, cmds);
    }
}

/// Shows the next (or previous) match: selects its span (expanding its ancestors, and showing
/// it even when the span filter hid it), opens the tab that holds it and scrolls the detail to
/// the first line with the text.
pub(super) fn jump_to_match(app: &mut App, forward: bool, cmds: &mut Vec<Cmd>) {
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
    if o.view.selected_span() != Some(m.span) {
        // hidden by the span filter: clear it so the match can be seen
        o.view.hidden_types.clear();
        o.view.hide_plumbing = false;
        o.view.recompute(&o.trace.tree);
        o.view.select_span(&o.trace.tree, m.span);
        app.message = Some("the span filter hid this match: filter cleared".into());
    }
    let query = o.search.query.clone();
    let root = o.trace.tree.parent(m.span).is_none();
    if let Some(tab) = m.tab {
        app.detail.tab = tab;
    } else if app.detail.tab == Tab::Trace && !root {
        app.detail.tab = Tab::Inputs;
    }
    if app.message.is_none() {
        app.message = Some(format!("match {}/{n}", next + 1));
    }
    detail::refresh_doc(app, cmds);
    detail::scroll_to_text(app, &query);
}
