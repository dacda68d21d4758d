//! MLflow's file store: `mlruns/<experiment_id>/meta.yaml` and
//! `mlruns/<experiment_id>/traces/<trace_id>/{trace_info.yaml, request_metadata/, tags/,
//! assessments/, artifacts/traces.json}`, as MLflow 2.x and 3.x write it. Read only.
//!
//! The sqlite store leaves `mlruns/<exp>/traces/<id>/artifacts` folders behind with no
//! `meta.yaml`; such a folder is not a file store.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::artifacts::{read_traces_json, resolve_dir};
use super::{
    Experiment, ListQuery, LocalStore, SourceError, TracePage, io_reason, page_of, wanted,
};
use crate::model::parse::{parse_assessment, parse_info};
use crate::model::{Trace, TraceInfo, keys};

/// True if `dir` holds at least one experiment folder with a `meta.yaml`.
pub fn is_file_store(dir: &Path) -> bool {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return false;
    };
    rd.flatten()
        .any(|e| e.path().is_dir() && e.path().join("meta.yaml").is_file())
}

pub struct FileStore {
    root: PathBuf,
    /// The last full scan and what it was for (experiments, `since_ms`), reused while paging
    /// through the same listing (a first page scans again; a live-tail poll never serves the
    /// list's next page).
    scanned: Mutex<Option<(ScanKey, Scan)>>,
    /// Every `trace_info.yaml` read, by path, with its modification time and length: a scan
    /// reads again only the files that changed (follow mode scans every few seconds).
    parsed: Mutex<std::collections::HashMap<PathBuf, (Stamp, TraceInfo)>>,
}

type Stamp = (Option<std::time::SystemTime>, u64);

type Scan = (Vec<(TraceInfo, PathBuf)>, Vec<String>);
type ScanKey = (Vec<String>, Option<i64>);

fn read_yaml(path: &Path) -> Result<Value, SourceError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| SourceError::bad_file(path, io_reason(&e)))?;
    serde_yaml_ng::from_str::<Value>(&text)
        .map_err(|e| SourceError::bad_file(path, format!("not valid YAML: {e}")))
}

/// Reads every file below `dir` as `key -> contents`; keys with `/` are nested folders.
fn read_kv_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let (Ok(rel), Ok(bytes)) = (p.strip_prefix(dir), std::fs::read(&p)) {
                out.insert(
                    rel.to_string_lossy().replace('\\', "/"),
                    String::from_utf8_lossy(&bytes).into_owned(),
                );
            }
        }
    }
    out
}

impl FileStore {
    pub fn open(root: &Path) -> Result<Self, SourceError> {
        if !is_file_store(root) {
            return Err(SourceError::bad_file(
                root,
                "not an MLflow file store (no experiment folder with a meta.yaml)",
            ));
        }
        Ok(FileStore {
            root: root.to_path_buf(),
            scanned: Mutex::new(None),
            parsed: Mutex::new(Default::default()),
        })
    }

    fn experiment_dirs(&self) -> Vec<(Experiment, PathBuf)> {
        let Ok(rd) = std::fs::read_dir(&self.root) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for e in rd.flatten() {
            let dir = e.path();
            let meta = dir.join("meta.yaml");
            if !meta.is_file() {
                continue;
            }
            let Ok(v) = read_yaml(&meta) else { continue };
            let id = match v.get("experiment_id") {
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
                None => e.file_name().to_string_lossy().into_owned(),
            };
            out.push((
                Experiment {
                    id,
                    name: v
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                    active: v.get("lifecycle_stage").and_then(Value::as_str) != Some("deleted"),
                },
                dir,
            ));
        }
        out.sort_by(|a, b| a.0.id.cmp(&b.0.id));
        out
    }

    /// Reads `trace_info.yaml` only (what sorting needs). Bad files become warnings.
    fn scan(&self, query: &ListQuery) -> (Vec<(TraceInfo, PathBuf)>, Vec<String>) {
        let mut infos = Vec::new();
        let mut warnings = Vec::new();
        let Ok(mut parsed) = self.parsed.lock() else {
            return (infos, vec!["file store scan failed".into()]);
        };
        let mut seen = std::collections::HashSet::new();
        for (exp, dir) in self.experiment_dirs() {
            let selected = if query.experiment_ids.is_empty() {
                exp.active
            } else {
                wanted(query, Some(&exp.id))
            };
            if !selected {
                continue;
            }
            let Ok(rd) = std::fs::read_dir(dir.join("traces")) else {
                continue;
            };
            for e in rd.flatten() {
                let tdir = e.path();
                let yaml = tdir.join("trace_info.yaml");
                let Ok(meta) = std::fs::metadata(&yaml) else {
                    continue;
                };
                if !meta.is_file() {
                    continue;
                }
                let stamp = (meta.modified().ok(), meta.len());
                if let Some((st, info)) = parsed.get(&yaml)
                    && *st == stamp
                    && stamp.0.is_some()
                {
                    if query.is_recent(info) {
                        infos.push((info.clone(), tdir));
                    }
                    seen.insert(yaml);
                    continue;
                }
                match read_yaml(&yaml)
                    .and_then(|v| parse_info(&v).map_err(|err| SourceError::bad_file(&yaml, err)))
                {
                    Ok(mut info) => {
                        info.experiment_id.get_or_insert_with(|| exp.id.clone());
                        parsed.insert(yaml.clone(), (stamp, info.clone()));
                        seen.insert(yaml);
                        if query.is_recent(&info) {
                            infos.push((info, tdir));
                        }
                    }
                    Err(err) => warnings.push(err.to_string()),
                }
            }
        }
        if query.experiment_ids.is_empty() {
            // every experiment was scanned: forget traces that are gone
            parsed.retain(|p, _| seen.contains(p));
        }
        (infos, warnings)
    }

