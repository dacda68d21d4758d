//! Rendering: a pure function of the state. One module per pane or popup, named as in `app`.
//! [`areas`] is the one layout: `update` fits every viewport to it and `render` draws into it,
//! so what is counted is what is drawn.

pub mod columns;
pub mod compare;
pub mod detail;
pub mod findings;
pub mod help;
pub mod messages;
pub mod picker;
pub mod sessions;
pub mod span_tree;
pub mod stats;
pub mod status;
pub mod theme;
pub mod trace_list;
pub mod waterfall;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Focus, Overlay};
use theme::Theme;

/// Where everything goes at the current size, zoom and popup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Areas {
    /// The sessions view, and its rows (the table's or the conversation's).
    pub sessions: Rect,
    pub sessions_rows: Rect,
    pub trace_list: Rect,
    pub list_header: Rect,
    pub list_body: Rect,
    pub span_tree: Rect,
    /// A header row over the tree (rollup column titles, the waterfall's time axis).
    pub tree_header: Rect,
    pub tree_body: Rect,
    pub detail: Rect,
    pub detail_tabs: Rect,
    pub detail_summary: Rect,
    pub detail_body: Rect,
    pub status: Rect,
    /// The open popup and the rows inside it that scroll.
    pub popup: Rect,
    pub popup_body: Rect,
    /// Completions offered for the prompt, above the status line.
    pub completions: Rect,
    /// The compare view (full screen): the aligned rows and the line diff below them.
    pub compare: Rect,
    pub compare_rows: Rect,
    pub compare_io: Rect,
    /// The stats view (full screen): the groups and the chart below them.
    pub stats: Rect,
    pub stats_rows: Rect,
    pub stats_chart: Rect,
}

/// Inside a bordered block.
pub fn inner(r: Rect) -> Rect {
    Rect::new(
        r.x.saturating_add(1),
        r.y.saturating_add(1),
        r.width.saturating_sub(2),
        r.height.saturating_sub(2),
    )
}

/// The first `n` rows of an area, and the rest.
fn split_top(r: Rect, n: u16) -> (Rect, Rect) {
    let n = n.min(r.height);
    (
        Rect::new(r.x, r.y, r.width, n),
        Rect::new(r.x, r.y + n, r.width, r.height - n),
    )
}

/// Rows of the span summary at the top of the detail: two when there is room, one when the
/// pane is small, none when it is tiny or no span is selected.
fn summary_rows(app: &App, avail: u16) -> u16 {
    let span =
        app.open.is_some() && app.selected_span().is_some() && !app.detail.tab.is_trace_wide();
    match (span, avail) {
        (false, _) => 0,
        (true, a) if a >= 10 => 2,
        (true, a) if a >= 5 => 1,
        _ => 0,
    }
}

