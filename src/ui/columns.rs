//! The column chooser: built-in columns, then every tag and metadata key seen; space toggles,
//! enter or esc closes and keeps the choice in the config file.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::{App, Overlay};
use crate::text::sanitize_line;

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(Overlay::Columns { view, choices, .. }) = &app.overlay else {
        return;
    };
    frame.render_widget(Clear, a.popup);
    frame.render_widget(
        pane_block(
            format!(" Columns {} · space toggles · esc saves ", view.position()),
            true,
            theme,
        ),
        a.popup,
    );
    let inner = super::inner(a.popup);
    if inner.height == 0 {
        return;
    }
    frame.render_widget(
        Paragraph::new(Line::styled(
            "shown in this order; narrow terminals drop the least important first",
            theme.dim,
        )),
        ratatui::layout::Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let w = a.popup_body.width as usize;
    let lines = super::popup_rows(view, w, theme, |i| {
        let c = &choices[i];
        format!(
            "{} {}",
            super::checkbox(app.columns.contains(c)),
            sanitize_line(&c.describe())
        )
    });
    frame.render_widget(Paragraph::new(lines), a.popup_body);
}
