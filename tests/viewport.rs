//! Property tests of the one viewport model: random sequences of what a user does (move, top,
//! bottom, pages, quick filter and clearing it, span filter, folds, wrap, zoom, popups, focus,
//! resizes down to 1x1) over the demo, with the invariants checked on every pane after every
//! message: the selection is on screen, the last row is reachable, a pane never shows fewer
//! rows than fit, and the counts in the titles are what can be reached.

mod common;

use common::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlflow_tui::app::{App, Msg, Overlay};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Key(char),
    Ctrl(char),
    Code(KeyCode),
    Resize(u16, u16),
    QuickFilter(String),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => prop::sample::select(vec!['j', 'k', 'g', 'G', 'l', 'h', ' ', 'C', 'E', '2', 'w', 'z', ']', '[', 'H', 'T', '?', 'M', 'c', 'n', '>', '<', 's', 'S', 'R', 'W', '+', '-', 'x', 'X', 'L', '#', 'm', 'D']).prop_map(Op::Key),
        2 => prop::sample::select(vec!['d', 'u', 'f', 'b']).prop_map(Op::Ctrl),
        3 => prop::sample::select(vec![KeyCode::Tab, KeyCode::BackTab, KeyCode::Esc, KeyCode::Enter, KeyCode::PageDown, KeyCode::PageUp]).prop_map(Op::Code),
        2 => (1u16..=220, 1u16..=60).prop_map(|(w, h)| Op::Resize(w, h)),
        1 => prop::sample::select(vec!["rag", "travel", "zzz", "a", ""]).prop_map(|s| Op::QuickFilter(s.to_string())),
    ]
}

fn key(code: KeyCode, m: KeyModifiers) -> Msg {
    Msg::Key(KeyEvent::new(code, m))
}

/// The number after `marker` and a slash in a title (`Traces 3/27` gives 27).
fn count_after(screen: &str, marker: &str) -> Option<usize> {
    let at = screen.find(marker)? + marker.len();
    let rest = &screen[at..];
    let (_, after) = rest.split_once('/')?;
    after
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .ok()
}

fn check(app: &App) -> Result<(), String> {
    let a = mlflow_tui::ui::areas(app);
    let l = &app.list.view;
    l.check().map_err(|e| format!("list: {e}"))?;
    if l.len() != app.list.rows.len() || l.height() != a.list_body.height as usize {
        return Err(format!(
            "list viewport {l:?} for {} rows in {:?}",
            app.list.rows.len(),
            a.list_body
        ));
    }
    if let Some(o) = &app.open {
        let v = &o.view.scroll;
        v.check().map_err(|e| format!("tree: {e}"))?;
        if v.len() != o.view.rows.len() || v.height() != a.tree_body.height as usize {
            return Err(format!(
                "tree viewport {v:?} for {} rows",
                o.view.rows.len()
            ));
        }
    }
    let d = &app.detail.scroll;
    d.check().map_err(|e| format!("detail: {e}"))?;
    if let Some(doc) = &app.detail.doc {
        if d.len() != doc.rows.total || d.height() != a.detail_body.height as usize {
            return Err(format!("detail viewport {d:?} for {} rows", doc.rows.total));
        }
        if doc.rows.wrap != app.detail.wraps() {
            return Err("the detail's rows are laid out for the other wrap setting".into());
        }
    }
    let popup = match &app.overlay {
        Some(Overlay::Help { view, .. })
        | Some(Overlay::Messages(view))
        | Some(Overlay::SpanFilter(view))
        | Some(Overlay::Columns { view, .. })
        | Some(Overlay::Findings(view)) => Some(view),
        Some(Overlay::Experiments(p)) => Some(&p.view),
        None => None,
    };
    if let Some(c) = &app.compare {
        c.rows.check().map_err(|e| format!("compare rows: {e}"))?;
        c.io_view
            .check()
            .map_err(|e| format!("compare diff: {e}"))?;
        if c.rows.len() != c.diff.rows.len() || c.rows.height() != a.compare_rows.height as usize {
            return Err(format!("compare viewport {:?}", c.rows));
        }
    }
    if let Some(st) = &app.stats {
        st.view.check().map_err(|e| format!("stats: {e}"))?;
        if st.view.len() != st.stats.groups.len() + 1 {
            return Err(format!("stats viewport {:?}", st.view));
        }
    }
    if let Some(v) = popup {
        v.check().map_err(|e| format!("popup: {e}"))?;
        if v.height() != a.popup_body.height as usize {
            return Err(format!("popup viewport {v:?} in {:?}", a.popup_body));
        }
    }
    Ok(())
}

/// What is drawn agrees: the list's title counts the rows there are, the tree's too, and
/// each shows as many rows as fit.
fn check_screen(h: &Harness) -> Result<(), String> {
    let app = &h.app;
    if app.overlay.is_some()
        || app.compare.is_some()
        || app.stats.is_some()
        || app.size.0 < 30
        || app.size.1 < 8
    {
        return Ok(());
    }
    let s = h.screen();
    let a = mlflow_tui::ui::areas(app);
    if a.list_body.height > 0 && !app.list.rows.is_empty() {
        let n = count_after(&s, "Traces ").ok_or("no list title")?;
        if n != app.list.rows.len() {
            return Err(format!(
                "list title says {n}, {} rows:\n{s}",
                app.list.rows.len()
            ));
        }
        let drawn = (0..a.list_body.height)
            .filter(|dy| {
                let y = a.list_body.y + dy;
                let line = s.lines().nth(y as usize).unwrap_or("");
                let inner: String = line
                    .chars()
                    .skip(a.list_body.x as usize)
                    .take(a.list_body.width as usize)
                    .collect();
                !inner.trim().is_empty()
            })
            .count();
        let want = app.list.view.visible().len();
        if drawn != want {
            return Err(format!("list draws {drawn} rows, {want} fit:\n{s}"));
        }
    }
    if let Some(o) = &app.open
        && a.tree_body.height > 0
        && app.waterfall.is_none()
        && app.loading_trace.is_none()
        && !o.view.rows.is_empty()
    {
        let n = count_after(&s, "Spans ").ok_or("no tree title")?;
        if n != o.view.rows.len() {
            return Err(format!(
                "tree title says {n}, {} rows:\n{s}",
                o.view.rows.len()
            ));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn every_pane_keeps_its_invariants(ops in prop::collection::vec(op(), 1..60), start in (1u16..=220, 1u16..=60)) {
        let mut h = Harness::new(&demo(), start);
        check(&h.app).map_err(TestCaseError::fail)?;
        for op in ops {
            match &op {
                Op::Key(c) => h.key(KeyCode::Char(*c)),
                Op::Ctrl(c) => h.send(key(KeyCode::Char(*c), KeyModifiers::CONTROL)),
                Op::Code(c) => h.send(key(*c, KeyModifiers::NONE)),
                Op::Resize(w, ht) => h.send(Msg::Resize(*w, *ht)),
                Op::QuickFilter(q) => {
                    if h.app.overlay.is_none() && h.app.prompt.is_none() {
                        h.app.focus = mlflow_tui::app::Focus::TraceList;
                        h.keys("/");
                        h.keys(q);
                        h.key(KeyCode::Enter);
                    }
                }
            }
            check(&h.app).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
            check_screen(&h).map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
        }
    }
}
