//! The analyses in the explorer: walking the critical path, rollup columns, the waterfall and
//! its zoom, the findings popup, marking and comparing two traces, the stats view, exporting
//! and the web UI link.

use std::sync::Arc;

use crate::app::{App, Cmd, CompareView, Focus, Overlay, PromptKind, StatsView, Window};
use crate::keymap::Action;
use crate::model::stats::{By, of_infos};
use crate::viewport::Viewport;

use super::{detail, span_tree};

/// Traces whose spans are read for stats by model, at most.
pub const MODEL_STATS_MAX: usize = 500;

pub(super) fn action(app: &mut App, action: Action, cmds: &mut Vec<Cmd>) {
    match action {
        Action::CriticalNext | Action::CriticalPrev => {
            let Some(o) = app.open.as_mut() else {
                app.message = Some("open a trace first".into());
                return;
            };
            let before = o.view.selected_span();
            match o
                .analysis
                .next_on_path(before, action == Action::CriticalNext)
            {
                Some(s) => {
                    o.view.select_span(&o.trace.tree, s);
                    let g = o
                        .analysis
                        .path
                        .iter()
                        .filter(|g| g.span == s)
                        .map(|g| g.len_ns())
                        .sum::<u64>();
                    app.focus = Focus::SpanTree;
                    app.message = Some(format!(
                        "critical path: {} ({} on it)",
                        crate::text::sanitize_line(&o.trace.tree.span(s).name),
                        crate::model::time::format_duration_ns(g)
                    ));
                    span_tree::after_move(app, before, cmds);
                }
                None => app.message = Some("this trace has no critical path".into()),
            }
        }
        Action::Rollups => {
            if let Some(o) = app.open.as_mut() {
                o.view.rollups = !o.view.rollups;
            }
        }
        Action::Waterfall => {
            if app.waterfall.take().is_none() {
                let Some(o) = app.open.as_ref() else {
                    app.message = Some("open a trace first".into());
                    return;
                };
                let (t0, t1) = o.trace.tree.time_range();
                app.waterfall = Some(Window {
                    from_ns: 0,
                    to_ns: t1.saturating_sub(t0).max(1),
                });
                app.focus = Focus::SpanTree;
                app.message = Some(format!(
                    "waterfall: {}/{} zoom, {}/{} pan, {} back",
                    app.keymap.hint(Action::ZoomIn),
                    app.keymap.hint(Action::ZoomOut),
                    app.keymap.hint(Action::ScrollLeft),
                    app.keymap.hint(Action::ScrollRight),
                    app.keymap.hint(Action::Waterfall)
                ));
            }
        }
        Action::ZoomIn | Action::ZoomOut => zoom(app, action == Action::ZoomIn),
        Action::Findings => match app.open.as_ref() {
            Some(o) if !o.findings.is_empty() => {
                app.overlay = Some(Overlay::Findings(Viewport::list()))
            }
            Some(o) if !o.analysed => {
                app.message = Some("the findings are still being worked out".into())
            }
            Some(_) => app.message = Some("no findings in this trace".into()),
            None => app.message = Some("open a trace first".into()),
        },
        Action::Mark => match app.open.as_ref() {
            Some(o) => {
                app.mark = Some(Arc::clone(&o.trace));
                app.message = Some(format!(
                    "marked {}: select another trace and press {} to compare",
                    crate::text::sanitize_line(&o.trace.info.trace_id),
                    app.keymap.hint(Action::Compare)
                ));
            }
            None => app.message = Some("open a trace first".into()),
        },
        Action::Compare => compare(app),
        Action::Stats => open_stats(app, By::Name, cmds),
        Action::Export => match app.open.as_ref() {
            Some(o) => {
                let id = o.trace.info.trace_id.clone();
                let safe: String = id
                    .chars()
                    .map(|c| {
                        if c.is_ascii_alphanumeric() || c == '-' {
                            c
                        } else {
                            '_'
                        }
                    })
                    .collect();
                super::prompt::open(app, PromptKind::Export, &format!("markdown ./{safe}.md"));
            }
            None => app.message = Some("open a trace first".into()),
        },
        Action::WebUi => {
            let url = app.open.as_ref().and_then(|o| app.web_url(&o.trace.info));
            match url {
                Some(u) => {
                    app.message = Some(format!("copied {u}"));
                    cmds.push(Cmd::Copy(u));
                }
                None => app.message = Some("a web UI link needs a tracking server source".into()),
            }
        }
        _ => app.dirty = false,
    }
}

