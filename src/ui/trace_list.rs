//! The trace list pane: only the visible rows are built, each cell cut to its display width.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::pane_block;
use super::theme::Theme;
use crate::app::App;
use crate::app::detail::format_time;
use crate::model::TraceState;
use crate::model::time::{format_duration_ms, format_relative_ms};
use crate::text::{fit, preview, sanitize_line};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Col {
    Time,
    Name,
    State,
    Duration,
    Spans,
    Tokens,
    User,
    Session,
    Request,
    Response,
}

impl Col {
    fn title(self) -> &'static str {
        match self {
            Col::Time => "TIME",
            Col::Name => "NAME",
            Col::State => "STATE",
            Col::Duration => "DURATION",
            Col::Spans => "SPANS",
            Col::Tokens => "TOKENS",
            Col::User => "USER",
            Col::Session => "SESSION",
            Col::Request => "REQUEST",
            Col::Response => "RESPONSE",
        }
    }
    fn right(self) -> bool {
        matches!(self, Col::Duration | Col::Spans | Col::Tokens)
    }
}

/// Columns that fit the width, with their widths; the previews share what is left.
fn columns(width: usize, relative: bool) -> Vec<(Col, usize)> {
    let time_w = if relative { 9 } else { 19 };
    // in the order they are dropped when the terminal is narrow (last dropped first)
    let fixed = [
        (Col::Name, 18),
        (Col::State, 11),
        (Col::Time, time_w),
        (Col::Duration, 8),
        (Col::Tokens, 7),
        (Col::Spans, 6),
        (Col::User, 10),
        (Col::Session, 12),
    ];
    let mut chosen: Vec<(Col, usize)> = Vec::new();
    let mut used = 0;
    for (c, w) in fixed {
        if used + w + 1 + 12 <= width || chosen.is_empty() {
            chosen.push((c, w));
            used += w + 1;
        }
    }
    let rest = width.saturating_sub(used);
    if rest >= 24 {
        let req = rest / 2;
        chosen.push((Col::Request, req.saturating_sub(1)));
        chosen.push((Col::Response, rest - req));
    } else if rest > 0 {
        chosen.push((Col::Request, rest));
    }
    let order = [
        Col::Time,
        Col::Name,
        Col::State,
        Col::Duration,
        Col::Spans,
        Col::Tokens,
        Col::User,
        Col::Session,
        Col::Request,
        Col::Response,
    ];
    chosen.sort_by_key(|(c, _)| order.iter().position(|o| o == c));
    chosen
}

