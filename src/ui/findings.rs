//! The findings popup: the open trace's lints, most severe first within a span; enter goes to
//! the span.

use ratatui::Frame;
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::{App, Overlay};
use crate::text::sanitize_line;

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let (Some(Overlay::Findings(view)), Some(o)) = (&app.overlay, app.open.as_ref()) else {
        return;
    };
    frame.render_widget(Clear, a.popup);
    frame.render_widget(
        pane_block(
            format!(
                " Findings {} · enter goes to the span · esc closes ",
                view.position()
            ),
            true,
            theme,
        ),
        a.popup,
    );
    let tree = &o.trace.tree;
    let lines = super::popup_rows(view, a.popup_body.width as usize, theme, |i| {
        let f = &o.findings[i];
        format!(
            "{:<7} {:<15} {}: {}",
            f.level.as_str(),
            f.kind,
            sanitize_line(&tree.span(f.span).name),
            sanitize_line(&f.message)
        )
    });
    frame.render_widget(Paragraph::new(lines), a.popup_body);
}