/// Pans the waterfall a quarter of its window (false when it is not on).
pub(super) fn pan(app: &mut App, right: bool) -> bool {
    let (Some(win), Some(o)) = (app.waterfall.as_mut(), app.open.as_ref()) else {
        return false;
    };
    let (t0, t1) = o.trace.tree.time_range();
    let total = t1.saturating_sub(t0).max(1);
    let w = win.to_ns - win.from_ns;
    let step = (w / 4).max(1);
    let from = if right {
        (win.from_ns + step).min(total.saturating_sub(w))
    } else {
        win.from_ns.saturating_sub(step)
    };
    *win = Window {
        from_ns: from,
        to_ns: from + w,
    };
    true
}

fn zoom(app: &mut App, zoom_in: bool) {
    let (Some(win), Some(o)) = (app.waterfall, app.open.as_ref()) else {
        app.message = Some(format!(
            "zoom works in the waterfall ({} opens it)",
            app.keymap.hint(Action::Waterfall)
        ));
        return;
    };
    let (t0, t1) = o.trace.tree.time_range();
    let total = t1.saturating_sub(t0).max(1);
    let width = win.to_ns - win.from_ns;
    // zoom around the selected span's middle (in the window), else the window's middle
    let center = o
        .view
        .selected_span()
        .map(|s| {
            let sp = o.trace.tree.span(s);
            let (a, b) = (
                sp.start_ns.saturating_sub(t0),
                sp.end_ns.unwrap_or(t1).saturating_sub(t0),
            );
            (a + b) / 2
        })
        .unwrap_or(win.from_ns + width / 2);
    let new_w = if zoom_in {
        (width / 2).max(1_000)
    } else {
        (width * 2).min(total)
    };
    let from = center
        .saturating_sub(new_w / 2)
        .min(total.saturating_sub(new_w));
    app.waterfall = Some(Window {
        from_ns: from,
        to_ns: from + new_w,
    });
}

/// Compares the marked trace with the open one.
fn compare(app: &mut App) {
    if app.loading_trace.is_some() {
        app.message = Some(format!(
            "the selected trace is still loading: {} again in a moment",
            app.keymap.hint(Action::Compare)
        ));
        return;
    }
    let (Some(a), Some(o)) = (app.mark.clone(), app.open.as_ref()) else {
        app.message = Some(format!(
            "mark a trace with {}, select another, then {} compares them",
            app.keymap.hint(Action::Mark),
            app.keymap.hint(Action::Compare)
        ));
        return;
    };
    let b = Arc::clone(&o.trace);
    let diff = crate::model::diff::diff(&a, &b);
    let mut c = CompareView {
        diff,
        a,
        b,
        rows: Viewport::list(),
        io: Vec::new(),
        io_view: Viewport::document(),
        focus_io: false,
    };
    refresh_io(&mut c);
    app.compare = Some(c);
}

/// The line diff of the selected row's inputs and outputs.
pub(super) fn refresh_io(c: &mut CompareView) {
    let r = c.diff.rows.get(c.rows.cursor());
    c.io = match r {
        Some(r) => match (r.a, r.b) {
            (Some(ia), Some(ib)) => crate::model::diff::io_diff(&c.a, ia, &c.b, ib),
            (Some(_), None) => vec![crate::model::diff::DiffLine {
                tag: '-',
                text: "only in the first trace".into(),
            }],
            _ => vec![crate::model::diff::DiffLine {
                tag: '+',
                text: "only in the second trace".into(),
            }],
        },
        None => Vec::new(),
    };
    c.io_view.set_offset(0);
}

pub(super) fn compare_key(app: &mut App, action: Option<Action>) {
    let Some(c) = app.compare.as_mut() else {
        return;
    };
    match action {
        Some(Action::Back | Action::Compare | Action::Quit) => app.compare = None,
        Some(Action::FocusNext | Action::FocusPrev) => c.focus_io = !c.focus_io,
        Some(a) => match super::nav_of(a) {
            Some(nav) if c.focus_io => {
                c.io_view.go(nav);
            }
            Some(nav) => {
                if c.rows.go(nav) {
                    refresh_io(c);
                }
            }
            None => app.dirty = false,
        },
        None => app.dirty = false,
    }
}

