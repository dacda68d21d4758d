//! Rendering: a pure function of the state. One module per pane, named as in `app`.

pub mod detail;
pub mod help;
pub mod picker;
pub mod span_tree;
pub mod status;
pub mod theme;
pub mod trace_list;

use ratatui::Frame;
use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::widgets::{Block, BorderType, Borders};

use crate::app::{App, Focus, Viewport};
use theme::Theme;

/// Where each pane goes at a terminal size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Panes {
    pub trace_list: Rect,
    pub span_tree: Rect,
    pub detail: Rect,
    pub status: Rect,
}

pub fn layout(size: (u16, u16)) -> Panes {
    let area = Rect::new(0, 0, size.0, size.1);
    let [main, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
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
    Panes {
        trace_list: top,
        span_tree: tree,
        detail,
        status,
    }
}

/// Rows each scrollable pane shows at a size (borders, headers and tab bars taken off).
pub fn viewport(size: (u16, u16)) -> Viewport {
    let p = layout(size);
    Viewport {
        list_rows: p.trace_list.height.saturating_sub(3) as usize,
        tree_rows: p.span_tree.height.saturating_sub(2) as usize,
        detail_rows: p.detail.height.saturating_sub(3) as usize,
    }
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
    let panes = layout((frame.area().width, frame.area().height));
    trace_list::render(
        frame,
        panes.trace_list,
        app,
        &theme,
        app.focus == Focus::TraceList,
    );
    span_tree::render(
        frame,
        panes.span_tree,
        app,
        &theme,
        app.focus == Focus::SpanTree,
    );
    detail::render(frame, panes.detail, app, &theme, app.focus == Focus::Detail);
    status::render(frame, panes.status, app, &theme);
    if app.picker.is_some() {
        picker::render(frame, frame.area(), app, &theme);
    }
    if app.span_filter.is_some() {
        picker::render_span_filter(frame, frame.area(), app, &theme);
    }
    if app.help {
        help::render(frame, frame.area(), app, &theme);
    }
}
