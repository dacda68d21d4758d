//! The detail pane: which document it shows (built inline or off the UI thread), its
//! highlighting in chunks, wrapping, scrolling down and sideways, and tabs.

use std::sync::Arc;

use ratatui::text::Line;

use crate::app::detail::{
    self, BUILD_INLINE_BYTES, DocContent, DocKey, DocRows, HIGHLIGHT_FIRST, HIGHLIGHT_MAX_LINES,
};
use crate::app::{App, Cmd, DetailDoc, Tab};
use crate::highlight::{Checkpoint, highlight_lines};
use crate::keymap::Action;

use super::nav_of;

pub(crate) fn current_key(app: &App) -> Option<DocKey> {
    let open = app.open.as_ref()?;
    Some(DocKey {
        trace_id: open.trace.info.trace_id.clone(),
        rev: std::sync::Arc::as_ptr(&open.trace) as usize,
        analysed: open.analysed,
        span: if app.detail.tab == Tab::Transcript {
            None
        } else {
            open.view.selected_span()
        },
        tab: app.detail.tab,
    })
}

/// Shows the document for the current trace, span and tab (a no-op when it is shown).
pub(crate) fn refresh_doc(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(key) = current_key(app) else {
        app.detail.doc = None;
        app.detail.chat = false;
        return;
    };
    if app.detail.doc.as_ref().is_some_and(|d| d.key == key) {
        return;
    }
    let span_changed = app
        .detail
        .doc
        .as_ref()
        .is_none_or(|d| d.key.span != key.span || d.key.trace_id != key.trace_id);
    if span_changed {
        app.detail.chat = match (app.open.as_ref(), key.span) {
            (Some(o), Some(s)) => detail::has_chat(o.trace.tree.span(s)),
            _ => false,
        };
    }
    let Some(open) = app.open.as_ref() else {
        return;
    };
    let trace = Arc::clone(&open.trace);
    app.detail.req += 1;
    if detail::weight(&trace, key.span, key.tab) > BUILD_INLINE_BYTES {
        app.detail.preparing = true;
        app.detail.doc = None;
        cmds.push(Cmd::BuildDoc {
            req: app.detail.req,
            trace,
            span: key.span,
            tab: key.tab,
            utc: app.utc,
        });
        cmds.push(Cmd::StartTicking);
        return;
    }
    app.detail.preparing = false;
    let mut content = detail::build(&trace, key.span, key.tab, app.utc);
    if (key.tab == Tab::Trace || (key.span.is_none() && key.tab != Tab::Transcript))
        && let Some(o) = app.open.as_ref()
    {
        let extra = detail::analysis_lines(o, app.web_url(&o.trace.info));
        if !extra.is_empty() && !content.json {
            for l in &extra {
                content.raw.push('\n');
                content.raw.push_str(l);
            }
            content.lines.extend(extra);
        }
    }
    install_doc(app, key, content);
}

pub(crate) fn install_doc(app: &mut App, key: DocKey, content: DocContent) {
    let same_place = app
        .detail
        .doc
        .as_ref()
        .is_some_and(|d| d.key.span == key.span && d.key.tab == key.tab);
    let lines = Arc::new(content.lines);
    let mut checkpoint = if content.json && app.color {
        Checkpoint::start(app.palette)
    } else {
        None
    };
    let mut styled = Vec::new();
    if let Some(cp) = checkpoint.as_mut() {
        let first = lines.len().min(HIGHLIGHT_FIRST);
        styled = highlight_lines(cp, &lines[..first]);
    }
    app.detail.doc = Some(DetailDoc {
        key,
        lines,
        json: content.json,
        raw: Arc::new(content.raw),
        styled,
        checkpoint,
        highlighting: false,
        rows: DocRows::default(),
    });
    if !same_place {
        app.detail.scroll.set_offset(0);
        app.detail.hscroll = 0;
    }
}

pub(super) fn on_highlighted(
    app: &mut App,
    req: crate::app::ReqId,
    from: usize,
    lines: Vec<Line<'static>>,
    checkpoint: Option<Checkpoint>,
) {
    let ok = app.detail.req == req
        && app
            .detail
            .doc
            .as_ref()
            .is_some_and(|d| d.styled.len() == from);
    if let (true, Some(doc)) = (ok, app.detail.doc.as_mut()) {
        doc.styled.extend(lines);
        doc.checkpoint = checkpoint;
        doc.highlighting = false;
    } else {
        app.dirty = false;
    }
}

/// Asks for the next highlight chunk when the view comes near the end of what is highlighted.
pub(super) fn ensure_highlight(app: &mut App, cmds: &mut Vec<Cmd>) {
    let rows = app.detail.scroll.height().max(1);
    let req = app.detail.req;
    let top_row = app.detail.scroll.offset();
    let Some(doc) = app.detail.doc.as_mut() else {
        return;
    };
    let (top_line, _) = doc.rows.line_at(top_row);
    let want = top_line + 3 * rows;
    let done = doc.styled.len();
    let limit = doc.lines.len().min(HIGHLIGHT_MAX_LINES);
    if doc.highlighting || done >= limit || want <= done {
        return;
    }
    let Some(cp) = doc.checkpoint.clone() else {
        return;
    };
    doc.highlighting = true;
    cmds.push(Cmd::Highlight {
        req,
        from: done,
        lines: Arc::clone(&doc.lines),
        checkpoint: cp,
    });
}