/// Opens the stats view over the loaded list, grouped `by` (models: their spans are read).
pub(super) fn open_stats(app: &mut App, by: By, cmds: &mut Vec<Cmd>) {
    let infos: Vec<&crate::model::TraceInfo> = app.list.shown().collect();
    let note = app.list.scope_note(format!("{} traces", infos.len()));
    let req = app.stats.as_ref().map_or(0, |s| s.req) + 1;
    let mut view = StatsView {
        stats: of_infos(&infos, by),
        view: app.stats.as_ref().map_or_else(Viewport::list, |s| s.view),
        loading: None,
        req,
        note,
    };
    if by == By::Model {
        let ids: Vec<String> = infos
            .iter()
            .take(MODEL_STATS_MAX)
            .map(|t| t.trace_id.clone())
            .collect();
        view.note = format!(
            "model calls in {} traces{}",
            ids.len(),
            if infos.len() > ids.len() {
                format!(" (the first {MODEL_STATS_MAX} of {})", infos.len())
            } else {
                String::new()
            }
        );
        view.loading = Some(req);
        cmds.push(Cmd::ModelStats { req, ids });
        cmds.push(Cmd::StartTicking);
    }
    app.stats = Some(view);
}

pub(super) fn stats_key(app: &mut App, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let Some(s) = app.stats.as_mut() else {
        return;
    };
    match action {
        Some(Action::Back | Action::Stats | Action::Quit) => app.stats = None,
        Some(Action::FocusNext | Action::Toggle | Action::Select) => {
            let by = s.stats.by.next();
            open_stats(app, by, cmds);
        }
        Some(a) => match super::nav_of(a) {
            Some(nav) => {
                s.view.go(nav);
            }
            None => app.dirty = false,
        },
        None => app.dirty = false,
    }
}

pub(super) fn on_model_stats(
    app: &mut App,
    req: crate::app::ReqId,
    result: Result<crate::model::stats::Stats, String>,
) {
    let Some(s) = app.stats.as_mut().filter(|s| s.loading == Some(req)) else {
        app.dirty = false;
        return;
    };
    s.loading = None;
    match result {
        Ok(stats) => s.stats = stats,
        Err(e) => {
            let e = crate::text::sanitize_line(&e).into_owned();
            s.note = format!("model stats failed: {e}");
            app.report_error(format!("stats by model: {e}"));
        }
    }
}

/// Enter in the export prompt: `FORMAT FILE`.
pub(super) fn export(app: &mut App, text: &str, cmds: &mut Vec<Cmd>) -> Result<(), String> {
    let Some(o) = app.open.as_ref() else {
        return Err("no trace is open".into());
    };
    let text = text.trim();
    let (fmt, path) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let format = crate::cli::export::Format::parse(fmt)
        .ok_or_else(|| format!("{fmt:?}: markdown, mlflow or otlp-json, then the file to write"))?;
    let path = path.trim();
    if path.is_empty() {
        return Err("the file to write comes after the format".into());
    }
    cmds.push(Cmd::Export {
        trace: Arc::clone(&o.trace),
        format,
        path: path.to_string(),
    });
    Ok(())
}

pub(super) fn findings_key(app: &mut App, action: Option<Action>, cmds: &mut Vec<Cmd>) {
    let (Some(Overlay::Findings(view)), Some(o)) = (app.overlay.as_mut(), app.open.as_mut()) else {
        app.overlay = None;
        return;
    };
    match action {
        Some(Action::Back | Action::Findings | Action::Quit) => app.overlay = None,
        Some(Action::Select) => {
            let Some(f) = o.findings.get(view.cursor()).cloned() else {
                return;
            };
            let before = o.view.selected_span();
            o.view.select_span(&o.trace.tree, f.span);
            app.overlay = None;
            app.focus = Focus::SpanTree;
            app.message = Some(crate::text::sanitize_line(&f.message).into_owned());
            span_tree::after_move(app, before, cmds);
            detail::refresh_doc(app, cmds);
        }
        Some(a) => match super::nav_of(a) {
            Some(nav) => {
                view.go(nav);
            }
            None => app.dirty = false,
        },
        None => app.dirty = false,
    }
}
