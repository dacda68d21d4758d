//! The detail pane: a tab bar (clickable), the span summary, then the rows of the document on
//! screen: wrapped by width (every row counted, so the end is always reachable) or cut at the
//! pane's edge with a marker and scrolled sideways. Search matches are highlighted.

use std::ops::Range;

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::{App, Tab};
use crate::text::{column_range, width, wrap_starts};

/// Where each tab's title sits in a tab bar `w` columns wide (full titles when they fit, short
/// ones otherwise).
pub fn tab_positions(w: usize) -> Vec<(Tab, Range<usize>)> {
    let short = tabs_short(w);
    let mut x = 0;
    Tab::ALL
        .iter()
        .map(|t| {
            let title = if short { t.short_title() } else { t.title() };
            let n = width(title) + if short { 0 } else { 2 };
            let r = x..x + n;
            x += n + 1;
            (*t, r)
        })
        .collect()
}

/// Do the tabs need their short titles at this width?
pub fn tabs_short(w: usize) -> bool {
    Tab::ALL.iter().map(|t| width(t.title()) + 3).sum::<usize>() > w
}

/// The title: which rows show, wrapping, sideways scroll.
pub fn title(app: &App) -> String {
    let d = &app.detail;
    let Some(doc) = &d.doc else {
        return " Detail ".into();
    };
    let unit = if doc.rows.wrap { "rows" } else { "lines" };
    let pos = if doc.rows.total == 0 {
        "empty".to_string()
    } else {
        let r = d.scroll.visible();
        format!("{}-{} of {} {unit}", r.start + 1, r.end, doc.rows.total)
    };
    let mut t = format!(" Detail · {pos}");
    if doc.rows.wrap {
        t.push_str(" · wrap");
    } else if d.hscroll > 0 {
        t.push_str(&format!(" · col {}", d.hscroll + 1));
    }
    t.push(' ');
    t
}

/// The part of a styled line between two byte offsets of its text.
fn slice_line(line: &Line<'static>, range: Range<usize>) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut at = 0;
    for s in &line.spans {
        let len = s.content.len();
        let (a, b) = (range.start.max(at), range.end.min(at + len));
        if a < b {
            let text = &s.content[a - at..b - at];
            out.push(Span::styled(text.to_string(), s.style));
        }
        at += len;
        if at >= range.end {
            break;
        }
    }
    out
}

/// Restyles the byte ranges `hits` of a row's spans.
fn mark(spans: Vec<Span<'static>>, hits: &[Range<usize>], style: Style) -> Vec<Span<'static>> {
    if hits.is_empty() {
        return spans;
    }
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        let len = s.content.len();
        let mut cuts = vec![0, len];
        for h in hits {
            for p in [h.start, h.end] {
                if p > at && p < at + len {
                    cuts.push(p - at);
                }
            }
        }
        cuts.sort_unstable();
        cuts.dedup();
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            let Some(piece) = s.content.get(a..b) else {
                continue;
            };
            let inside = hits.iter().any(|h| h.start <= at + a && at + b <= h.end);
            let st = if inside {
                s.style.patch(style)
            } else {
                s.style
            };
            out.push(Span::styled(piece.to_string(), st));
        }
        at += len;
    }
    out
}

