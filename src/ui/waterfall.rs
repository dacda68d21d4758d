//! The waterfall: the span tree drawn as a full-width timeline of a window of the trace, with
//! offsets on an axis, bars coloured by span type, errors marked, the critical path bold. It
//! follows the tree's selection and scrolls with it; `+`/`-` zoom, `<`/`>` pan.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::Areas;
use super::theme::Theme;
use crate::app::{OpenTrace, Window};
use crate::model::time::format_duration_ns;
use crate::text::{fit, width};

/// A round step for axis ticks near `raw` ns (1, 2, 5 × a power of ten).
fn nice_step(raw: u64) -> u64 {
    let mut p = 1u64;
    while p.saturating_mul(10) <= raw.max(1) {
        p *= 10;
    }
    for m in [1, 2, 5, 10] {
        if p.saturating_mul(m) >= raw {
            return p.saturating_mul(m);
        }
    }
    p.saturating_mul(10)
}

/// The axis line: offsets from the trace's start at round steps.
pub fn axis(win: Window, label_w: usize, bar_w: usize) -> String {
    let span = win.to_ns.saturating_sub(win.from_ns).max(1);
    let step = nice_step(span / (bar_w / 12).max(1) as u64);
    let mut cells = vec![' '; bar_w];
    let mut t = win.from_ns.div_ceil(step) * step;
    while t <= win.to_ns && bar_w > 0 {
        let col = ((t - win.from_ns) as f64 / span as f64 * bar_w as f64) as usize;
        let label = format!("│{}", format_duration_ns(t));
        for (k, c) in label.chars().enumerate() {
            if col + k < bar_w && cells[col + k] == ' ' {
                cells[col + k] = c;
            }
        }
        t += step;
    }
    format!(
        "{}{}",
        fit(
            &format!(
                "window {}–{}",
                format_duration_ns(win.from_ns),
                format_duration_ns(win.to_ns)
            ),
            label_w
        ),
        cells.into_iter().collect::<String>()
    )
}

pub fn render(
    frame: &mut Frame,
    a: &Areas,
    win: Window,
    open: &OpenTrace,
    theme: &Theme,
    focused: bool,
) {
    let body = a.tree_body;
    let w = body.width as usize;
    let label_w = (w * 35 / 100).clamp(10, 48).min(w);
    let bar_w = w.saturating_sub(label_w);
    if a.tree_header.height > 0 {
        frame.render_widget(
            Paragraph::new(Line::styled(axis(win, label_w, bar_w), theme.header)),
            a.tree_header,
        );
    }
    let tree = &open.trace.tree;
    let view = &open.view;
    let (t0, t1) = tree.time_range();
    let span_ns = win.to_ns.saturating_sub(win.from_ns).max(1) as f64;
    let mut lines = Vec::with_capacity(body.height as usize);
    for row in view.scroll.visible() {
        let i = view.rows[row] as usize;
        let s = tree.span(i);
        let t = &view.rows_text[i];
        let selected = row == view.selected();
        let base = match (selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        let on_path = open.analysis.on_path.get(i).copied().unwrap_or(false);
        let depth = (tree.depth(i) as usize).min(12);
        let fold = if view.fold_row(row).is_some() {
            "×"
        } else {
            ""
        };
        let label = format!(
            "{}{fold}{}",
            "  ".repeat(depth),
            crate::app::span_tree::row_name(s)
        );
        let start = s.start_ns.saturating_sub(t0);
        let end = s.end_ns.unwrap_or(t1).max(s.start_ns).saturating_sub(t0);
        let mut cells = vec![' '; bar_w];
        if bar_w > 0 {
            if end < win.from_ns {
                cells[0] = '◂';
            } else if start > win.to_ns {
                cells[bar_w - 1] = '▸';
            } else {
                let a0 = ((start.max(win.from_ns) - win.from_ns) as f64 / span_ns * bar_w as f64)
                    .floor() as usize;
                let b0 = ((end.min(win.to_ns) - win.from_ns) as f64 / span_ns * bar_w as f64).ceil()
                    as usize;
                let (a0, b0) = (a0.min(bar_w - 1), b0.clamp(a0 + 1, bar_w));
                for c in &mut cells[a0..b0] {
                    *c = '█';
                }
                if start < win.from_ns {
                    cells[0] = '◂';
                }
                if end > win.to_ns {
                    cells[bar_w - 1] = '▸';
                }
            }
        }
        let bar: String = cells.into_iter().collect();
        let dur = format!(" {}", crate::app::span_tree::row_duration(s));
        let label_room = label_w.saturating_sub(width(&dur) + 1);
        let mut label_cell = fit(&label, label_room);
        label_cell.push_str(&dur);
        let label_cell = fit(&label_cell, label_w);
        let bar_style = if t.error {
            theme.bar_error
        } else if on_path {
            theme.critical
        } else {
            theme.badge(&s.span_type)
        };
        lines.push(Line::from(vec![
            Span::styled(
                label_cell,
                if t.error && !selected {
                    theme.error
                } else {
                    base
                },
            ),
            Span::styled(bar, bar_style),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_ticks_are_round() {
        assert_eq!(nice_step(37), 50);
        assert_eq!(nice_step(1_200_000), 2_000_000);
        let a = axis(
            Window {
                from_ns: 0,
                to_ns: 100_000_000,
            },
            10,
            60,
        );
        assert!(a.contains("│0ns") || a.contains("│0"), "{a}");
        assert!(a.contains("ms"), "{a}");
    }
}
