//! The status line: spinner, source, experiment, counts, the newest error, warning or message,
//! and key hints for what has the keyboard (generated from the keymap). While a prompt is
//! open it is the prompt: the text with its cursor, and completions or the reason a line was
//! refused just above it.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::Areas;
use super::theme::Theme;
use crate::app::{App, Focus, Overlay, PromptKind};
use crate::keymap::Action;
use crate::text::{sanitize_line, truncate, width};

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/// Key hints for what has the keyboard: (keys, what), most useful first.
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let k = |a: Action| app.keymap.hint(a);
    if let Some(p) = &app.prompt {
        return match p.kind {
            PromptKind::QuickFilter => vec![
                ("enter".into(), "keep"),
                ("esc".into(), "clear"),
                ("↑↓".into(), "move"),
            ],
            PromptKind::TraceSearch => vec![("enter".into(), "search"), ("esc".into(), "cancel")],
            PromptKind::Export => vec![
                ("enter".into(), "write"),
                ("tab".into(), "format"),
                ("esc".into(), "cancel"),
            ],
            PromptKind::Annotate => vec![
                ("enter".into(), "write to the server"),
                ("ctrl-x".into(), "$EDITOR"),
                (
                    "NAME=VALUE # why | expect N=V | tag K=V | untag K | rm NAME".into(),
                    "",
                ),
                ("↑↓".into(), "history"),
                ("esc".into(), "cancel"),
            ],
            PromptKind::Review => vec![("enter".into(), "review"), ("esc".into(), "cancel")],
            PromptKind::Filter | PromptKind::Palette => vec![
                ("enter".into(), "apply"),
                ("tab".into(), "complete"),
                ("↑↓".into(), "history"),
                ("esc".into(), "cancel"),
            ],
        };
    }
    match &app.overlay {
        Some(Overlay::Help { typing: true, .. }) => {
            return vec![("enter".into(), "done"), ("esc".into(), "clear")];
        }
        Some(Overlay::Help { .. }) => {
            return vec![("/".into(), "search"), ("esc".into(), "close")];
        }
        Some(Overlay::Experiments(_)) => {
            return vec![
                ("type".into(), "narrow"),
                ("tab".into(), "mark"),
                ("enter".into(), "pick"),
                ("esc".into(), "close"),
            ];
        }
        Some(Overlay::SpanFilter(_)) | Some(Overlay::Columns { .. }) => {
            return vec![(k(Action::Toggle), "toggle"), ("esc".into(), "close")];
        }
        Some(Overlay::Messages(_)) => return vec![("esc".into(), "close")],
        Some(Overlay::Findings(_)) => {
            return vec![("enter".into(), "go to the span"), ("esc".into(), "close")];
        }
        None => {}
    }
    if app.compare.is_some() {
        return vec![
            ("j/k".into(), "move"),
            ("tab".into(), "rows/diff"),
            (k(Action::Compare), "close"),
            ("esc".into(), "close"),
        ];
    }
    if app.waterfall.is_some() {
        return vec![
            (k(Action::ZoomIn), "zoom in"),
            (k(Action::ZoomOut), "zoom out"),
            (
                format!("{}{}", k(Action::ScrollLeft), k(Action::ScrollRight)),
                "pan",
            ),
            (k(Action::CriticalNext), "critical path"),
            (k(Action::Waterfall), "back"),
        ];
    }
    if app.stats.is_some() {
        return vec![
            ("tab".into(), "group by"),
            (k(Action::Stats), "close"),
            ("esc".into(), "close"),
        ];
    }
    let mut out: Vec<(String, &'static str)> = match app.focus {
        Focus::TraceList => vec![
            (k(Action::Select), "open"),
            (k(Action::Search), "search"),
            (k(Action::Filter), "filter"),
            (k(Action::Sort), "sort"),
            (k(Action::Follow), "follow"),
            (k(Action::Columns), "columns"),
        ],
        Focus::SpanTree => vec![
            (k(Action::Toggle), "fold"),
            (k(Action::Search), "search"),
            (k(Action::NextMatch), "next"),
            (k(Action::SpanFilter), "types"),
            (k(Action::Select), "detail"),
        ],
        Focus::Detail => {
            let mut v = vec![(k(Action::NextTab), "tab"), (k(Action::Wrap), "wrap")];
            let wide = app
                .detail
                .doc
                .as_ref()
                .is_some_and(|d| !d.rows.wrap && d.rows.widest > d.rows.width);
            if wide {
                v.push((
                    format!("{}{}", k(Action::ScrollLeft), k(Action::ScrollRight)),
                    "scroll",
                ));
            }
            v.extend([
                (k(Action::Copy), "copy"),
                (k(Action::Pager), "pager"),
                (k(Action::Search), "search"),
            ]);
            v
        }
    };
    out.push((k(Action::Zoom), if app.zoom { "unzoom" } else { "zoom" }));
    out.push((k(Action::Palette), "cmd"));
    out.push((k(Action::Help), "help"));
    out
}

