//! The experiment picker (type to narrow, tab marks several, enter picks) and the span filter.

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::{App, Overlay};
use crate::text::sanitize_line;

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(Overlay::Experiments(p)) = &app.overlay else {
        return;
    };
    frame.render_widget(Clear, a.popup);
    frame.render_widget(
        pane_block(
            format!(
                " Experiments {} · type to narrow · tab marks · enter picks ",
                p.view.position()
            ),
            true,
            theme,
        ),
        a.popup,
    );
    let inner = super::inner(a.popup);
    if inner.height == 0 {
        return;
    }
    let q = sanitize_line(p.query.text());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("> ", theme.key),
            Span::raw(q.into_owned()),
            Span::styled("▏", theme.key),
        ])),
        ratatui::layout::Rect::new(inner.x, inner.y, inner.width, 1),
    );
    let body = a.popup_body;
    let Some(items) = &p.items else {
        frame.render_widget(
            Paragraph::new(Line::styled("loading experiments…", theme.dim)),
            body,
        );
        return;
    };
    let w = body.width as usize;
    let current: Vec<&str> = app.experiment_ids.iter().map(String::as_str).collect();
    let lines = super::popup_rows(&p.view, w, theme, |row| {
        if row == 0 {
            format!(
                "    all experiments{}",
                if current.is_empty() {
                    "  (listed now)"
                } else {
                    ""
                }
            )
        } else {
            let e = &items[p.shown[row - 1]];
            format!(
                "{} {}  · id {}{}",
                super::checkbox(p.marked.contains(&e.id)),
                sanitize_line(&e.name),
                sanitize_line(&e.id),
                if current.contains(&e.id.as_str()) {
                    "  (listed now)"
                } else {
                    ""
                }
            )
        }
    });
    let lines = if lines.len() == 1 && !p.query.is_empty() {
        vec![
            lines[0].clone(),
            Line::styled("no experiment matches", theme.dim),
        ]
    } else {
        lines
    };
    frame.render_widget(Paragraph::new(lines), body);
}

/// The span filter popup: hide plumbing, then each span type with its count.
pub fn render_span_filter(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let (Some(Overlay::SpanFilter(view)), Some(o)) = (&app.overlay, app.open.as_ref()) else {
        return;
    };
    let types = crate::app::SpanTreeView::type_counts(&o.trace.tree);
    frame.render_widget(Clear, a.popup);
    frame.render_widget(
        pane_block(
            " Span filter · space toggles · esc closes ".into(),
            true,
            theme,
        ),
        a.popup,
    );
    let w = a.popup_body.width as usize;
    let lines = super::popup_rows(view, w, theme, |row| {
        if row == 0 {
            format!(
                "{} hide plumbing (untyped, parser)",
                super::checkbox(o.view.hide_plumbing)
            )
        } else {
            let (t, n) = &types[row - 1];
            format!(
                "{} {}  ({n})",
                super::checkbox(!o.view.hidden_types.contains(t)),
                sanitize_line(t)
            )
        }
    });
    frame.render_widget(Paragraph::new(lines), a.popup_body);
}
