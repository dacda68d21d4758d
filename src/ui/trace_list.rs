//! The trace list pane: only the visible rows are built, each cell cut to its display width.
//! The title says where the selection is, how the list is sorted and narrowed, and plainly when
//! a view covers only the rows loaded so far.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::{App, Column};
use crate::model::time::{format_duration_ms, format_list_time, format_relative_ms, same_day};
use crate::model::{TraceInfo, TraceState};
use crate::text::{fit, preview, sanitize_line};

/// The time column's width: `HH:MM:SS` when every trace is from today, else room for a date.
fn time_width(app: &App) -> usize {
    if app.list.relative_time {
        return 9;
    }
    match app.list.time_range {
        Some((oldest, newest))
            if same_day(oldest, app.now_ms, app.utc) && same_day(newest, app.now_ms, app.utc) =>
        {
            8
        }
        _ => 12,
    }
}

/// The columns that fit the list's width (the EXPERIMENT column only while the list holds
/// several experiments), with their widths.
pub fn fitted_columns(app: &App, width: usize) -> Vec<(Column, usize)> {
    let gutter = if app.follow.on { 2 } else { 0 };
    let several = app.list.experiments_seen.len() > 1;
    let mut chosen: Vec<Column> = app
        .columns
        .iter()
        .filter(|c| **c != Column::Experiment || several)
        .cloned()
        .collect();
    // a column per feedback name seen, unless assessment columns were chosen
    if !app
        .columns
        .iter()
        .any(|c| matches!(c, Column::Feedback(_) | Column::Expectation(_)))
    {
        let at = chosen
            .iter()
            .position(|c| c.flexible())
            .unwrap_or(chosen.len());
        for (k, name) in app.list.feedback_names.iter().enumerate() {
            chosen.insert(at + k, Column::Feedback(name.clone()));
        }
    }
    crate::app::columns::fit(&chosen, width.saturating_sub(gutter), time_width(app))
}

fn cell(text: &str, w: usize, right: bool) -> String {
    if right {
        let t = crate::text::truncate(text, w);
        format!(
            "{}{}",
            " ".repeat(w.saturating_sub(crate::text::width(&t))),
            t
        )
    } else {
        fit(text, w)
    }
}

/// The list's title: position, sort, narrowing, follow state.
pub fn title(app: &App) -> String {
    let list = &app.list;
    let more = !list.complete();
    let n = list.rows.len();
    let pos = if n == 0 {
        "0".to_string()
    } else {
        format!("{}/{n}", list.selected() + 1)
    };
    let mut t = format!(" Traces {pos}");
    if !list.quick.is_empty() {
        t.push_str(&format!(
            " of {}{} · /{}",
            list.traces.len(),
            if more { " loaded" } else { "" },
            sanitize_line(&list.quick)
        ));
    } else if more {
        t.push('+');
    }
    t.push_str(&format!(" · sort: {}", list.sort.label()));
    if more && (!list.quick.is_empty() || !list.sorted_by_source) {
        t.push_str(" (only the loaded rows: the source has more)");
    }
    if let Some((label, _)) = &app.since {
        t.push_str(&format!(" · last {label}"));
    }
    if let Some(f) = &app.filter {
        t.push_str(&format!(" · filter: {}", sanitize_line(f)));
    }
    if let Some(name) = &list.failing {
        t.push_str(&format!(" · failing {}", sanitize_line(name)));
    }
    if let Some(name) = &app.review {
        t.push_str(&format!(
            " · reviewing {}: y pass · n fail · {} note · esc ends",
            sanitize_line(name),
            app.keymap.hint(crate::keymap::Action::Annotate)
        ));
    }
    t.push_str(&match (&app.follow, list.new_above()) {
        (f, _) if !f.on => String::new(),
        (f, _) if f.paused => " · ⏸ paused".to_string(),
        (_, 0) => " · ● live".to_string(),
        (_, n) => format!(" · ● live · ↑ {n} new"),
    });
    t.push(' ');
    t
}