/// The hints that fit `w` columns, as one string.
fn hints_text(app: &App, w: usize) -> String {
    let mut out = String::new();
    for (key, what) in hints(app) {
        let piece = format!("{key} {what}");
        let need = width(&piece) + usize::from(!out.is_empty()) * 2;
        if width(&out) + need > w {
            break;
        }
        if !out.is_empty() {
            out.push_str("  ");
        }
        out.push_str(&piece);
    }
    out
}

/// A prompt's label.
fn label(kind: PromptKind) -> &'static str {
    match kind {
        PromptKind::QuickFilter => "/",
        PromptKind::Filter => "filter> ",
        PromptKind::Palette => ":",
        PromptKind::TraceSearch => "search> ",
        PromptKind::Export => "export> ",
        PromptKind::Annotate => "annotate> ",
        PromptKind::Review => "review feedback> ",
    }
}

fn render_prompt(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(p) = &app.prompt else {
        return;
    };
    let w = a.status.width as usize;
    let head = label(p.kind);
    let hint = hints_text(app, w / 3);
    let room = w.saturating_sub(width(head) + width(&hint) + 2).max(1);
    // the text around the cursor, scrolled so the cursor shows
    let chars: Vec<char> = sanitize_line(p.edit.text()).chars().collect();
    let cur = p.edit.cursor().min(chars.len());
    let mut start = 0;
    let col = |from: usize, to: usize| -> usize {
        chars[from..to]
            .iter()
            .map(|c| unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0))
            .sum()
    };
    while start < cur && col(start, cur) + 1 > room {
        start += 1;
    }
    let mut before: String = chars[start..cur].iter().collect();
    if start > 0 {
        before = format!("…{}", chars[start + 1..cur].iter().collect::<String>());
    }
    let at: String = chars.get(cur).map_or(" ".to_string(), |c| c.to_string());
    let after_room = room.saturating_sub(width(&before) + width(&at));
    let after: String = chars.get(cur + 1..).map_or(String::new(), |rest| {
        truncate(&rest.iter().collect::<String>(), after_room).into_owned()
    });
    let used = width(head) + width(&before) + width(&at) + width(&after);
    let pad = w.saturating_sub(used + width(&hint));
    let line = Line::from(vec![
        Span::styled(head, theme.key),
        Span::raw(before),
        Span::styled(at, theme.selected),
        Span::raw(after),
        Span::raw(" ".repeat(pad)),
        Span::styled(hint, theme.dim),
    ]);
    frame.render_widget(Paragraph::new(line), a.status);
    // above: the completions, or why the line was refused
    if a.completions.area() == 0 {
        return;
    }
    frame.render_widget(Clear, a.completions);
    let lines: Vec<Line> = if !p.completions.is_empty() {
        p.completions
            .iter()
            .enumerate()
            .take(a.completions.height as usize)
            .map(|(i, c)| {
                let style = if p.completion_pos == Some(i) {
                    theme.selected
                } else {
                    theme.status
                };
                Line::styled(format!(" {}", sanitize_line(c)), style)
            })
            .collect()
    } else if let Some((column, msg)) = &p.error {
        let text = if *column > 0 {
            format!("✗ column {column}: {msg}")
        } else {
            format!("✗ {msg}")
        };
        crate::text::word_wrap(&sanitize_line(&text), w)
            .into_iter()
            .map(|l| Line::styled(l, theme.error))
            .collect()
    } else {
        Vec::new()
    };
    frame.render_widget(Paragraph::new(lines), a.completions);
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    if app.prompt.is_some() {
        render_prompt(frame, a, app, theme);
        return;
    }
    let w = a.status.width as usize;
    let mut left = String::new();
    if app.is_loading() {
        left.push_str(SPINNER[app.spinner % SPINNER.len()]);
        left.push(' ');
    }
    let n = app.list.rows.len();
    left.push_str(&format!(
        "{n} trace{} · {} · {}",
        if n == 1 { "" } else { "s" },
        app.experiment_label,
        app.source_name,
    ));
    // pass rates of the feedback over the rows shown
    for v in &app.list.verdicts {
        left.push_str(" · ");
        left.push_str(&crate::text::sanitize_line(&v.label()));
    }
    let live = live_text(app);
    let messages_key = app.keymap.hint(Action::Messages);
    let (middle, style): (String, Style) =
        if let Some(e) = app.follow.error.as_ref().filter(|_| app.follow.on) {
            (
                format!(
                    " · ✗ live tail: {e} (retrying in {} s)",
                    app.follow.wait_ms().div_ceil(1000)
                ),
                theme.error,
            )
        } else if let Some(e) = &app.error {
            (format!(" · ✗ {e}"), theme.error)
        } else if let Some(m) = &app.message {
            (format!(" · {m}"), theme.status)
        } else if !app.warnings.is_empty() {
            (
                format!(
                    " · ⚠ {} warning{} ({messages_key}): {}",
                    app.warnings.len(),
                    if app.warnings.len() == 1 { "" } else { "s" },
                    app.warnings.last().map_or("", String::as_str)
                ),
                theme.running,
            )
        } else {
            (String::new(), theme.status)
        };
    // the source and counts first, then what happened, then as many key hints as fit (at
    // least the help key)
    // with something to say, the source gives way to it
    let left_max = if middle.is_empty() {
        w * 3 / 5
    } else {
        w * 2 / 5
    };
    let left = truncate(&left, left_max.max(10)).into_owned();
    // with a warning or an error that would not fit, follow mode says only that it is on (or
    // paused)
    let room = w.saturating_sub(width(&left) + width(&live) + 8);
    // (a passing message gives way instead; a warning or an error does not)
    let fits = room >= width(&middle).min(40) || style == theme.status;
    let live = if middle.is_empty() || !app.follow.on || fits {
        live
    } else if app.follow.paused {
        " · ⏸ paused".to_string()
    } else {
        " · ● live".to_string()
    };
    let live = truncate(&live, w.saturating_sub(width(&left) + 8)).into_owned();
    // what happened comes before key hints: they get what it leaves
    let hint_room = w.saturating_sub(width(&left) + width(&live) + width(&middle) + 2);
    let mut hints = hints_text(app, hint_room);
    if hints.is_empty() {
        hints = format!("{} help", app.keymap.hint(Action::Help));
    }
    let room = w.saturating_sub(width(&left) + width(&live) + width(&hints) + 1);
    let middle = if width(&middle) > room {
        // cut: say where the whole text is
        let tail = format!("… {messages_key}");
        let keep = truncate(&middle, room.saturating_sub(width(&tail))).into_owned();
        let keep = keep.trim_end_matches('…').to_string();
        if room > width(&tail) + 4 {
            format!("{keep}{tail}")
        } else {
            truncate(&middle, room).into_owned()
        }
    } else {
        middle
    };
    let pad = w.saturating_sub(width(&left) + width(&live) + width(&middle) + width(&hints));
    let line = Line::from(vec![
        Span::styled(left, theme.status),
        Span::styled(live, theme.bar),
        Span::styled(middle, style),
        Span::raw(" ".repeat(pad)),
        Span::styled(truncate(&hints, w).into_owned(), theme.key),
    ]);
    frame.render_widget(Paragraph::new(line), a.status);
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
