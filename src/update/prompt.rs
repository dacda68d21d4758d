//! Lines typed in the status line: the quick filter (narrows on every keystroke), the MLflow
//! filter line, the `:` command palette and the search inside a trace. All edit like a shell
//! line, complete with tab, and walk their history with ↑/↓; a refused line stays open with
//! what was typed and the reason, and esc keeps a changed line in the history.

use crossterm::event::{KeyCode, KeyEvent};

use crate::app::line_edit::{Edit, complete as complete_word};
use crate::app::palette::{self, Command, Known};
use crate::app::{App, Cmd, Prompt, PromptKind};
use crate::keymap::Action;
use crate::text::sanitize_line;

use super::{detail, span_tree, trace_list};

pub(super) fn open(app: &mut App, kind: PromptKind, text: &str) {
    app.prompt = Some(Prompt::new(kind, text));
}

fn history(app: &mut App, kind: PromptKind) -> Option<&mut Vec<String>> {
    match kind {
        PromptKind::Filter => Some(&mut app.filter_history),
        PromptKind::Palette => Some(&mut app.palette_history),
        PromptKind::Annotate => Some(&mut app.annotate_history),
        _ => None,
    }
}

fn remember(list: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    list.retain(|h| h != text);
    list.push(text.to_string());
    if list.len() > 100 {
        list.remove(0);
    }
}

pub(super) fn key(app: &mut App, k: KeyEvent, cmds: &mut Vec<Cmd>) {
    let Some(p) = app.prompt.as_mut() else {
        return;
    };
    let kind = p.kind;
    match k.code {
        KeyCode::Esc => {
            let text = p.edit.text().to_string();
            app.prompt = None;
            match kind {
                PromptKind::QuickFilter => trace_list::set_quick(app, String::new(), cmds),
                PromptKind::TraceSearch => {}
                PromptKind::Filter if app.filter.as_deref() != Some(text.trim()) => {
                    if let Some(h) = history(app, kind) {
                        remember(h, &text);
                        app.message =
                            Some("filter not applied (↑ in the filter line brings it back)".into());
                    }
                }
                PromptKind::Palette | PromptKind::Annotate => {
                    if let Some(h) = history(app, kind) {
                        remember(h, &text);
                    }
                }
                _ => {}
            }
        }
        KeyCode::Enter => enter(app, cmds),
        KeyCode::Tab => complete(app),
        KeyCode::Up | KeyCode::Down if kind == PromptKind::QuickFilter => {
            let nav = if k.code == KeyCode::Down {
                crate::viewport::Nav::Down
            } else {
                crate::viewport::Nav::Up
            };
            trace_list::move_to(app, nav, cmds);
        }
        KeyCode::Up | KeyCode::Down => walk_history(app, k.code == KeyCode::Up),
        KeyCode::Char('x')
            if kind == PromptKind::Annotate
                && k.modifiers
                    .contains(crossterm::event::KeyModifiers::CONTROL) =>
        {
            super::review::edit_line(app, cmds)
        }
        _ => {
            let edit = p.edit.handle(&k);
            if edit == Edit::Ignored {
                app.dirty = false;
                return;
            }
            p.completions.clear();
            p.completion_pos = None;
            if edit == Edit::Changed {
                p.error = None;
                p.history_pos = None;
                if kind == PromptKind::QuickFilter {
                    let q = p.edit.text().to_string();
                    trace_list::set_quick(app, q, cmds);
                }
            }
        }
    }
}

fn walk_history(app: &mut App, up: bool) {
    let Some(kind) = app.prompt.as_ref().map(|p| p.kind) else {
        return;
    };
    let list = history(app, kind).cloned().unwrap_or_default();
    let Some(p) = app.prompt.as_mut() else {
        return;
    };
    let n = list.len();
    if n == 0 {
        app.dirty = false;
        return;
    }
    let pos = match (p.history_pos, up) {
        (None, true) => Some(n - 1),
        (Some(i), true) => Some(i.saturating_sub(1)),
        (Some(i), false) if i + 1 < n => Some(i + 1),
        _ => None,
    };
    p.history_pos = pos;
    p.edit.set(pos.map(|i| list[i].as_str()).unwrap_or(""));
    p.error = None;
}