fn value(
    app: &App,
    t: &TraceInfo,
    facts: crate::app::trace_list::RowFacts,
    c: &Column,
    w: usize,
    theme: &Theme,
) -> (String, Style) {
    let plain = Style::default();
    match c {
        Column::Time => (
            if app.list.relative_time {
                format_relative_ms(t.request_time_ms, app.now_ms)
            } else {
                format_list_time(t.request_time_ms, app.now_ms, app.utc)
            },
            plain,
        ),
        Column::Name => (sanitize_line(t.name().unwrap_or("-")).into_owned(), plain),
        Column::State => (
            match t.state {
                TraceState::InProgress => "● RUNNING".to_string(),
                TraceState::Error => "✗ ERROR".to_string(),
                TraceState::Unspecified => "-".to_string(),
                s => s.as_str().to_string(),
            },
            theme.state(t.state),
        ),
        Column::Duration => match t.state {
            // running: the time since it started (the clock is read when drawing)
            TraceState::InProgress if app.now_ms > t.request_time_ms => (
                format!("{}…", format_duration_ms(app.now_ms - t.request_time_ms)),
                theme.running,
            ),
            _ => (
                t.duration_ms
                    .map(format_duration_ms)
                    .unwrap_or_else(|| "-".into()),
                plain,
            ),
        },
        Column::Spans => match (facts.stored_spans, facts.spans) {
            // opened and found incomplete: stored of recorded
            (Some(s), Some(n)) => (format!("⚠{s}/{n}"), theme.error),
            (Some(s), None) => (format!("⚠{s}"), theme.error),
            (None, n) => (
                n.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
                plain,
            ),
        },
        Column::Tokens => (
            facts
                .tokens
                .map(|n| n.to_string())
                .unwrap_or_else(|| "-".into()),
            plain,
        ),
        Column::Cost => (
            t.cost()
                .map(|c| format!("{:.4}", c.total))
                .unwrap_or_else(|| "-".into()),
            plain,
        ),
        Column::User => (
            sanitize_line(t.user().unwrap_or("-")).into_owned(),
            theme.dim,
        ),
        // hierarchical ids (`support/alice/chat-1`, MLflow 3.18) differ at the end
        Column::Session => (
            crate::text::truncate_start(&sanitize_line(t.session().unwrap_or("-")), w).into_owned(),
            theme.dim,
        ),
        Column::Experiment => {
            let id = t.experiment_id.as_deref().unwrap_or("-");
            (
                sanitize_line(app.experiment_name(id).unwrap_or(id)).into_owned(),
                theme.dim,
            )
        }
        Column::Request => (preview(t.request_preview().unwrap_or(""), w), theme.dim),
        Column::Response => (preview(t.response_preview().unwrap_or(""), w), theme.dim),
        Column::Tag(k) => (preview(t.tags.get(k).map_or("-", String::as_str), w), plain),
        Column::Feedback(k) | Column::Expectation(k) => {
            let kind = if matches!(c, Column::Feedback(_)) {
                "feedback"
            } else {
                "expectation"
            };
            match t.assessment(kind, k) {
                Some(a) => (
                    preview(&a.short_value(), w),
                    match a.verdict() {
                        Some(true) => theme.ok,
                        Some(false) => theme.error,
                        None => plain,
                    },
                ),
                None => ("-".into(), theme.dim),
            }
        }
        Column::Metadata(k) => (
            preview(t.metadata.get(k).map_or("-", String::as_str), w),
            plain,
        ),
    }
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme, focused: bool) {
    let list = &app.list;
    let block = pane_block(title(app), focused, theme);
    frame.render_widget(block, a.trace_list);
    let (header_area, body) = (a.list_header, a.list_body);
    if header_area.width == 0 || header_area.height == 0 {
        return;
    }
    let width = header_area.width as usize;
    let gutter = if app.follow.on { 2 } else { 0 };
    let cols = fitted_columns(app, width);
    let mut header: Vec<Span> = Vec::with_capacity(cols.len() + 1);
    if gutter > 0 {
        header.push(Span::raw("  "));
    }
    header.extend(cols.iter().map(|(c, w)| {
        let mut title = c.title();
        if c.order_key() == Some(list.sort.key) {
            // the arrow always shows: the title gives way
            let keep = w.saturating_sub(1);
            title = title.chars().take(keep).collect();
            title.push_str(if list.sort.ascending { "↑" } else { "↓" });
        }
        Span::styled(
            format!("{} ", cell(&title, *w, c.right_aligned())),
            theme.header,
        )
    }));
    frame.render_widget(Paragraph::new(Line::from(header)), header_area);
    let mut lines: Vec<Line> = Vec::with_capacity(body.height as usize);
    if list.rows.is_empty() {
        let text: std::borrow::Cow<'static, str> =
            if !list.quick.is_empty() && !list.traces.is_empty() {
                "no trace matches the quick filter (esc clears it)".into()
            } else if list.loading.is_some() {
                "loading traces…".into()
            } else if app.error.is_some() && !list.loaded {
                "could not load traces (see the status line; r to retry)".into()
            } else if let Some((label, _)) = app.since.as_ref().filter(|_| list.loaded) {
                format!(
                    "no trace started in the last {label} ({}: a wider window)",
                    app.keymap.hint(crate::keymap::Action::TimeWindow)
                )
                .into()
            } else if app.filter.is_some() {
                "no trace matches the filter (f edits it)".into()
            } else if !app.empty_hint.is_empty() {
                "".into()
            } else {
                "no traces here".into()
            };
        if text.is_empty() {
            lines.extend(
                app.empty_hint
                    .iter()
                    .map(|l| Line::styled(crate::text::sanitize_line(l).into_owned(), theme.dim)),
            );
        } else {
            lines.push(Line::styled(text.into_owned(), theme.dim));
        }
    }
    for pos in list.view.visible() {
        let idx = list.rows[pos] as usize;
        let t = &list.traces[idx];
        let facts = list.facts.get(idx).copied().unwrap_or_default();
        let selected = pos == list.selected();
        let row_style = match (selected, focused) {
            (true, true) => theme.selected,
            (true, false) => theme.selected_unfocused,
            _ => Style::default(),
        };
        let mut spans = Vec::with_capacity(cols.len() + 1);
        if gutter > 0 {
            let fresh = list.unseen.get(idx).copied().unwrap_or(false);
            spans.push(if fresh {
                Span::styled("● ", theme.fresh)
            } else {
                Span::raw("  ")
            });
        }
        for (c, w) in &cols {
            let (text, style) = value(app, t, facts, c, *w, theme);
            let style = if selected { row_style } else { style };
            spans.push(Span::styled(
                format!("{} ", cell(&text, *w, c.right_aligned())),
                style,
            ));
        }
        let mut line = Line::from(spans);
        if selected {
            line = line.style(row_style);
        }
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), body);
}
