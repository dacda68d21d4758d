//! The span tree pane: fold markers, type badges, names, durations and a timeline bar per
//! row. Rows were prebuilt when the trace loaded; only the visible window is drawn.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::App;
use crate::text::{fit, truncate, width};

/// Indentation stops growing here; deeper rows show their depth instead.
const MAX_INDENT: usize = 24;

fn bar(start: f32, end: f32, w: usize) -> String {
    if w == 0 {
        return String::new();
    }
    let a = ((start * w as f32).floor() as usize).min(w - 1);
    let b = ((end * w as f32).ceil() as usize).clamp(a + 1, w);
    let mut s = String::with_capacity(w * 3);
    for i in 0..w {
        s.push(if i >= a && i < b { '█' } else { '·' });
    }
    s
}

/// The tree's title: position, span count, the span filter when on, the search.
pub fn title(app: &App) -> String {
    match (&app.open, &app.loading_trace, &app.load_failure) {
        (_, Some(_), _) => " Spans (loading…) ".to_string(),
        (None, None, Some(_)) => " Spans (not loaded) ".to_string(),
        (Some(o), None, _) => {
            let q = crate::text::sanitize_line(&o.search.query);
            let search = match o.search.current {
                Some(c) => format!(" · /{q} {}/{}", c + 1, o.search.matches.len()),
                None if !q.is_empty() && o.search.matches.is_empty() => {
                    format!(" · /{q} no match")
                }
                None if !q.is_empty() => format!(" · /{q} {} matches", o.search.matches.len()),
                None => String::new(),
            };
            let v = &o.view;
            let filter = if v.filtered() {
                let hidden = o.trace.span_count().saturating_sub(v.shown_count());
                format!(" · filter: {hidden} hidden (T)")
            } else {
                String::new()
            };
            let pos = if v.rows.is_empty() {
                "0".to_string()
            } else {
                format!("{}/{}", v.selected() + 1, v.rows.len())
            };
            format!(" Spans {pos} of {}{filter}{search} ", o.trace.span_count())
        }
        (None, None, None) => " Spans ".to_string(),
    }
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme, focused: bool) {
    let block = pane_block(title(app), focused, theme);
    frame.render_widget(block, a.span_tree);
    let inner = a.tree_body;
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let Some(open) = app.open.as_ref() else {
        let lines = match (&app.loading_trace, &app.load_failure) {
            (Some(_), _) => vec![Line::styled("loading…", theme.dim)],
            (None, Some(f)) => vec![
                Line::styled(
                    format!(
                        "✗ could not load trace {}",
                        crate::text::sanitize_line(&f.trace_id)
                    ),
                    theme.error,
                ),
                Line::raw(crate::text::sanitize_line(&f.error).into_owned()),
                Line::styled("r reloads the list; M shows every message", theme.dim),
            ],
            (None, None) => vec![Line::styled("select a trace", theme.dim)],
        };
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
        return;
    };
    let tree = &open.trace.tree;
    let view = &open.view;
    let w = inner.width as usize;
    let bar_w = if w >= 70 {
        16
    } else if w >= 50 {
        8
    } else {
        0
    };
    let dur_w = 9;
    let name_w = w.saturating_sub(bar_w + dur_w + if bar_w > 0 { 1 } else { 0 });
    let mut lines = Vec::with_capacity(inner.height as usize);
    for row in view.scroll.visible() {
        let span = view.rows[row];
        let i = span as usize;
        let t = &view.rows_text[i];
        let depth = tree.depth(i) as usize;
        let indent = if depth > MAX_INDENT {
            format!("{}⋯{depth} ", "  ".repeat(MAX_INDENT.saturating_sub(3)))
        } else {
            "  ".repeat(depth)
        };
        let fold = if tree.children(i).is_empty() {
            "  "
        } else if view.expanded[i] {
            "▼ "
        } else {
            "▶ "
        };
        let selected = row == view.selected();
        let hit = open.search.is_hit(i);
        let base = if selected {
            if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            }
        } else {
            Style::default()
        };
        let name_style = if hit && !selected {
            theme.search
        } else if t.error && !selected {
            theme.error
        } else {
            base
        };
        let badge = format!("[{}] ", t.badge);
        let mut tail = String::new();
        if hit {
            tail.push_str(" ◆");
        }
        if t.error {
            tail.push_str(" ✗");
        }
        if let Some(n) = t.tokens {
            tail.push_str(&format!(" ·{n}t"));
        }
        if !t.marks.is_empty() {
            tail.push_str(&format!(" ({})", t.marks));
        }
        let head = format!("{indent}{fold}");
        let left_used = width(&head) + width(&badge);
        let name_room = name_w.saturating_sub(left_used);
        let name = truncate(&format!("{}{}", t.name, tail), name_room).into_owned();
        let pad = name_room.saturating_sub(width(&name));
        let mut spans = vec![
            Span::styled(truncate(&head, name_w).into_owned(), base),
            Span::styled(
                truncate(&badge, name_w.saturating_sub(width(&head))).into_owned(),
                if selected {
                    base
                } else {
                    theme.badge(&tree.span(i).span_type)
                },
            ),
            Span::styled(name, name_style),
            Span::styled(" ".repeat(pad), base),
            Span::styled(
                format!("{:>9}", fit(&t.duration, 8)),
                if t.running { theme.running } else { base },
            ),
        ];
        if bar_w > 0 {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                bar(t.bar.0, t.bar.1, bar_w),
                if t.error { theme.bar_error } else { theme.bar },
            ));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_show_position_and_length() {
        assert_eq!(bar(0.0, 1.0, 4), "████");
        assert_eq!(bar(0.5, 0.5, 4), "··█·");
        assert_eq!(bar(0.0, 0.25, 4), "█···");
        assert_eq!(bar(1.0, 1.0, 4), "···█");
    }
}
