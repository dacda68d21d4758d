//! The mouse: a click selects (a second click on the selected span folds it, but a click that
//! only focuses a pane never does), tabs and column headers are clicked to open and to sort,
//! the wheel scrolls what it is over.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use crate::app::{App, Cmd, Focus, Overlay};
use crate::viewport::Nav;

use super::{detail, span_tree, trace_list};

fn row_in(area: Rect, y: u16) -> Option<usize> {
    (y >= area.y && y < area.y + area.height).then(|| (y - area.y) as usize)
}

pub(super) fn on_mouse(app: &mut App, m: MouseEvent, cmds: &mut Vec<Cmd>) {
    let a = crate::ui::areas(app);
    let at = Position::new(m.column, m.row);
    if let Some(overlay) = app.overlay.as_mut() {
        let delta = match m.kind {
            MouseEventKind::ScrollDown => 3,
            MouseEventKind::ScrollUp => -3,
            _ => {
                app.dirty = false;
                return;
            }
        };
        match overlay {
            Overlay::Help { view, .. } | Overlay::Messages(view) => view.go(Nav::By(delta)),
            Overlay::SpanFilter(view) | Overlay::Columns { view, .. } => view.go(Nav::By(delta)),
            Overlay::Experiments(p) => p.view.go(Nav::By(delta)),
            Overlay::Findings(view) => view.go(Nav::By(delta)),
        };
        return;
    }
    let pane = if a.trace_list.contains(at) {
        Focus::TraceList
    } else if a.span_tree.contains(at) {
        Focus::SpanTree
    } else if a.detail.contains(at) {
        Focus::Detail
    } else {
        app.dirty = false;
        return;
    };
    match m.kind {
        MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
            let delta = if m.kind == MouseEventKind::ScrollDown {
                3
            } else {
                -3
            };
            match pane {
                Focus::TraceList => trace_list::move_to(app, Nav::By(delta), cmds),
                Focus::SpanTree => {
                    let before = app.selected_span();
                    if let Some(o) = app.open.as_mut() {
                        o.view.scroll.go(Nav::By(delta));
                    }
                    span_tree::after_move(app, before, cmds);
                }
                Focus::Detail => {
                    app.detail.scroll.go(Nav::By(delta));
                }
            }
        }
        MouseEventKind::Down(MouseButton::Left) => {
            let was_focused = app.focus == pane;
            app.focus = pane;
            match pane {
                Focus::TraceList => {
                    if row_in(a.list_header, m.row).is_some() {
                        click_header(app, m.column, a.list_header, cmds);
                    } else if let Some(r) = row_in(a.list_body, m.row) {
                        let target = app.list.view.offset() + r;
                        if target < app.list.rows.len() {
                            app.list.view.select(target);
                            super::follow_list_selection(app, cmds);
                            trace_list::more_if_near_end(app, cmds);
                        }
                    }
                }
                Focus::SpanTree => {
                    let before = app.selected_span();
                    if let (Some(r), Some(o)) = (row_in(a.tree_body, m.row), app.open.as_mut()) {
                        let target = o.view.scroll.offset() + r;
                        if target < o.view.rows.len() {
                            if was_focused && o.view.selected() == target {
                                // a second click on the selected span folds or unfolds it
                                let s = o.view.rows[target] as usize;
                                let open_now = !o.view.expanded[s];
                                o.view.set_expanded(&o.trace.tree, s, open_now);
                            } else {
                                o.view.select_row(target);
                            }
                        }
                    }
                    span_tree::after_move(app, before, cmds);
                }
                Focus::Detail => {
                    if row_in(a.detail_tabs, m.row).is_some() {
                        let x = m.column.saturating_sub(a.detail_tabs.x) as usize;
                        let hit = crate::ui::detail::tab_positions(a.detail_tabs.width as usize)
                            .into_iter()
                            .find(|(_, r)| r.contains(&x));
                        if let Some((tab, _)) = hit {
                            detail::set_tab(app, tab, cmds);
                        }
                    }
                }
            }
        }
        _ => app.dirty = false,
    }
}

/// A click on a column header sorts by that column (again: the other way).
fn click_header(app: &mut App, x: u16, header: Rect, cmds: &mut Vec<Cmd>) {
    let x = x.saturating_sub(header.x) as usize;
    let gutter = if app.follow.on { 2 } else { 0 };
    let cols = crate::ui::trace_list::fitted_columns(app, header.width as usize);
    let mut at = gutter;
    for (c, w) in cols {
        if x >= at && x < at + w + 1 {
            match c.order_key() {
                Some(key) => {
                    let order = if app.list.sort.key == key {
                        crate::source::Order {
                            key,
                            ascending: !app.list.sort.ascending,
                        }
                    } else {
                        crate::source::Order::natural(key)
                    };
                    trace_list::set_sort(app, order, cmds);
                }
                None => app.message = Some(format!("the list cannot be sorted by {}", c.title())),
            }
            return;
        }
        at += w + 1;
    }
}