fn known(app: &App) -> Known<'_> {
    Known {
        experiments: app
            .experiments
            .iter()
            .flatten()
            .filter(|e| e.active)
            .map(|e| e.name.as_str())
            .collect(),
        tag_keys: app.list.tag_keys.iter().map(String::as_str).collect(),
        metadata_keys: app.list.metadata_keys.iter().map(String::as_str).collect(),
    }
}

/// Tab: completes the word under the cursor; with several completions, the common part first,
/// then each in turn.
fn complete(app: &mut App) {
    let Some(p) = app.prompt.as_ref() else {
        return;
    };
    let (start, word) = p.edit.completion_word();
    let before: String = p.edit.text().chars().take(start).collect();
    let cands = match p.kind {
        PromptKind::Filter => palette::filter_candidates(&known(app)),
        PromptKind::Palette => palette::palette_candidates(&before, &known(app)),
        PromptKind::Export if before.trim().is_empty() => {
            vec!["markdown".into(), "mlflow".into(), "otlp-json".into()]
        }
        _ => {
            app.dirty = false;
            return;
        }
    };
    let first_word = before.trim().is_empty();
    let Some(p) = app.prompt.as_mut() else {
        return;
    };
    if !p.completions.is_empty() {
        let i = p
            .completion_pos
            .map_or(0, |i| (i + 1) % p.completions.len());
        p.completion_pos = Some(i);
        let c = p.completions[i].clone();
        p.edit.replace_word(start, &c);
        return;
    }
    let (hits, common) = complete_word(&word, &cands);
    match hits.len() {
        0 => app.message = Some(format!("nothing completes {:?}", sanitize_line(&word))),
        1 => {
            let mut c = hits[0].clone();
            if p.kind == PromptKind::Palette && first_word {
                c.push(' ');
            }
            p.edit.replace_word(start, &c);
        }
        _ => {
            p.edit.replace_word(start, &common);
            p.completions = hits;
            p.completion_pos = None;
        }
    }
}

fn enter(app: &mut App, cmds: &mut Vec<Cmd>) {
    let Some(p) = app.prompt.as_mut() else {
        return;
    };
    let text = p.edit.text().to_string();
    match p.kind {
        PromptKind::QuickFilter => app.prompt = None,
        PromptKind::TraceSearch => {
            app.prompt = None;
            span_tree::run_search(app, &text, cmds);
        }
        PromptKind::Annotate => match super::review::submit(app, &text, cmds) {
            Ok(()) => {
                remember(&mut app.annotate_history, &text);
                app.prompt = None
            }
            Err(e) => {
                if let Some(p) = app.prompt.as_mut() {
                    p.error = Some((0, e));
                }
            }
        },
        PromptKind::Review => match super::review::start(app, &text) {
            Ok(()) => app.prompt = None,
            Err(e) => {
                if let Some(p) = app.prompt.as_mut() {
                    p.error = Some((0, e));
                }
            }
        },
        PromptKind::Export => match super::analysis::export(app, &text, cmds) {
            Ok(()) => app.prompt = None,
            Err(e) => {
                if let Some(p) = app.prompt.as_mut() {
                    p.error = Some((0, e));
                }
            }
        },
        PromptKind::Filter => {
            // `filter <expr>` reads as the expression
            let t = text.trim();
            let expr = t.strip_prefix("filter ").unwrap_or(t).trim().to_string();
            match apply_filter(app, &expr, cmds) {
                Ok(()) => app.prompt = None,
                Err(e) => {
                    if let Some(p) = app.prompt.as_mut() {
                        p.error = Some(e);
                    }
                }
            }
        }
        PromptKind::Palette => {
            remember(&mut app.palette_history, &text);
            if let Err(e) = palette::parse(&text).and_then(|c| run_command(app, c, cmds)) {
                // the line stays open with what was typed, and why it was refused
                let mut p = app
                    .prompt
                    .take()
                    .filter(|p| p.kind == PromptKind::Palette)
                    .unwrap_or_else(|| Prompt::new(PromptKind::Palette, &text));
                if p.error.is_none() {
                    p.error = Some((0, e));
                }
                app.prompt = Some(p);
            }
        }
    }
}

