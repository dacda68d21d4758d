//! The status line: spinner, source, experiment, counts, the last error or message, key hints.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use crate::app::App;
use crate::keymap::Action;
use crate::text::{truncate, width};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub fn render(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let w = area.width as usize;
    if let Some(input) = &app.filter_input {
        // the filter line: the text, a cursor, and the error pointing at its column
        let text = crate::text::sanitize_line(&input.text);
        let mut spans = vec![
            Span::styled("filter> ", theme.key),
            Span::raw(text.into_owned()),
            Span::styled("▏", theme.key),
        ];
        if let Some(e) = &input.error {
            spans.push(Span::styled(
                format!("   ✗ column {}: {}", e.column, e.message),
                theme.error,
            ));
        } else {
            spans.push(Span::styled(
                "   enter applies · ↑↓ history · esc cancels",
                theme.dim,
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(spans)), area);
        return;
    }
    let mut left = String::new();
    if app.is_loading() {
        left.push_str(SPINNER[app.spinner % SPINNER.len()]);
        left.push(' ');
    }
    left.push_str(&format!(
        "{} · {} · {} traces",
        app.source_name,
        app.experiment_label,
        app.list.order.len()
    ));
    let live = live_text(app);
    let hints = format!(
        "{} help  {} quit",
        app.keymap.hint(Action::Help),
        app.keymap.hint(Action::Quit)
    );
    let (middle, style) = if let Some(e) = app.follow.error.as_ref().filter(|_| app.follow.on) {
        (
            format!(
                " ✗ live tail: {e} (retrying in {} s)",
                app.follow.wait_ms().div_ceil(1000)
            ),
            theme.error,
        )
    } else if let Some(e) = &app.error {
        (format!(" ✗ {e}"), theme.error)
    } else if let Some(m) = &app.message {
        (format!(" {m}"), theme.status)
    } else if !app.warnings.is_empty() {
        (
            format!(" {} warning(s): {}", app.warnings.len(), app.warnings[0]),
            theme.running,
        )
    } else {
        (String::new(), theme.status)
    };
    let left = truncate(&left, w.saturating_sub(width(&hints) + 1)).into_owned();
    let live = truncate(&live, w.saturating_sub(width(&left) + width(&hints) + 1)).into_owned();
    let room = w.saturating_sub(width(&left) + width(&live) + width(&hints) + 1);
    let middle = truncate(&middle, room).into_owned();
    let pad = w.saturating_sub(width(&left) + width(&live) + width(&middle) + width(&hints));
    let line = Line::from(vec![
        Span::styled(left, theme.status),
        Span::styled(live, theme.bar),
        Span::styled(middle, style),
        Span::raw(" ".repeat(pad)),
        Span::styled(truncate(&hints, w).into_owned(), theme.key),
    ]);
    frame.render_widget(Paragraph::new(line), area);
}

/// Follow mode in the status line: live or paused, the arrival sparkline (a bar per minute),
/// this minute's arrivals and the error rate of the newest finished traces.
fn live_text(app: &App) -> String {
    let f = &app.follow;
    if !f.on {
        return String::new();
    }
    let state = if f.paused { "⏸ paused" } else { "● live" };
    let per_min = f.rate.last().copied().unwrap_or(0);
    let (errors, of) = f.error_rate();
    let err = (errors * 100)
        .checked_div(of)
        .map(|pct| format!(" · err {pct}% of {of}"))
        .unwrap_or_default();
    format!(" · {state} {} {per_min}/min{err}", f.sparkline())
}
