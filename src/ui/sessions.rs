//! The sessions view: the sessions of the listed traces as a table, or one session's turns
//! read as one conversation. Rows come wrapped from the state; only the visible ones are drawn.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::App;
use crate::keymap::Action;
use crate::model::sessions::{header_row, session_row};
use crate::text::{sanitize_line, truncate, truncate_start};

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(s) = &app.sessions else {
        return;
    };
    let w = a.sessions_rows.width as usize;
    if let Some(r) = &s.reading {
        let state = if r.loading {
            format!(" · reading {} turns…", r.turns)
        } else {
            format!(" · {}", r.view.position())
        };
        let title = format!(
            " Session {} · {} turn{}{state} · esc: the sessions ",
            truncate_start(&sanitize_line(&r.id), 40),
            r.turns,
            if r.turns == 1 { "" } else { "s" }
        );
        frame.render_widget(pane_block(title, true, theme), a.sessions);
        let lines: Vec<Line> = r
            .view
            .visible()
            .filter_map(|i| r.rows.get(i))
            .map(|row| {
                let style = if row.starts_with("━━ ") {
                    theme.header
                } else if row.starts_with("── ") {
                    theme.dim
                } else if row.starts_with('✗') {
                    theme.error
                } else {
                    ratatui::style::Style::default()
                };
                Line::styled(row.clone(), style)
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), a.sessions_rows);
        return;
    }
    let title = format!(
        " Sessions · {} · enter reads one · {} or esc closes ",
        sanitize_line(&s.note),
        app.keymap.hint(Action::Sessions)
    );
    frame.render_widget(pane_block(title, true, theme), a.sessions);
    // the id keeps room to be read; narrow terminals lose the last columns instead
    let key_w = w.saturating_sub(110).clamp(20, 40);
    let head = ratatui::layout::Rect::new(
        a.sessions_rows.x,
        a.sessions_rows.y.saturating_sub(1),
        a.sessions_rows.width,
        1,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&header_row(key_w, 12), w).into_owned(),
            theme.header,
        )),
        head,
    );
    let lines = super::popup_rows(&s.view, w, theme, |i| {
        // the list's time: the hour today, else the date
        let when = |ms| crate::model::time::format_list_time(ms, app.now_ms, app.utc);
        truncate(&session_row(&s.list[i], key_w, 12, when), w).into_owned()
    });
    frame.render_widget(Paragraph::new(lines), a.sessions_rows);
}
