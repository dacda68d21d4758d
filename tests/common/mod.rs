//! Shared helpers for the integration tests: where the fixtures are, and a normalized view of a
//! trace that must come out the same from every source.
#![allow(dead_code)]

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

pub fn demo() -> PathBuf {
    match std::env::var("MLFLOW_TUI_DEMO") {
        Ok(p) => PathBuf::from(p),
        Err(_) => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
    }
}

/// scenario name -> trace id, as the generator recorded it.
pub fn manifest(store: &str) -> BTreeMap<String, String> {
    let path = fixtures().join(store).join("manifest.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
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
