//! Shared helpers for the integration tests: where the fixtures are, and a normalized view of a
//! trace that must come out the same from every source.
#![allow(dead_code)]

pub mod procs;
pub mod term;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use mlflow_tui::model::Trace;
use mlflow_tui::source::{self, ListQuery, Source};

/// The fixture root: `$MLFLOW_TUI_FIXTURES` (CI points it at traces the real MLflow SDK wrote
/// minutes ago), else the committed `tests/fixtures`.
pub fn fixtures() -> PathBuf {
    match std::env::var("MLFLOW_TUI_FIXTURES") {
        Ok(p) => {
            let p = PathBuf::from(p);
            assert!(
                p.is_dir(),
                "MLFLOW_TUI_FIXTURES={} is not a folder",
                p.display()
            );
            p
        }
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"),
    }
}

/// Traces in the demo: the scenarios three times (`gen_traces.py --demo 3`, 27) and a travel
/// assistant's working day (`gen_demo.py`, 26).
#[allow(dead_code)]
pub const DEMO_TRACES: usize = 53;

pub fn demo() -> PathBuf {
    match std::env::var("MLFLOW_TUI_DEMO") {
        Ok(p) => PathBuf::from(p),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
    }
}

/// scenario name -> trace id, as the generator recorded it.
pub fn manifest(store: &str) -> BTreeMap<String, String> {
    manifest_at(&fixtures().join(store).join("manifest.json"))
}