fn spans_text(spans: &[Span]) -> String {
    spans.iter().map(|s| s.content.as_ref()).collect()
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme, focused: bool) {
    let d = &app.detail;
    let block = pane_block(title(app), focused, theme);
    frame.render_widget(block, a.detail);
    if a.detail_tabs.width == 0 || a.detail_tabs.height == 0 {
        return;
    }
    let chat = d.chat;
    let positions = tab_positions(a.detail_tabs.width as usize);
    let short = tabs_short(a.detail_tabs.width as usize);
    let mut tabs = Vec::new();
    if d.tab == Tab::Transcript {
        let key = app.keymap.hint(crate::keymap::Action::Transcript);
        let text = format!(" Transcript: the whole trace as one conversation · {key} back ");
        tabs.push(Span::styled(
            crate::text::truncate(&text, a.detail_tabs.width as usize).into_owned(),
            theme.tab_active,
        ));
        frame.render_widget(Paragraph::new(Line::from(tabs.clone())), a.detail_tabs);
    }
    for (t, _) in positions.iter().filter(|_| d.tab != Tab::Transcript) {
        let style = if *t == d.tab {
            theme.tab_active
        } else if *t == Tab::Chat && !chat {
            theme.dim
        } else {
            theme.status
        };
        let name = if short {
            t.short_title().to_string()
        } else {
            format!(" {} ", t.title())
        };
        tabs.push(Span::styled(name, style));
        tabs.push(Span::raw(" "));
    }
    if d.tab != Tab::Transcript {
        frame.render_widget(Paragraph::new(Line::from(tabs)), a.detail_tabs);
    }

    if a.detail_summary.height > 0
        && let (Some(o), Some(s)) = (app.open.as_ref(), app.selected_span())
    {
        let mut rows = crate::app::detail::span_summary(&o.trace, s, Some(&o.analysis));
        if a.detail_summary.height == 1 {
            rows = vec![rows.join("  ")];
        }
        let lines: Vec<Line> = rows
            .into_iter()
            .map(|r| {
                Line::styled(
                    crate::text::truncate(&r, a.detail_summary.width as usize).into_owned(),
                    theme.dim,
                )
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), a.detail_summary);
    }

    let body = a.detail_body;
    let Some(doc) = &d.doc else {
        let lines = if d.preparing {
            vec![Line::styled("preparing a large value…", theme.dim)]
        } else if app.loading_trace.is_some() {
            vec![Line::styled("loading…", theme.dim)]
        } else if let Some(f) = &app.load_failure {
            vec![
                Line::styled("✗ the trace could not be loaded:", theme.error),
                Line::raw(crate::text::sanitize_line(&f.error).into_owned()),
            ]
        } else {
            vec![Line::styled("select a trace, then a span", theme.dim)]
        };
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            body,
        );
        return;
    };
    let w = body.width as usize;
    if w == 0 {
        return;
    }
    let query = app
        .open
        .as_ref()
        .map(|o| o.search.query.as_str())
        .unwrap_or("");
    let mut lines: Vec<Line> = Vec::with_capacity(body.height as usize);
    for row in d.scroll.visible() {
        let (li, piece) = doc.rows.line_at(row);
        let Some(text) = doc.lines.get(li) else {
            break;
        };
        let styled = doc
            .styled
            .get(li)
            .filter(|l| l.spans.iter().map(|s| s.content.len()).sum::<usize>() == text.len())
            .cloned()
            .unwrap_or_else(|| Line::raw(text.clone()));
        let mut spans = if doc.rows.wrap {
            let starts = wrap_starts(text, w);
            let from = starts.get(piece).copied().unwrap_or(text.len());
            let to = starts.get(piece + 1).copied().unwrap_or(text.len());
            slice_line(&styled, from..to)
        } else {
            let line_w = width(text);
            let h = d.hscroll;
            let cut_left = h > 0 && line_w > 0;
            let cut_right = line_w > h + w;
            let start = if cut_left { h + 1 } else { h };
            let room = w
                .saturating_sub(usize::from(cut_left))
                .saturating_sub(usize::from(cut_right));
            let (range, pad) = column_range(text, start, room);
            let mut s = Vec::new();
            if cut_left {
                s.push(Span::styled("‹", theme.dim));
            }
            if pad > 0 {
                s.push(Span::raw(" ".repeat(pad)));
            }
            s.extend(slice_line(&styled, range));
            if cut_right {
                let used: usize = s.iter().map(|x| width(&x.content)).sum();
                if used + 1 < w {
                    s.push(Span::raw(" ".repeat(w - 1 - used)));
                }
                s.push(Span::styled("›", theme.dim));
            }
            s
        };
        if !query.is_empty() {
            let plain = spans_text(&spans);
            let hits = crate::app::search::occurrences(&plain, query);
            spans = mark(spans, &hits, theme.search);
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), body);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_fit_or_go_short() {
        let wide = tab_positions(200);
        assert_eq!(wide.len(), Tab::ALL.len());
        assert!(wide.last().unwrap().1.end <= 200);
        for w in [50, 38] {
            let narrow = tab_positions(w);
            assert!(narrow.last().unwrap().1.end <= w, "{narrow:?}");
        }
    }

    #[test]
    fn marks_split_spans() {
        let spans = vec![Span::raw("abc"), Span::raw("def")];
        let out = mark(
            spans,
            &[std::ops::Range { start: 1, end: 4 }],
            Style::default().bg(ratatui::style::Color::Red),
        );
        let texts: Vec<&str> = out.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(texts, vec!["a", "bc", "d", "ef"]);
    }
}
