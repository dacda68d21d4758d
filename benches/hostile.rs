//! One frame per hostile-corpus file (tests/hostile), with its trace open on its heaviest span
//! and tab, at 200x50: the time a redraw takes when a trace holds a 10 MB string, a
//! million-element array, JSON nested 10,000 deep, escapes and wide text. Target: 16 ms.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use mlflow_tui::app::{App, Cmd, LoadedTrace, Msg, detail};
use mlflow_tui::source::{ListQuery, LocalStore, json::JsonStore};
use mlflow_tui::update::update;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// Carries out the commands that load and prepare data, at once, as the runtime would.
fn drive(app: &mut App, store: &JsonStore, mut cmds: Vec<Cmd>) {
    while let Some(cmd) = cmds.pop() {
        let msg = match cmd {
            Cmd::LoadTraces { req, append, .. } => Msg::TracesLoaded {
                req,
                append,
                page: store
                    .list(&ListQuery {
                        max_results: 500,
                        ..Default::default()
                    })
                    .map_err(|e| e.to_string()),
            },
            Cmd::LoadTrace { req, trace_id } => Msg::TraceLoaded {
                req,
                result: store
                    .get(&trace_id)
                    .map(LoadedTrace::new)
                    .map_err(|e| e.to_string()),
                trace_id,
            },
            Cmd::BuildDoc {
                req,
                trace,
                span,
                tab,
                utc,
            } => Msg::DocReady {
                req,
                content: detail::build(&trace, span, tab, utc),
            },
            Cmd::Highlight {
                req,
                from,
                lines,
                checkpoint,
            } => {
                let (styled, cp) = mlflow_tui::highlight::highlight_chunk(
                    &lines,
                    from,
                    detail::HIGHLIGHT_CHUNK,
                    checkpoint,
                );
                Msg::Highlighted {
                    req,
                    from,
                    lines: styled,
                    checkpoint: Some(cp),
                }
            }
            _ => continue,
        };
        cmds.extend(update(app, msg));
    }
}

fn key(app: &mut App, store: &JsonStore, c: KeyCode) {
    let cmds = update(app, Msg::Key(KeyEvent::new(c, KeyModifiers::NONE)));
    drive(app, store, cmds);
}

fn frames(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut group = c.benchmark_group("hostile_frame");
    for path in files {
        let Ok(store) = JsonStore::open(&path) else {
            continue;
        };
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut app = App::new("hostile".into(), "all experiments".into());
        let mut cmds = update(&mut app, Msg::Resize(200, 50));
        cmds.extend(mlflow_tui::update::start(&mut app));
        drive(&mut app, &store, cmds);
        // the first span's inputs: where the big values are
        app.focus = mlflow_tui::app::Focus::SpanTree;
        key(&mut app, &store, KeyCode::Char(']'));
        assert!(app.detail.doc.is_some(), "{name}: a document to show");
        let mut term = Terminal::new(TestBackend::new(200, 50)).unwrap();
        let app = Arc::new(app);
        group.bench_function(&name, |b| {
            b.iter(|| {
                term.draw(|f| mlflow_tui::ui::render(f, black_box(&app)))
                    .unwrap();
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(2));
    targets = frames
}
criterion_main!(benches);