pub fn areas(app: &App) -> Areas {
    let size = app.size;
    let area = Rect::new(0, 0, size.0, size.1);
    let [main, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    let none = Rect::new(0, 0, 0, 0);
    let covered = app.compare.is_some() || app.stats.is_some() || app.sessions.is_some();
    let full = if app.waterfall.is_some() {
        Some(Focus::SpanTree)
    } else if app.zoom {
        Some(app.focus)
    } else {
        None
    };
    let (list, tree, det) = if covered {
        (none, none, none)
    } else if let Some(f) = full {
        match f {
            Focus::TraceList => (main, none, none),
            Focus::SpanTree => (none, main, none),
            Focus::Detail => (none, none, main),
        }
    } else {
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(38), Constraint::Percentage(62)]).areas(main);
        let split = if size.0 >= 90 {
            Direction::Horizontal
        } else {
            Direction::Vertical
        };
        let [tree, detail] = Layout::default()
            .direction(split)
            .constraints([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(bottom);
        (top, tree, detail)
    };
    let (list_header, list_body) = split_top(inner(list), 1);
    let tree_head_rows =
        u16::from(app.waterfall.is_some() || app.open.as_ref().is_some_and(|o| o.view.rollups));
    let (tree_header, tree_body) = split_top(inner(tree), tree_head_rows);
    let (detail_tabs, rest) = split_top(inner(det), 1);
    let (detail_summary, detail_body) = split_top(rest, summary_rows(app, rest.height));
    let (popup, popup_body) = popup_areas(app, area);
    let completions = match &app.prompt {
        Some(p) if !p.completions.is_empty() || p.error.is_some() => {
            let want = if p.completions.is_empty() {
                let (col, msg) = p.error.clone().unwrap_or_default();
                let text = format!("✗ column {col}: {msg}");
                crate::text::word_wrap(&text, size.0 as usize).len().min(4)
            } else {
                p.completions.len().min(8)
            };
            let h = (want as u16).min(main.height);
            Rect::new(0, main.height.saturating_sub(h), size.0, h)
        }
        _ => none,
    };
    let (compare, compare_rows, compare_io) = if app.compare.is_some() {
        let [rows, io] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(main);
        (main, split_top(inner(rows), 1).1, inner(io))
    } else {
        (none, none, none)
    };
    let (stats, stats_rows, stats_chart) = if app.stats.is_some() {
        let chart_h = if main.height >= 20 { 8 } else { 0 };
        let [rows, chart] =
            Layout::vertical([Constraint::Min(0), Constraint::Length(chart_h)]).areas(main);
        (main, split_top(inner(rows), 1).1, inner(chart))
    } else {
        (none, none, none)
    };
    let (sessions, sessions_rows) = match &app.sessions {
        // the table has a header row; the conversation does not
        Some(s) if s.reading.is_none() => (main, split_top(inner(main), 1).1),
        Some(_) => (main, inner(main)),
        None => (none, none),
    };
    Areas {
        sessions,
        sessions_rows,
        compare,
        compare_rows,
        compare_io,
        stats,
        stats_rows,
        stats_chart,
        trace_list: list,
        list_header,
        list_body,
        span_tree: tree,
        tree_header,
        tree_body,
        detail: det,
        detail_tabs,
        detail_summary,
        detail_body,
        status,
        popup,
        popup_body,
        completions,
    }
}

fn popup_areas(app: &App, area: Rect) -> (Rect, Rect) {
    let none = (Rect::new(0, 0, 0, 0), Rect::new(0, 0, 0, 0));
    let Some(o) = &app.overlay else {
        return none;
    };
    let bottom = Rect::new(0, 0, area.width, area.height.saturating_sub(1));
    match o {
        Overlay::Help { .. } | Overlay::Messages(_) => {
            let p = centered(
                bottom,
                bottom.width.saturating_sub(2).min(100),
                bottom.height,
            );
            let b = inner(p);
            if matches!(o, Overlay::Help { .. }) {
                // a line for what is typed to narrow it
                (p, split_top(b, 1).1)
            } else {
                (p, b)
            }
        }
        Overlay::Experiments(_) => {
            let p = centered(bottom, area.width.saturating_sub(4).min(72), 20);
            (p, split_top(inner(p), 1).1)
        }
        Overlay::Findings(_) => {
            let n = app.open.as_ref().map_or(0, |o| o.findings.len());
            let p = centered(
                bottom,
                area.width.saturating_sub(4).min(110),
                (n as u16).saturating_add(2),
            );
            (p, inner(p))
        }
        Overlay::SpanFilter(_) => {
            let types = app.open.as_ref().map_or(0, |o| {
                crate::app::SpanTreeView::type_counts(&o.trace.tree).len()
            });
            let p = centered(
                bottom,
                area.width.saturating_sub(4).min(60),
                (types as u16).saturating_add(3),
            );
            (p, inner(p))
        }
        Overlay::Columns { choices, .. } => {
            let p = centered(
                bottom,
                area.width.saturating_sub(4).min(64),
                (choices.len() as u16).saturating_add(3),
            );
            (p, split_top(inner(p), 1).1)
        }
    }
}

/// The rows of a popup list on screen: each row's text cut to the width, the cursor's row
/// highlighted.
pub fn popup_rows(
    view: &crate::viewport::Viewport,
    width: usize,
    theme: &Theme,
    text_of: impl Fn(usize) -> String,
) -> Vec<ratatui::text::Line<'static>> {
    view.visible()
        .map(|row| {
            ratatui::text::Line::styled(
                crate::text::truncate(&text_of(row), width).into_owned(),
                if row == view.cursor() {
                    theme.selected
                } else {
                    ratatui::style::Style::default()
                },
            )
        })
        .collect()
}

/// `[x]` or `[ ]`.
pub fn checkbox(on: bool) -> &'static str {
    if on { "[x]" } else { "[ ]" }
}

/// A popup of at most `w` x `h` in the middle of `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let (w, h) = (w.min(area.width), h.min(area.height));
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

pub fn pane_block<'a>(title: String, focused: bool, theme: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.border_focus
        } else {
            theme.border
        })
        .title(title)
        .title_style(theme.title)
}

/// Draws the whole screen from the state. Reads only.
pub fn render(frame: &mut Frame, app: &App) {
    let theme = Theme::new(app.color);
    let a = areas(app);
    if a.trace_list.area() > 0 {
        trace_list::render(frame, &a, app, &theme, app.focus == Focus::TraceList);
    }
    if a.span_tree.area() > 0 {
        span_tree::render(frame, &a, app, &theme, app.focus == Focus::SpanTree);
    }
    if a.detail.area() > 0 {
        detail::render(frame, &a, app, &theme, app.focus == Focus::Detail);
    }
    if app.compare.is_some() {
        compare::render(frame, &a, app, &theme);
    }
    if app.stats.is_some() {
        stats::render(frame, &a, app, &theme);
    }
    if app.sessions.is_some() {
        sessions::render(frame, &a, app, &theme);
    }
    status::render(frame, &a, app, &theme);
    match &app.overlay {
        Some(Overlay::Findings(_)) => findings::render(frame, &a, app, &theme),
        Some(Overlay::Help { .. }) => help::render(frame, &a, app, &theme),
        Some(Overlay::Experiments(_)) => picker::render(frame, &a, app, &theme),
        Some(Overlay::SpanFilter(_)) => picker::render_span_filter(frame, &a, app, &theme),
        Some(Overlay::Messages(_)) => messages::render(frame, &a, app, &theme),
        Some(Overlay::Columns { .. }) => columns::render(frame, &a, app, &theme),
        None => {}
    }
}