/// Lays the document out at the pane's width (rows on screen, wrapped or not) and fits the
/// viewport to it; the first line on screen stays first when the layout changes.
pub(super) fn fit(app: &mut App, width: usize, height: usize) {
    let wrap = app.detail.wraps();
    let Some(doc) = app.detail.doc.as_mut() else {
        app.detail.scroll.fit(0, height);
        app.detail.hscroll = 0;
        return;
    };
    if doc.rows.width != width.max(1) || doc.rows.wrap != wrap || doc.rows.total == 0 {
        let (line, _) = doc.rows.line_at(app.detail.scroll.offset());
        let first_line = if doc.rows.total == 0 { 0 } else { line };
        doc.rows = DocRows::build(&doc.lines, width, wrap);
        let row = doc.rows.row_of_line(first_line);
        app.detail.scroll.fit(doc.rows.total, height);
        app.detail.scroll.set_offset(row);
    }
    app.detail.scroll.fit(doc.rows.total, height);
    let max_h = if wrap {
        0
    } else {
        doc.rows.widest.saturating_sub(width)
    };
    app.detail.hscroll = app.detail.hscroll.min(max_h);
}

pub(super) fn key(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::Left => set_tab(app, app.detail.tab.prev(), cmds),
        Action::Right => set_tab(app, app.detail.tab.next(), cmds),
        a => match nav_of(a) {
            Some(nav) => {
                if !app.detail.scroll.go(nav) {
                    app.dirty = false;
                }
            }
            None => app.dirty = false,
        },
    }
}

/// Is the transcript view open?
pub(crate) fn in_transcript(app: &App) -> bool {
    app.transcript.is_some() && app.detail.tab == Tab::Transcript
}

/// Opens the transcript (the whole trace as one conversation, full screen) or goes back to
/// the tab, pane and zoom it was opened from.
pub(crate) fn toggle_transcript(app: &mut App, cmds: &mut Vec<Cmd>) {
    let key = app.keymap.hint(crate::keymap::Action::Transcript);
    if in_transcript(app) {
        if let Some(back) = app.transcript.take() {
            app.focus = back.focus;
            app.zoom = back.zoom;
            set_tab(app, back.tab, cmds);
        }
        app.message = Some("back from the transcript".into());
        return;
    }
    if app.open.is_none() {
        app.message = Some(format!(
            "open a trace first: {key} shows it as one conversation"
        ));
        return;
    }
    app.transcript = Some(crate::app::TranscriptReturn {
        tab: app.detail.tab,
        focus: app.focus,
        zoom: app.zoom,
    });
    app.focus = crate::app::Focus::Detail;
    app.zoom = true;
    set_tab(app, Tab::Transcript, cmds);
    app.message = Some(format!(
        "transcript: the whole trace as one conversation · {key} or esc goes back"
    ));
}

pub(crate) fn set_tab(app: &mut App, tab: Tab, cmds: &mut Vec<Cmd>) {
    app.detail.tab = tab;
    refresh_doc(app, cmds);
}

pub(super) fn toggle_wrap(app: &mut App) {
    let on = !app.detail.wraps();
    if app.detail.tab.is_prose() {
        app.detail.wrap_chat = on;
    } else {
        app.detail.wrap = on;
    }
    app.detail.hscroll = 0;
    app.message = Some(format!(
        "{} long lines{}",
        if on { "wrapping" } else { "not wrapping" },
        if app.detail.tab.is_prose() {
            " in the Chat tab and the transcript"
        } else {
            ""
        }
    ));
}

/// Scrolls long lines sideways by half the pane's width.
pub(super) fn scroll_sideways(app: &mut App, right: bool) {
    if app.detail.wraps() {
        app.message = Some(format!(
            "lines wrap: nothing to scroll sideways ({} stops wrapping)",
            app.keymap.hint(Action::Wrap)
        ));
        return;
    }
    let (width, widest) = app
        .detail
        .doc
        .as_ref()
        .map_or((0, 0), |d| (d.rows.width, d.rows.widest));
    let step = (width / 2).max(1);
    let max = widest.saturating_sub(width);
    let before = app.detail.hscroll;
    app.detail.hscroll = if right {
        (before + step).min(max)
    } else {
        before.saturating_sub(step)
    };
    if app.detail.hscroll == before {
        app.dirty = false;
    }
}

/// Scrolls the detail to the first line holding `query`.
pub(super) fn scroll_to_text(app: &mut App, query: &str) {
    super::fit_views(app);
    let Some(doc) = app.detail.doc.as_ref() else {
        return;
    };
    if let Some(line) = crate::app::search::line_of(&doc.lines, query) {
        let row = doc.rows.row_of_line(line);
        app.detail.scroll.show_row(row);
        if !doc.rows.wrap {
            // bring the match into view sideways too
            let text = &doc.lines[line];
            let col = crate::app::search::occurrences(text, query)
                .first()
                .map(|r| crate::text::width(&text[..r.start]))
                .unwrap_or(0);
            let w = doc.rows.width;
            if col < app.detail.hscroll || col >= app.detail.hscroll + w {
                app.detail.hscroll = col.saturating_sub(w / 4);
            }
        }
    }
}