/// Applies an MLflow filter to the list (empty: removes it). A filter MLflow would refuse is
/// refused here with the column it points at, and nothing is sent.
fn apply_filter(app: &mut App, expr: &str, cmds: &mut Vec<Cmd>) -> Result<(), (usize, String)> {
    let expr = expr.trim();
    if expr.is_empty() {
        if app.filter.take().is_some() {
            app.message = Some("filter removed".into());
            trace_list::reload_list(app, cmds);
        }
        return Ok(());
    }
    crate::model::filter::parse(expr).map_err(|e| (e.column, e.message))?;
    remember(&mut app.filter_history, expr);
    app.filter = Some(expr.to_string());
    app.error = None;
    trace_list::reload_list(app, cmds);
    Ok(())
}

/// Runs a palette command. Errors keep the palette open with the reason.
fn run_command(app: &mut App, c: Command, cmds: &mut Vec<Cmd>) -> Result<(), String> {
    app.prompt = None;
    match c {
        Command::Quit => super::global_action(app, Action::Quit, cmds),
        Command::Experiment(sel) => {
            let Some(sel) = sel else {
                super::overlay::choose_experiments(app, Vec::new(), cmds);
                return Ok(());
            };
            let Some(all) = app.experiments.as_ref() else {
                cmds.push(Cmd::LoadExperiments);
                return Err("the experiments are still loading; try again in a moment".into());
            };
            let lower = sel.to_lowercase();
            let hit = all
                .iter()
                .find(|e| e.id == sel || e.name == sel)
                .or_else(|| {
                    let prefixed: Vec<_> = all
                        .iter()
                        .filter(|e| e.name.to_lowercase().starts_with(&lower))
                        .collect();
                    (prefixed.len() == 1).then(|| prefixed[0])
                });
            match hit {
                Some(e) => {
                    let id = e.id.clone();
                    super::overlay::choose_experiments(app, vec![id], cmds);
                }
                None => {
                    app.prompt = Some(Prompt::new(PromptKind::Palette, &format!("exp {sel}")));
                    return Err(format!(
                        "no experiment named or numbered {:?} (tab lists them)",
                        sanitize_line(&sel)
                    ));
                }
            }
        }
        Command::Sort(order) => trace_list::set_sort(app, order, cmds),
        Command::Since(window) => trace_list::set_window(app, window, cmds),
        Command::Filter(expr) => {
            if let Err((col, msg)) = apply_filter(app, expr.as_deref().unwrap_or(""), cmds) {
                let text = format!("filter {}", expr.unwrap_or_default());
                let mut p = Prompt::new(PromptKind::Palette, &text);
                p.error = Some((if col > 0 { col + 7 } else { 0 }, msg.clone()));
                app.prompt = Some(p);
                return Err(msg);
            }
        }
        Command::Follow(on) => {
            let on = on.unwrap_or(!app.follow.on);
            super::set_follow(app, on, cmds);
        }
        Command::Theme(p) => {
            app.palette = p;
            app.detail.doc = None; // highlighted again in the new colours
            detail::refresh_doc(app, cmds);
            app.message = Some(format!(
                "theme {}",
                match p {
                    crate::highlight::Palette::Dark => "dark",
                    crate::highlight::Palette::Light => "light",
                }
            ));
        }
        Command::Columns => super::overlay::open_columns(app),
        Command::Messages => super::overlay::open_messages(app),
        Command::Help => super::overlay::open_help(app),
        Command::Zoom => super::global_action(app, Action::Zoom, cmds),
        Command::Wrap => detail::toggle_wrap(app),
        Command::Reload => trace_list::reload_list(app, cmds),
        Command::Time(rel) => {
            app.list.relative_time = rel.unwrap_or(!app.list.relative_time);
        }
    }
    Ok(())
}
