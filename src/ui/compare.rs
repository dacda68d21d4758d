//! The compare view: two traces' span trees aligned (matched, added `+`, removed `-`, changed
//! inputs or outputs `~`), with the change in latency, tokens and cost per span, and the line
//! diff of the selected span's inputs and outputs below.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::App;
use crate::model::diff::Side;
use crate::model::time::format_duration_ns;
use crate::text::{fit, sanitize_line, truncate};

fn signed(d: i64) -> String {
    let s = format_duration_ns(d.unsigned_abs());
    if d >= 0 {
        format!("+{s}")
    } else {
        format!("-{s}")
    }
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(c) = &app.compare else {
        return;
    };
    let d = &c.diff;
    let rows_area = ratatui::layout::Rect::new(
        a.compare.x,
        a.compare.y,
        a.compare.width,
        a.compare_rows.height + 3,
    );
    let title = format!(
        " Compare {} · {} matched, {} added, {} removed, {} changed · {} → {} ",
        c.rows.position(),
        d.matched,
        d.added,
        d.removed,
        d.changed_io,
        sanitize_line(&d.a_id),
        sanitize_line(&d.b_id),
    );
    frame.render_widget(pane_block(title, !c.focus_io, theme), rows_area);
    let w = a.compare_rows.width as usize;
    let head = ratatui::layout::Rect::new(
        a.compare_rows.x,
        a.compare_rows.y - 1,
        a.compare_rows.width,
        1,
    );
    let name_w = w.saturating_sub(50).max(10);
    frame.render_widget(
        Paragraph::new(Line::styled(
            fit(
                &format!(
                    "  {}{:>10} {:>10} {:>10} {:>7} {:>6}",
                    fit("SPAN", name_w),
                    "BEFORE",
                    "AFTER",
                    "Δ",
                    "ΔTOK",
                    ""
                ),
                w,
            ),
            theme.header,
        )),
        head,
    );
    let lines: Vec<Line> = c
        .rows
        .visible()
        .map(|i| {
            let r = &d.rows[i];
            let mark = match r.side {
                Side::Both if r.io_changed => "~",
                Side::Both => " ",
                Side::Added => "+",
                Side::Removed => "-",
            };
            let badge = crate::model::SpanType::parse(&r.span_type)
                .badge()
                .to_string();
            let label = format!(
                "{}[{}] {}",
                "  ".repeat((r.depth as usize).min(12)),
                sanitize_line(&badge),
                sanitize_line(&r.name)
            );
            let ns = |v: Option<u64>| v.map(format_duration_ns).unwrap_or_else(|| "-".into());
            let delta = r.delta_ns().map(signed).unwrap_or_default();
            let dtok = r
                .delta_tokens()
                .filter(|d| *d != 0)
                .map(|d| format!("{d:+}"))
                .unwrap_or_default();
            let err = match (r.a_error, r.b_error) {
                (false, true) => "✗ now",
                (true, false) => "✓ now",
                _ => "",
            };
            let text = format!(
                "{mark} {}{:>10} {:>10} {:>10} {:>7} {:>6}",
                fit(&label, name_w),
                ns(r.a_ns),
                ns(r.b_ns),
                delta,
                dtok,
                err
            );
            let style = if i == c.rows.cursor() {
                if c.focus_io {
                    theme.selected_unfocused
                } else {
                    theme.selected
                }
            } else {
                match r.side {
                    Side::Added => theme.ok,
                    Side::Removed => theme.error,
                    Side::Both if r.io_changed => theme.running,
                    Side::Both => Style::default(),
                }
            };
            Line::styled(truncate(&text, w).into_owned(), style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), a.compare_rows);
    let io_area = ratatui::layout::Rect::new(
        a.compare.x,
        a.compare_io.y.saturating_sub(1),
        a.compare.width,
        a.compare_io.height + 2,
    );
    frame.render_widget(
        pane_block(
            format!(
                " Inputs and outputs, before → after · {} (tab moves here) ",
                c.io_view.position()
            ),
            c.focus_io,
            theme,
        ),
        io_area,
    );
    let iw = a.compare_io.width as usize;
    let io: Vec<Line> = c
        .io_view
        .visible()
        .map(|k| {
            let l = &c.io[k];
            let style = match l.tag {
                '+' => theme.ok,
                '-' => theme.error,
                _ => Style::default(),
            };
            Line::from(vec![
                Span::styled(format!("{} ", l.tag), style),
                Span::styled(
                    truncate(&sanitize_line(&l.text), iw.saturating_sub(2)).into_owned(),
                    style,
                ),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(io), a.compare_io);
}
