//! Exported trace JSON: one file (`Trace.to_json()`, an array or `{"traces": […]}` listing,
//! JSON Lines, or a bare `traces.json` artifact), or a folder of such files (searched
//! recursively). Opening reads every file once to index the traces; spans are parsed again
//! from their file when a trace is opened, so memory holds summaries, not every span.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    Experiment, ListQuery, LocalStore, SourceError, TracePage, io_reason, page_of, wanted,
};
use crate::model::parse::parse_traces_file;
use crate::model::{Trace, TraceInfo};

/// File names that may hold traces.
pub fn is_trace_file_name(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "jsonl" | "ndjson")
    )
}

#[derive(Debug, Clone)]
struct Entry {
    info: TraceInfo,
    file: PathBuf,
    /// Position among the traces of its file.
    index: usize,
}

pub struct JsonStore {
    root: PathBuf,
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    warnings: Vec<String>,
}

fn collect_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            // skip hidden folders and files (.git, editor swap files)
            if e.file_name().to_string_lossy().starts_with('.') {
                continue;
            }
            match e.file_type() {
                Ok(t) if t.is_dir() => stack.push(p),
                Ok(t) if t.is_file() && is_trace_file_name(&p) => files.push(p),
                _ => {}
            }
        }
    }
    files.sort();
    files
}

fn read_file(path: &Path) -> Result<(Vec<Trace>, Vec<String>), SourceError> {
    let bytes = std::fs::read(path).map_err(|e| SourceError::bad_file(path, io_reason(&e)))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        SourceError::bad_file(
            path,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })?;
    parse_traces_file(&text).map_err(|e| SourceError::bad_file(path, e))
}

impl JsonStore {
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        let meta =
            std::fs::metadata(root).map_err(|e| SourceError::bad_file(root, io_reason(&e)))?;
        let single = meta.is_file();
        let files = if single {
            vec![root.to_path_buf()]
        } else {
            collect_files(root)
        };
        if files.is_empty() {
            return Err(SourceError::bad_file(
                root,
                "no .json or .jsonl files in this folder",
            ));
        }
        let mut store = JsonStore {
            root: root.to_path_buf(),
            entries: Vec::new(),
            by_id: HashMap::new(),
            warnings: Vec::new(),
        };
        let mut first_error = None;
        for file in files {
            match read_file(&file) {
                Ok((traces, warnings)) => {
                    for w in warnings {
                        store.warnings.push(format!("{}: {w}", file.display()));
                    }
                    for (index, t) in traces.into_iter().enumerate() {
                        store.add(Entry {
                            info: t.summary(),
                            file: file.clone(),
                            index,
                        });
                    }
                }
                Err(e) => {
                    store.warnings.push(e.to_string());
                    first_error.get_or_insert(e);
                }
            }
        }
        if store.entries.is_empty() {
            // nothing usable: the one file's error, or a summary for a folder
            return Err(match (single, first_error) {
                (true, Some(e)) => e,
                (_, Some(e)) => SourceError::bad_file(
                    root,
                    format!("no trace could be read; first problem: {e}"),
                ),
                (_, None) => SourceError::bad_file(root, "no traces in these files"),
            });
        }
        Ok(store)
    }

    fn add(&mut self, e: Entry) {
        // The same trace exported twice (a .json and a .jsonl): keep the first.
        if self.by_id.contains_key(&e.info.trace_id) {
            return;
        }
        self.by_id
            .insert(e.info.trace_id.clone(), self.entries.len());
        self.entries.push(e);
    }

    /// Problems met while indexing (bad files among good ones).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }
}

impl LocalStore for JsonStore {
    fn describe(&self) -> String {
        format!("json {}", self.root.display())
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        let mut ids: Vec<String> = self
            .entries
            .iter()
            .filter_map(|e| e.info.experiment_id.clone())
            .collect();
        ids.sort();
        ids.dedup();
        Ok(ids
            .into_iter()
            .map(|id| Experiment {
                name: id.clone(),
                id,
                active: true,
            })
            .collect())
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::Sql)? {
            return Ok(page);
        }
        let infos = self
            .entries
            .iter()
            .filter(|e| wanted(query, e.info.experiment_id.as_deref()))
            .map(|e| e.info.clone())
            .collect();
        let mut page = page_of(infos, query)?;
        if query.page_token.is_none() {
            page.warnings = self.warnings.clone();
        }
        Ok(page)
    }

    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let entry = self
            .by_id
            .get(trace_id)
            .and_then(|&i| self.entries.get(i))
            .ok_or_else(|| {
                SourceError::NotFound(format!("no trace {trace_id} in {}", self.root.display()))
            })?;
        let (traces, _) = read_file(&entry.file)?;
        traces
            .into_iter()
            .nth(entry.index)
            .filter(|t| t.info.trace_id == trace_id)
            .map(Arc::new)
            .ok_or_else(|| {
                SourceError::bad_file(
                    &entry.file,
                    format!("changed since it was opened; trace {trace_id} is gone"),
                )
            })
    }
}