/// A generator manifest at a path: scenario name -> trace id.
pub fn manifest_at(path: &std::path::Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["traces"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
        .collect()
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

pub fn open(path: &std::path::Path) -> Arc<dyn Source> {
    source::open(Some(path.to_str().unwrap())).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn get(src: &Arc<dyn Source>, id: &str) -> Arc<Trace> {
    rt().block_on(src.get(id))
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

pub fn list_all(src: &Arc<dyn Source>) -> Vec<mlflow_tui::model::TraceInfo> {
    let r = rt();
    let mut out = Vec::new();
    let mut token = None;
    loop {
        let page = r
            .block_on(src.list(ListQuery {
                max_results: 4,
                page_token: token.take(),
                ..Default::default()
            }))
            .unwrap();
        out.extend(page.traces);
        token = page.next_page_token;
        if token.is_none() {
            return out;
        }
    }
}

/// MLflow 2.x and 3.5 rename spans that share a name within a trace (`fetch_source_1`,
/// `fetch_source_3`, …) when they store them, and their `to_json` renames again, so the same
/// span can be stored as `fetch_source` and exported as `fetch_source_2`. Comparisons drop
/// such a numeric suffix; the trees must agree on everything else.
pub fn base_name(name: &str) -> String {
    match name.rsplit_once('_') {
        Some((base, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            base.to_string()
        }
        _ => name.to_string(),
    }
}

/// What must be equal for the same trace from any source.
#[derive(Debug, PartialEq)]
pub struct Shape {
    pub name: Option<String>,
    pub state: String,
    pub span_count: usize,
    /// (depth, name, parent name, type, status) depth first
    pub spans: Vec<(u32, String, Option<String>, String, String)>,
    pub tokens: Option<(u64, u64, u64)>,
    pub user: Option<String>,
    pub session: Option<String>,
    pub user_tags: BTreeMap<String, String>,
    pub exceptions: Vec<String>,
}

pub fn shape(t: &Trace) -> Shape {
    let tree = &t.tree;
    Shape {
        name: t.name().map(str::to_string),
        state: t.info.state.as_str().to_string(),
        span_count: t.span_count(),
        spans: tree
            .preorder()
            .iter()
            .map(|&i| {
                let s = tree.span(i);
                (
                    tree.depth(i),
                    base_name(&s.name),
                    tree.parent(i).map(|p| base_name(&tree.span(p).name)),
                    s.span_type.as_str().to_string(),
                    s.status.as_str().to_string(),
                )
            })
            .collect(),
        tokens: t.token_usage().map(|u| (u.input, u.output, u.total)),
        user: t.info.user().map(str::to_string),
        session: t.info.session().map(str::to_string),
        user_tags: t
            .info
            .tags
            .iter()
            .filter(|(k, _)| !k.starts_with("mlflow."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        exceptions: t
            .spans()
            .iter()
            .flat_map(|s| s.exceptions())
            .map(|e| format!("{}: {}", e.kind, e.message))
            .collect(),
    }
}

/// Span durations and start offsets, for sources that hold literally the same trace.
pub fn timings(t: &Trace) -> Vec<(String, u64, Option<u64>)> {
    let mut v: Vec<_> = t
        .spans()
        .iter()
        .map(|s| (s.span_id.clone(), s.start_ns, s.duration_ns()))
        .collect();
    v.sort();
    v
}

/// Drives the app's state machine the way the runtime does, but synchronously: every command
/// that loads data is carried out at once against a real source and answered with its message.
pub struct Harness {
    pub app: mlflow_tui::app::App,
    pub src: Arc<dyn Source>,
    pub rt: tokio::runtime::Runtime,
    /// Commands that reach the terminal (copy, pager, editor, quit), for assertions.
    pub effects: Vec<mlflow_tui::app::Cmd>,
    /// Hold back trace loads (to test stale answers).
    pub hold_traces: bool,
    /// List loads are held too (in `held`), to be answered by the test.
    pub hold_lists: bool,
    pub held: Vec<mlflow_tui::app::Cmd>,
}

impl Harness {
    pub fn new(path: &std::path::Path, size: (u16, u16)) -> Self {
        let src = open(path);
        // the source as a path relative to the project, so snapshots do not depend on where the
        // checkout is
        let root = format!("{}/", env!("CARGO_MANIFEST_DIR"));
        let mut app =
            mlflow_tui::app::App::new(src.describe().replace(&root, ""), "all experiments".into());
        app.utc = true;
        app.now_ms = 1_795_300_000_000;
        let mut h = Harness {
            app,
            src,
            rt: rt(),
            effects: Vec::new(),
            hold_traces: false,
            hold_lists: false,
            held: Vec::new(),
        };
        h.send(mlflow_tui::app::Msg::Resize(size.0, size.1));
        let cmds = mlflow_tui::update::start(&mut h.app);
        h.run(cmds);
        h
    }

    pub fn send(&mut self, msg: mlflow_tui::app::Msg) {
        let cmds = mlflow_tui::update::update(&mut self.app, msg);
        self.run(cmds);
    }

    pub fn key(&mut self, code: crossterm::event::KeyCode) {
        self.send(mlflow_tui::app::Msg::Key(crossterm::event::KeyEvent::new(
            code,
            crossterm::event::KeyModifiers::NONE,
        )));
    }

    pub fn keys(&mut self, s: &str) {
        for c in s.chars() {
            self.key(crossterm::event::KeyCode::Char(c));
        }
    }

    pub fn ctrl(&mut self, c: char) {
        self.send(mlflow_tui::app::Msg::Key(crossterm::event::KeyEvent::new(
            crossterm::event::KeyCode::Char(c),
            crossterm::event::KeyModifiers::CONTROL,
        )));
    }

    pub fn answer(&mut self, cmd: mlflow_tui::app::Cmd) -> Option<mlflow_tui::app::Msg> {
        use mlflow_tui::app::{Cmd, Msg};
        Some(match cmd {
            Cmd::LoadTraces { req, query, append } => {
                let page = self.rt.block_on(self.src.list(query));
                Msg::TracesLoaded { req, append, page }
            }
            Cmd::LoadTrace { req, trace_id } => {
                let result = self
                    .rt
                    .block_on(self.src.get(&trace_id))
                    .map(mlflow_tui::app::LoadedTrace::new)
                    .map_err(|e| e.to_string());
                Msg::TraceLoaded {
                    req,
                    trace_id,
                    result,
                }
            }
            Cmd::BuildDoc {
                req,
                trace,
                span,
                tab,
                utc,
            } => Msg::DocReady {
                req,
                content: mlflow_tui::app::detail::build(&trace, span, tab, utc),
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
                    mlflow_tui::app::detail::HIGHLIGHT_CHUNK,
                    checkpoint,
                );
                Msg::Highlighted {
                    req,
                    from,
                    lines: styled,
                    checkpoint: Some(cp),
                }
            }
            Cmd::LoadExperiments => Msg::ExperimentsLoaded(
                self.rt
                    .block_on(self.src.experiments())
                    .map_err(|e| e.to_string()),
            ),
            Cmd::Poll { req, query } => {
                let result = self.rt.block_on(self.src.list(query));
                Msg::Polled {
                    req,
                    at_ms: self.app.now_ms,
                    result,
                }
            }
            Cmd::LoadSession {
                req,
                session,
                experiment_ids,
                known,
                utc,
            } => {
                let turns = self.rt.block_on(mlflow_tui::source::read_session(
                    self.src.as_ref(),
                    &session,
                    experiment_ids,
                    known,
                ));
                Msg::SessionLoaded {
                    req,
                    result: turns.map(|t| mlflow_tui::app::detail::session_lines(&t, utc)),
                }
            }
            Cmd::StartTicking => return None,
            other => {
                self.effects.push(other);
                return None;
            }
        })
    }

    pub fn run(&mut self, cmds: Vec<mlflow_tui::app::Cmd>) {
        for c in cmds {
            if (self.hold_traces && matches!(c, mlflow_tui::app::Cmd::LoadTrace { .. }))
                || (self.hold_lists && matches!(c, mlflow_tui::app::Cmd::LoadTraces { .. }))
            {
                self.held.push(c);
                continue;
            }
            if let Some(m) = self.answer(c) {
                self.send(m);
            }
        }
    }

    /// The whole screen as text, rendered at the app's size.
    pub fn screen(&self) -> String {
        let backend = ratatui::backend::TestBackend::new(self.app.size.0, self.app.size.1);
        let mut t = ratatui::Terminal::new(backend).unwrap();
        t.draw(|f| mlflow_tui::ui::render(f, &self.app)).unwrap();
        buffer_text(t.backend().buffer())
    }

    pub fn selected_span_name(&self) -> Option<String> {
        let o = self.app.open.as_ref()?;
        o.view
            .selected_span()
            .map(|s| o.trace.tree.span(s).name.clone())
    }
}

pub fn buffer_text(b: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..b.area.height {
        for x in 0..b.area.width {
            out.push_str(b[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

/// Moves the list's selection to the first trace with this name.
pub fn select_trace_named(h: &mut Harness, name: &str) {
    h.app.focus = mlflow_tui::app::Focus::TraceList;
    h.keys("g");
    for _ in 0..h.app.list.rows.len() {
        if h.app.list.selected_trace().and_then(|t| t.name()) == Some(name) {
            return;
        }
        h.keys("j");
    }
    panic!("no trace named {name}");
}

/// Every file under `root` with its bytes, sorted by path (sqlite's `-shm` and `-wal`, which
/// any reader may create or map, left out).
pub fn store_bytes(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        if d.is_file() {
            let name = d.display().to_string();
            if !name.ends_with("-shm") && !name.ends_with("-wal") {
                out.push((name, std::fs::read(&d).unwrap()));
            }
            continue;
        }
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            stack.push(e.path());
        }
    }
    out.sort();
    out
}

/// The text of a trace of `n` spans in MLflow 3's export shape: an agent with `n - 1` steps,
/// the last of which failed.
pub fn giant_trace_json(n: usize) -> String {
    let id = "tr-00000000000000000000000000000042";
    let t0: u64 = 1_795_312_923_000_000_000;
    let span = |i: usize, parent: Option<usize>, name: &str, ty: &str, error: bool| {
        serde_json::json!({
            "trace_id": "AAAAAAAAAAAAAAAAAAAAQg==",
            "span_id": format!("{:016x}", i + 1),
            "parent_span_id": parent.map(|p| format!("{:016x}", p + 1)),
            "name": name,
            "start_time_unix_nano": t0 + i as u64 * 1000,
            "end_time_unix_nano": t0 + if parent.is_none() { n as u64 * 1000 + 10 } else { i as u64 * 1000 + 900 },
            "status": {"code": if error { "STATUS_CODE_ERROR" } else { "STATUS_CODE_OK" }, "message": ""},
            "attributes": {
                "mlflow.traceRequestId": format!("\"{id}\""),
                "mlflow.spanType": format!("\"{ty}\""),
            },
            "events": [],
        })
    };
    let mut spans = vec![span(0, None, "agent", "AGENT", false)];
    spans.extend((1..n).map(|i| span(i, Some(0), "step", "CHAIN", i == n - 1)));
    let doc = serde_json::json!({
        "info": {
            "trace_id": id,
            "trace_location": {"type": "MLFLOW_EXPERIMENT", "mlflow_experiment": {"experiment_id": "0"}},
            "request_time": "2026-11-22T00:00:00Z",
            "state": "ERROR",
            "execution_duration": "1s",
            "tags": {"mlflow.traceName": "agent"},
        },
        "data": {"spans": spans},
    });
    doc.to_string()
}

/// Filters in MLflow's grammar over trace infos (status, names, tags, metadata, times): the
/// same answers expected from a server, its store read directly, and its traces exported.
pub const FILTERS: &[&str] = &[
    "attributes.status = 'ERROR'",
    "status != 'OK'",
    "attributes.status IN ('OK')",
    "attributes.status NOT IN ('OK')",
    "name = 'travel_agent'",
    "name LIKE 'rag%'",
    "name LIKE 'RAG%'",
    "name ILIKE 'RAG%'",
    "name RLIKE '^tra'",
    "tags.env = 'prod'",
    "tags.env != 'prod'",
    "tags.env LIKE 'pr%'",
    "tags.env IS NULL",
    "tags.env IS NOT NULL",
    "tags.`mlflow.traceName` = 'batch_job'",
    "metadata.`mlflow.trace.user` = 'alice'",
    "metadata.mlflow.trace.session LIKE 'session-%'",
    "timestamp_ms > 0",
    "execution_time_ms > 30",
    "tags.env = 'prod' AND name != 'travel_agent'",
];
