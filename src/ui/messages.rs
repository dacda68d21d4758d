//! The message log popup: every warning and error of the session, whole, newest last.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::log::Level;
use crate::app::{App, Overlay};
use crate::text::{sanitize_line, word_wrap};

/// The log's rows at a width: each entry's first row says when and how bad, the text wraps.
pub fn rows(app: &App, w: usize) -> Vec<(Level, String)> {
    if !matches!(app.overlay, Some(Overlay::Messages(_))) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if app.log.dropped > 0 {
        out.push((
            Level::Warning,
            format!("({} older messages dropped)", app.log.dropped),
        ));
    }
    if app.log.is_empty() {
        out.push((Level::Warning, "no warnings or errors so far".into()));
    }
    for e in &app.log.entries {
        let when = if app.utc {
            crate::model::time::format_utc_short_ms(e.at_ms)
        } else {
            crate::model::time::format_local_ms(e.at_ms)
        };
        let tag = match e.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let again = if e.repeats > 0 {
            format!(" (×{})", e.repeats + 1)
        } else {
            String::new()
        };
        let text = format!("{when} {tag}{again}: {}", sanitize_line(&e.text));
        for piece in word_wrap(&text, w.max(10)) {
            out.push((e.level, piece));
        }
    }
    out
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(Overlay::Messages(view)) = &app.overlay else {
        return;
    };
    frame.render_widget(Clear, a.popup);
    let title = format!(
        " Messages {} · {} entries · esc closes ",
        view.position(),
        app.log.len()
    );
    frame.render_widget(pane_block(title, true, theme), a.popup);
    let all = rows(app, a.popup_body.width as usize);
    let lines: Vec<Line> = all
        .get(view.visible())
        .unwrap_or(&[])
        .iter()
        .map(|(level, t)| {
            Line::styled(
                t.clone(),
                match level {
                    Level::Error => theme.error,
                    Level::Warning => theme.running,
                },
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), a.popup_body);
}
