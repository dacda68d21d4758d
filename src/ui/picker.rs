//! The experiment picker overlay.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph};

use super::pane_block;
use super::theme::Theme;
use crate::app::App;
use crate::text::{sanitize_line, truncate};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let Some(p) = &app.picker else { return };
    let w = area.width.saturating_sub(4).min(70);
    let h = area.height.saturating_sub(2).min(20);
    let popup = super::centered(area, w, h);
    frame.render_widget(Clear, popup);
    let block = pane_block(
        " Experiments (space marks, enter applies, esc closes) ".into(),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let Some(items) = &p.items else {
        frame.render_widget(
            Paragraph::new(Line::styled("loading experiments…", theme.dim)),
            inner,
        );
        return;
    };
    let rows = inner.height as usize;
    let offset = p.selected.saturating_sub(rows.saturating_sub(1));
    let mut lines = Vec::new();
    let all_marked = p.marked.is_empty();
    let entries = std::iter::once(("[all experiments]".to_string(), String::new(), all_marked))
        .chain(items.iter().map(|e| {
            (
                sanitize_line(&e.name).into_owned(),
                e.id.clone(),
                p.marked.contains(&e.id),
            )
        }));
    for (i, (name, id, marked)) in entries.enumerate().skip(offset).take(rows) {
        let mark = if marked { "[x] " } else { "[ ] " };
        let text = if id.is_empty() {
            format!("{mark}{name}")
        } else {
            format!("{mark}{name}  ({id})")
        };
        let style = if i == p.selected {
            theme.selected
        } else {
            Style::default()
        };
        lines.push(Line::styled(
            truncate(&text, inner.width as usize).into_owned(),
            style,
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The span filter popup: hide plumbing, then each span type with its count.
pub fn render_span_filter(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (Some(row), Some(o)) = (app.span_filter, app.open.as_ref()) else {
        return;
    };
    let types = crate::app::SpanTreeView::type_counts(&o.trace.tree);
    let w = area.width.saturating_sub(4).min(60);
    let h = area.height.saturating_sub(2).min(types.len() as u16 + 3);
    let popup = super::centered(area, w, h);
    frame.render_widget(Clear, popup);
    let block = pane_block(
        " Span filter (space toggles, esc closes) ".into(),
        true,
        theme,
    );
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let entries = std::iter::once((
        format!(
            "[{}] hide plumbing (untyped, parser)",
            if o.view.hide_plumbing { "x" } else { " " }
        ),
        0usize,
    ))
    .chain(types.iter().enumerate().map(|(i, (t, n))| {
        let shown = !o.view.hidden_types.contains(t);
        (
            format!(
                "[{}] {}  ({n})",
                if shown { "x" } else { " " },
                sanitize_line(t)
            ),
            i + 1,
        )
    }));
    let rows = inner.height as usize;
    let offset = row.saturating_sub(rows.saturating_sub(1));
    let lines: Vec<Line> = entries
        .skip(offset)
        .take(rows)
        .map(|(text, i)| {
            Line::styled(
                truncate(&text, inner.width as usize).into_owned(),
                if i == row {
                    theme.selected
                } else {
                    Style::default()
                },
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
