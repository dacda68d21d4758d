//! The help overlay, generated from the keymap (so it shows overrides from the config file).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::pane_block;
use super::theme::Theme;
use crate::app::App;
use crate::text::fit;

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut rows: Vec<(String, &str)> = app.keymap.help_rows();
    rows.push(("1-9".into(), "expand the span tree to that depth"));
    rows.push((
        "mouse".into(),
        "click to select (twice to fold), wheel to scroll",
    ));
    let key_w = rows
        .iter()
        .map(|(k, _)| crate::text::width(k))
        .max()
        .unwrap_or(8)
        .min(22);
    let w = (area.width.saturating_sub(4)).min(76);
    let h = (area.height.saturating_sub(2)).min(rows.len() as u16 + 2);
    let popup = super::centered(area, w, h);
    frame.render_widget(Clear, popup);
    let block = pane_block(" Keys (? or esc to close) ".into(), true, theme);
    let inner = block.inner(popup);
    frame.render_widget(block, popup);
    let lines: Vec<Line> = rows
        .iter()
        .map(|(k, d)| {
            Line::from(vec![
                Span::styled(format!("{} ", fit(k, key_w)), theme.key),
                Span::raw(*d),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
