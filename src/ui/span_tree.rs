//! The span tree pane: fold markers, type badges, names, durations and a timeline bar per
//! row. Rows were prebuilt when the trace loaded; only the visible window is drawn.

use ratatui::Frame;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::App;
use crate::model::time::format_duration_ns;
use crate::text::{fit, truncate, width};

/// Indentation stops growing here; deeper rows show their depth instead.
const MAX_INDENT: usize = 24;

fn bar(start: f32, end: f32, w: usize) -> String {
    if w == 0 {
        return String::new();
    }
    let a = ((start * w as f32).floor() as usize).min(w - 1);
    let b = ((end * w as f32).ceil() as usize).clamp(a + 1, w);
    let mut s = String::with_capacity(w * 3);
    for i in 0..w {
        s.push(if i >= a && i < b { '█' } else { '·' });
    }
    s
}

/// The tree's title: position, span count, the span filter when on, the search.
pub fn title(app: &App) -> String {
    match (&app.open, &app.loading_trace, &app.load_failure) {
        (_, Some(_), _) => " Spans (loading…) ".to_string(),
        (None, None, Some(_)) => " Spans (not loaded) ".to_string(),
        (Some(o), None, _) => {
            let q = crate::text::sanitize_line(&o.search.query);
            let search = match o.search.current {
                Some(c) => format!(" · /{q} {}/{}", c + 1, o.search.matches.len()),
                None if !q.is_empty() && o.search.matches.is_empty() => {
                    format!(" · /{q} no match")
                }
                None if !q.is_empty() => format!(" · /{q} {} matches", o.search.matches.len()),
                None => String::new(),
            };
            let v = &o.view;
            let filter = if v.filtered() {
                let hidden = o.trace.span_count().saturating_sub(v.shown_count());
                format!(" · filter: {hidden} hidden (T)")
            } else {
                String::new()
            };
            let pos = if v.rows.is_empty() {
                "0".to_string()
            } else {
                format!("{}/{}", v.selected() + 1, v.rows.len())
            };
            let pending = if o.analysed { "" } else { " · analysing…" };
            let gaps = if o.gaps.is_empty() {
                ""
            } else {
                " · ⚠ incomplete (Trace tab says what is missing)"
            };
            format!(
                " Spans {pos} of {}{filter}{search}{pending}{gaps} ",
                o.trace.span_count()
            )
        }
        (None, None, None) => " Spans ".to_string(),
    }
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme, focused: bool) {
    let block = pane_block(title(app), focused, theme);
    frame.render_widget(block, a.span_tree);
    let inner = a.tree_body;
    if inner.height == 0 || inner.width == 0 {
        return;
    }
    let Some(open) = app.open.as_ref() else {
        let lines = match (&app.loading_trace, &app.load_failure) {
            (Some(_), _) => vec![Line::styled("loading…", theme.dim)],
            (None, Some(f)) => vec![
                Line::styled(
                    format!(
                        "✗ could not load trace {}",
                        crate::text::sanitize_line(&f.trace_id)
                    ),
                    theme.error,
                ),
                Line::raw(crate::text::sanitize_line(&f.error).into_owned()),
                Line::styled("r reloads the list; M shows every message", theme.dim),
            ],
            (None, None) => vec![Line::styled("select a trace", theme.dim)],
        };
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
        return;
    };
    if let Some(win) = app.waterfall {
        super::waterfall::render(frame, a, win, open, theme, focused);
        return;
    }
    if open.trace.spans().is_empty() {
        // say why, not an empty pane: the reasons are the trace's warnings (spans kept in
        // object storage, archived, not written yet); a pane too short for them all still
        // says, on its first line, where they are in full
        let head = if open.trace.warnings.is_empty() {
            "no spans"
        } else {
            "no spans · why, in full: the Trace tab of the detail"
        };
        let mut lines = vec![Line::styled(head, theme.dim)];
        lines.extend(
            open.trace
                .warnings
                .iter()
                .map(|w| Line::raw(crate::text::sanitize_line(w).into_owned())),
        );
        frame.render_widget(
            Paragraph::new(lines).wrap(ratatui::widgets::Wrap { trim: false }),
            inner,
        );
        return;
    }
    let tree = &open.trace.tree;
    let view = &open.view;
    let an = &open.analysis;
    let w = inner.width as usize;
    // a gutter marks the critical path
    let gutter = 1;
    let rollup_cols = if view.rollups { rollup_columns(w) } else { 0 };
    let rollup_w = [5, 9, 8, 10, 9][..rollup_cols].iter().sum::<usize>() + rollup_cols;
    let bar_w = if w >= 70 + rollup_w {
        16
    } else if w >= 50 + rollup_w {
        8
    } else {
        0
    };
    let dur_w = 9;
    let name_w = w.saturating_sub(gutter + bar_w + dur_w + rollup_w + usize::from(bar_w > 0));
    let mut lines = Vec::with_capacity(inner.height as usize);
    if view.rollups && a.tree_header.height > 0 {
        let heads = ["%", "SELF", "ΣTOKENS", "ΣCOST", "LLM/TOOL"];
        let widths = [5, 9, 8, 10, 9];
        let mut h = " ".repeat(gutter + name_w);
        h.push_str(&format!("{:>9}", "DURATION"));
        for k in 0..rollup_cols {
            h.push_str(&format!(" {:>w$}", heads[k], w = widths[k]));
        }
        frame.render_widget(
            Paragraph::new(Line::styled(fit(&h, w), theme.header)),
            a.tree_header,
        );
    }
    for row in view.scroll.visible() {
        let span = view.rows[row];
        let i = span as usize;
        let t = &view.rows_text[i];
        let depth = tree.depth(i) as usize;
        let indent = if depth > MAX_INDENT {
            format!("{}⋯{depth} ", "  ".repeat(MAX_INDENT.saturating_sub(3)))
        } else {
            "  ".repeat(depth)
        };
        let fold_run = view.fold_row(row);
        let fold = if fold_run.is_some() {
            "▸ "
        } else if tree.children(i).is_empty() {
            "  "
        } else if view.expanded[i] {
            "▼ "
        } else {
            "▶ "
        };
        let selected = row == view.selected();
        let members: Vec<usize> = match fold_run {
            Some(r) => view.run_spans(r).collect(),
            None => vec![i],
        };
        let hit = members.iter().any(|&m| open.search.is_hit(m));
        let on_path = members
            .iter()
            .any(|&m| an.on_path.get(m).copied().unwrap_or(false));
        let error = members.iter().any(|&m| view.rows_text[m].error);
        let base = if selected {
            if focused {
                theme.selected
            } else {
                theme.selected_unfocused
            }
        } else {
            Style::default()
        };
        let name_style = if hit && !selected {
            theme.search
        } else if error && !selected {
            theme.error
        } else {
            base
        };
        let badge = format!("[{}] ", crate::app::span_tree::row_badge(tree.span(i)));
        let mut tail = String::new();
        let (label, duration, extent) = match fold_run {
            Some(r) => {
                let run = &an.runs[r];
                let n = run.spans.len();
                let (first, last) = (run.spans[0], run.spans[n - 1]);
                let start = view.rows_text[first].bar.0;
                let end = view.rows_text[last].bar.1;
                let span_ns = tree
                    .span(last)
                    .end_ns
                    .unwrap_or(tree.span(last).start_ns)
                    .saturating_sub(tree.span(first).start_ns);
                let mut l = format!(
                    "×{n} {}  p50 {}  max {}",
                    crate::text::sanitize_line(&run.name),
                    format_duration_ns(run.p50_ns),
                    format_duration_ns(run.max_ns)
                );
                if run.errors > 0 {
                    l.push_str(&format!(
                        "  {} error{}",
                        run.errors,
                        if run.errors == 1 { "" } else { "s" }
                    ));
                }
                (l, format_duration_ns(span_ns), (start, end))
            }
            None => (
                crate::app::span_tree::row_name(tree.span(i)).into_owned(),
                crate::app::span_tree::row_duration(tree.span(i)),
                t.bar,
            ),
        };
        if hit {
            tail.push_str(" ◆");
        }
        if error && fold_run.is_none() {
            tail.push_str(" ✗");
        }
        if let Some(n) = t.tokens.filter(|_| fold_run.is_none()) {
            tail.push_str(&format!(" ·{n}t"));
        }
        let flags = tree.flags(i);
        if flags.is_marked() {
            tail.push_str(&format!(" ({})", flags.label()));
        }
        let head = format!("{indent}{fold}");
        let left_used = width(&head) + width(&badge);
        let name_room = name_w.saturating_sub(left_used);
        let name = truncate(&format!("{label}{tail}"), name_room).into_owned();
        let pad = name_room.saturating_sub(width(&name));
        let mut spans = vec![
            Span::styled(
                if on_path { "▌" } else { " " },
                if on_path { theme.critical } else { base },
            ),
            Span::styled(truncate(&head, name_w).into_owned(), base),
            Span::styled(
                truncate(&badge, name_w.saturating_sub(width(&head))).into_owned(),
                if selected {
                    base
                } else {
                    theme.badge(&tree.span(i).span_type)
                },
            ),
            Span::styled(name, name_style),
            Span::styled(" ".repeat(pad), base),
            Span::styled(
                format!("{:>9}", fit(&duration, 8)),
                if t.running && fold_run.is_none() {
                    theme.running
                } else {
                    base
                },
            ),
        ];
        if rollup_cols > 0 {
            spans.push(Span::styled(
                rollup_cells(open, &members, rollup_cols),
                theme.dim,
            ));
        }
        if bar_w > 0 {
            spans.push(Span::styled(" ", base));
            spans.push(Span::styled(
                bar(extent.0, extent.1, bar_w),
                if error {
                    theme.bar_error
                } else if on_path {
                    theme.critical
                } else {
                    theme.bar
                },
            ));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// How many rollup columns fit a width (most useful first).
fn rollup_columns(w: usize) -> usize {
    match w {
        0..50 => 1,
        50..70 => 2,
        70..90 => 3,
        90..110 => 4,
        _ => 5,
    }
}

/// The rollup cells of a row: % of the trace, self time, Σ tokens, Σ cost, LLM/tool calls.
fn rollup_cells(open: &crate::app::OpenTrace, members: &[usize], n: usize) -> String {
    let an = &open.analysis;
    let trace_ns = an.trace_ns.max(1);
    let mut dur = 0u64;
    let mut own = 0u64;
    let mut tokens: Option<u64> = None;
    let mut cost: Option<f64> = None;
    let (mut llm, mut tools) = (0u32, 0u32);
    for &m in members {
        dur += open.trace.tree.span(m).duration_ns().unwrap_or(0);
        own += an.self_ns.get(m).copied().unwrap_or(0);
        let Some(r) = an.rollup.get(m) else {
            continue;
        };
        if let Some(t) = r.tokens {
            *tokens.get_or_insert(0) += t.total;
        }
        if let Some(c) = r.cost {
            *cost.get_or_insert(0.0) += c;
        }
        llm += r.llm_calls;
        tools += r.tool_calls;
    }
    // until the analyses are in, only the share of the trace is known
    let later = |w: usize| format!("{:>w$}", "…");
    let cells = [
        format!("{:>4.0}%", dur as f64 * 100.0 / trace_ns as f64),
        if open.analysed {
            format!("{:>9}", fit(&format_duration_ns(own), 9))
        } else {
            later(9)
        },
        if open.analysed {
            format!("{:>8}", tokens.map_or("-".into(), |t| t.to_string()))
        } else {
            later(8)
        },
        if open.analysed {
            format!("{:>10}", cost.map_or("-".into(), |c| format!("{c:.5}")))
        } else {
            later(10)
        },
        if open.analysed {
            format!("{:>9}", format!("{llm}/{tools}"))
        } else {
            later(9)
        },
    ];
    let mut out = String::new();
    for c in &cells[..n] {
        out.push(' ');
        out.push_str(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_show_position_and_length() {
        assert_eq!(bar(0.0, 1.0, 4), "████");
        assert_eq!(bar(0.5, 0.5, 4), "··█·");
        assert_eq!(bar(0.0, 0.25, 4), "█···");
        assert_eq!(bar(1.0, 1.0, 4), "···█");
    }
}