    fn fill_details(info: &mut TraceInfo, dir: &Path) {
        info.metadata
            .extend(read_kv_dir(&dir.join("request_metadata")));
        info.tags.extend(read_kv_dir(&dir.join("tags")));
        if let Ok(rd) = std::fs::read_dir(dir.join("assessments")) {
            let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            files.sort();
            for f in files {
                if let Ok(v) = read_yaml(&f) {
                    info.assessments.push(parse_assessment(&v));
                }
            }
        }
    }

    fn find(&self, trace_id: &str) -> Option<PathBuf> {
        // a trace id is one path component; refuse anything that could walk elsewhere
        if trace_id.is_empty() || trace_id.contains(['/', '\\']) || trace_id.starts_with('.') {
            return None;
        }
        self.experiment_dirs()
            .into_iter()
            .map(|(_, d)| d.join("traces").join(trace_id))
            .find(|d| d.join("trace_info.yaml").is_file())
    }
}

impl LocalStore for FileStore {
    fn watch_target(&self) -> Option<super::watch::WatchTarget> {
        Some(super::watch::WatchTarget {
            path: self.root.clone(),
            recursive: true,
            name_prefix: None,
            ignore_suffixes: Vec::new(),
        })
    }

    fn describe(&self) -> String {
        format!("file store {}", self.root.display())
    }

    fn experiments(&self) -> Result<Vec<Experiment>, SourceError> {
        Ok(self.experiment_dirs().into_iter().map(|(e, _)| e).collect())
    }

    fn list(&self, query: &ListQuery) -> Result<TracePage, SourceError> {
        if let Some(page) = super::filtered_page(self, query, crate::model::filter::Store::File)? {
            return Ok(page);
        }
        let (scanned, warnings) = {
            let mut cache = self
                .scanned
                .lock()
                .map_err(|_| SourceError::Other("file store scan failed".into()))?;
            let key = (query.experiment_ids.clone(), query.since_ms);
            match &*cache {
                Some((k, s)) if query.page_token.is_some() && *k == key => s.clone(),
                _ => {
                    let s = self.scan(query);
                    *cache = Some((key, s.clone()));
                    s
                }
            }
        };
        let dirs: std::collections::HashMap<String, PathBuf> = scanned
            .iter()
            .map(|(i, d)| (i.trace_id.clone(), d.clone()))
            .collect();
        let mut page = page_of(scanned.into_iter().map(|(i, _)| i).collect(), query)?;
        for info in &mut page.traces {
            if let Some(d) = dirs.get(&info.trace_id) {
                Self::fill_details(info, d);
            }
        }
        page.warnings = warnings;
        Ok(page)
    }

    fn get(&self, trace_id: &str) -> Result<Arc<Trace>, SourceError> {
        let dir = self.find(trace_id).ok_or_else(|| {
            SourceError::NotFound(format!("no trace {trace_id} in {}", self.root.display()))
        })?;
        let yaml = dir.join("trace_info.yaml");
        let mut info =
            parse_info(&read_yaml(&yaml)?).map_err(|e| SourceError::bad_file(&yaml, e))?;
        Self::fill_details(&mut info, &dir);
        let mut artifacts = dir.join("artifacts");
        if !artifacts.join("traces.json").is_file()
            && let Some(loc) = info.tags.get(keys::ARTIFACT_LOCATION)
            && let Some(d) = resolve_dir(loc, &[&self.root])
        {
            artifacts = d;
        }
        let (spans, warnings) = match read_traces_json(&artifacts) {
            Ok(r) => r,
            Err(e) => (Vec::new(), vec![e.to_string()]),
        };
        let mut trace = Trace::new(info, spans);
        trace.warnings = warnings;
        Ok(Arc::new(trace))
    }
}
