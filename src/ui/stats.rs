//! The stats view: count, error rate, latency percentiles, tokens and cost over the listed
//! traces, by name, model, user, session or experiment (tab cycles), and traces and errors over
//! time as bars.

use ratatui::Frame;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::theme::Theme;
use super::{Areas, pane_block};
use crate::app::App;
use crate::model::stats::{Group, group_row, header_row};
use crate::text::{sanitize_line, truncate};

/// Bars scaled to the width: buckets are merged when there are more than columns.
fn scaled(values: &[usize], w: usize) -> Vec<usize> {
    if values.len() <= w || w == 0 {
        return values.to_vec();
    }
    let per = values.len().div_ceil(w);
    values.chunks(per).map(|c| c.iter().sum()).collect()
}

pub fn render(frame: &mut Frame, a: &Areas, app: &App, theme: &Theme) {
    let Some(st) = &app.stats else {
        return;
    };
    let s = &st.stats;
    let rows_box =
        ratatui::layout::Rect::new(a.stats.x, a.stats.y, a.stats.width, a.stats_rows.height + 3);
    let loading = if st.loading.is_some() {
        " · reading spans…"
    } else {
        ""
    };
    frame.render_widget(
        pane_block(
            format!(
                " Stats by {} · {}{loading} · tab: group by {} ",
                s.by.label(),
                sanitize_line(&st.note),
                s.by.next().label()
            ),
            true,
            theme,
        ),
        rows_box,
    );
    let w = a.stats_rows.width as usize;
    // the key keeps room to be read; narrow terminals lose the last columns instead
    let key_w = w.saturating_sub(72).clamp(16, 40);
    let head =
        ratatui::layout::Rect::new(a.stats_rows.x, a.stats_rows.y - 1, a.stats_rows.width, 1);
    frame.render_widget(
        Paragraph::new(Line::styled(
            truncate(&header_row(s.by, key_w), w).into_owned(),
            theme.header,
        )),
        head,
    );
    let all: Vec<&Group> = s.groups.iter().chain(std::iter::once(&s.overall)).collect();
    let lines = super::popup_rows(&st.view, w, theme, |i| {
        truncate(&group_row(all[i], key_w), w).into_owned()
    });
    frame.render_widget(Paragraph::new(lines), a.stats_rows);
    if a.stats_chart.height > 0 {
        let chart_box = ratatui::layout::Rect::new(
            a.stats.x,
            a.stats_chart.y - 1,
            a.stats.width,
            a.stats_chart.height + 2,
        );
        let label = s
            .buckets
            .first()
            .map(|b| {
                format!(
                    " Traces per {} from {} ",
                    crate::model::time::format_duration_ms(s.bucket_ms),
                    if app.utc {
                        crate::model::time::format_utc_short_ms(b.start_ms)
                    } else {
                        crate::model::time::format_local_ms(b.start_ms)
                    }
                )
            })
            .unwrap_or_else(|| " Traces over time ".into());
        frame.render_widget(pane_block(label, false, theme), chart_box);
        let cw = a.stats_chart.width as usize;
        let counts = scaled(&s.buckets.iter().map(|b| b.count).collect::<Vec<_>>(), cw);
        let errors = scaled(&s.buckets.iter().map(|b| b.errors).collect::<Vec<_>>(), cw);
        let h = a.stats_chart.height as usize;
        let max = counts.iter().copied().max().unwrap_or(0).max(1);
        let mut chart: Vec<Line> = Vec::with_capacity(h);
        // bars from the bottom up, one row per level; errors are the red part at the base
        for level in (0..h).rev() {
            let mut spans = Vec::new();
            for (k, &c) in counts.iter().enumerate() {
                let filled = c * h > level * max && c > 0;
                let err = errors[k] * h > level * max && errors[k] > 0;
                spans.push(ratatui::text::Span::styled(
                    if filled { "█" } else { " " },
                    if err { theme.bar_error } else { theme.bar },
                ));
            }
            chart.push(Line::from(spans));
        }
        frame.render_widget(Paragraph::new(chart), a.stats_chart);
    }
}
