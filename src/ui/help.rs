//! The help popup: every key grouped by pane (from the keymap, so overrides show), long
//! descriptions wrapped, scrollable, and narrowed by `/`.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::help::{HelpRow, key_width, rows};
use crate::app::{App, Overlay};
use crate::text::{fit, sanitize_line};

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(Overlay::Help {
        view,
        query,
        typing,
    }) = &app.overlay
    else {
        return;
    };
    frame.render_widget(Clear, a.popup);
    let title = format!(" Keys {} · / searches · ? or esc closes ", view.position());
    frame.render_widget(pane_block(title, true, theme), a.popup);
    let inner = super::inner(a.popup);
    if inner.height == 0 {
        return;
    }
    let search = ratatui::layout::Rect::new(inner.x, inner.y, inner.width, 1);
    let q = sanitize_line(query.text());
    let search_line = match (*typing, q.is_empty()) {
        (true, _) => Line::from(vec![
            Span::styled("/", theme.key),
            Span::raw(q.into_owned()),
            Span::styled("▏", theme.key),
        ]),
        (false, false) => Line::styled(format!("/{q}  (/ to change)"), theme.dim),
        (false, true) => Line::styled("/ to search the keys", theme.dim),
    };
    frame.render_widget(Paragraph::new(search_line), search);
    let body = a.popup_body;
    let kw = key_width(&app.keymap);
    let all = rows(&app.keymap, body.width as usize, query.text());
    let lines: Vec<Line> = all[view.visible()]
        .iter()
        .map(|r| match r {
            HelpRow::Heading(t) => Line::styled(t.clone(), theme.header),
            HelpRow::Blank => Line::raw(""),
            HelpRow::Entry { keys, text } => Line::from(vec![
                Span::styled(format!("{} ", fit(keys, kw)), theme.key),
                Span::raw(text.clone()),
            ]),
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), body);
}
