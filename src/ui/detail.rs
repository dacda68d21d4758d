//! The detail pane: a tab bar, then the visible window of the document (highlighted lines
//! where they are ready, plain ones otherwise).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::pane_block;
use super::theme::Theme;
use crate::app::{App, Tab};

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, focused: bool) {
    let d = &app.detail;
    let mut title = String::from(" Detail ");
    if let Some(doc) = &d.doc {
        let total = doc.lines.len();
        let first = if total == 0 { 0 } else { d.scroll + 1 };
        let rows = app.viewport().detail_rows;
        title = format!(
            " Detail · {}-{} of {} lines{} ",
            first,
            (d.scroll + rows).min(total),
            total,
            if d.wrap { " · wrap" } else { "" }
        );
    }
    let block = pane_block(title, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let [tabs_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    let chat = d.chat;
    let mut tabs = Vec::new();
    for t in Tab::ALL {
        let style = if t == d.tab {
            theme.tab_active
        } else if t == Tab::Chat && !chat {
            theme.dim
        } else {
            theme.status
        };
        tabs.push(Span::styled(format!(" {} ", t.title()), style));
        tabs.push(Span::raw(" "));
    }
    frame.render_widget(Paragraph::new(Line::from(tabs)), tabs_area);

    let Some(doc) = &d.doc else {
        let hint = if d.preparing {
            "preparing a large value…"
        } else if app.loading_trace.is_some() {
            "loading…"
        } else {
            "select a trace, then a span"
        };
        frame.render_widget(Paragraph::new(Line::styled(hint, theme.dim)), body);
        return;
    };
    let rows = body.height as usize;
    let lines: Vec<Line> = (d.scroll..doc.lines.len().min(d.scroll + rows))
        .map(|i| match doc.styled.get(i) {
            Some(l) => l.clone(),
            None => Line::raw(doc.lines[i].as_str()),
        })
        .collect();
    let mut p = Paragraph::new(lines);
    if d.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    frame.render_widget(p, body);
}