fn cell(text: &str, w: usize, right: bool) -> String {
    if right {
        let t = crate::text::truncate(text, w);
        format!(
            "{}{}",
            " ".repeat(w.saturating_sub(crate::text::width(&t))),
            t
        )
    } else {
        fit(text, w)
    }
}

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, focused: bool) {
    let list = &app.list;
    let more = if list.next_page.is_some() { "+" } else { "" };
    let count = if list.quick.is_empty() {
        format!("{}{more}", list.order.len())
    } else {
        format!("{}/{}{more}", list.order.len(), list.traces.len())
    };
    let filter = match (list.typing, list.quick.is_empty()) {
        (true, _) => format!(" · /{}▏", crate::text::sanitize_line(&list.quick)),
        (false, false) => format!(" · /{}", crate::text::sanitize_line(&list.quick)),
        (false, true) => String::new(),
    };
    let structured = match &app.filter {
        Some(f) => format!(" · filter: {}", crate::text::sanitize_line(f)),
        None => String::new(),
    };
    let live = match (&app.follow, list.new_above()) {
        (f, _) if !f.on => String::new(),
        (f, _) if f.paused => " · ⏸ paused".to_string(),
        (_, 0) => " · ● live".to_string(),
        (_, n) => format!(" · ● live · ↑ {n} new"),
    };
    let title = format!(
        " Traces ({count}) · sort: {}{}{filter}{structured}{live} ",
        list.sort.label(),
        if list.ascending { " ↑" } else { " ↓" }
    );
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    // while following, a gutter marks the rows not seen yet
    let gutter = if app.follow.on { 2 } else { 0 };
    let width = (inner.width as usize).saturating_sub(gutter);
    let cols = columns(width, list.relative_time);
    let mut lines: Vec<Line> = Vec::with_capacity(inner.height as usize);
    let mut header: Vec<Span> = Vec::with_capacity(cols.len() + 1);
    if gutter > 0 {
        header.push(Span::raw("  "));
    }
    header.extend(
        cols.iter().map(|(c, w)| {
            Span::styled(format!("{} ", cell(c.title(), *w, c.right())), theme.header)
        }),
    );
    lines.push(Line::from(header));
    if list.order.is_empty() {
        let text = if !list.quick.is_empty() && !list.traces.is_empty() {
            "no trace matches the quick filter (esc clears it)"
        } else if list.loading.is_some() {
            "loading traces…"
        } else if app.error.is_some() && !list.loaded {
            "could not load traces (see the status line; r to retry)"
        } else {
            "no traces here"
        };
        lines.push(Line::styled(text, theme.dim));
    }
    let rows = (inner.height as usize).saturating_sub(1);
    for (pos, &idx) in list.order.iter().enumerate().skip(list.offset).take(rows) {
        let t = &list.traces[idx as usize];
        let facts = list.facts.get(idx as usize).copied().unwrap_or_default();
        let selected = pos == list.selected;
        let row_style = match (selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        let mut spans = Vec::with_capacity(cols.len() + 1);
        if gutter > 0 {
            let fresh = list.unseen.get(idx as usize).copied().unwrap_or(false);
            spans.push(if fresh {
                Span::styled("● ", theme.fresh)
            } else {
                Span::raw("  ")
            });
        }
        for (c, w) in &cols {
            let (text, style) = match c {
                Col::Time => (
                    if list.relative_time {
                        format_relative_ms(t.request_time_ms, app.now_ms)
                    } else {
                        format_time(t.request_time_ms, app.utc)
                    },
                    Style::default(),
                ),
                Col::Name => (
                    sanitize_line(t.name().unwrap_or("-")).into_owned(),
                    Style::default(),
                ),
                Col::State => (
                    match t.state {
                        TraceState::InProgress => "● RUNNING".to_string(),
                        s => s.as_str().to_string(),
                    },
                    theme.state(t.state),
                ),
                Col::Duration => match t.state {
                    // running: the time since it started (the clock is read when drawing)
                    TraceState::InProgress if app.now_ms > t.request_time_ms => (
                        format!("{}…", format_duration_ms(app.now_ms - t.request_time_ms)),
                        theme.running,
                    ),
                    _ => (
                        t.duration_ms
                            .map(format_duration_ms)
                            .unwrap_or_else(|| "-".into()),
                        Style::default(),
                    ),
                },
                Col::Spans => (
                    facts
                        .spans
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "-".into()),
                    Style::default(),
                ),
                Col::Tokens => (
                    facts
                        .tokens
                        .map(|n| n.to_string())
                        .unwrap_or_else(|| "-".into()),
                    Style::default(),
                ),
                Col::User => (
                    sanitize_line(t.user().unwrap_or("-")).into_owned(),
                    theme.dim,
                ),
                Col::Session => (
                    sanitize_line(t.session().unwrap_or("-")).into_owned(),
                    theme.dim,
                ),
                Col::Request => (preview(t.request_preview().unwrap_or(""), *w), theme.dim),
                Col::Response => (preview(t.response_preview().unwrap_or(""), *w), theme.dim),
            };
            let style = if selected { row_style } else { style };
            spans.push(Span::styled(
                format!("{} ", cell(&text, *w, c.right())),
                style,
            ));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(row_style);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_fit_every_width() {
        for w in [10, 38, 60, 80, 120, 200, 400] {
            let cols = columns(w, false);
            let used: usize = cols.iter().map(|(_, w)| w + 1).sum();
            assert!(used <= w + 1 || cols.len() == 1, "{w}: {used}");
            assert!(cols.iter().any(|(c, _)| *c == Col::Name));
        }
        assert!(columns(200, false).iter().any(|(c, _)| *c == Col::Response));
    }
}
